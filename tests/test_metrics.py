"""GET /metrics: Prometheus text for a scraper that sends METRICS_TOKEN, nothing for anyone
else, and no traceback when the database is down."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.server import build_web_app
from storage.db import Database
from tests.support.harness import Harness
from tests.support.slack_steps import open_report, submit

TOKEN = "scrape-secret"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"METRICS_TOKEN": TOKEN}


async def scrape(h: Harness, token: str | None = TOKEN) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    resp = await h.client.get("/metrics", headers=headers)
    return resp.status, await resp.text()


async def test_metrics_need_the_token(harness: Harness) -> None:
    assert (await scrape(harness, token=None))[0] == 401
    status, body = await scrape(harness, token="wrong")
    assert status == 401
    assert "METRICS_TOKEN" in body
    assert "incident_desk" not in body


async def test_metrics_count_reports_and_read_the_outbox(harness: Harness) -> None:
    view = await open_report(harness)
    await submit(harness, view)

    status, body = await scrape(harness)

    assert status == 200
    assert 'incident_desk_reports_total{kind="incident",platform="slack"} 1.0' in body
    assert "incident_desk_outbox_pending 0.0" in body
    assert "incident_desk_outbox_oldest_due_age_seconds 0.0" in body
    assert "incident_desk_obligations_overdue 0.0" in body
    assert "incident_desk_database_up 1.0" in body
    assert 'incident_desk_request_seconds_count{route="/slack/events"}' in body


@asynccontextmanager
async def served(token: str | None) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    """The web app alone, on a database that cannot be opened."""
    db = Database("sqlite+aiosqlite:////nonexistent/dir/desk.db")
    client = TestClient(TestServer(build_web_app(db, [], metrics_token=token)))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()
        # The failed connection's worker thread must finish on this test's loop.
        await db.dispose()


async def test_metrics_answer_without_a_traceback_when_the_database_is_down(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with served(TOKEN) as client:
        resp = await client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        body = await resp.text()
    assert resp.status == 200
    assert "incident_desk_database_up 0.0" in body
    assert "Traceback" not in body
    assert not [r for r in caplog.records if r.exc_info]
    assert "metrics: database unavailable" in caplog.text


async def test_metrics_are_off_without_a_token() -> None:
    async with served(None) as client:
        resp = await client.get("/metrics", headers={"Authorization": "Bearer "})
        body = await resp.text()
    assert resp.status == 404
    assert "set METRICS_TOKEN" in body
