"""Proactive delivery: stored references, users who cannot be reached yet, connector failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from bot.delivery.outbox import enqueue
from bot.delivery.payloads import DirectMessage
from bot.domain import Actor, PersonalData, Platform, Reach, ReportInput
from bot.notes import note, strong
from handlers.cli import main
from handlers.wiring import create_app
from storage.models import OutboxMessage, TeamsConversation
from tests.support import teams_activities as act
from tests.support.fakes.bot_connector import FakeBotConnector
from tests.support.fakes.slack_api import FakeSlack
from tests.support.harness import make_settings
from tests.support.teams_harness import TEAMS_ADMINS, TeamsHarness, teams_settings

FORM = ReportInput(
    description="wrong client named",
    failure_type="contamination",
    reach=Reach.REACHED_CLIENT,
    personal_data=PersonalData.NO,
)
REPORTER = Actor(platform=Platform.TEAMS, user_id=act.REPORTER, name="Rita Reporter")


async def report(h: TeamsHarness) -> None:
    await h.app.core.intake.report(actor=REPORTER, form=FORM, platform=Platform.TEAMS)
    await h.settle()


async def test_install_stores_the_reference_and_says_hello(teams: TeamsHarness) -> None:
    await teams.install(act.ADMIN_1)

    [row] = await teams.rows(TeamsConversation)
    assert (row.scope, row.key, row.conversation_id) == (
        "personal",
        act.ADMIN_1,
        act.personal_chat(act.ADMIN_1),
    )
    assert (row.service_url, row.tenant_id, row.bot_id) == (
        teams.service_url,
        act.TENANT,
        act.BOT_ID,
    )
    [hello] = teams.texts_to(act.ADMIN_1)
    assert "Report as AI incident" in hello


async def test_admin_without_reference_fails_clearly_then_gets_the_card_on_install(
    teams: TeamsHarness, caplog: pytest.LogCaptureFixture
) -> None:
    await teams.install(act.ADMIN_1, act.REPORTER)

    await report(teams)

    rows = {r.target: r for r in await teams.rows(OutboxMessage) if r.kind == "triage_card"}
    assert rows[act.ADMIN_1].status == "sent"
    missing = rows[act.ADMIN_2]
    assert missing.status == "failed" and missing.last_error is not None
    assert missing.last_error.startswith(f"no Teams conversation reference for {act.ADMIN_2}")
    assert "not installed AI Incident Desk" in missing.last_error
    assert any(act.ADMIN_2 in r.message and r.levelname == "ERROR" for r in caplog.records)
    assert teams.cards_to(act.ADMIN_2) == []

    await teams.install(act.ADMIN_2)

    [card] = teams.cards_to(act.ADMIN_2)
    assert card.card is not None and "INC-0001" in str(card.card)
    rows = {r.target: r for r in await teams.rows(OutboxMessage) if r.kind == "triage_card"}
    assert rows[act.ADMIN_2].status == "sent"


async def test_doctor_names_the_admin_who_cannot_be_reached(
    teams: TeamsHarness, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await teams.install(act.ADMIN_1)
    await report(teams)
    monkeypatch.setenv("DATABASE_URL", teams.app.settings.database_url)
    monkeypatch.setenv("TEAMS_ENABLED", "true")
    monkeypatch.setenv("INCIDENT_ADMINS", ",".join(TEAMS_ADMINS))
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "MicrosoftAppId"):
        monkeypatch.delenv(name, raising=False)

    assert await _doctor() == 1

    out = capsys.readouterr().out
    assert f"teams: admin {act.ADMIN_2} cannot be reached: no conversation reference" in out
    assert act.ADMIN_1 not in out.split("teams: admin")[-1]
    assert f"triage_card to teams:{act.ADMIN_2} failed: no Teams conversation reference" in out


async def _doctor() -> int:
    import asyncio

    # The CLI runs its own event loop; give it a thread so the test's loop stays free.
    return await asyncio.to_thread(main, ["doctor"])


async def test_rate_limited_card_waits_for_retry_after_and_is_sent_once(
    teams: TeamsHarness,
) -> None:
    await teams.install(*TEAMS_ADMINS, act.REPORTER)
    teams.connector.fail("send", status=429, retry_after=30)
    now = datetime.now(UTC)
    with time_machine.travel(now, tick=False) as clock:
        await report(teams)
        pending = [r for r in await teams.rows(OutboxMessage) if r.status == "pending"]
        assert len(pending) == 1 and "Teams rate limit" in (pending[0].last_error or "")
        assert pending[0].next_attempt_at >= now + timedelta(seconds=30)

        clock.shift(timedelta(seconds=10))
        await teams.app.dispatcher.drain()
        # Conversations go side by side: whichever send met the 429 still waits.
        [waiting] = [r for r in await teams.rows(OutboxMessage) if r.id == pending[0].id]
        assert (waiting.status, waiting.attempts) == ("pending", 1)

        clock.shift(timedelta(seconds=25))
        await teams.app.dispatcher.drain()
    for admin in TEAMS_ADMINS:
        assert len(teams.cards_to(admin)) == 1
    assert {r.status for r in await teams.rows(OutboxMessage)} == {"sent"}


async def test_server_errors_on_card_updates_are_retried_until_delivered(
    teams: TeamsHarness,
) -> None:
    await teams.install(*TEAMS_ADMINS, act.REPORTER)
    await report(teams)
    teams.connector.fail("update", status=500, times=3)
    [incident_id] = {r.incident_id for r in await teams.rows(OutboxMessage)}
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        await teams.click("triage.near_miss", user=act.ADMIN_1, incident_id=incident_id)
        for _ in range(6):
            clock.shift(timedelta(minutes=2))
            await teams.app.dispatcher.drain()
    updated = {c.conversation_id for c in teams.connector.named("update")}
    assert updated == {act.personal_chat(a) for a in TEAMS_ADMINS}
    refresh = [r for r in await teams.rows(OutboxMessage) if r.kind == "refresh_cards"]
    teams_refresh = [r for r in refresh if r.platform == "teams"]
    assert [r.status for r in teams_refresh] == ["sent"] and teams_refresh[0].attempts >= 2


async def test_a_removed_bot_is_a_permanent_failure(teams: TeamsHarness) -> None:
    await teams.install(*TEAMS_ADMINS, act.REPORTER)
    teams.connector.fail("send", status=403)
    await report(teams)
    failed = [r for r in await teams.rows(OutboxMessage) if r.status == "failed"]
    assert len(failed) == 1 and "HTTP 403" in (failed[0].last_error or "")


async def test_pending_cards_survive_a_restart_and_are_sent_once(
    database_url: str, connector: FakeBotConnector
) -> None:
    first = create_app(teams_settings(database_url))
    book = first.teams.bot.book
    for admin in TEAMS_ADMINS:
        from botbuilder.schema import Activity

        await book.remember(Activity().deserialize(act.install(connector.service_url, admin)))
    connector.fail("send", status=500, times=99)
    await first.core.intake.report(actor=REPORTER, form=FORM, platform=Platform.TEAMS)
    await first.dispatcher.wait_idle()
    await first.db.dispose()
    connector.failures.clear()

    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=5), tick=False):
        second = create_app(teams_settings(database_url))
        await second.start(with_scheduler=False)
        await second.dispatcher.wait_idle()
        await second.dispatcher.drain()
        await second.stop()

    for admin in TEAMS_ADMINS:
        assert len([c for c in connector.sent_to(act.personal_chat(admin)) if c.card]) == 1


async def test_a_message_to_a_channel_target_posts_in_that_channel(teams: TeamsHarness) -> None:
    await teams.post(act.channel_mention(teams.service_url, "help"))
    told = note("ICO window for ", strong("INC-0001"), " closes in 24 h")
    async with teams.app.db.transaction() as session:
        enqueue(
            session,
            platform=Platform.TEAMS,
            payload=DirectMessage(
                target="19:c1a2b3c4d5e6f708192a3b4c5d6e7f80@thread.tacv2",
                text=told.plain,
                note=told,
            ),
        )
    await teams.app.dispatcher.drain()
    [post] = teams.connector.sent_to("19:c1a2b3c4d5e6f708192a3b4c5d6e7f80@thread.tacv2")
    assert post.body["text"] == "ICO window for **INC-0001** closes in 24 h"
    assert post.body.get("replyToId") is None


async def test_each_admin_is_reached_on_the_platform_the_config_says(
    database_url: str, fake_slack: FakeSlack, connector: FakeBotConnector
) -> None:
    settings = make_settings(
        database_url, fake_slack, TEAMS_ENABLED="true", INCIDENT_ADMINS=f"U0ADMIN1,{act.ADMIN_1}"
    )
    app = create_app(settings)
    from botbuilder.schema import Activity

    await app.teams.bot.book.remember(
        Activity().deserialize(act.install(connector.service_url, act.ADMIN_1))
    )
    slack_reporter = Actor(platform=Platform.SLACK, user_id="U0REPORTER")
    await app.core.intake.report(actor=slack_reporter, form=FORM, platform=Platform.SLACK)
    await app.dispatcher.wait_idle()
    await app.dispatcher.drain()
    await app.db.dispose()

    assert len(fake_slack.dms_to("U0ADMIN1")) == 1
    [card] = [c for c in connector.sent_to(act.personal_chat(act.ADMIN_1)) if c.card]
    assert "INC-0001" in str(card.card)
    assert not fake_slack.dms_to(act.ADMIN_1)


async def test_teams_refusing_a_new_1to1_chat_fails_with_the_status(teams: TeamsHarness) -> None:
    await teams.install(*TEAMS_ADMINS)
    teams.connector.fail("create", status=403)

    await teams.post(act.submit_action(teams.service_url))

    [notice] = [r for r in await teams.rows(OutboxMessage) if r.kind == "notice"]
    assert notice.status == "failed"
    assert "HTTP 403 while delivering notice" in (notice.last_error or "")
    assert [c.status for c in teams.connector.calls if c.method == "create"] == [403]
