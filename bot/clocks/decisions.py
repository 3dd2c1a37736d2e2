"""Deciding a regulatory clock: notified, not required, or notified late. What each decision
asks (the regime's must-record fields only when a notification was made), how the answers are
read, and what is stored, for both platforms."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from bot.clocks.regimes import DecisionForm
from bot.errors import InvalidInput
from bot.questions import Question, Widget, remark, text_answer

MAX_TEXT = 3000


class ObligationStatus(StrEnum):
    OPEN = "open"
    NOTIFIED = "notified"
    NOT_REQUIRED = "not_required"
    LATE = "late"
    WITHDRAWN = "withdrawn"  # a revised classification no longer triggers it


# The three ways to stop a clock, in the order every card offers them.
DECISIONS = (ObligationStatus.NOTIFIED, ObligationStatus.NOT_REQUIRED, ObligationStatus.LATE)
DECISION_TITLES = {
    ObligationStatus.NOTIFIED: "Notified",
    ObligationStatus.NOT_REQUIRED: "Not required",
    ObligationStatus.LATE: "Notified late",
}
DECIDED_LABEL = {
    ObligationStatus.NOTIFIED: "notified",
    ObligationStatus.NOT_REQUIRED: "not required",
    ObligationStatus.LATE: "notified late",
}
DETAIL_PREFIX = "detail__"  # a must-record field's question id is this plus the field's id


class DecisionInput(BaseModel):
    """What an admin records to stop a clock."""

    decision: ObligationStatus
    reference: str = ""
    notified_at: datetime | None = None
    rationale: str = ""
    reasons: str = ""
    details: dict[str, str] = {}


def _sentence(hint: str) -> str:
    """A form's "Required: …" placeholder as an error sentence."""
    text = hint.removeprefix("Required: ").strip().rstrip(".")
    return text[:1].upper() + text[1:] + "."


def decisions_for(*, record_only: bool) -> tuple[ObligationStatus, ...]:
    """The buttons a stage offers: a record-only stage only records why no notification is made."""
    return (ObligationStatus.NOT_REQUIRED,) if record_only else DECISIONS


def validate_decision(
    form: DecisionInput,
    *,
    due_at: datetime,
    now: datetime,
    immediate: bool = False,
    record_only: bool = False,
    wording: DecisionForm | None = None,
) -> dict[str, Any]:
    """The decision as stored, or InvalidInput naming each missing or contradictory field.

    An immediate stage ("without undue delay") has no fixed deadline, so it is never refused as
    late; whether the delay was undue is for the person deciding."""
    wording = wording or DecisionForm()
    errors: dict[str, str] = {}
    if form.decision not in decisions_for(record_only=record_only):
        raise InvalidInput(
            {
                "decision": "This stage records a decision not to notify. If you now think a "
                "notification is due, re-classify the incident (Classify…) and its clock starts."
            }
        )
    record: dict[str, Any] = {"details": {k: v.strip() for k, v in form.details.items() if v}}
    for name, value in (
        ("reference", form.reference),
        ("rationale", form.rationale),
        ("reasons", form.reasons),
    ):
        if len(value) > MAX_TEXT:
            errors[name] = f"Keep it under {MAX_TEXT} characters."
    if form.decision in (ObligationStatus.NOTIFIED, ObligationStatus.LATE):
        if wording.reference_label and not form.reference.strip():
            errors["reference"] = "Give the authority's reference (or 'none given')."
        if form.notified_at is None:
            errors["notified_at"] = "When was the notification made?"
        elif form.notified_at > now + timedelta(minutes=5):
            errors["notified_at"] = "That is in the future."
        elif (
            form.decision == ObligationStatus.NOTIFIED
            and not immediate
            and form.notified_at > due_at
        ):
            errors["notified_at"] = (
                "That is after the deadline: use Notified late… and give the reasons."
            )
        record["reference"] = form.reference.strip()
        record["notified_at"] = form.notified_at.isoformat() if form.notified_at else None
    if form.decision == ObligationStatus.LATE:
        if not form.reasons.strip():
            errors["reasons"] = _sentence(wording.late_reasons)
        record["reasons"] = form.reasons.strip()
    if form.decision == ObligationStatus.NOT_REQUIRED:
        if not form.rationale.strip():
            why = _sentence(wording.not_required)
            errors["rationale"] = f"Record {why[:1].lower()}{why[1:]}"
        record["rationale"] = form.rationale.strip()
    if form.decision not in DECIDED_LABEL:
        errors["decision"] = "Pick notified, not required or notified late."
    if errors:
        raise InvalidInput(errors)
    return record


def button_title(decision: ObligationStatus) -> str:
    """`Notified…`: the button opens the decision's form."""
    return f"{DECISION_TITLES[decision]}…"


def records_notification(decision: ObligationStatus | str) -> bool:
    """Notified and notified late record the notification; not required records why not."""
    return decision in (ObligationStatus.NOTIFIED, ObligationStatus.LATE)


def decision_questions(
    decision: ObligationStatus | str,
    must_record: list[dict[str, str]],
    form: Mapping[str, Any] | None = None,
) -> list[Question]:
    """The decision's form, worded for the regime (`form`: regimes.DecisionForm as stored); the
    ids are DecisionInput's field names (must-record fields are prefixed with DETAIL_PREFIX)."""
    wording = DecisionForm.model_validate(form or {})
    questions: list[Question] = []
    if records_notification(decision):
        if wording.reference_label:
            questions.append(
                Question(
                    id="reference",
                    label=wording.reference_label,
                    widget=Widget.LINE,
                    max_length=200,
                )
            )
        questions += [
            Question(
                id="notified_at",
                label="When was it notified?",
                widget=Widget.WHEN,
                hint="The time the notification was made.",
            ),
        ]
        questions += [
            Question(id=f"{DETAIL_PREFIX}{field['id']}", label=field["label"][:150], required=False)
            for field in must_record
        ]
        if wording.phases_note:
            questions.append(remark("phases", wording.phases_note))
    if decision == ObligationStatus.LATE:
        questions.append(
            Question(
                id="reasons",
                label="Reasons for the delay",
                placeholder=wording.late_reasons[:150],
            )
        )
    if decision == ObligationStatus.NOT_REQUIRED:
        questions.append(
            Question(
                id="rationale",
                label="Why no notification is needed",
                placeholder=wording.not_required[:150],
            )
        )
    return questions


def parse_decision(
    decision: str | None, values: Mapping[str, Any], *, notified_at: datetime | None
) -> DecisionInput:
    """The decision form's answers (the platform reads its own date and time widgets); whether
    they are complete is checked by validate_decision when the decision is recorded."""
    if decision not in DECISION_TITLES:
        raise InvalidInput({"decision": "This form is not one of ours."})
    return DecisionInput(
        decision=ObligationStatus(decision),
        reference=text_answer(values, "reference"),
        notified_at=notified_at,
        rationale=text_answer(values, "rationale"),
        reasons=text_answer(values, "reasons"),
        details={
            key.removeprefix(DETAIL_PREFIX): answer
            for key in values
            if key.startswith(DETAIL_PREFIX) and (answer := text_answer(values, key))
        },
    )
