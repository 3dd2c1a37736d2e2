"""Message extension: the form opens, submitting it stores the incident with its evidence."""

from __future__ import annotations

import json
from typing import Any

from bot.evidence.canonical import sha256_hex
from storage.models import AuditEvent, Evidence, Incident, IncidentReporter
from tests.support import teams_activities as act
from tests.support.teams_harness import TEAMS_ADMINS, TeamsHarness
from tests.support.teams_steps import form_of, inputs

SOURCE_KEY = f"teams:{act.TENANT}:19:c1a2b3c4d5e6f708192a3b4c5d6e7f80@thread.tacv2:1700000000100"


async def report(h: TeamsHarness, **kwargs: Any) -> tuple[int, Any]:
    return await h.post(act.submit_action(h.service_url, **kwargs))


async def test_fetch_task_opens_the_report_form_with_the_message(teams: TeamsHarness) -> None:
    status, answer = await teams.post(act.fetch_task(teams.service_url))

    assert status == 200
    card = form_of(answer)
    assert answer["task"]["value"]["title"] == "Report AI incident"
    assert card["version"] == "1.5"
    assert set(inputs(card)) == {"description", "failure_type", "reach", "personal_data"}
    shown = json.dumps(card, ensure_ascii=False)
    assert "DraftBot" in shown and "Q3 revenue for Client A was £4.2m" in shown
    failure_types = [c["value"] for c in inputs(card)["failure_type"]["choices"]]
    assert "contamination" in failure_types and len(failure_types) == 11
    assert card["actions"][0]["type"] == "Action.Submit"
    assert await teams.rows(Incident) == []


async def test_submit_stores_incident_evidence_and_cards_every_admin(teams: TeamsHarness) -> None:
    await teams.install(*TEAMS_ADMINS)

    status, answer = await report(teams)

    assert status == 200
    assert answer["task"] == {
        "type": "message",
        "value": "Reported as INC-0001. The incident admins have been told.",
    }
    [incident] = await teams.rows(Incident)
    assert (incident.key, incident.kind, incident.platform) == ("INC-0001", "incident", "teams")
    assert incident.source_key == SOURCE_KEY
    assert incident.created_by == f"teams:{act.REPORTER}"
    [evidence] = await teams.rows(Evidence)
    content = evidence.content
    assert evidence.sha256 == sha256_hex(content)
    assert content["message_id"] == "1700000000100"
    assert content["message"]["text"] == (
        "Q3 revenue for Client A was £4.2m, up 12% on Q2.\n\nMargins: 31%\n"
        "Source: Client B engagement file"
    )
    assert content["message"]["body"]["content"].startswith("<p>Q3 revenue")
    assert content["message"]["created_at"] == "2026-11-23T13:58:12.065Z"
    assert content["message"]["attachments"] == [
        {
            "id": "5f0c2e3a-6f86-4b8e-9d54-8b3f1d2c0a11",
            "contentType": "reference",
            "contentUrl": "https://acme.sharepoint.com/sites/clienta/Shared%20Documents/q3-summary.pdf",
            "name": "q3-summary.pdf",
        }
    ]
    assert content["author"] == {
        "type": "application",
        "id": "8d7a1b2c-3d4e-4f50-9a6b-7c8d9e0f1a2b",
        "display_name": "DraftBot",
        "identity_type": "bot",
        "is_bot": True,
    }
    assert content["permalink"].startswith("https://teams.microsoft.com/l/message/")
    assert content["conversation_id"] == "19:c1a2b3c4d5e6f708192a3b4c5d6e7f80@thread.tacv2"
    assert content["tenant_id"] == act.TENANT
    assert content["team_id"] == "19:7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b@thread.tacv2"
    assert content["reporter"] == f"teams:{act.REPORTER}"
    assert content["captured_at"]
    for admin in TEAMS_ADMINS:
        [card_call] = teams.cards_to(admin)
        card = card_call.card
        assert card is not None and card["version"] == "1.5"
        shown = json.dumps(card, ensure_ascii=False)
        assert "INC-0001" in shown and "Context loss or cross-client contamination" in shown
        assert "DraftBot" in shown and "Rita Reporter" in shown
        verbs = [a.get("verb") for a in card["actions"]]
        assert verbs == [
            "triage.assign_me",
            "triage.classify",
            "triage.near_miss",
            "triage.false_positive",
            "triage.close",
        ]
        assert all(a["type"] == "Action.Execute" for a in card["actions"])
        # Contained… sits in the body, after the choice of how the tool was contained.
        assert '"id": "contain_mode"' in shown and '"verb": "triage.contained"' in shown
        assert '"Action.OpenUrl", "title": "View message"' in shown
    [event] = await teams.rows(AuditEvent)
    assert (event.action, event.actor) == ("incident.reported", f"teams:{act.REPORTER}")


async def test_reporter_seen_only_in_a_channel_gets_a_new_1to1_chat_with_the_key(
    teams: TeamsHarness,
) -> None:
    await report(teams)

    [create] = teams.connector.named("create")
    assert create.body["members"] == [{"id": "29:1teams-b001"}]
    assert create.body["channelData"] == {"tenant": {"id": act.TENANT}}
    [confirmation] = teams.connector.sent_to("a:1on1-29:1teams-b001")
    assert "**INC-0001**" in confirmation.body["text"]


async def test_second_report_of_the_same_message_joins_the_incident(teams: TeamsHarness) -> None:
    await report(teams)

    _, answer = await report(teams, user=act.ADMIN_2)

    assert answer["task"]["value"] == "This was already reported as INC-0001; you were added."
    assert len(await teams.rows(Incident)) == 1
    reporters = [r.reporter for r in await teams.rows(IncidentReporter)]
    assert reporters == [f"teams:{act.REPORTER}", f"teams:{act.ADMIN_2}"]


async def test_the_same_message_seen_from_its_thread_is_the_same_source(
    teams: TeamsHarness,
) -> None:
    await report(teams)
    again = act.submit_action(teams.service_url, user=act.ADMIN_1)
    again["conversation"]["id"] = "19:c1a2b3c4d5e6f708192a3b4c5d6e7f80@thread.tacv2"

    await teams.post(again)

    [incident] = await teams.rows(Incident)
    assert incident.source_key == SOURCE_KEY
    assert len(await teams.rows(IncidentReporter)) == 2


async def test_concurrent_reports_of_one_message_make_one_incident(teams: TeamsHarness) -> None:
    import asyncio

    users = [act.REPORTER, act.ADMIN_1, act.ADMIN_2, act.MALLORY]
    answers = await asyncio.gather(
        *[
            teams.client.post("/api/messages", json=act.submit_action(teams.service_url, user=u))
            for u in users
        ]
    )
    await teams.settle()

    assert [a.status for a in answers] == [200] * 4
    texts = [(await a.json())["task"]["value"] for a in answers]
    assert sum(t.startswith("Reported as INC-0001") for t in texts) == 1
    assert len(await teams.rows(Incident)) == 1
    assert len(await teams.rows(IncidentReporter)) == 4
    assert len(await teams.rows(Evidence)) == 1
