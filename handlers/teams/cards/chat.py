"""Replies in the 1:1 chat: help, the list of open incidents, one incident."""

from __future__ import annotations

from bot.audit.timeline import TimelineEntry
from bot.domain import IncidentView
from bot.incidents.commands import OpenList
from bot.incidents.labels import closing_facts
from handlers.teams.cards.elements import Element, Markdown, card, joined, markdown_of, md, text
from handlers.teams.cards.obligations import clocks_body, runbook_body
from handlers.teams.cards.triage import incident_body

HELP_TEXT = Markdown(
    "**AI Incident Desk** — type one of these here:\n\n"
    "- `report [what went wrong]` — report an AI incident (opens a form)\n"
    "- `list` — open incidents (admins see all, others their own reports)\n"
    "- `show INC-0001` — one incident (admins and its reporters)\n"
    "- `show INC-0001 timeline` — its audit events (admins)\n"
    "- `export INC-0001 [md|html|json|bundle]` — the report or evidence bundle as a file "
    "(admins)\n"
    "- `stats [30d|90d|all]`, `stats rules` — where the AI fails; screening precision (admins)\n"
    "- `home` — your dashboard: open incidents, deadlines, your reports\n"
    "- `tools` — each AI tool: in service, contained (and how) or re-enabled\n"
    "- `reenable <tool>` — sign a contained tool back on against its runbook checklist "
    "(its approvers)\n"
    "- `help` — this help\n\n"
    "To report a specific AI reply, use **… → More actions → Report as AI incident** on the "
    "message; **Add to incident…** adds one to an open incident. AI Incident Desk is not "
    "legal advice."
)


def list_text(answer: OpenList) -> Markdown:
    lines: list[str] = [markdown_of(answer.title)]
    if answer.views:
        lines.append("")
    lines += [md("- {}", markdown_of(line)) for line in answer.lines()]
    return joined("\n", lines)


def show_card(view: IncidentView) -> Element:
    """Read-only: the clocks are listed, deciding them happens on the admins' cards."""
    body = incident_body(view) + runbook_body(view) + clocks_body(view, with_actions=False)
    if closing := closing_facts(view):
        lines = (md("**{}:** {}", name, value) for name, value in closing)
        body.append(text(joined("\n\n", lines)))
    return card(body)


MAX_TIMELINE = 40


def timeline_text(key: str, entries: list[TimelineEntry]) -> Markdown:
    """An incident's audit events, newest last, as a chat message (Teams markdown)."""
    if not entries:
        return md("**{} · audit timeline**\n\nNo audit events recorded for this incident.", key)
    shown = entries[-MAX_TIMELINE:]
    lines = [md("**{} · audit timeline**", key), ""]
    if len(entries) > len(shown):
        lines.append(f"{len(entries) - len(shown)} earlier events not shown.")
    for item in shown:
        seq = f"#{item.seq}" if item.seq is not None else "pre-chain"
        who_ = item.actor_name or item.actor or ""
        detail = f": {item.summary}" if item.summary else ""
        lines.append(
            md(
                "- {} UTC · **{}** · {} · {}{}",
                f"{item.at:%Y-%m-%d %H:%M}",
                item.label,
                who_,
                seq,
                detail,
            )
        )
    return joined("\n", lines)
