"""Fixtures: a real database (SQLite always, PostgreSQL when TEST_DATABASE_URL is set), a fake
Slack Web API, and the app driven through signed HTTP requests."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import shutil
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import create_engine, text

from bot.settings import DeskConfig, Settings
from handlers.wiring import DeskApp, create_app
from storage.migrate import sync_url, upgrade
from storage.models import Base
from tests.fakes.slack_api import FakeSlack

SIGNING_SECRET = "test-signing-secret"
ADMINS = ("U0ADMIN1", "U0ADMIN2")
AUDIT_KEY = bytes(range(100, 132))
PG_URL = os.environ.get("TEST_DATABASE_URL")
DB_BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(autouse=True)
def desk_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own INCIDENT_DESK_HOME: no key file or evidence lands in $HOME."""
    home = tmp_path / "desk-home"
    monkeypatch.setenv("INCIDENT_DESK_HOME", str(home))
    monkeypatch.delenv("AUDIT_HMAC_KEY", raising=False)
    return home


DEAD_SLACK_API = "http://127.0.0.1:9/api/"


@pytest.fixture(autouse=True)
def _never_reach_real_slack(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach the internet: an app built without the fake gets a refused port."""
    monkeypatch.setenv("SLACK_API_URL", DEAD_SLACK_API)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str | None]:
    """A throwaway database per test session, so parallel runs never share tables."""
    if not PG_URL:
        yield None
        return
    name = f"incident_desk_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(sync_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=DB_BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, pg_database: str | None
) -> str:
    if request.param == "sqlite":
        path = tmp_path / "desk.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"
    assert pg_database is not None
    engine = create_engine(pg_database)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return pg_database


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.close()


def make_settings(database_url: str, fake: FakeSlack, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-test-token",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "INCIDENT_ADMINS": ",".join(ADMINS),
        "OUTBOX_INTERVAL_SECONDS": 60,
        "AUDIT_HMAC_KEY": AUDIT_KEY.hex(),
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def sign(
    body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """Headers exactly as Slack signs a request: v0=HMAC-SHA256(secret, 'v0:ts:body')."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


class Harness:
    """Drives the app the way Slack does and waits for the work that follows each ack."""

    def __init__(self, app: DeskApp, client: TestClient, fake: FakeSlack) -> None:
        self.app = app
        self.client = client
        self.fake = fake
        self.tasks: list[asyncio.Task[Any]] = []

    async def post_form(self, form: dict[str, str], **headers: str) -> ClientResponse:
        body = urlencode(form)
        return await self.client.post(
            "/slack/events",
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", **sign(body), **headers},
        )

    async def interact(self, payload: dict[str, Any]) -> ClientResponse:
        return await self.post_form({"payload": json.dumps(payload)})

    async def command(self, form: dict[str, str]) -> ClientResponse:
        return await self.post_form(form)

    async def event(self, payload: dict[str, Any], **headers: str) -> ClientResponse:
        """An Events API callback, signed; pass X-Slack-Retry-Num to replay it as a retry."""
        body = json.dumps(payload)
        return await self.client.post(
            "/slack/events",
            data=body,
            headers={"Content-Type": "application/json", **sign(body), **headers},
        )

    async def settle(self, limit: float = 5.0) -> None:
        """Wait for listener work after the ack, then deliver the outbox until it is empty."""
        deadline = asyncio.get_running_loop().time() + limit
        while asyncio.get_running_loop().time() < deadline:
            busy = [t for t in self.tasks if not t.done() and not _is_server_task(t)]
            if busy:
                await asyncio.wait(busy, timeout=0.05)
                continue
            await self.app.dispatcher.drain()
            if not [t for t in self.tasks if not t.done() and not _is_server_task(t)]:
                return
        stuck = [
            getattr(t.get_coro(), "__qualname__", repr(t))
            for t in self.tasks
            if not t.done() and not _is_server_task(t)
        ]
        raise AssertionError(f"the app did not settle within the timeout: {stuck}")


def _is_server_task(task: asyncio.Task[Any]) -> bool:
    if task is asyncio.current_task():
        return True
    name = getattr(task.get_coro(), "__qualname__", "")
    return "RequestHandler" in name or "BaseSite" in name or "_socket" in name


@pytest.fixture
def desk_config() -> DeskConfig:
    return DeskConfig()


@asynccontextmanager
async def serve(app: DeskApp) -> AsyncIterator[tuple[TestClient, list[asyncio.Task[Any]]]]:
    """Serve the app's HTTP routes and record every task started meanwhile, so a harness can
    wait for the work that follows each ack."""
    client = TestClient(TestServer(app.web))
    await client.start_server()
    loop = asyncio.get_running_loop()
    tasks: list[asyncio.Task[Any]] = []
    default_factory = loop.get_task_factory()

    def factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
        task = (
            default_factory(loop, coro, **kwargs)
            if default_factory
            else asyncio.Task(coro, loop=loop, **kwargs)
        )
        tasks.append(task)
        return task  # type: ignore[return-value]

    loop.set_task_factory(factory)  # type: ignore[arg-type]
    try:
        yield client, tasks
    finally:
        loop.set_task_factory(default_factory)
        await app.dispatcher.wait_idle()
        await client.close()
        await app.db.dispose()


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Extra env settings for the harness; a test module overrides this fixture."""
    return {}


@pytest.fixture
async def harness(
    database_url: str,
    fake_slack: FakeSlack,
    desk_config: DeskConfig,
    settings_overrides: dict[str, Any],
) -> AsyncIterator[Harness]:
    app = create_app(make_settings(database_url, fake_slack, **settings_overrides), desk_config)
    async with serve(app) as (client, tasks):
        h = Harness(app, client, fake_slack)
        h.tasks = tasks
        yield h
