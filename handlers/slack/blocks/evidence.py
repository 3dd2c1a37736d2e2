"""The "Add to incident…" modal and the admin timeline view."""

from __future__ import annotations

from typing import Any

from bot.audit.timeline import TimelineEntry
from bot.domain import IncidentView
from bot.evidence.canonical import excerpt
from handlers.slack.blocks.elements import Block, context, header, modal, section
from handlers.slack.blocks.elements import static_select_input as select_input
from handlers.slack.blocks.text import captured, joined, md, mention, slack_date
from handlers.slack.ids import BlockId, CallbackId

TITLE = "Add to incident"
MAX_TIMELINE = 40  # Slack allows 50 blocks in a message; the rest is in the export


def quoted(text: str | None, author: str | None) -> Block:
    lines = joined(
        "\n", (md("> {}", captured(line)) for line in (text or "(no text)").splitlines()[:8])
    )
    return section(md("*Message from {}*\n{}", author or "unknown author", lines))


def loading_modal(*, private_metadata: str, text: str | None, author: str | None) -> dict[str, Any]:
    """Opened at once (the trigger id expires in 3 s); the incident list follows."""
    return modal(
        CallbackId.ADD_EVIDENCE_MODAL,
        TITLE,
        [quoted(excerpt(text, 600), author), context("Loading your open incidents…")],
        submit=None,
        private_metadata=private_metadata,
    )


def incident_label(view: IncidentView) -> str:
    return f"{view.key} · {view.failure_type_label} · {excerpt(view.description, 60)}"


def add_modal(
    incidents: list[IncidentView], *, private_metadata: str, text: str | None, author: str | None
) -> dict[str, Any]:
    """Pick the open incident this message is evidence for."""
    top = quoted(excerpt(text, 600), author)
    if not incidents:
        return modal(
            CallbackId.ADD_EVIDENCE_MODAL,
            TITLE,
            [
                top,
                section(
                    "You have no open incidents to add this to. Use *Report as AI incident* to "
                    "report it as a new one."
                ),
            ],
            submit=None,
            close="Close",
            private_metadata=private_metadata,
        )
    options = [(str(v.id), incident_label(v)) for v in incidents[:100]]
    return modal(
        CallbackId.ADD_EVIDENCE_MODAL,
        TITLE,
        [
            top,
            select_input(BlockId.INCIDENT, "Add it to", options),
            context("A copy of this message, its thread and files is kept as evidence."),
        ],
        submit="Add",
        private_metadata=private_metadata,
    )


def added_modal(text: str) -> dict[str, Any]:
    return modal(CallbackId.ADD_EVIDENCE_MODAL, TITLE, [section(text)], submit=None, close="Done")


def timeline_blocks(key: str, entries: list[TimelineEntry]) -> list[Block]:
    """An incident's audit events, newest last; older ones are elided past MAX_TIMELINE."""
    shown = entries[-MAX_TIMELINE:]
    blocks: list[Block] = [header(f"{key} · audit timeline")]
    if len(entries) > len(shown):
        blocks.append(
            context(
                md(
                    "{} earlier events not shown; `/incident export {}` has all of them.",
                    str(len(entries) - len(shown)),
                    key,
                )
            )
        )
    for item in shown:
        seq = f"#{item.seq}" if item.seq is not None else "pre-chain"
        line = md(
            "*{}* · {} · {} · `{}`", item.label, mention(item.actor), slack_date(item.at), seq
        )
        blocks.append(section(line + md("\n{}", item.summary) if item.summary else line))
    if not entries:
        blocks.append(section("No audit events recorded for this incident."))
    return blocks


def timeline_text(key: str, entries: list[TimelineEntry]) -> str:
    return f"{key}: {len(entries)} audit events"
