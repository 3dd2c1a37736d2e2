"""/healthz answers within a second and names what is wrong: the database (stalled or
refusing), a delivery loop that stopped, or an outbox row long overdue."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from bot.delivery.outbox import enqueue
from bot.delivery.payloads import DirectMessage
from bot.domain import Platform
from bot.errors import StorageUnavailable
from bot.server import build_web_app
from storage.db import Database
from tests.support.stalls import silent_database_server, writes_stalled


@dataclass
class Clock:
    last_round_at: datetime | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@asynccontextmanager
async def healthz_of(
    db: Database, clock: Clock | None = None
) -> AsyncIterator[TestClient[Any, Any]]:
    client: TestClient[web.Request, web.Application] = TestClient(
        TestServer(build_web_app(db, [], clock=clock))
    )
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()
        await db.dispose()


async def ask(client: TestClient[Any, Any]) -> tuple[int, dict[str, Any], float]:
    started = time.monotonic()
    resp = await client.get("/healthz")
    return resp.status, await resp.json(), time.monotonic() - started


async def test_a_database_that_never_answers_is_a_503_within_a_second() -> None:
    async with silent_database_server() as url, healthz_of(Database(url)) as client:
        status, body, took = await ask(client)

    assert (status, body["status"], body["database"]) == (503, "error", "timeout")
    assert took < 1.5
    assert body["problems"] == ["database: timeout"]


async def test_a_database_refusing_connections_is_a_503_naming_the_error() -> None:
    db = Database("postgresql+psycopg://postgres@127.0.0.1:1/refused")
    async with healthz_of(db) as client:
        status, body, took = await ask(client)

    assert status == 503 and body["database"] == "OperationalError"
    assert took < 1.5


async def test_healthz_does_not_queue_behind_a_writer(database_url: str) -> None:
    async with healthz_of(Database(database_url)) as client:
        assert (await ask(client))[0] == 200  # the desk is running (SQLite: the file is WAL)
        async with writes_stalled(database_url):
            status, body, took = await ask(client)

    assert (status, body["database"]) == (200, "ok")
    assert took < 1.0


async def test_a_delivery_loop_that_stopped_is_a_503(database_url: str) -> None:
    stale = Clock(last_round_at=datetime.now(UTC) - timedelta(minutes=5))
    async with healthz_of(Database(database_url), stale) as client:
        status, body, _ = await ask(client)

    assert status == 503 and body["database"] == "ok"
    assert body["delivery_round_seconds_ago"] >= 300
    assert "no outbox delivery round finished" in body["problems"][0]


async def test_an_outbox_row_long_overdue_is_a_503(database_url: str) -> None:
    db = Database(database_url)
    async with db.transaction() as session:
        payload = DirectMessage(target="U1", text="x")
        row = enqueue(session, platform=Platform.SLACK, payload=payload)
        row.next_attempt_at = datetime.now(UTC) - timedelta(minutes=20)
    async with healthz_of(db, Clock(last_round_at=datetime.now(UTC))) as client:
        status, body, _ = await ask(client)

    assert status == 503 and body["outbox_oldest_due_seconds"] >= 1200
    assert "an outbox row has been due" in body["problems"][0]


async def test_a_transaction_on_a_silent_database_fails_within_its_deadline() -> None:
    async with silent_database_server() as url:
        db = Database(url, timeout=0.5)
        started = time.monotonic()
        with pytest.raises(StorageUnavailable):
            async with db.transaction() as session:
                await session.execute(text("SELECT 1"))
        took = time.monotonic() - started
        await db.dispose()

    assert took < 1.5
