"""A fake Bot Connector service: records what the bot sends and answers the way Teams does."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class ConnectorCall:
    method: str  # "send", "update" or "create"
    conversation_id: str | None
    activity_id: str | None
    body: dict[str, Any]
    authorization: str | None
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)

    @property
    def card(self) -> dict[str, Any] | None:
        """The Adaptive Card this activity carries, if any."""
        for attachment in self.body.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                content = attachment.get("content")
                return dict(content) if isinstance(content, dict) else None
        return None


@dataclass
class ConnectorFailure:
    status: int
    retry_after: int | None = None
    times: int = 1


@dataclass
class FakeBotConnector:
    """Start with `await fake.start()`; put `fake.service_url` in the activities' serviceUrl."""

    calls: list[ConnectorCall] = field(default_factory=list)
    failures: dict[str, list[ConnectorFailure]] = field(default_factory=dict)
    # Files PUT to the OneDrive upload sessions a file consent hands out, by name.
    uploads: dict[str, bytes] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _server: TestServer | None = None

    @property
    def service_url(self) -> str:
        assert self._server is not None
        return str(self._server.make_url("/teams/"))

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/teams/v3/conversations", self._create)
        app.router.add_post("/teams/v3/conversations/{conversation}/activities", self._send)
        app.router.add_post(
            "/teams/v3/conversations/{conversation}/activities/{activity}", self._reply
        )
        app.router.add_put(
            "/teams/v3/conversations/{conversation}/activities/{activity}", self._put
        )
        app.router.add_put("/onedrive/upload/{name}", self._upload)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    # ---- test helpers -----------------------------------------------------------------------

    def upload_url(self, name: str) -> str:
        """Where Teams tells the bot to upload an accepted file (a OneDrive upload session)."""
        assert self._server is not None
        return str(self._server.make_url(f"/onedrive/upload/{name}"))

    def fail(
        self, method: str, *, status: int, retry_after: int | None = None, times: int = 1
    ) -> None:
        """Make the next `times` calls of `method` ("send", "update", "create") fail."""
        self.failures.setdefault(method, []).append(ConnectorFailure(status, retry_after, times))

    def named(self, method: str) -> list[ConnectorCall]:
        """Calls of `method` the connector accepted."""
        return [c for c in self.calls if c.method == method and c.status < 300]

    def sent_to(self, conversation_id: str) -> list[ConnectorCall]:
        return [c for c in self.named("send") if c.conversation_id == conversation_id]

    # ---- handlers ---------------------------------------------------------------------------

    async def _record(
        self, request: web.Request, method: str, activity_id: str | None = None
    ) -> tuple[ConnectorCall, web.Response | None]:
        body = json.loads(await request.text() or "{}")
        call = ConnectorCall(
            method=method,
            conversation_id=request.match_info.get("conversation"),
            activity_id=activity_id or request.match_info.get("activity"),
            body=body,
            authorization=request.headers.get("Authorization"),
        )
        self.calls.append(call)
        queue = self.failures.get(method)
        if not queue:
            return call, None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        call.status = failure.status
        headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
        error = {"error": {"code": "Throttled" if failure.status == 429 else "ServiceError"}}
        return call, web.json_response(error, status=failure.status, headers=headers)

    async def _send(self, request: web.Request) -> web.Response:
        call, failed = await self._record(request, "send")
        if failed is not None:
            return failed
        call.response = {"id": f"1700000000{next(self._ids):03d}"}
        return web.json_response(call.response, status=201)

    async def _reply(self, request: web.Request) -> web.Response:
        return await self._send(request)

    async def _put(self, request: web.Request) -> web.Response:
        call, failed = await self._record(request, "update")
        if failed is not None:
            return failed
        call.response = {"id": call.activity_id or ""}
        return web.json_response(call.response)

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        size = len(data)
        if request.headers.get("Content-Range") != f"bytes 0-{size - 1}/{size}":
            return web.json_response({"error": "bad Content-Range"}, status=400)
        self.uploads[request.match_info["name"]] = data
        return web.json_response({"id": "drive-item-1", "name": request.match_info["name"]})

    async def _create(self, request: web.Request) -> web.Response:
        call, failed = await self._record(request, "create")
        if failed is not None:
            return failed
        member = (call.body.get("members") or [{}])[0].get("id", "unknown")
        call.response = {"id": f"a:1on1-{member}", "activityId": None}
        return web.json_response(call.response, status=201)
