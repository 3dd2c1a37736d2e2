"""A local kill-switch endpoint that records each signed webhook call, and checks signatures."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


class KillSwitch:
    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.fail_next = 0
        self.server: TestServer | None = None

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append((dict(request.headers), await request.read()))
        if self.fail_next:
            self.fail_next -= 1
            return web.Response(status=503, text="switch busy")
        return web.json_response({"ok": True})

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/kill"))

    def signed_bodies(self, secret: str) -> list[dict[str, Any]]:
        """Every call's JSON body, after checking its HMAC signature against `secret`."""
        bodies = []
        for headers, body in self.requests:
            timestamp = headers["X-Incident-Desk-Timestamp"]
            mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
            assert headers["X-Incident-Desk-Signature"] == "sha256=" + mac.hexdigest()
            bodies.append(json.loads(body))
        return bodies


@asynccontextmanager
async def running_kill_switch() -> AsyncIterator[KillSwitch]:
    switch = KillSwitch()
    app = web.Application()
    app.router.add_post("/kill", switch.handle)
    switch.server = TestServer(app, host="127.0.0.1")
    await switch.server.start_server()
    try:
        yield switch
    finally:
        await switch.server.close()
