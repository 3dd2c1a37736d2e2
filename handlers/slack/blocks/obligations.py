"""Obligation lines for cards and `/incident show`, and the nudge message."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.clocks.decisions import ObligationStatus, button_title, decisions_for
from bot.clocks.wording import (
    NO_OBLIGATIONS,
    NOT_CLASSIFIED,
    LineState,
    awaits_classification,
    clocks_heading,
    line_note,
    line_state,
    nudge_note,
    nudge_overdue,
    nudge_stage_note,
    nudge_summary,
    row_label,
)
from bot.containment.wording import contained_note
from bot.domain import IncidentView, ObligationLine
from handlers.slack.blocks.elements import Block, button, context, section
from handlers.slack.blocks.text import Mrkdwn, joined, md, mrkdwn_of
from handlers.slack.ids import ActionId
from handlers.slack.metadata import ObligationRef

ICONS = {
    LineState.DECIDED: ":white_check_mark:",
    LineState.INFORMATIONAL: ":information_source:",
    LineState.OVERDUE: ":red_circle:",
    LineState.DUE: ":hourglass_flowing_sand:",
}
# Each decision's button: its action id and style.
DECISION_BUTTONS: dict[ObligationStatus, tuple[ActionId, str | None]] = {
    ObligationStatus.NOTIFIED: (ActionId.NOTIFIED, "primary"),
    ObligationStatus.NOT_REQUIRED: (ActionId.NOT_REQUIRED, None),
    ObligationStatus.LATE: (ActionId.NOTIFIED_LATE, "danger"),
}


def obligation_line(line: ObligationLine, now: datetime) -> Mrkdwn:
    return md("{} {}", ICONS[line_state(line, now)], mrkdwn_of(line_note(line, now)))


def obligations_blocks(view: IncidentView, now: datetime | None = None) -> list[Block]:
    now = now or datetime.now(UTC)
    blocks: list[Block] = []
    contained = contained_note(view)
    if contained is not None:
        blocks.append(section(md(":lock: {}", mrkdwn_of(contained))))
    if view.classified_at is None:
        if awaits_classification(view):
            blocks.append(context(mrkdwn_of(NOT_CLASSIFIED)))
        return blocks
    if not view.obligations:
        blocks.append(context(mrkdwn_of(NO_OBLIGATIONS)))
        return blocks
    lines = joined("\n", (obligation_line(o, now) for o in view.obligations))
    blocks.append(section(md("{}\n{}", mrkdwn_of(clocks_heading(view)), lines)))
    return blocks


def decision_buttons(line: ObligationLine) -> dict[str, Any]:
    """The stage's decision buttons; a record-only stage offers only Not required…."""

    def ref(decision: ObligationStatus) -> str:
        return ObligationRef(obligation_id=line.id, decision=decision.value).model_dump_json()

    return {
        "type": "actions",
        "block_id": f"obligation:{line.id}",
        "elements": [
            button(DECISION_BUTTONS[d][0], button_title(d), ref(d), DECISION_BUTTONS[d][1])
            for d in decisions_for(record_only=line.record_only)
        ],
    }


def labelled_decision_buttons(line: ObligationLine) -> list[Block]:
    """A card's row of buttons under a line naming the regime and stage it decides."""
    return [context(mrkdwn_of(row_label(line))), decision_buttons(line)]


def nudge_message(
    view: IncidentView, line: ObligationLine, now: datetime
) -> tuple[str, list[Block]]:
    """The reminder: incident, regime, deadline, time left, and the three decision buttons."""
    text = f"{nudge_summary(view, line, now)} ({line.due_at:%a %d %b %H:%M} UTC)"
    marker = ":red_circle:" if nudge_overdue(line, now) else ":alarm_clock:"
    blocks: list[Block] = [
        section(
            md(
                "{} {}\n{}",
                marker,
                mrkdwn_of(nudge_note(view, line, now)),
                mrkdwn_of(nudge_stage_note(line)),
            )
        ),
        context(md("{}: {}", view.key, view.description[:200])),
        decision_buttons(line),
    ]
    return text, blocks
