"""Deciding a clock: the questions each decision asks on both platforms, and the one parser
their answers go through."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.clocks.decisions import (
    DECIDED_LABEL,
    DECISION_TITLES,
    DECISIONS,
    ObligationStatus,
    button_title,
    decision_questions,
    parse_decision,
    records_notification,
)
from bot.errors import InvalidInput
from bot.questions import Widget

MUST_RECORD = [
    {"id": "nature", "label": "Art. 33(3)(a): nature of the breach"},
    {"id": "contact", "label": "Art. 33(3)(b): " + "x" * 200},
]
NOTIFIED_AT = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def ids(decision: str, must_record: list[dict[str, str]] = MUST_RECORD) -> list[str]:
    return [q.id for q in decision_questions(decision, must_record)]


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


def test_without_must_record_fields_there_is_no_phases_remark() -> None:
    assert ids("notified", []) == ["reference", "notified_at"]


def test_decision_questions_carry_their_widgets_and_limits() -> None:
    questions = {q.id: q for q in decision_questions("late", MUST_RECORD)}

    assert questions["reference"].widget == Widget.LINE
    assert questions["reference"].max_length == 200
    assert questions["notified_at"].widget == Widget.WHEN
    assert questions["phases"].widget == Widget.REMARK
    assert not questions["detail__nature"].required
    assert len(questions["detail__contact"].label) == 150
    assert questions["reasons"].placeholder == "Required: Art. 33(1) asks for the reasons"


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
