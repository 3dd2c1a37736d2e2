"""Deciding a clock: the questions each decision asks on both platforms, and the one parser
their answers go through."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.clocks.decisions import (
    DECIDED_LABEL,
    DECISION_TITLES,
    DECISIONS,
    DecisionInput,
    ObligationStatus,
    button_title,
    decision_questions,
    decisions_for,
    parse_decision,
    records_notification,
    validate_decision,
)
from bot.clocks.regimes import DecisionForm, load_regimes
from bot.errors import InvalidInput
from bot.questions import Widget

MUST_RECORD = [
    {"id": "nature", "label": "Art. 33(3)(a): nature of the breach"},
    {"id": "contact", "label": "Art. 33(3)(b): " + "x" * 200},
]
NOTIFIED_AT = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
ICO_FORM = {
    "phases_note": "Information may follow in phases (Art. 33(4)).",
    "late_reasons": "Required: give the reasons for the delay (Art. 33(1))",
}


def ids(
    decision: str,
    must_record: list[dict[str, str]] = MUST_RECORD,
    form: dict[str, Any] | None = ICO_FORM,
) -> list[str]:
    return [q.id for q in decision_questions(decision, must_record, form)]


def test_the_three_decisions_have_titles_labels_and_buttons_in_card_order() -> None:
    assert DECISIONS == (
        ObligationStatus.NOTIFIED,
        ObligationStatus.NOT_REQUIRED,
        ObligationStatus.LATE,
    )
    assert set(DECISION_TITLES) == set(DECIDED_LABEL) == set(DECISIONS)
    assert [button_title(d) for d in DECISIONS] == [
        "Notified…",
        "Not required…",
        "Notified late…",
    ]


def test_must_record_fields_are_asked_only_when_a_notification_was_made() -> None:
    assert ids("notified") == [
        "reference",
        "notified_at",
        "detail__nature",
        "detail__contact",
        "phases",
    ]
    assert ids("late") == [*ids("notified"), "reasons"]
    assert ids("not_required") == ["rationale"]
    assert [records_notification(d) for d in DECISIONS] == [True, False, True]


def test_a_regime_without_phases_has_no_phases_remark() -> None:
    assert ids("notified", [], {}) == ["reference", "notified_at"]


def test_art_34_asks_no_authority_reference_and_cites_art_34() -> None:
    [art34] = [r for r in load_regimes() if r.id == "uk_gdpr_art34"]
    form = art34.decision_form.model_dump()
    questions = {q.id: q for q in decision_questions("late", [], form)}

    assert "reference" not in questions and "phases" not in questions
    assert "Art. 34" in (questions["reasons"].placeholder or "")
    assert "Art. 33" not in " ".join(q.label + (q.placeholder or "") for q in questions.values())


def test_an_immediate_stage_is_never_refused_as_late() -> None:
    aware = NOTIFIED_AT - timedelta(minutes=10)
    told = DecisionInput(decision=ObligationStatus.NOTIFIED, notified_at=NOTIFIED_AT)
    record = validate_decision(
        told,
        due_at=aware,
        now=NOTIFIED_AT,
        immediate=True,
        wording=DecisionForm(reference_label=None),
    )
    assert record["notified_at"] == NOTIFIED_AT.isoformat()
    with pytest.raises(InvalidInput) as caught:
        validate_decision(told.model_copy(update={"reference": "X"}), due_at=aware, now=NOTIFIED_AT)
    assert "after the deadline" in caught.value.fields["notified_at"]


def test_a_record_only_stage_accepts_only_a_reasoned_not_required() -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_decision(
            DecisionInput(
                decision=ObligationStatus.NOTIFIED, reference="X", notified_at=NOTIFIED_AT
            ),
            due_at=NOTIFIED_AT,
            now=NOTIFIED_AT,
            record_only=True,
        )
    assert "re-classify" in caught.value.fields["decision"]
    assert decisions_for(record_only=True) == (ObligationStatus.NOT_REQUIRED,)


def test_decision_questions_carry_their_widgets_and_limits() -> None:
    questions = {q.id: q for q in decision_questions("late", MUST_RECORD, ICO_FORM)}

    assert questions["reference"].widget == Widget.LINE
    assert questions["reference"].max_length == 200
    assert questions["notified_at"].widget == Widget.WHEN
    assert questions["phases"].widget == Widget.REMARK
    assert not questions["detail__nature"].required
    assert len(questions["detail__contact"].label) == 150
    assert questions["reasons"].placeholder == ICO_FORM["late_reasons"]


def test_decision_answers_are_parsed_with_details_unprefixed_and_empties_dropped() -> None:
    form = parse_decision(
        "late",
        {
            "reference": " ICO-123 ",
            "reasons": "Weekend",
            "detail__nature": " Two clients' figures ",
            "detail__contact": "   ",
            "decision": "late",
            "origin": "nudge",
        },
        notified_at=NOTIFIED_AT,
    )

    assert form.decision == ObligationStatus.LATE
    assert (form.reference, form.reasons, form.rationale) == ("ICO-123", "Weekend", "")
    assert form.notified_at == NOTIFIED_AT
    assert form.details == {"nature": "Two clients' figures"}


@pytest.mark.parametrize("decision", [None, "", "open", "withdrawn", "approved"])
def test_a_crafted_decision_is_refused(decision: str | None) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_decision(decision, {}, notified_at=None)

    assert caught.value.fields == {"decision": "This form is not one of ours."}
