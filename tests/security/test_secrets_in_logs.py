"""No secret and no evidence text in any log line over a full flow: report, triage, close."""

from __future__ import annotations

import logging

import pytest

from handlers.teams.ids import Verb
from storage.models import Incident
from tests.support import teams_activities as act
from tests.support.harness import AUDIT_KEY, SIGNING_SECRET, Harness
from tests.support.slack_payloads import block_action
from tests.support.slack_steps import close_form, open_report, rows, submit, submit_close
from tests.support.teams_harness import TEAMS_ADMINS, TeamsHarness

EVIDENCE = "Q3 revenue for Client A was £4.2m, confidential-evidence-marker"
DESCRIPTION = "It quoted Client B, confidential-description-marker"


def leaked(caplog: pytest.LogCaptureFixture, secrets: list[str]) -> list[str]:
    lines = [r.getMessage() + (r.exc_text or "") for r in caplog.records]
    return [f"{s[:12]}… in {line[:80]}" for line in lines for s in secrets if s in line]


async def test_a_slack_flow_logs_no_secret_and_no_evidence(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # the level the desk runs at
    await submit(harness, await open_report(harness, text=EVIDENCE), description=DESCRIPTION)
    [incident] = await rows(harness, Incident)
    for action in ("triage_assign_me", "triage_near_miss"):
        await harness.interact(
            block_action(
                user="U0ADMIN1",
                action_id=action,
                incident_id=incident.id,
                response_url=harness.fake.response_url,
            )
        )
    await harness.interact(  # a refused non-admin is logged too
        block_action(
            user="U0STRANGER",
            action_id="triage_assign_me",
            incident_id=incident.id,
            response_url=harness.fake.response_url,
        )
    )
    await harness.settle()
    await submit_close(harness, await close_form(harness, incident))

    assert caplog.records  # the flow did log
    secrets = ["xoxb-test-token", SIGNING_SECRET, AUDIT_KEY.hex(), EVIDENCE, DESCRIPTION]
    assert leaked(caplog, secrets) == []


@pytest.fixture
def teams_overrides() -> dict[str, str]:
    return {"MicrosoftAppPassword": "teams-app-password-marker"}


async def test_a_teams_flow_logs_no_secret_and_no_evidence(
    teams: TeamsHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # the level the desk runs at
    await teams.install(*TEAMS_ADMINS)
    message = {"body": {"contentType": "text", "content": EVIDENCE}}
    data = act.report_answers(description=DESCRIPTION)
    await teams.post(act.submit_action(teams.service_url, data=data, message=message))
    [incident] = await teams.rows(Incident)
    await teams.click(Verb.ASSIGN_ME, user=act.ADMIN_1, incident_id=incident.id)
    await teams.click_raw(Verb.ASSIGN_ME, user=act.REPORTER, incident_id=incident.id)

    assert caplog.records
    assert leaked(caplog, ["teams-app-password-marker", EVIDENCE, DESCRIPTION]) == []
