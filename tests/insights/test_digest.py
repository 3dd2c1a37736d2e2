"""The weekly digest: when it runs, what it says, its chart, and that it goes out once."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from bot.clocks.regimes import ClassificationAnswers, RiskLevel
from bot.domain import Actor, PersonalData, Platform, Reach
from bot.insights.digest_schedule import WeeklyDigestConfig
from bot.settings import DeskConfig
from handlers.wiring import create_app
from tests.support.core_steps import ADMIN, report_input
from tests.support.harness import Harness, make_settings
from tests.support.screening_data import LEAKY, screening_config
from tests.support.slack_payloads import message_event

TRIAGE = "C0TRIAGE"
# Monday 30 March 2026, 09:00 in London is 08:00 UTC (summer time began on the 29th).
SEND = datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def desk_config() -> DeskConfig:
    return screening_config()


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"TRIAGE_CHANNEL": TRIAGE}


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 3, 31, 12, 0, tzinfo=UTC), SEND),  # Tuesday: the day before
        (SEND, SEND),  # exactly on time
        (SEND - timedelta(minutes=1), datetime(2026, 3, 23, 9, 0, tzinfo=UTC)),  # GMT then
        (datetime(2026, 3, 29, 23, 30, tzinfo=UTC), datetime(2026, 3, 23, 9, 0, tzinfo=UTC)),
    ],
)
def test_last_occurrence_is_the_configured_local_time(now: datetime, expected: datetime) -> None:
    assert WeeklyDigestConfig().last_occurrence(now) == expected


def test_digest_day_time_and_zone_are_validated() -> None:
    config = WeeklyDigestConfig(day="fri", time="16:30", timezone="America/New_York")
    assert config.last_occurrence(datetime(2026, 1, 10, tzinfo=UTC)) == datetime(
        2026, 1, 9, 21, 30, tzinfo=UTC
    )
    for bad in ({"time": "25:00"}, {"day": "friday"}, {"timezone": "Mars/Olympus"}):
        with pytest.raises(ValueError):
            WeeklyDigestConfig.model_validate(bad)


async def test_cron_job_is_registered_with_a_fixed_id_at_the_configured_time(
    harness: Harness,
) -> None:
    job = harness.app.scheduler.get_job("weekly-digest")
    assert job is not None
    assert job.trigger.get_next_fire_time(None, SEND - timedelta(days=2)) == SEND
    assert harness.app.scheduler.get_job("weekly-digest-catch-up") is not None
    assert harness.app.scheduler.get_job("screening-overflow-digest") is not None


async def seed_week(h: Harness) -> None:
    """Last week: an incident with an ICO clock, a near miss, a suspected incident."""
    core = h.app.core
    reporter = Actor(platform=Platform.SLACK, user_id="U0REPORTER")
    aware = SEND - timedelta(days=2, hours=-1)  # Saturday 09:00 UTC
    with time_machine.travel(aware, tick=False):
        await core.intake.report(
            actor=reporter,
            form=report_input(Reach.REACHED_CLIENT, PersonalData.YES),
            platform=Platform.SLACK,
        )
        await h.app.core.clocks.classify(
            actor=ADMIN,
            incident_id=1,
            answers=ClassificationAnswers(
                personal_data=PersonalData.YES,
                risk_to_individuals=RiskLevel.RISK,
                client_received=True,
                aware_at=aware,
            ),
        )
        await core.intake.report(
            actor=reporter, form=report_input(Reach.CAUGHT), platform=Platform.SLACK
        )
        await h.event(message_event(LEAKY))
        await h.settle()


def digest_posts(h: Harness, channel: str = TRIAGE) -> list[Any]:
    return [
        c
        for c in h.fake.named("chat.postMessage")
        if c.args["channel"] == channel and "Weekly AI incident digest" in c.args.get("text", "")
    ]


async def test_digest_posts_its_text_and_uploads_a_png_chart(harness: Harness) -> None:
    await seed_week(harness)

    with time_machine.travel(SEND + timedelta(seconds=5), tick=False):
        assert await harness.app.core.insights.digest.run() is True
        await harness.settle()

    [post] = digest_posts(harness)
    assert post.args["text"] == (
        "Weekly AI incident digest, Mon 23 Mar – Mon 30 Mar 2026: 1 incident, 1 near miss, "
        "3 still open"
    )
    shown = json.dumps(post.json_arg("blocks"), ensure_ascii=False)
    assert "*New incidents (1)*\\n• *INC-0001*" in shown
    assert "*New near misses (1)*\\n• *INC-0002*" in shown
    assert "1 suspected still awaiting review" in shown
    assert "*Still open (3)*" in shown
    # Aware on Saturday 09:00 UTC, so the ICO's 72 h end on Tuesday 09:00: a day left.
    assert "• *INC-0001* · UK GDPR Art. 33 — notify the ICO · 1 d left" in shown
    # The audit chain is in the database, so its current head is published.
    assert re.search(r"Audit chain head: `[0-9a-f]{64}`", shown)
    assert "jane.doe@globex.com" not in shown
    [(complete, data)] = harness.fake.uploaded()
    assert complete.args["channel_id"] == TRIAGE
    assert data.startswith(PNG) and len(data) > 5000
    [url_call] = harness.fake.named("files.getUploadURLExternal")
    assert url_call.args["filename"] == "ai-incidents-weekly-2026-03-30.png"
    assert int(url_call.args["length"]) == len(data)


async def test_digest_goes_out_once_per_week_across_replicas_and_restarts(
    harness: Harness, database_url: str
) -> None:
    with time_machine.travel(SEND + timedelta(seconds=5), tick=False):
        assert await harness.app.core.insights.digest.run() is True
        assert await harness.app.core.insights.digest.run() is False
        replica = create_app(
            make_settings(database_url, harness.fake, TRIAGE_CHANNEL=TRIAGE), screening_config()
        )
        assert await replica.core.insights.digest.run() is False
        assert await replica.core.insights.digest.catch_up() is False
        await replica.db.dispose()
        await harness.settle()
    assert len(digest_posts(harness)) == 1
    assert len(harness.fake.uploaded()) == 1


async def test_a_digest_missed_while_down_is_caught_up_within_a_day(harness: Harness) -> None:
    digest = harness.app.core.insights.digest
    with time_machine.travel(SEND + timedelta(days=1, hours=1), tick=False):
        assert await digest.catch_up() is False  # 25 h late: next week's will do
    with time_machine.travel(SEND + timedelta(hours=6), tick=False):
        assert await digest.catch_up() is True
        await harness.settle()
    assert len(digest_posts(harness)) == 1


@pytest.mark.parametrize("settings_overrides", [{}])
async def test_without_a_triage_channel_admins_get_the_digest_by_dm(harness: Harness) -> None:
    with time_machine.travel(SEND + timedelta(seconds=5), tick=False):
        assert await harness.app.core.insights.digest.run() is True
        await harness.settle()
    assert len(digest_posts(harness, "DU0ADMIN1")) == 1
    assert len(digest_posts(harness, "DU0ADMIN2")) == 1
    empty = json.dumps(digest_posts(harness, "DU0ADMIN1")[0].json_arg("blocks"))
    assert "None this week." in empty and "No regulatory deadline in the next 7 days." in empty


def test_disabled_digest_has_no_cron_job(database_url: str, fake_slack: Any) -> None:
    config = DeskConfig.model_validate({"weekly_digest": {"enabled": False}})
    app = create_app(make_settings(database_url, fake_slack), config)
    assert app.scheduler.get_job("weekly-digest") is None


async def test_digest_publishes_the_current_audit_chain_head(harness: Harness) -> None:
    """Posting the head weekly lets anyone later prove the log was not rewritten since."""
    from storage import insight_queries

    await seed_week(harness)
    with time_machine.travel(SEND + timedelta(seconds=5), tick=False):
        async with harness.app.db.sessions() as session:
            head = await insight_queries.audit_chain_head(session)
        await harness.app.core.insights.digest.run()
        await harness.settle()
    [post] = digest_posts(harness)
    assert head is not None and len(head) == 64
    assert f"Audit chain head: `{head}`" in json.dumps(post.json_arg("blocks"))
