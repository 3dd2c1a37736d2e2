"""How regulatory clocks are told to people: each stage's line on a card, the clocks' heading, and
the nudge. Notes (bot/notes.py) that each platform renders, with its own icon per LineState."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from bot.clocks.decisions import DECIDED_LABEL, ObligationStatus
from bot.clocks.regimes import format_time_left
from bot.domain import IncidentView, ObligationLine, Status
from bot.notes import Note, Span, moment, note, person, strong

NOT_LEGAL_ADVICE = (
    "Not legal advice: the desk applies its regime table to your answers; a person decides "
    "what to notify."
)


def awaits_classification(view: IncidentView) -> bool:
    """Whether the card should still say "Not classified yet": never once closed."""
    return view.classified_at is None and view.status != Status.CLOSED


NOT_CLASSIFIED = note("Not classified yet: ", strong("Classify…"), " decides which clocks start.")
# Says what was decided and on what basis, never that nothing is owed.
NO_OBLIGATIONS = note(
    "Classified: with these answers none of the desk's regime rules starts a clock. ",
    "Whether any other duty to notify applies is still for a person to judge. ",
    NOT_LEGAL_ADVICE,
)


class LineState(StrEnum):
    DECIDED = "decided"
    INFORMATIONAL = "informational"  # not yet in force on the incident's date
    OVERDUE = "overdue"
    DUE = "due"  # or due immediately


def line_state(line: ObligationLine, now: datetime) -> LineState:
    """How a stage looks now; an immediate stage is never OVERDUE, whatever its target."""
    if not line.open:
        return LineState.DECIDED
    if line.informational:
        return LineState.INFORMATIONAL
    if line.due_at < now and not line.immediate:
        return LineState.OVERDUE
    return LineState.DUE


def decided_note(line: ObligationLine) -> Note:
    """`notified (ref ICO-9) by <who>`."""
    by: list[Span | str] = [" by ", person(line.decided_by)] if line.decided_by else []
    return note(
        DECIDED_LABEL.get(ObligationStatus(line.status), line.status),
        f" (ref {line.reference})" if line.reference else "",
        *by,
    )


def line_note(line: ObligationLine, now: datetime) -> Note:
    """One stage: decided, informational, OVERDUE, or due with the time left."""
    title = note(strong(line.name), f" — {line.stage}: ")
    state = line_state(line, now)
    if state == LineState.DECIDED:
        return title + decided_note(line)
    if state == LineState.INFORMATIONAL:
        return title + "informational only, not yet in force on this date"
    if line.immediate:
        return title + immediate_note(line, now)
    when = note("due ", moment(line.due_at))
    left = format_time_left(line.due_at - now)
    if state == LineState.OVERDUE:
        return note(title, strong("OVERDUE"), " — was ", when, f" ({left})")
    return note(title, when, f" ({left} left)")


def immediate_note(line: ObligationLine, now: datetime) -> Note:
    """`due now, without undue delay · target <when> (the firm's target, not a legal deadline)`."""
    first = "record a decision" if line.record_only else "due now, without undue delay"
    if line.target_at is None:
        return note(first)
    passed = "passed " if line.target_at <= now else ""
    return note(
        first,
        f" · {passed}target ",
        moment(line.target_at),
        " (the firm's target, not a legal deadline)",
    )


def row_label(line: ObligationLine) -> Note:
    """Names the regime and stage a row of decision buttons is for."""
    return note("For ", strong(line.name), f" — {line.stage}:")


def clocks_heading(view: IncidentView) -> Note:
    return note(
        strong("Regulatory clocks"),
        " (from awareness ",
        moment(view.aware_at or view.created_at),
        ")",
    )


def nudge_timing(line: ObligationLine, now: datetime) -> str:
    left = line.due_at - now
    if line.record_only:
        return "needs its decision recorded"
    if line.immediate:
        return "is due without undue delay and has no decision recorded"
    if left.total_seconds() <= 0:
        return f"deadline passed {format_time_left(left).removeprefix('overdue by ')} ago"
    return f"closes in {format_time_left(left)}"


def nudge_overdue(line: ObligationLine, now: datetime) -> bool:
    """Undecided at or past a fixed deadline: the nudge says OVERDUE (never when immediate)."""
    return line.open and not line.immediate and line.due_at <= now


def nudge_note(view: IncidentView, line: ObligationLine, now: datetime) -> Note:
    """`OVERDUE ICO breach notification for INC-0001 deadline passed 3 h ago.`"""
    overdue: list[Span | str] = [strong("OVERDUE"), " "] if nudge_overdue(line, now) else []
    return note(
        *overdue,
        strong(line.name),
        " for ",
        strong(view.key),
        f" {nudge_timing(line, now)}.",
    )


def nudge_stage_note(line: ObligationLine) -> Note:
    if line.immediate:
        stage = note(f"Stage: {line.stage} · no fixed deadline")
        if line.target_at is None:
            return stage
        return stage + note(" · target ", moment(line.target_at), " (not a legal deadline)")
    return note(f"Stage: {line.stage} · deadline ", moment(line.due_at))


def nudge_summary(view: IncidentView, line: ObligationLine, now: datetime) -> str:
    """The notification text of a nudge."""
    return f"{line.name} for {view.key} {nudge_timing(line, now)}"
