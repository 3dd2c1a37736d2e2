"""Form values → classification answers: the one parser both platforms' forms go through."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.clocks.classification import answers_from_form, scope_options
from bot.errors import InvalidInput
from bot.settings import DeskConfig, FirmScope, RunbookTool

AWARE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def parse(config: DeskConfig | None = None, **values: Any) -> Any:
    form: dict[str, Any] = {
        "aware_at": AWARE,
        "personal_data": "yes",
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


def test_a_naive_awareness_time_is_refused_not_guessed() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse(aware_at=datetime(2026, 11, 23, 9, 0))
    assert caught.value.fields == {"aware_at": "Pick when the firm became aware."}


def test_a_runbook_tool_is_accepted() -> None:
    config = DeskConfig(runbook=[RunbookTool(id="copilot", name="Copilot")])
    assert parse(config, ai_tool="copilot").ai_tool == "copilot"
