"""Replies in the 1:1 chat: help, the list of open incidents, one incident."""

from __future__ import annotations

from bot.audit.timeline import TimelineEntry
from bot.domain import IncidentView
from bot.incidents.commands import OpenList
from bot.incidents.labels import closing_facts
from handlers.teams.cards.elements import Element, card, markdown_of, text
from handlers.teams.cards.obligations import clocks_body, runbook_body
from handlers.teams.cards.triage import incident_body

HELP_TEXT = (
    "**AI Incident Desk** — type one of these here:\n\n"
    "- `report [what went wrong]` — report an AI incident (opens a form)\n"
    "- `list` — open incidents (admins see all, others their own reports)\n"
    "- `show INC-0001` — one incident (admins and its reporters)\n"
    "- `show INC-0001 --timeline` — its audit events (admins)\n"
    "- `help` — this help\n\n"
    "To report a specific AI reply, use **… → More actions → Report as AI incident** on the "
    "message."
)


def list_text(answer: OpenList) -> str:
    lines = [markdown_of(answer.title)]
    if answer.views:
        lines.append("")
    lines += [f"- {markdown_of(line)}" for line in answer.lines()]
    return "\n".join(lines)


def show_card(view: IncidentView) -> Element:
    """Read-only: the clocks are listed, deciding them happens on the admins' cards."""
    body = incident_body(view) + runbook_body(view) + clocks_body(view, with_actions=False)
    if closing := closing_facts(view):
        body.append(text("\n\n".join(f"**{name}:** {value}" for name, value in closing)))
    return card(body)


MAX_TIMELINE = 40


def timeline_text(key: str, entries: list[TimelineEntry]) -> str:
    """An incident's audit events, newest last, as a chat message (Teams markdown)."""
    if not entries:
        return f"**{key} · audit timeline**\n\nNo audit events recorded for this incident."
    shown = entries[-MAX_TIMELINE:]
    lines = [f"**{key} · audit timeline**", ""]
    if len(entries) > len(shown):
        lines.append(f"{len(entries) - len(shown)} earlier events not shown.")
    for item in shown:
        seq = f"#{item.seq}" if item.seq is not None else "pre-chain"
        who_ = item.actor_name or item.actor
        detail = f": {item.summary}" if item.summary else ""
        lines.append(f"- {item.at:%Y-%m-%d %H:%M} UTC · **{item.label}** · {who_} · {seq}{detail}")
    return "\n".join(lines)
