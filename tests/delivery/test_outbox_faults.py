"""Delivery under faults: a hanging Slack call holds up only its own conversation, a restarted
process takes back its rows, and a row another worker took over is never sent twice."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import time_machine

from bot.delivery.outbox import OutboxDispatcher, enqueue
from bot.delivery.payloads import DirectMessage
from bot.domain import Platform
from storage.db import Database
from tests.support.harness import Harness
from tests.support.outbox import CountingCourier, outbox_rows


async def queue_dms(db: Database, messages: list[tuple[str, str]]) -> None:
    async with db.transaction() as session:
        for target, text in messages:
            payload = DirectMessage(target=target, text=text)
            enqueue(session, platform=Platform.SLACK, payload=payload)


def texts_to(harness: Harness, user: str) -> list[str]:
    return [str(c.args["text"]) for c in harness.fake.dms_to(user)]


async def test_a_hanging_slack_call_holds_up_only_its_own_conversation(harness: Harness) -> None:
    dispatcher = harness.app.dispatcher
    dispatcher.call_timeout = timedelta(seconds=0.5)
    others = [f"U0OTHER{i}" for i in range(5)]
    await queue_dms(
        harness.app.db,
        [("U0SLOW", "first"), *[(u, "hello") for u in others], ("U0SLOW", "second")],
    )
    harness.fake.hold("DU0SLOW")

    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        started = time.monotonic()
        await dispatcher.run_once()
        took = time.monotonic() - started

        assert took < 2.0
        for user in others:
            assert texts_to(harness, user) == ["hello"]
        assert texts_to(harness, "U0SLOW") == []
        slow = [r for r in await outbox_rows(harness.app.db) if r.target == "U0SLOW"]
        assert [r.status for r in slow] == ["pending", "pending"]
        assert "no answer within" in (slow[0].last_error or "")
        assert slow[1].attempts == 0  # waited behind the first; not counted as an attempt

        harness.fake.let_go("DU0SLOW")
        clock.shift(timedelta(minutes=1))
        await dispatcher.drain()

    assert texts_to(harness, "U0SLOW") == ["first", "second"]
    assert {r.status for r in await outbox_rows(harness.app.db)} == {"sent"}


async def test_a_retried_row_keeps_its_conversation_in_order(harness: Harness) -> None:
    harness.fake.fail("chat.postMessage", status=500)
    await queue_dms(harness.app.db, [("U0ONE", "1"), ("U0ONE", "2"), ("U0ONE", "3")])

    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        await harness.app.dispatcher.run_once()
        # Later rows wait for the one being retried, even once they are due themselves.
        assert await harness.app.dispatcher.run_once() == 0
        clock.shift(timedelta(minutes=1))
        await harness.app.dispatcher.drain()

    assert texts_to(harness, "U0ONE") == ["1", "2", "3"]


async def test_a_process_restarted_under_its_name_takes_back_its_rows_at_once(
    database_url: str,
) -> None:
    db = Database(database_url)
    await queue_dms(db, [("U1", "a"), ("U2", "b"), ("U3", "c")])
    crashed = OutboxDispatcher(db, CountingCourier(), worker_id="desk-0")
    assert len(await crashed.claim()) == 3  # then killed before sending anything

    other = CountingCourier()
    assert await OutboxDispatcher(db, other, worker_id="desk-1").run_once() == 0
    restarted = CountingCourier()
    assert await OutboxDispatcher(db, restarted, worker_id="desk-0").run_once() == 3

    assert sorted(restarted.delivered) == [r.id for r in await outbox_rows(db)]
    assert other.delivered == []
    await db.dispose()


async def test_a_crashed_process_rows_come_back_within_one_short_lease(database_url: str) -> None:
    db = Database(database_url)
    await queue_dms(db, [("U1", "a")])
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        await OutboxDispatcher(db, CountingCourier()).claim()  # a name of its own, then killed
        survivor = CountingCourier()
        assert await OutboxDispatcher(db, survivor).run_once() == 0

        clock.shift(timedelta(seconds=31))
        assert await OutboxDispatcher(db, survivor).run_once() == 1
    await db.dispose()


async def test_a_row_taken_over_after_its_lease_is_not_sent_twice(database_url: str) -> None:
    db = Database(database_url)
    await queue_dms(db, [("U1", "a"), ("U2", "b")])
    slow, fast = CountingCourier(), CountingCourier()
    with time_machine.travel(datetime.now(UTC), tick=False) as clock:
        stalled = OutboxDispatcher(db, slow)
        claimed = await stalled.claim()
        clock.shift(timedelta(seconds=31))  # the stalled worker's lease lapsed meanwhile
        assert await OutboxDispatcher(db, fast).run_once() == 2

        await stalled.deliver_claimed(claimed)

    assert slow.delivered == []
    assert sorted(fast.delivered) == [m.id for m in claimed]
    assert {r.status for r in await outbox_rows(db)} == {"sent"}
    await db.dispose()


async def test_a_conversation_being_sent_by_one_worker_waits_at_another(
    database_url: str,
) -> None:
    db = Database(database_url)
    await queue_dms(db, [("U1", "first"), ("U1", "second")])
    one, two = CountingCourier(), CountingCourier()
    first_worker = OutboxDispatcher(db, one, batch_size=1)
    claimed = await first_worker.claim()

    assert await OutboxDispatcher(db, two).run_once() == 0
    await first_worker.deliver_claimed(claimed)
    assert await OutboxDispatcher(db, two).run_once() == 1

    rows = await outbox_rows(db)
    assert (one.delivered, two.delivered) == ([rows[0].id], [rows[1].id])
    await db.dispose()
