"""Every triage action on both platforms: an admin succeeds; the reporter, another user and a user
of another workspace or tenant are refused, change nothing, and each refusal is audited; a
request forged without Slack's signature never reaches the desk."""

from __future__ import annotations

import json
from typing import Any

import pytest

from handlers.slack.ids import ActionId
from handlers.teams.ids import Verb
from storage.models import AuditEvent, Incident
from tests.support import teams_activities as act
from tests.support.harness import Harness, sign
from tests.support.slack_payloads import block_action
from tests.support.slack_steps import open_report, rows, submit
from tests.support.teams_harness import TEAMS_ADMINS, TeamsHarness

SLACK_ACTIONS = [
    (ActionId.ASSIGN_ME, None),
    (ActionId.SEVERITY, "SEV1"),
    (ActionId.NEAR_MISS, None),
    (ActionId.FALSE_POSITIVE, None),
    (ActionId.CONTAINED, None),
    (ActionId.CLASSIFY, None),
    (ActionId.CLOSE, None),
]
# (user id, team id): the reporter, someone else, and a user of another workspace.
SLACK_OUTSIDERS = [("U0REPORTER", "T0ACME"), ("U0OTHER", "T0ACME"), ("U0FOREIGN", "T0ELSEWHERE")]


def snapshot(incident: Incident) -> tuple[Any, ...]:
    return (incident.assignee, incident.severity, incident.kind, incident.status)


def slack_click(h: Harness, user: str, team: str, action: ActionId, selected: str | None) -> Any:
    payload = block_action(
        user=user,
        action_id=action,
        incident_id=1,
        response_url=h.fake.response_url,
        selected=selected,
    )
    payload["user"]["team_id"] = team
    payload["team"] = {"id": team, "domain": team.lower()}
    return payload


@pytest.mark.parametrize(("action", "selected"), SLACK_ACTIONS)
async def test_slack_triage_action_is_for_admins_only(
    harness: Harness, action: ActionId, selected: str | None
) -> None:
    await submit(harness, await open_report(harness))
    [before] = await rows(harness, Incident)

    for user, team in SLACK_OUTSIDERS:
        resp = await harness.interact(slack_click(harness, user, team, action, selected))
        assert resp.status == 200
    await harness.settle()

    [after] = await rows(harness, Incident)
    assert snapshot(after) == snapshot(before)
    refused = [e for e in await rows(harness, AuditEvent) if e.action == "triage.refused"]
    assert sorted(e.actor for e in refused) == sorted(f"slack:{u}" for u, _ in SLACK_OUTSIDERS)
    told = {c.args["user"] for c in harness.fake.named("chat.postEphemeral")}
    assert {u for u, _ in SLACK_OUTSIDERS} <= told

    resp = await harness.interact(slack_click(harness, "U0ADMIN1", "T0ACME", action, selected))
    assert resp.status == 200
    await harness.settle()
    events = await rows(harness, AuditEvent)
    assert len([e for e in events if e.action == "triage.refused"]) == 3  # the admin was not
    admin_told = [
        c.args["text"]
        for c in harness.fake.named("chat.postEphemeral")
        if c.args["user"] == "U0ADMIN1"
    ]
    assert not [t for t in admin_told if "Only incident admins" in t]
    acted = [e for e in events if e.actor == "slack:U0ADMIN1"]
    assert acted or harness.fake.named("views.open")  # a change recorded, or its form opened


async def test_a_click_forged_without_slacks_signature_is_a_401(harness: Harness) -> None:
    await submit(harness, await open_report(harness))
    payload = slack_click(harness, "U0ADMIN1", "T0ACME", ActionId.ASSIGN_ME, None)
    body = "payload=" + json.dumps(payload)

    for headers in ({}, sign(body, secret="guessed-secret")):
        resp = await harness.client.post(
            "/slack/events",
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
        )
        assert resp.status == 401
    [incident] = await rows(harness, Incident)
    assert incident.assignee is None


TEAMS_VERBS = [
    (Verb.ASSIGN_ME, {}),
    (Verb.SEVERITY, {"severity": "SEV1"}),
    (Verb.NEAR_MISS, {}),
    (Verb.FALSE_POSITIVE, {}),
    (Verb.CONTAINED, {}),
    (Verb.CLASSIFY, {}),
    (Verb.CLOSE, {}),
]
OTHER_TENANT = "0f0f0f0f-0000-4000-8000-0000000000ee"


@pytest.mark.parametrize(("verb", "inputs"), TEAMS_VERBS)
async def test_teams_triage_action_is_for_admins_only(
    teams: TeamsHarness, verb: Verb, inputs: dict[str, str]
) -> None:
    await teams.install(*TEAMS_ADMINS)
    await teams.post(act.submit_action(teams.service_url))
    [before] = await teams.rows(Incident)

    for user in (act.REPORTER, act.MALLORY):
        answer = await teams.click(verb, user=user, incident_id=before.id, **inputs)
        assert answer["value"].startswith("Only incident admins can triage incidents")
    foreign = act.card_action(
        teams.service_url, verb, user=act.MALLORY, data={"incident_id": before.id, **inputs}
    )
    foreign["conversation"]["tenantId"] = OTHER_TENANT
    foreign["channelData"]["tenant"]["id"] = OTHER_TENANT
    status, answer = await teams.post(foreign)
    assert status == 200 and answer["value"].startswith("Only incident admins")

    [after] = await teams.rows(Incident)
    assert snapshot(after) == snapshot(before)
    refused = [e for e in await teams.rows(AuditEvent) if e.action == "triage.refused"]
    assert len(refused) == 3

    answer = await teams.click(verb, user=act.ADMIN_1, incident_id=before.id, **inputs)
    assert not str(answer.get("value", "")).startswith("Only incident admins")
