"""Malformed Teams activities: a 4xx or an answer the user can read, never a 5xx, no row."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.teams.ids import Verb
from storage.models import AuditEvent, Incident
from tests.support import teams_activities as act
from tests.support.teams_harness import TeamsHarness


async def nothing_written(h: TeamsHarness) -> None:
    assert await h.rows(Incident) == []
    assert await h.rows(AuditEvent) == []


async def complete_or_nothing(h: TeamsHarness) -> None:
    """A report either was not made, or was made whole (its incident has its audit event)."""
    events = await h.rows(AuditEvent)
    for incident in await h.rows(Incident):
        assert any(e.incident_id == incident.id for e in events), incident.key


async def test_a_submit_action_without_a_conversation_is_a_400(teams: TeamsHarness) -> None:
    activity = act.submit_action(teams.service_url)
    del activity["conversation"]

    status, _ = await teams.post(activity)

    assert status == 400
    await nothing_written(teams)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda a: a["value"].update(commandContext=["not", "a", "string"]),
        lambda a: a["value"].update(data="not an object"),
        lambda a: a["value"].update(messagePayload=7),
        lambda a: a["value"].update(botMessagePreviewAction={"x": 1}),
        lambda a: a.update(value=[1, 2]),
        lambda a: a.update(value=None),
        lambda a: a["value"]["messagePayload"].update(body="text"),
        lambda a: a["value"]["messagePayload"].update(createdDateTime=12),
        lambda a: a.update(channelData="x"),
        lambda a: a.update(**{"from": {"id": 5}}),
    ],
)
async def test_a_submit_action_with_mistyped_fields_is_refused_cleanly(
    teams: TeamsHarness, mangle: Any
) -> None:
    activity = act.submit_action(teams.service_url)
    mangle(activity)

    status, _ = await teams.post(activity)

    assert 200 <= status < 500, status
    await complete_or_nothing(teams)


async def test_a_card_action_with_mistyped_data_is_refused_cleanly(teams: TeamsHarness) -> None:
    for data in ({"incident_id": 10**23}, {"incident_id": "1e9"}, {"incident_id": ["1"]}):
        status, _ = await teams.click_raw(Verb.ASSIGN_ME, user=act.ADMIN_1, **data)
        assert 200 <= status < 500, (status, data)
    activity = act.card_action(teams.service_url, Verb.ASSIGN_ME, user=act.ADMIN_1)
    activity["value"]["action"] = "not an object"
    status, _ = await teams.post(activity)
    assert 200 <= status < 500, status
    await nothing_written(teams)
