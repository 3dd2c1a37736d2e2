"""Digests in the Teams triage channel: the weekly digest with its chart, and the screening
flood guard's overflow digest."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from bot.settings import DeskConfig
from storage.models import Incident, ScreeningOverflow
from tests.support import teams_activities as act
from tests.support.screening_data import screening_config
from tests.support.teams_harness import TEAMS_ADMINS, TeamsHarness
from tests.support.teams_steps import as_read

# Monday 30 March 2026, 09:00 in London is 08:00 UTC.
SEND = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
LEAKY = "Contact jane.doe@globex.com or +44 20 7946 0958 about the Globex Corporation matter."


@pytest.fixture
def teams_overrides() -> dict[str, Any]:
    return {"TEAMS_TRIAGE_CHANNEL": act.CHANNEL}


@pytest.fixture
def teams_config() -> DeskConfig:
    return screening_config(
        monitored_channels=[act.CHANNEL],
        teams_ai_app_ids=[act.AI_APP_ID],
        flood_cap_per_channel_per_hour=1,
        clients=[
            {"id": "acme", "name": "Acme", "channels": [act.CHANNEL]},
            {"id": "globex", "name": "Globex", "aliases": ["Globex Corporation"]},
        ],
    )


def channel_cards(h: TeamsHarness) -> list[dict[str, Any]]:
    return [c.card for c in h.connector.sent_to(act.CHANNEL) if c.card]


async def test_weekly_digest_goes_to_the_teams_triage_channel_with_its_chart(
    teams: TeamsHarness,
) -> None:
    with time_machine.travel(SEND - timedelta(days=2), tick=False):
        await teams.install(*TEAMS_ADMINS)
        await teams.post(act.channel_mention(teams.service_url, "help"))
        await teams.post(act.submit_action(teams.service_url))
    with time_machine.travel(SEND + timedelta(seconds=5), tick=False):
        assert await teams.app.core.insights.digest.run() is True
        await teams.settle()

    [digest] = [c for c in channel_cards(teams) if "Weekly AI incident digest" in json.dumps(c)]
    shown = as_read(json.dumps(digest, ensure_ascii=False))
    assert "1 incident, 0 near misses, 1 still open" in shown
    assert "**New incidents (1)**" in shown and "INC-0001" in shown
    assert "The chart of the last 12 weeks follows." in shown
    sent = teams.connector.sent_to(act.CHANNEL)
    at = next(i for i, c in enumerate(sent) if c.card == digest)
    [image] = sent[at + 1].body["attachments"]
    assert image["contentType"] == "image/png"
    png = base64.b64decode(image["contentUrl"].removeprefix("data:image/png;base64,"))
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    assert len(json.dumps(sent[at + 1].body)) < 100_000  # Teams' message size limit


async def test_messages_over_the_flood_cap_are_listed_in_one_channel_digest(
    teams: TeamsHarness,
) -> None:
    await teams.install(*TEAMS_ADMINS)
    await teams.post(act.channel_mention(teams.service_url, "help"))
    for n in range(3):
        await teams.post(
            act.ai_channel_message(teams.service_url, LEAKY, message_id=f"17000000020{n}")
        )

    assert len(await teams.rows(Incident)) == 1
    assert len(await teams.rows(ScreeningOverflow)) == 2
    assert await teams.app.core.insights.screener.send_overflow_digest() == 2
    await teams.settle()

    [digest] = [c for c in channel_cards(teams) if "flood guard" in json.dumps(c)]
    shown = as_read(json.dumps(digest, ensure_ascii=False))
    assert "2 more suspicious AI messages" in shown
    assert "j***@globex.com" in shown and "jane.doe@globex.com" not in shown
