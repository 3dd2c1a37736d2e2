"""Bad answers re-show the form with the errors; a failing database records nothing."""

from __future__ import annotations

import itertools
import json
from typing import Any

from storage.db import Database
from storage.models import Evidence, Incident, OutboxMessage
from tests.support import teams_activities as act
from tests.support.teams_harness import TeamsHarness
from tests.support.teams_steps import form_of, inputs


def errors_under_fields(card: dict[str, Any]) -> dict[str, str]:
    """Each error TextBlock, keyed by the input it follows."""
    found: dict[str, str] = {}
    body = card["body"]
    for before, element in itertools.pairwise(body):
        if element.get("color") == "Attention" and before.get("id"):
            found[before["id"]] = element["text"]
    return found


async def test_missing_answers_reshow_the_form_with_every_error(teams: TeamsHarness) -> None:
    data = act.report_answers(description="   ", failure_type=None, reach=None, personal_data=None)

    status, answer = await teams.post(act.submit_action(teams.service_url, data=data))

    assert status == 200
    card = form_of(answer)
    assert errors_under_fields(card) == {
        "description": "Say what went wrong.",
        "failure_type": "Pick a failure type from the list.",
        "reach": "Say whether it reached a client.",
        "personal_data": "Say whether personal data is involved.",
    }
    assert "DraftBot" in json.dumps(card)  # the message is still shown
    assert await teams.rows(Incident) == []


async def test_overlong_description_keeps_the_other_answers(teams: TeamsHarness) -> None:
    data = act.report_answers(description="x" * 3001, failure_type="fabrication")

    _, answer = await teams.post(act.submit_action(teams.service_url, data=data))

    card = form_of(answer)
    assert "under 3000 characters" in errors_under_fields(card)["description"]
    fields = inputs(card)
    assert fields["failure_type"]["value"] == "fabrication"
    assert fields["reach"]["value"] == "reached_client"
    assert await teams.rows(Incident) == []


async def test_unknown_failure_type_is_refused(teams: TeamsHarness) -> None:
    data = act.report_answers(failure_type="made_up")
    _, answer = await teams.post(act.submit_action(teams.service_url, data=data))
    assert errors_under_fields(form_of(answer)) == {
        "failure_type": "Pick a failure type from the list."
    }


async def test_database_down_says_nothing_was_recorded_and_retry_succeeds(
    teams: TeamsHarness,
) -> None:
    real_db = teams.app.core.ctx.db
    teams.app.core.ctx.db = Database("postgresql+psycopg://postgres@127.0.0.1:1/unreachable")
    try:
        status, answer = await teams.post(act.submit_action(teams.service_url))
    finally:
        await teams.app.core.ctx.db.dispose()
        teams.app.core.ctx.db = real_db

    assert status == 200
    card = form_of(answer)
    assert "Could not be saved: nothing was recorded" in json.dumps(card)
    assert inputs(card)["description"]["value"] == "It quoted another client's revenue figures"
    assert await teams.rows(Incident) == []
    assert await teams.rows(OutboxMessage) == []

    _, retry = await teams.post(act.submit_action(teams.service_url))

    assert retry["task"]["value"].startswith("Reported as INC-0001")
    [evidence] = await teams.rows(Evidence)
    assert evidence.content["message"]["text"].startswith("Q3 revenue")


async def test_an_invoke_for_another_command_is_not_a_report(teams: TeamsHarness) -> None:
    activity = act.submit_action(teams.service_url)
    activity["value"]["commandId"] = "somethingElse"
    status, answer = await teams.post(activity)
    assert status == 200 and answer["task"]["type"] == "message"
    assert await teams.rows(Incident) == []
