"""The Teams triage channel gets its own copy of every triage card, updated in place with the
admins' copies."""

from __future__ import annotations

import json
from typing import Any

import pytest

from storage.models import CardPost, Incident
from tests.support import teams_activities as act
from tests.support.teams_harness import TEAMS_ADMINS, TeamsHarness


@pytest.fixture
def teams_overrides() -> dict[str, Any]:
    return {"TEAMS_TRIAGE_CHANNEL": act.CHANNEL}


async def test_every_triage_card_has_a_copy_in_the_triage_channel(teams: TeamsHarness) -> None:
    await teams.install(*TEAMS_ADMINS)
    await teams.post(act.channel_mention(teams.service_url, "help"))  # the channel is known now

    await teams.post(act.submit_action(teams.service_url))

    [incident] = await teams.rows(Incident)
    [copy] = [c for c in teams.connector.named("send") if c.conversation_id == act.CHANNEL]
    assert copy.card is not None and "INC-0001" in json.dumps(copy.card)
    posts = {p.recipient: p for p in await teams.rows(CardPost)}
    assert posts[act.CHANNEL].channel == act.CHANNEL

    await teams.click("triage.assign_me", user=act.ADMIN_1, incident_id=incident.id)

    updates = [c for c in teams.connector.named("update") if c.conversation_id == act.CHANNEL]
    assert updates and updates[-1].activity_id == copy.response["id"]
    assert "Ada Admin" in json.dumps(updates[-1].card)
