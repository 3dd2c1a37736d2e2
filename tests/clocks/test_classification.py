"""Form values → classification answers: the one parser both platforms' forms go through."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.clocks.classification import (
    answers_from_form,
    answers_from_values,
    classify_prefill,
    classify_questions,
    scope_options,
)
from bot.domain import IncidentView
from bot.errors import InvalidInput
from bot.questions import Widget
from bot.settings import DeskConfig, FirmScope, RunbookTool

AWARE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def parse(config: DeskConfig | None = None, **values: Any) -> Any:
    form: dict[str, Any] = {
        "aware_at": AWARE,
        "personal_data": "yes",
        "breach": "yes",
        "risk": "risk",
        "serious": None,
        "flags": [],
        "failure_type": "data_exposure",
        "failure_point": None,
        "ai_tool": None,
    }
    form.update(values)
    return answers_from_form(config or DeskConfig(), **form)


def test_form_values_become_answers_with_unasked_defaults() -> None:
    answers = parse(flags=["client_received", "wrong_recipient"])

    assert answers.personal_data == "yes" and answers.risk_to_individuals == "risk"
    assert answers.client_received and answers.wrong_recipient and not answers.client_acted
    assert answers.serious_incident_condition == "none"
    assert answers.aware_at == AWARE


def test_a_crafted_flag_is_ignored_and_scope_flags_count_only_in_scope() -> None:
    answers = parse(flags=["nis2_in_scope", "dora_major", "dora_in_scope", "aware_at"])
    assert not (answers.nis2_in_scope or answers.dora_major or answers.dora_in_scope)

    config = DeskConfig(firm=FirmScope(nis2_in_scope=True, dora_in_scope=True))
    scoped = parse(config, flags=["nis2_in_scope", "dora_major"])
    assert scoped.nis2_in_scope and scoped.dora_major and scoped.dora_in_scope
    assert [k for k, _ in scope_options(config)] == ["nis2_in_scope", "dora_major"]
    assert scope_options(DeskConfig()) == []


def test_every_wrong_field_is_named_at_once() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse(
            aware_at=None,
            personal_data="maybe",
            risk="huge",
            serious="meteor",
            failure_type="nope",
            failure_point="nowhere",
            ai_tool="ghost",
        )

    assert set(caught.value.fields) == {
        "aware_at",
        "personal_data",
        "risk_to_individuals",
        "serious_incident_condition",
        "failure_type",
        "failure_point",
        "ai_tool",
    }


@pytest.mark.parametrize("personal_data", ["yes", "unsure"])
def test_risk_and_breach_must_be_answered_when_personal_data_may_be_involved(
    personal_data: str,
) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse(personal_data=personal_data, risk=None, breach=None)
    assert set(caught.value.fields) == {"risk_to_individuals", "personal_data_breach"}
    assert parse(personal_data="no", risk=None, breach=None).risk_to_individuals is None


def test_a_disclosure_to_a_client_cannot_be_answered_as_no_breach() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse(breach="no", flags=["client_received"])
    assert "that disclosure is a breach" in caught.value.fields["personal_data_breach"]


def test_ai_act_answers_are_read_and_a_crafted_one_refused() -> None:
    answers = parse(ai_choices={"ai_role": "deployer", "ai_annex": "annex_i"})
    assert (answers.ai_role, answers.ai_annex, answers.ai_provider_reachable) == (
        "deployer",
        "annex_i",
        "unsure",
    )
    with pytest.raises(InvalidInput) as caught:
        parse(ai_choices={"ai_role": "importer"})
    assert caught.value.fields == {"ai_role": "Pick one of the listed answers."}


def test_a_naive_awareness_time_is_refused_not_guessed() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse(aware_at=datetime(2026, 11, 23, 9, 0))
    assert caught.value.fields == {"aware_at": "Pick when the firm became aware."}


def test_a_runbook_tool_is_accepted() -> None:
    config = DeskConfig(runbook=[RunbookTool(id="copilot", name="Copilot")])
    assert parse(config, ai_tool="copilot").ai_tool == "copilot"


def classified_view(**fields: Any) -> IncidentView:
    values: dict[str, Any] = {
        "id": 1,
        "key": "INC-0001",
        "kind": "incident",
        "status": "triaging",
        "severity": None,
        "description": "x",
        "failure_type": "data_exposure",
        "failure_type_label": "Data exposure",
        "personal_data": "unsure",
        "reach": "reached_client",
        "platform": "teams",
        "reported_by": "teams:a",
        "reporters": [],
        "assignee": None,
        "created_at": AWARE,
        "closed_at": None,
        "outcome": None,
        "rationale": None,
        "root_cause": None,
        "lessons": None,
        "excerpt": None,
        "author": None,
        "permalink": None,
        "channel_id": None,
    }
    return IncidentView(**{**values, **fields})


def test_the_form_asks_scope_and_tool_only_where_the_config_has_them() -> None:
    plain = [q.id for q in classify_questions(DeskConfig())]
    full = DeskConfig(
        firm=FirmScope(nis2_in_scope=True),
        runbook=[RunbookTool(id="copilot", name="Copilot")],
    )

    assert plain == [
        "aware_at",
        "personal_data",
        "personal_data_breach",
        "risk_to_individuals",
        "flags",
        "fca",
        "serious_incident_condition",
        "ai_role",
        "ai_provider_reachable",
        "ai_annex",
        "failure_type",
        "failure_point",
        "not_legal_advice",
    ]
    assert "Not legal advice" in classify_questions(DeskConfig())[-1].label
    questions = {q.id: q for q in classify_questions(full)}
    assert [v for v, _ in questions["scope"].options] == ["nis2_in_scope"]
    assert questions["ai_tool"].options == (("copilot", "Copilot"),)
    assert questions["flags"].widget == Widget.MULTI and not questions["flags"].required


def test_the_form_is_prefilled_from_stored_answers_else_from_the_incident() -> None:
    config = DeskConfig(
        firm=FirmScope(dora_in_scope=True), runbook=[RunbookTool(id="copilot", name="Copilot")]
    )
    fresh = classify_prefill(classified_view(ai_tool="gone"), config, {})
    revised = classify_prefill(
        classified_view(aware_at=AWARE, ai_tool="copilot", failure_point="integration"),
        config,
        {"personal_data": "yes", "wrong_recipient": True, "dora_major": True},
    )

    assert fresh["aware_at"] == AWARE and fresh["personal_data"] == "unsure"
    # "A client received it" is the report's "reached a client", pre-filled and revisable.
    assert fresh["flags"] == ["client_received"] and fresh["serious_incident_condition"] == "none"
    assert fresh["ai_tool"] is None
    assert revised["personal_data"] == "yes"
    assert revised["flags"] == ["wrong_recipient", "client_received"]
    assert revised["scope"] == ["dora_major"]
    assert (revised["ai_tool"], revised["failure_point"]) == ("copilot", "integration")


def test_answers_keyed_by_question_id_are_parsed_like_the_form_fields() -> None:
    answers = answers_from_values(
        DeskConfig(),
        {
            "personal_data": "yes",
            "personal_data_breach": "unsure",
            "risk_to_individuals": " high_risk ",
            "serious_incident_condition": "",
            "failure_type": "data_exposure",
            "failure_point": None,
            "flags": "ignored: the platform passes flags",
        },
        aware_at=AWARE,
        flags=["client_received"],
    )

    assert answers.risk_to_individuals == "high_risk" and answers.client_received
    assert answers.serious_incident_condition == "none" and answers.failure_point is None
