"""A Slack outage delays a DM but never loses or duplicates it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from bot.delivery.outbox import OutboundMessage, OutboxDispatcher, enqueue
from bot.delivery.payloads import DirectMessage
from bot.domain import Actor, PersonalData, Platform, Reach, ReportInput
from handlers.wiring import create_app
from storage.db import Database
from storage.models import OutboxMessage
from tests.support.fakes.slack_api import FakeSlack
from tests.support.harness import ADMINS, Harness, make_settings

FORM = ReportInput(
    description="wrong client named",
    failure_type="contamination",
    reach=Reach.REACHED_CLIENT,
    personal_data=PersonalData.NO,
)
REPORTER = Actor(platform=Platform.SLACK, user_id="U0REPORTER")


async def outbox(db: Database) -> list[OutboxMessage]:
    async with db.sessions() as s:
        return list((await s.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars())


async def test_rate_limited_dm_is_retried_after_retry_after_and_sent_once(
    harness: Harness,
) -> None:
    harness.fake.fail("chat.postMessage", status=429, retry_after=30)
    now = datetime.now(UTC)
    with time_machine.travel(now, tick=False) as clock:
        await harness.app.core.intake.report(actor=REPORTER, form=FORM, platform=Platform.SLACK)
        await harness.settle()
        # Conversations are delivered side by side: any one of the DMs may meet the 429.
        failed = [r for r in await outbox(harness.app.db) if r.status == "pending"]
        assert len(failed) == 1 and "rate limit" in (failed[0].last_error or "")
        assert failed[0].next_attempt_at >= now + timedelta(seconds=30)

        clock.shift(timedelta(seconds=10))
        await harness.app.dispatcher.drain()
        [waiting] = [r for r in await outbox(harness.app.db) if r.id == failed[0].id]
        assert (waiting.status, waiting.attempts) == ("pending", 1)

        clock.shift(timedelta(seconds=25))
        await harness.app.dispatcher.drain()
    for admin in ADMINS:
        assert len(harness.fake.dms_to(admin)) == 1
    assert len(harness.fake.dms_to("U0REPORTER")) == 1
    assert {r.status for r in await outbox(harness.app.db)} == {"sent"}


async def test_server_error_is_retried_with_backoff_then_delivered(harness: Harness) -> None:
    harness.fake.fail("conversations.open", status=500, times=2)
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        await harness.app.core.intake.report(actor=REPORTER, form=FORM, platform=Platform.SLACK)
        await harness.settle()
        for _ in range(4):
            clock.shift(timedelta(minutes=1))
            await harness.app.dispatcher.drain()
    for admin in ADMINS:
        assert len(harness.fake.dms_to(admin)) == 1
    rows = await outbox(harness.app.db)
    assert {r.status for r in rows} == {"sent"}
    assert max(r.attempts for r in rows) >= 2


async def test_permanent_error_marks_message_failed_without_retrying(harness: Harness) -> None:
    harness.fake.fail("conversations.open", error="user_not_found")
    await harness.app.core.intake.report(actor=REPORTER, form=FORM, platform=Platform.SLACK)
    await harness.settle()
    rows = [r for r in await outbox(harness.app.db) if r.kind != "refresh_dashboard"]
    assert sorted(r.status for r in rows) == ["failed", "sent", "sent"]


async def test_pending_rows_survive_a_restart_and_are_delivered_once(
    database_url: str, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("conversations.open", status=500, times=99)
    first = create_app(make_settings(database_url, fake_slack))
    await first.core.intake.report(actor=REPORTER, form=FORM, platform=Platform.SLACK)
    await first.dispatcher.wait_idle()
    await first.db.dispose()
    assert fake_slack.named("chat.postMessage") == []
    fake_slack.failures.clear()

    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=5), tick=False):
        second = create_app(make_settings(database_url, fake_slack))
        await second.start(with_scheduler=False)
        await second.dispatcher.wait_idle()
        await second.dispatcher.drain()
        await second.stop()

    for admin in ADMINS:
        assert len(fake_slack.dms_to(admin)) == 1
    assert len(fake_slack.dms_to("U0REPORTER")) == 1  # the confirmation, once


class CountingCourier:
    platforms = frozenset({Platform.SLACK})

    def __init__(self) -> None:
        self.delivered: list[int] = []

    async def deliver(self, message: OutboundMessage) -> None:
        await asyncio.sleep(0)
        self.delivered.append(message.id)


async def test_two_dispatchers_deliver_each_message_exactly_once(database_url: str) -> None:
    db = Database(database_url)
    async with db.transaction() as session:
        for i in range(200):
            enqueue(
                session, platform=Platform.SLACK, payload=DirectMessage(target=f"U{i}", text="hi")
            )
    messengers = [CountingCourier(), CountingCourier()]
    workers = [OutboxDispatcher(Database(database_url), m, batch_size=7) for m in messengers]

    async def work(d: OutboxDispatcher) -> None:
        while await d.run_once():
            pass

    await asyncio.gather(*(work(w) for w in workers))

    delivered = messengers[0].delivered + messengers[1].delivered
    assert sorted(delivered) == sorted(set(delivered)) and len(delivered) == 200
    # Which worker takes which batch is up to the database (SQLite may hand one worker all of
    # them); the claim is that no message is delivered twice and none is left behind.
    assert {r.status for r in await outbox(db)} == {"sent"}
    for w in workers:
        await w.db.dispose()
    await db.dispose()
