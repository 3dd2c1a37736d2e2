"""Obligation lines for cards and `/incident show`, and the nudge message."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.clocks.regimes import format_duration, format_time_left
from bot.domain import IncidentView, ObligationLine
from handlers.slack.blocks.elements import Block, button, context, section
from handlers.slack.blocks.text import mention, slack_date
from handlers.slack.ids import ActionId
from handlers.slack.metadata import ObligationRef

DECIDED = {"notified": "notified", "not_required": "not required", "late": "notified late"}


def obligation_line(line: ObligationLine, now: datetime) -> str:
    title = f"*{line.name}* — {line.stage}"
    if line.status != "open":
        who = f" by {mention(line.decided_by)}" if line.decided_by else ""
        ref = f" (ref {line.reference})" if line.reference else ""
        return f":white_check_mark: {title}: {DECIDED.get(line.status, line.status)}{ref}{who}"
    if line.informational:
        return f":information_source: {title}: informational only, not yet in force on this date"
    when = "immediately" if line.immediate else f"due {slack_date(line.due_at)}"
    left = line.due_at - now
    if left.total_seconds() < 0 and not line.immediate:
        return f":red_circle: {title}: *OVERDUE* — was {when} ({format_time_left(left)})"
    suffix = "" if line.immediate else f" ({format_time_left(left)} left)"
    return f":hourglass_flowing_sand: {title}: {when}{suffix}"


def obligations_blocks(view: IncidentView, now: datetime | None = None) -> list[Block]:
    now = now or datetime.now(UTC)
    blocks: list[Block] = []
    if view.contained_at is not None:
        took = format_duration(view.contained_at - view.created_at)
        blocks.append(section(f":lock: Contained after {took} by {mention(view.contained_by)}"))
    if view.classified_at is None:
        blocks.append(context("Not classified yet: *Classify…* decides which clocks start."))
        return blocks
    if not view.obligations:
        blocks.append(context("Classified: no regulatory notification is triggered."))
        return blocks
    lines = "\n".join(obligation_line(o, now) for o in view.obligations)
    aware = slack_date(view.aware_at or view.created_at)
    blocks.append(section(f"*Regulatory clocks* (from awareness {aware})\n{lines}"))
    return blocks


def decision_buttons(obligation_id: int) -> dict[str, Any]:
    def ref(decision: str) -> str:
        return ObligationRef(obligation_id=obligation_id, decision=decision).model_dump_json()

    return {
        "type": "actions",
        "block_id": f"obligation:{obligation_id}",
        "elements": [
            button(ActionId.NOTIFIED, "Notified…", ref("notified"), "primary"),
            button(ActionId.NOT_REQUIRED, "Not required…", ref("not_required")),
            button(ActionId.NOTIFIED_LATE, "Notified late…", ref("late"), "danger"),
        ],
    }


def nudge_message(
    view: IncidentView, line: ObligationLine, now: datetime
) -> tuple[str, list[Block]]:
    """The reminder: incident, regime, deadline, time left, and the three decision buttons."""
    left = line.due_at - now
    if line.immediate:
        timing = "is due immediately and has no decision recorded"
    elif left.total_seconds() <= 0:
        timing = f"deadline passed {format_time_left(left).removeprefix('overdue by ')} ago"
    else:
        timing = f"closes in {format_time_left(left)}"
    text = f"{line.name} for {view.key} {timing} ({line.due_at:%a %d %b %H:%M} UTC)"
    marker = ":red_circle: *OVERDUE* " if left.total_seconds() <= 0 else ":alarm_clock: "
    blocks: list[Block] = [
        section(
            f"{marker}*{line.name}* for *{view.key}* {timing}.\n"
            f"Stage: {line.stage} · deadline {slack_date(line.due_at)}"
        ),
        context(f"{view.key}: {view.description[:200]}"),
        decision_buttons(line.id),
    ]
    return text, blocks
