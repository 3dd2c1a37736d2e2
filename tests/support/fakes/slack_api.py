"""A fake Slack Web API: records every call and answers the way Slack does."""

from __future__ import annotations

import asyncio
import inspect
import itertools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None
    response: dict[str, Any] = field(default_factory=dict)

    def json_arg(self, name: str) -> Any:
        """Block Kit arguments arrive as JSON strings in form posts and as objects in JSON posts."""
        value = self.args.get(name)
        return json.loads(value) if isinstance(value, str) else value


@dataclass
class Failure:
    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    times: int = 1


@dataclass
class FakeSlack:
    """Start with `await fake.start()`; point SLACK_API_URL at `fake.api_url`."""

    calls: list[Call] = field(default_factory=list)
    responses: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    threads: dict[tuple[str, str], list[dict[str, Any]] | str] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    # A handler may be async, e.g. to hold a call until the test lets it go.
    handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any] | Awaitable[dict[str, Any]]]] = (
        field(default_factory=dict)
    )
    socket_messages: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    bot_token: str = "xoxb-test-token"
    # The scopes auth.test reports as granted (its X-OAuth-Scopes header); None: no header.
    scopes: str | None = None
    hosted: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    downloads: list[tuple[str, str]] = field(default_factory=list)
    file_infos: dict[str, dict[str, Any]] = field(default_factory=dict)
    uploads: dict[str, bytes] = field(default_factory=dict)
    file_failures: dict[str, list[int]] = field(default_factory=dict)
    held: dict[str, asyncio.Event] = field(default_factory=dict)
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _server: TestServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return str(self._server.make_url("/"))

    @property
    def api_url(self) -> str:
        return self.base_url + "api/"

    @property
    def response_url(self) -> str:
        return self.base_url + "response/1"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/response/{id}", self._response_url)
        app.router.add_get("/socket", self._socket)
        app.router.add_get("/files-pri/{path:.*}", self._file)
        app.router.add_post("/upload/{file_id}", self._upload)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    # ---- test helpers -----------------------------------------------------------------------

    def fail(
        self,
        method: str,
        *,
        status: int = 200,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls of `method` fail like Slack would."""
        self.failures.setdefault(method, []).append(Failure(status, error, retry_after, times))

    def hold(self, channel: str) -> None:
        """Calls to `channel` hang until `let_go`, then fail as a request Slack dropped."""
        self.held.setdefault(channel, asyncio.Event())

    def let_go(self, channel: str) -> None:
        held = self.held.pop(channel, None)
        if held is not None:
            held.set()

    def host_file(self, name: str, data: bytes, content_type: str = "application/pdf") -> str:
        """Serve `data` the way files.slack.com serves url_private; returns that URL."""
        path = f"files-pri/T0ACME-{name}"
        self.hosted[path] = (data, content_type)
        return self.base_url + path

    def uploaded(self) -> list[tuple[Call, bytes]]:
        """Files completed with files.completeUploadExternal, with their bytes."""
        done = []
        for call in self.named("files.completeUploadExternal"):
            for item in call.json_arg("files"):
                done.append((call, self.uploads[item["id"]]))
        return done

    def named(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def dms_to(self, user_id: str) -> list[Call]:
        """DMs Slack accepted (a failed attempt is not a delivered message)."""
        return [
            c
            for c in self.named("chat.postMessage")
            if c.args.get("channel") == f"D{user_id}" and c.response.get("ok")
        ]

    # ---- handlers ---------------------------------------------------------------------------

    async def _args(self, request: web.Request) -> dict[str, Any]:
        # slack_sdk sends some methods' arguments in the query string, others in the body.
        raw = await request.text()
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(json.loads(raw or "{}"))
        elif raw:
            args.update(parse_qsl(raw))
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") or args.get("token")
        call = Call(method, args, token)
        self.calls.append(call)
        queue = self.failures.get(method)
        if queue:
            failure = queue[0]
            failure.times -= 1
            if failure.times <= 0:
                queue.pop(0)
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
            if failure.status == 429:
                return web.json_response(
                    {"ok": False, "error": "ratelimited"}, status=429, headers=headers
                )
            if failure.status >= 500:
                return web.Response(status=failure.status, text="internal error", headers=headers)
            return web.json_response({"ok": False, "error": failure.error or "fatal_error"})
        held = self.held.get(str(args.get("channel")))
        if held is not None:
            await held.wait()
            return web.json_response({"ok": False, "error": "request_timeout"})
        handler = self.handlers.get(method) or getattr(self, "_" + method.replace(".", "_"), None)
        body = handler(args) if handler else {}
        if inspect.isawaitable(body):
            body = await body
        call.response = {"ok": True, **body}
        granted = {"X-OAuth-Scopes": self.scopes} if method == "auth.test" and self.scopes else {}
        return web.json_response(call.response, headers=granted)

    async def _response_url(self, request: web.Request) -> web.Response:
        self.responses.append(json.loads(await request.text()))
        return web.Response(text="ok")

    def _next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    def _auth_test(self, _: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://acme.slack.com/",
            "team": "Acme",
            "user": "incident_desk",
            "team_id": "T0ACME",
            "user_id": "UBOTUSER",
            "bot_id": "BDESK",
        }

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        view = args["view"]
        view = json.loads(view) if isinstance(view, str) else view
        return {"view": {**view, "id": f"V{next(self._ts):04d}"}}

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "channel": args.get("channel"),
            "ts": self._next_ts(),
            "message": {"text": args.get("text")},
        }

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"channel": args.get("channel"), "ts": args.get("ts")}

    def _chat_postEphemeral(self, _: dict[str, Any]) -> dict[str, Any]:
        return {"message_ts": self._next_ts()}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"channel": {"id": f"D{args.get('users')}"}}

    def _chat_getPermalink(self, args: dict[str, Any]) -> dict[str, Any]:
        ts = str(args.get("message_ts", "")).replace(".", "")
        return {
            "channel": args.get("channel"),
            "permalink": f"https://acme.slack.com/archives/{args.get('channel')}/p{ts}",
        }

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        thread = self.threads.get((str(args.get("channel")), str(args.get("ts"))), [])
        if isinstance(thread, str):
            raise web.HTTPOk(
                text=json.dumps({"ok": False, "error": thread}), content_type="application/json"
            )
        return {"messages": thread, "has_more": False}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = str(args.get("user"))
        user = self.users.get(user_id) or {
            "id": user_id,
            "name": user_id.lower(),
            "is_bot": False,
            "profile": {"display_name": f"User {user_id}", "real_name": f"User {user_id}"},
        }
        return {"user": user}

    def _bots_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"bot": {"id": args.get("bot"), "app_id": "A0DRAFTER", "name": "DraftBot"}}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        view = args["view"]
        view = json.loads(view) if isinstance(view, str) else view
        return {"view": {**view, "id": f"V{next(self._ts):04d}"}}

    def _apps_connections_open(self, _: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.base_url.replace("http", "ws", 1) + "socket"}

    async def _file(self, request: web.Request) -> web.Response:
        path = "files-pri/" + request.match_info["path"]
        auth = request.headers.get("Authorization", "")
        self.downloads.append((path, auth))
        if auth != f"Bearer {self.bot_token}":
            # Slack answers an unauthorised file request with its sign-in page, status 200.
            return web.Response(
                text="<html><body>Sign in to Slack</body></html>", content_type="text/html"
            )
        failures = self.file_failures.get(path)
        if failures:
            return web.Response(status=failures.pop(0), text="try again later")
        if path not in self.hosted:
            return web.Response(status=404, text="file not found")
        data, content_type = self.hosted[path]
        return web.Response(body=data, content_type=content_type)

    async def _upload(self, request: web.Request) -> web.Response:
        self.uploads[request.match_info["file_id"]] = await request.read()
        return web.Response(text="OK - uploaded")

    def _files_info(self, args: dict[str, Any]) -> dict[str, Any]:
        info = self.file_infos.get(str(args.get("file")))
        if info is None:
            raise web.HTTPOk(
                text=json.dumps({"ok": False, "error": "file_not_found"}),
                content_type="application/json",
            )
        return {"file": info}

    def _files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        file_id = f"F0UP{next(self._ts):04d}"
        return {"upload_url": self.base_url + f"upload/{file_id}", "file_id": file_id}

    def _files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        files = json.loads(args["files"]) if isinstance(args.get("files"), str) else args["files"]
        return {"files": [{"id": f["id"], "title": f.get("title")} for f in files]}

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1})

        async def pump() -> None:
            while True:
                await ws.send_json(await self.socket_messages.get())

        sender = asyncio.create_task(pump())
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self.socket_acks.append(json.loads(msg.data))
        finally:
            sender.cancel()
        return ws
