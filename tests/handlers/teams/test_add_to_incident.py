"""Add to incident…: a second message action appends the message to an open incident as hashed,
audited evidence, and every admin's card says so."""

from __future__ import annotations

import json
from typing import Any

from bot.evidence.canonical import sha256_hex
from storage.models import AuditEvent, Evidence, Incident
from tests.support import teams_activities as act
from tests.support.teams_harness import TEAMS_ADMINS, TeamsHarness

FOLLOW_UP: dict[str, Any] = {
    "id": "1700000000200",
    "body": {"contentType": "html", "content": "<p>It also gave Client B's margin as 31%.</p>"},
}


async def reported(h: TeamsHarness) -> Incident:
    await h.install(*TEAMS_ADMINS)
    await h.post(act.submit_action(h.service_url))
    [incident] = await h.rows(Incident)
    return incident


def dialog_card(answer: Any) -> dict[str, Any]:
    return dict(answer["task"]["value"]["card"]["content"])


async def test_fetch_task_lists_the_open_incidents_the_reporter_may_add_to(
    teams: TeamsHarness,
) -> None:
    incident = await reported(teams)

    status, answer = await teams.post(
        act.add_to_incident(teams.service_url, submit=False, **FOLLOW_UP)
    )

    assert status == 200
    assert answer["task"]["value"]["title"] == "Add to incident"
    card = dialog_card(answer)
    [choice] = [e for e in card["body"] if e["type"] == "Input.ChoiceSet"]
    assert [c["value"] for c in choice["choices"]] == [str(incident.id)]
    assert choice["choices"][0]["title"].startswith("INC-0001 · ")
    assert "Client B's margin" in json.dumps(card, ensure_ascii=False)


async def test_added_message_is_hashed_audited_and_shown_on_every_card(
    teams: TeamsHarness,
) -> None:
    incident = await reported(teams)

    status, answer = await teams.post(
        act.add_to_incident(teams.service_url, incident_id=incident.id, **FOLLOW_UP)
    )

    assert status == 200
    assert answer["task"]["value"] == (
        "Added to INC-0001 as evidence #2. The incident admins' cards show it."
    )
    _, second = await teams.rows(Evidence)
    assert second.source_key == f"teams:{act.TENANT}:{act.CHANNEL}:1700000000200"
    assert second.content["message"]["text"] == "It also gave Client B's margin as 31%."
    assert second.sha256 == sha256_hex(second.content)
    assert second.captured_by == f"teams:{act.REPORTER}"
    added = [e for e in await teams.rows(AuditEvent) if e.action == "evidence.added"]
    assert added and (added[-1].after or {})["sha256"] == second.sha256
    updated = {c.conversation_id: c.card or {} for c in teams.connector.named("update")}
    for admin in TEAMS_ADMINS:
        assert "2 messages kept as evidence" in json.dumps(updated[act.personal_chat(admin)])


async def test_adding_the_same_message_twice_keeps_one_copy(teams: TeamsHarness) -> None:
    incident = await reported(teams)
    add = act.add_to_incident(teams.service_url, incident_id=incident.id, **FOLLOW_UP)
    await teams.post(add)

    _, answer = await teams.post(add)

    assert answer["task"]["value"] == "This message is already evidence #2 of INC-0001."
    assert len(await teams.rows(Evidence)) == 2


async def test_someone_else_cannot_add_to_an_incident_they_did_not_report(
    teams: TeamsHarness,
) -> None:
    incident = await reported(teams)

    _, listed = await teams.post(
        act.add_to_incident(teams.service_url, user=act.MALLORY, submit=False, **FOLLOW_UP)
    )
    _, answer = await teams.post(
        act.add_to_incident(
            teams.service_url, user=act.MALLORY, incident_id=incident.id, **FOLLOW_UP
        )
    )

    assert "no open incidents to add this message to" in listed["task"]["value"]
    assert "only to incidents you reported" in answer["task"]["value"]
    assert len(await teams.rows(Evidence)) == 1
    refused = [e for e in await teams.rows(AuditEvent) if e.action == "triage.refused"]
    assert refused and refused[-1].actor == f"teams:{act.MALLORY}"


async def test_no_incident_picked_asks_again(teams: TeamsHarness) -> None:
    await reported(teams)

    _, answer = await teams.post(act.add_to_incident(teams.service_url, **FOLLOW_UP))

    assert "Pick an incident." in json.dumps(dialog_card(answer))
    assert len(await teams.rows(Evidence)) == 1
