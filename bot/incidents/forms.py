"""The report and close forms and the severity choice: what both platforms ask, and how the
answers they send back are read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain import CloseInput, Outcome, Severity
from bot.errors import InvalidInput
from bot.incidents.labels import OUTCOME_OPTIONS, PERSONAL_DATA_OPTIONS, REACH_OPTIONS
from bot.questions import Question, Widget, text_answer, typed
from bot.settings import DeskConfig


def report_questions(config: DeskConfig) -> list[Question]:
    """The report form; the ids are ReportInput's field names."""
    return [
        Question(
            id="description",
            label="What went wrong?",
            placeholder="e.g. The summary quotes revenue figures from another client's engagement",
        ),
        Question(
            id="failure_type",
            label="Failure type",
            widget=Widget.SELECT,
            options=tuple((t.id, t.label) for t in config.failure_types),
        ),
        Question(
            id="reach",
            label="Did it reach a client?",
            widget=Widget.RADIO,
            options=tuple(REACH_OPTIONS),
        ),
        Question(
            id="personal_data",
            label="Is personal data involved?",
            widget=Widget.RADIO,
            options=tuple(PERSONAL_DATA_OPTIONS),
        ),
    ]


def report_answers(values: Mapping[str, Any]) -> dict[str, str | None]:
    """The report form's answers, as Intake.parse_report takes them (it checks them all at once)."""
    fields = ("description", "failure_type", "reach", "personal_data")
    return {name: typed(v) if isinstance(v := values.get(name), str) else None for name in fields}


def close_questions(outcome: Outcome | str | None) -> list[Question]:
    """Closing always records an outcome, a rationale, the root cause and the lessons (a false
    positive needs only the rationale), and may say what the AI should have done instead: that
    correction becomes the incident's regression eval case. The ids are CloseInput's fields."""
    false_positive = outcome == Outcome.FALSE_POSITIVE
    return [
        Question(
            id="outcome", label="Outcome", widget=Widget.RADIO, options=tuple(OUTCOME_OPTIONS)
        ),
        Question(
            id="rationale",
            label="Rationale",
            placeholder="What was done, or why nothing was needed",
        ),
        Question(id="root_cause", label="Root cause", required=not false_positive),
        Question(id="lessons", label="Lessons learned", required=not false_positive),
        Question(
            id="correction",
            label="What should the AI have said or done?",
            required=False,
            placeholder="The correct answer; it becomes a regression eval case",
        ),
    ]


def parse_close(values: Mapping[str, Any]) -> CloseInput:
    """The close form's answers; what is required is checked when the incident is closed."""
    outcome = values.get("outcome")
    if outcome not in {o.value for o in Outcome}:
        raise InvalidInput({"outcome": "Pick an outcome."})
    return CloseInput(
        outcome=Outcome(outcome),
        rationale=text_answer(values, "rationale"),
        root_cause=text_answer(values, "root_cause"),
        lessons=text_answer(values, "lessons"),
        correction=text_answer(values, "correction"),
    )


def parse_severity(raw: object, *, then: str | None = None) -> Severity:
    """A severity choice; `then` says what else to do where the platform needs a second step."""
    try:
        return Severity(str(raw))
    except ValueError:
        step = f", then {then}" if then else ""
        raise InvalidInput({"severity": f"Pick SEV1 to SEV4{step}."}) from None
