"""The Slack harness: settings for a test app, requests signed as Slack signs them, and a driver
that waits for the work that follows each ack."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlencode

from aiohttp import ClientResponse, web
from aiohttp.test_utils import TestClient, TestServer

from bot.settings import Settings
from handlers.wiring import DeskApp
from tests.support.fakes.slack_api import FakeSlack

SIGNING_SECRET = "test-signing-secret"


ADMINS = ("U0ADMIN1", "U0ADMIN2")


AUDIT_KEY = bytes(range(100, 132))


PG_URL = os.environ.get("TEST_DATABASE_URL")


DB_BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


DEAD_SLACK_API = "http://127.0.0.1:9/api/"


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
    return Settings(_env_file=None, **values)


def sign(
    body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """Headers exactly as Slack signs a request: v0=HMAC-SHA256(secret, 'v0:ts:body')."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


class Harness:
    """Drives the app the way Slack does and waits for the work that follows each ack."""

    def __init__(
        self,
        app: DeskApp,
        client: TestClient[web.Request, web.Application],
        fake: FakeSlack | None,
    ) -> None:
        self.app = app
        self.client = client
        self._fake = fake
        self.tasks: list[asyncio.Task[Any]] = []

    @property
    def fake(self) -> FakeSlack:
        """The fake Slack server; a harness that drives Teams alone has none."""
        assert self._fake is not None, "this harness drives Teams only: it has no fake Slack"
        return self._fake

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
            busy = [t for t in self.tasks if not t.done() and not is_server_task(t)]
            if busy:
                await asyncio.wait(busy, timeout=0.05)
                continue
            await self.app.dispatcher.drain()
            if not [t for t in self.tasks if not t.done() and not is_server_task(t)]:
                return
        stuck = [
            getattr(t.get_coro(), "__qualname__", repr(t))
            for t in self.tasks
            if not t.done() and not is_server_task(t)
        ]
        raise AssertionError(f"the app did not settle within the timeout: {stuck}")


def is_server_task(task: asyncio.Task[Any]) -> bool:
    if task is asyncio.current_task():
        return True
    name = getattr(task.get_coro(), "__qualname__", "")
    return "RequestHandler" in name or "BaseSite" in name or "_socket" in name


@asynccontextmanager
async def serve(
    app: DeskApp,
) -> AsyncIterator[tuple[TestClient[web.Request, web.Application], list[asyncio.Task[Any]]]]:
    """Serve the app's HTTP routes and record every task started meanwhile, so a harness can
    wait for the work that follows each ack."""
    client = TestClient(TestServer(app.web))
    await client.start_server()
    loop = asyncio.get_running_loop()
    tasks: list[asyncio.Task[Any]] = []
    default_factory = loop.get_task_factory()

    def factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Future[Any]:
        task = (
            default_factory(loop, coro, **kwargs)
            if default_factory
            else asyncio.Task(coro, loop=loop, **kwargs)
        )
        # Typeshed lets a task factory return any Future; the ones create_task uses make Tasks,
        # and the harness reads each task's coroutine to tell server tasks from work.
        assert isinstance(task, asyncio.Task)
        tasks.append(task)
        return task

    loop.set_task_factory(factory)
    try:
        yield client, tasks
    finally:
        loop.set_task_factory(default_factory)
        await app.dispatcher.wait_idle()
        await client.close()
        await app.db.dispose()
