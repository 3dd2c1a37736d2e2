"""The report, close and severity forms both platforms render: the questions, and the one
parser each platform's answers go through."""

from __future__ import annotations

import pytest

from bot.domain import CloseInput, Outcome, ReportInput, Severity
from bot.errors import InvalidInput
from bot.incidents.forms import (
    close_questions,
    parse_close,
    parse_severity,
    report_answers,
    report_questions,
)
from bot.questions import Widget
from bot.settings import DeskConfig


def test_close_answers_become_a_close_input_with_the_correction_trimmed() -> None:
    form = parse_close(
        {
            "outcome": "remediated",
            "rationale": "Resent",
            "root_cause": "Stale context",
            "lessons": "Reset per client",
            "correction": "  The figures of this client only  ",
            "obligation_id": "ignored",
        }
    )

    assert form == CloseInput(
        outcome=Outcome.REMEDIATED,
        rationale="Resent",
        root_cause="Stale context",
        lessons="Reset per client",
        correction="The figures of this client only",
    )


def test_unanswered_close_questions_are_empty_not_missing() -> None:
    form = parse_close({"outcome": "false_positive", "rationale": "No harm", "lessons": None})

    assert (form.root_cause, form.lessons, form.correction) == ("", "", "")


@pytest.mark.parametrize("outcome", [None, "", "closed_quietly", 3])
def test_a_missing_or_crafted_outcome_is_asked_for(outcome: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_close({"outcome": outcome, "rationale": "x"})

    assert caught.value.fields == {"outcome": "Pick an outcome."}


def test_close_questions_ask_for_the_correction_and_relax_a_false_positive() -> None:
    ids = [q.id for q in close_questions(None)]
    required = {q.id for q in close_questions(Outcome.REMEDIATED) if q.required}
    false_positive = {q.id for q in close_questions("false_positive") if q.required}

    assert ids == ["outcome", "rationale", "root_cause", "lessons", "correction"]
    assert set(ids) - {"outcome"} <= set(CloseInput.model_fields)
    assert required == {"outcome", "rationale", "root_cause", "lessons"}
    assert false_positive == {"outcome", "rationale"}


def test_report_questions_fill_report_input_and_offer_the_config_vocabulary() -> None:
    config = DeskConfig()

    questions = {q.id: q for q in report_questions(config)}

    assert list(questions) == list(ReportInput.model_fields)
    assert [v for v, _ in questions["failure_type"].options] == [t.id for t in config.failure_types]
    assert questions["reach"].widget == Widget.RADIO


def test_report_answers_take_only_text_answers() -> None:
    answers = report_answers({"description": "Wrong figures", "reach": ["caught"], "x": "y"})

    assert answers == {
        "description": "Wrong figures",
        "failure_type": None,
        "reach": None,
        "personal_data": None,
    }


def test_severity_choice_is_parsed_or_explained() -> None:
    assert parse_severity("SEV2") == Severity.SEV2
    with pytest.raises(InvalidInput) as plain:
        parse_severity(None)
    with pytest.raises(InvalidInput) as with_step:
        parse_severity("SEV9", then="press Set severity")

    assert plain.value.fields == {"severity": "Pick SEV1 to SEV4."}
    assert with_step.value.fields == {"severity": "Pick SEV1 to SEV4, then press Set severity."}
