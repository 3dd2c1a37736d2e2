"""Automatic screening in Teams: an AI tool's channel message (delivered through
resource-specific consent) becomes one suspected incident with masked signals; admins decide
on it with Universal Actions; edits and deletions of the captured message are recorded."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.settings import DeskConfig
from storage.models import AuditEvent, Evidence, EvidenceChange, Incident, ScreeningHit
from tests.support import teams_activities as act
from tests.support.screening_data import screening_config
from tests.support.teams_harness import TEAMS_ADMINS, TeamsHarness
from tests.support.teams_steps import as_read

CARD = "application/vnd.microsoft.card.adaptive"
# Names another client (Globex) in Acme's channel, quotes Globex's figure, and leaks contacts.
LEAKY = (
    "Hi Acme team, the Globex Corporation settlement was £1,250,000; contact "
    "jane.doe@globex.com or +44 20 7946 0958."
)
RAW = ["jane.doe@globex.com", "7946 0958", "1,250,000", "Globex Corporation"]
SOURCE_KEY = f"teams:{act.TENANT}:{act.CHANNEL}:{act.AI_MESSAGE_ID}"
GROUP_CHAT = "19:meeting_a1b2c3d4e5f6@thread.v2"


@pytest.fixture
def teams_config() -> DeskConfig:
    config = screening_config(
        monitored_channels=[act.CHANNEL, GROUP_CHAT],
        teams_ai_app_ids=[act.AI_APP_ID],
        clients=[
            {"id": "acme", "name": "Acme", "channels": [act.CHANNEL, GROUP_CHAT]},
            {
                "id": "globex",
                "name": "Globex",
                "aliases": ["Globex Corporation"],
                "identifiers": ["£1,250,000"],
            },
        ],
    )
    return config


async def suspected(h: TeamsHarness) -> Incident:
    await h.install(*TEAMS_ADMINS)
    status, _ = await h.post(act.ai_channel_message(h.service_url, LEAKY))
    assert status in (200, 201)
    [incident] = await h.rows(Incident)
    return incident


def buttons(card: dict[str, object]) -> list[str]:
    return [str(a["title"]) for a in card.get("actions", [])]  # type: ignore[attr-defined]


async def test_ai_channel_message_becomes_one_suspected_incident_with_masked_signals(
    teams: TeamsHarness,
) -> None:
    incident = await suspected(teams)

    assert (incident.key, incident.kind, incident.platform) == ("INC-0001", "suspected", "teams")
    assert incident.source_key == SOURCE_KEY
    assert incident.created_by == "system:incident-desk"
    [evidence] = await teams.rows(Evidence)
    assert LEAKY in evidence.content["message"]["text"]  # the evidence keeps the original
    assert evidence.content["author"]["id"] == act.AI_APP_ID
    screening = evidence.content["screening"]
    assert screening["rule_ids"] == ["cross_client", "email", "phone"]
    assert "j***@globex.com" in screening["masked_text"]
    assert not any(raw in json.dumps(screening, ensure_ascii=False) for raw in RAW)
    assert [h.rule_id for h in await teams.rows(ScreeningHit)] == ["cross_client", "email", "phone"]
    for admin in TEAMS_ADMINS:
        [call] = teams.cards_to(admin)
        shown = as_read(json.dumps(call.card, ensure_ascii=False))
        assert "INC-0001 · Suspected" in shown and "Screening signals" in shown
        assert "j***@globex.com" in shown
        assert [raw for raw in RAW if raw in shown] == []
        assert buttons(call.card or {}) == ["Confirm incident", "Near miss", "False positive"]


async def test_the_bot_stays_silent_in_a_channel_it_only_watches(teams: TeamsHarness) -> None:
    await suspected(teams)
    channel_sends = [
        c for c in teams.connector.named("send") if act.CHANNEL in str(c.conversation_id)
    ]
    assert channel_sends == []


async def test_retried_activity_makes_nothing_new(teams: TeamsHarness) -> None:
    await suspected(teams)
    sent_before = len(teams.connector.calls)

    await teams.post(act.ai_channel_message(teams.service_url, LEAKY))

    assert len(await teams.rows(Incident)) == 1
    assert len(await teams.rows(Evidence)) == 1
    assert len(teams.connector.calls) == sent_before


async def test_concurrent_deliveries_of_one_activity_make_one_suspected_incident(
    teams: TeamsHarness,
) -> None:
    await teams.install(*TEAMS_ADMINS)
    activity = act.ai_channel_message(teams.service_url, LEAKY)

    answers = await asyncio.gather(
        *[teams.client.post("/api/messages", json=activity) for _ in range(4)]
    )
    await teams.settle()

    assert {a.status for a in answers} <= {200, 201}
    assert len(await teams.rows(Incident)) == 1
    assert len(await teams.rows(Evidence)) == 1
    assert len(await teams.rows(ScreeningHit)) == 3
    for admin in TEAMS_ADMINS:
        assert len(teams.cards_to(admin)) == 1


async def test_ai_message_in_a_monitored_group_chat_is_screened(teams: TeamsHarness) -> None:
    await teams.install(*TEAMS_ADMINS)
    activity = act.ai_channel_message(teams.service_url, LEAKY)
    activity["conversation"] = {
        "isGroup": True,
        "conversationType": "groupChat",
        "tenantId": act.TENANT,
        "id": GROUP_CHAT,
    }
    activity["channelData"] = {"tenant": {"id": act.TENANT}}

    await teams.post(activity)

    [incident] = await teams.rows(Incident)
    assert incident.source_key == f"teams:{act.TENANT}:{GROUP_CHAT}:{act.AI_MESSAGE_ID}"
    assert [c for c in teams.connector.named("send") if c.conversation_id == GROUP_CHAT] == []


async def test_messages_outside_monitored_channels_or_from_people_are_not_screened(
    teams: TeamsHarness,
) -> None:
    await teams.install(*TEAMS_ADMINS)
    other = act.ai_channel_message(teams.service_url, LEAKY, app_id="another-app")
    person = act.ai_channel_message(teams.service_url, LEAKY, message_id="1700000001001")
    person["from"] = {"id": "29:1person", "name": "Pat", "aadObjectId": act.REPORTER}

    await teams.post(other)
    await teams.post(person)

    assert await teams.rows(Incident) == []


async def test_admin_confirms_a_suspected_incident(teams: TeamsHarness) -> None:
    incident = await suspected(teams)

    answer = await teams.click("triage.confirm", user=act.ADMIN_1, incident_id=incident.id)

    assert answer["type"] == CARD
    assert "INC-0001 · Incident" in json.dumps(answer["value"], ensure_ascii=False)
    [row] = await teams.rows(Incident)
    assert (row.kind, row.reach, row.status) == ("incident", "reached_client", "triaging")
    assert {h.decision for h in await teams.rows(ScreeningHit)} == {"confirmed"}
    updated = [c.card for c in teams.connector.named("update")]
    assert any("Assign to me" in buttons(c or {}) for c in updated)


async def test_non_admin_confirm_is_refused_and_audited(teams: TeamsHarness) -> None:
    incident = await suspected(teams)

    answer = await teams.click("triage.confirm", user=act.MALLORY, incident_id=incident.id)

    assert answer["type"] == "application/vnd.microsoft.activity.message"
    assert "Only incident admins" in answer["value"]
    [row] = await teams.rows(Incident)
    assert row.kind == "suspected"
    refused = [e for e in await teams.rows(AuditEvent) if e.action == "triage.refused"]
    assert refused and refused[-1].actor == f"teams:{act.MALLORY}"


async def test_edit_of_captured_message_is_recorded_and_the_card_says_so(
    teams: TeamsHarness,
) -> None:
    await suspected(teams)
    [before] = await teams.rows(Evidence)

    await teams.post(act.message_update(teams.service_url, "Sorry, ignore the figures above."))
    await teams.post(act.message_update(teams.service_url, "Sorry, ignore the figures above."))

    [after] = await teams.rows(Evidence)
    assert (after.sha256, after.content) == (before.sha256, before.content)  # capture untouched
    [change] = await teams.rows(EvidenceChange)
    assert change.kind == "edited"
    assert change.content is not None
    assert change.content["text"] == "Sorry, ignore the figures above."
    assert change.sha256
    assert "evidence.source_edited" in [e.action for e in await teams.rows(AuditEvent)]
    updated = [json.dumps(c.card) for c in teams.connector.named("update")]
    assert updated and all("source edited after capture" in c for c in updated[-2:])


async def test_deletion_of_captured_message_is_recorded(teams: TeamsHarness) -> None:
    await suspected(teams)

    await teams.post(act.message_delete(teams.service_url))

    [change] = await teams.rows(EvidenceChange)
    assert change.kind == "deleted"
    assert len(await teams.rows(Evidence)) == 1
    assert "evidence.source_deleted" in [e.action for e in await teams.rows(AuditEvent)]
    updated = [json.dumps(c.card) for c in teams.connector.named("update")]
    assert updated and "source deleted" in updated[-1]


async def test_undeleted_source_is_recorded_and_the_deletion_stays_on_record(
    teams: TeamsHarness,
) -> None:
    await suspected(teams)
    await teams.post(act.message_delete(teams.service_url))

    await teams.post(act.message_undelete(teams.service_url))
    await teams.post(act.message_undelete(teams.service_url))

    assert [c.kind for c in await teams.rows(EvidenceChange)] == ["deleted", "restored"]
    assert "evidence.source_restored" in [e.action for e in await teams.rows(AuditEvent)]
    updated = [json.dumps(c.card) for c in teams.connector.named("update")]
    assert "source deleted, then restored" in updated[-1]


async def test_edit_of_a_message_that_is_not_evidence_changes_nothing(teams: TeamsHarness) -> None:
    await teams.install(*TEAMS_ADMINS)

    status, _ = await teams.post(act.message_update(teams.service_url, "an edit"))

    assert status in (200, 201)
    assert await teams.rows(EvidenceChange) == []
