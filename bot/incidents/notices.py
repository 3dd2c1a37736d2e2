"""What reporters are told about their reports, as notes each platform renders."""

from __future__ import annotations

from bot.domain import Kind, ReportResult
from bot.notes import Note, note, strong


def reported(key: str, kind: Kind | str) -> Note:
    """The reporter's confirmation, sent once the report is saved."""
    kind_name = "near miss" if kind == Kind.NEAR_MISS else "incident"
    return note(
        "Thanks, reported as ",
        strong(key),
        f" ({kind_name}). The incident admins have been told and will triage it.",
    )


def joined(key: str) -> Note:
    """A second reporter of the same message becomes a reporter of the open incident."""
    return note("This message was already reported as ", strong(key), "; you were added.")


def already_reported(key: str) -> Note:
    return note("You already reported this message as ", strong(key), ".")


def closed(key: str, outcome: str, rationale: str) -> Note:
    """To every reporter but the one who closed it."""
    return note(strong(key), f", which you reported, was closed: {outcome}. {rationale}")


def report_answer(result: ReportResult) -> Note:
    """What the report form says once submitted (the form, not a message: said at once)."""
    if result.created:
        return note(
            "Reported as ", strong(result.incident_key), ". The incident admins have been told."
        )
    return note("This was already reported as ", strong(result.incident_key), "; you were added.")
