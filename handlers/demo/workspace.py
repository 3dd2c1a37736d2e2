"""The demo's pretend workspace: a small Slack Web API and Bot Connector on one local port.

The desk talks to it exactly as it talks to Slack and Teams (its real Slack client and Teams
port send real HTTP here), and it keeps every message in order, so the demo can print what each
person saw and the `--serve` page can show it. It answers only the calls the demo makes."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
from aiohttp import web

SLACK = "slack"
TEAMS = "teams"
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
DESK = "AI Incident Desk"


@dataclass
class Shown:
    """One message as its readers see it: posted once, maybe updated in place later."""

    seq: int
    platform: str
    conversation: str
    message_id: str
    text: str
    body: dict[str, Any]
    author: str = DESK
    thread: str | None = None
    updates: int = 0

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return list(self.body.get("blocks") or [])

    @property
    def card(self) -> dict[str, Any] | None:
        for attachment in self.body.get("attachments") or []:
            if attachment.get("contentType") == ADAPTIVE_CARD:
                content = attachment.get("content")
                return dict(content) if isinstance(content, dict) else None
        return None


@dataclass
class Workspace:
    """Start with `await workspace.start(runner_host, port)`; read `messages` afterwards."""

    messages: list[Shown] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    on_change: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    base_url: str = ""
    # Where a click in the page is sent, signed as Slack signs it: the desk's /slack/events.
    desk_events_url: str | None = None
    signing_secret: str = ""

    @property
    def slack_api_url(self) -> str:
        return self.base_url + "api/"

    @property
    def teams_service_url(self) -> str:
        return self.base_url + "teams/"

    def routes(self, app: web.Application) -> None:
        """Add the Slack and Bot Connector routes to `app`."""
        app.router.add_post("/api/{method}", self._slack)
        app.router.add_post("/response/{conversation}", self._response_url)
        app.router.add_post("/click", self._click)
        app.router.add_post("/teams/v3/conversations", self._teams_create)
        app.router.add_post("/teams/v3/conversations/{conversation}/activities", self._teams_send)
        app.router.add_post(
            "/teams/v3/conversations/{conversation}/activities/{activity}", self._teams_send
        )
        app.router.add_put(
            "/teams/v3/conversations/{conversation}/activities/{activity}", self._teams_update
        )

    async def start(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        pages: Mapping[str, Callable[[web.Request], Awaitable[web.StreamResponse]]] | None = None,
    ) -> None:
        """Serve on `host:port` (0: any free port), with `pages` as extra GET routes."""
        app = web.Application()
        self.routes(app)
        for path, handler in (pages or {}).items():
            app.router.add_get(path, handler)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[0]
        self.base_url = f"http://{host}:{bound[1]}/"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # ---- what the demo reads -----------------------------------------------------------------

    def post(
        self, *, platform: str, conversation: str, text: str, author: str, message_id: str
    ) -> Shown:
        """A message someone other than the desk posted (the AI tool's reply)."""
        return self._add(platform, conversation, message_id, text, {"text": text}, author=author)

    def seen_in(self, conversation: str) -> list[Shown]:
        return [m for m in self.messages if m.conversation == conversation]

    # ---- Slack Web API -------------------------------------------------------------------------

    async def _slack(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        raw = await request.text()
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(json.loads(raw or "{}"))
        elif raw:
            args.update(parse_qsl(raw))
        self.calls.append(f"slack {method}")
        answer = await self._slack_answer(method, args)
        return web.json_response({"ok": True, **answer})

    async def _slack_answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "team": "Acme LLP",
                "team_id": "T0DEMO",
                "user_id": "U0DESK",
                "bot_id": "B0DESK",
            }
        if method == "conversations.open":
            return {"channel": {"id": f"D{args.get('users')}"}}
        if method == "chat.postMessage":
            ts = f"1700000000.{next(self._seq):06d}"
            self._add(
                SLACK,
                str(args.get("channel")),
                ts,
                str(args.get("text") or ""),
                {"blocks": _json_arg(args.get("blocks")) or []},
                thread=args.get("thread_ts"),
            )
            await self._changed()
            return {"channel": args.get("channel"), "ts": ts}
        if method == "chat.update":
            self._update(
                str(args.get("channel")),
                str(args.get("ts")),
                str(args.get("text") or ""),
                {"blocks": _json_arg(args.get("blocks")) or []},
            )
            await self._changed()
            return {"channel": args.get("channel"), "ts": args.get("ts")}
        if method == "chat.postEphemeral":
            ts = f"1700000000.{next(self._seq):06d}"
            self._add(
                SLACK,
                str(args.get("channel")),
                ts,
                str(args.get("text") or ""),
                {"blocks": _json_arg(args.get("blocks")) or []},
                author=f"{DESK} (only visible to {args.get('user')})",
            )
            await self._changed()
            return {"message_ts": ts}
        if method == "chat.getPermalink":
            ts = str(args.get("message_ts", "")).replace(".", "")
            return {"permalink": f"https://acme.slack.com/archives/{args.get('channel')}/p{ts}"}
        if method == "users.info":
            user = str(args.get("user"))
            return {"user": {"id": user, "name": user.lower(), "profile": {"real_name": user}}}
        if method == "views.publish":
            return {"view": {"id": f"V{next(self._seq):04d}"}}
        # Anything else the desk might call (ephemeral notes, look-ups) simply succeeds.
        return {}

    async def _response_url(self, request: web.Request) -> web.Response:
        """A reply to a click (an ephemeral note) shown in the conversation it came from."""
        body = json.loads(await request.text() or "{}")
        conversation = request.match_info["conversation"]
        if body.get("text") or body.get("blocks"):
            self._add(
                SLACK, conversation, f"ephemeral-{next(self._seq)}", body.get("text", ""), body
            )
            await self._changed()
        return web.Response(text="ok")

    async def _click(self, request: web.Request) -> web.Response:
        """The page's button press: {seq, index, user}."""
        try:
            data = json.loads(await request.text())
            seq, index, user = int(data["seq"]), int(data["index"]), str(data["user"])
        except (ValueError, KeyError, TypeError):
            return web.json_response({"result": "Not a button press."}, status=400)
        return web.json_response({"result": await self.click(seq=seq, index=index, user=user)})

    def buttons(self, shown: Shown) -> list[dict[str, Any]]:
        """The message's Slack buttons, as the page offers them."""
        return [
            {"index": i, "label": _label(element)}
            for i, (_, element) in enumerate(_slack_buttons(shown.blocks))
        ]

    async def click(self, *, seq: int, index: int, user: str) -> str:
        """Press button `index` of message `seq` as `user`: a signed block_actions request to
        the desk, exactly as Slack sends it. Returns what happened, in words."""
        shown = next((m for m in self.messages if m.seq == seq), None)
        found = _slack_buttons(shown.blocks) if shown else []
        if shown is None or not 0 <= index < len(found) or self.desk_events_url is None:
            return "That button is not there any more: reload the page."
        block_id, element = found[index]
        action = {
            "type": "button",
            "action_id": element.get("action_id"),
            "block_id": block_id,
            "value": element.get("value", ""),
            "text": element.get("text"),
            "action_ts": f"{time.time():.6f}",
        }
        payload = {
            "type": "block_actions",
            "user": {
                "id": user,
                "username": user.lower(),
                "name": user.lower(),
                "team_id": "T0DEMO",
            },
            "api_app_id": "A0DESK",
            "token": "demo",
            "container": {
                "type": "message",
                "message_ts": shown.message_id,
                "channel_id": shown.conversation,
                "is_ephemeral": False,
            },
            "trigger_id": f"{time.time():.3f}.demo",
            "team": {"id": "T0DEMO", "domain": "acme"},
            "channel": {"id": shown.conversation, "name": shown.conversation},
            "message": {
                "type": "message",
                "ts": shown.message_id,
                "text": shown.text,
                "blocks": shown.blocks,
            },
            "response_url": f"{self.base_url}response/{shown.conversation}",
            "actions": [action],
        }
        body = urlencode({"payload": json.dumps(payload)})
        stamp = str(int(time.time()))
        signature = hmac.new(
            self.signing_secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256
        ).hexdigest()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": f"v0={signature}",
        }
        async with (
            aiohttp.ClientSession() as http,
            http.post(self.desk_events_url, data=body, headers=headers) as resp,
        ):
            status = resp.status
        verdict = "sent to the desk" if status == 200 else f"refused ({status})"
        return f"{_label(element)}: {verdict}"

    # ---- Bot Connector ---------------------------------------------------------------------------

    async def _teams_create(self, request: web.Request) -> web.Response:
        body = json.loads(await request.text() or "{}")
        member = (body.get("members") or [{}])[0].get("id", "unknown")
        return web.json_response({"id": f"a:1on1-{member}"}, status=201)

    async def _teams_send(self, request: web.Request) -> web.Response:
        body = json.loads(await request.text() or "{}")
        conversation = request.match_info["conversation"]
        activity_id = f"1700000000{next(self._seq):04d}"
        self.calls.append("teams send")
        self._add(TEAMS, conversation, activity_id, str(body.get("text") or ""), body)
        await self._changed()
        return web.json_response({"id": activity_id}, status=201)

    async def _teams_update(self, request: web.Request) -> web.Response:
        body = json.loads(await request.text() or "{}")
        self.calls.append("teams update")
        activity = request.match_info["activity"]
        self._update(
            request.match_info["conversation"], activity, str(body.get("text") or ""), body
        )
        await self._changed()
        return web.json_response({"id": activity})

    # ---- the record ------------------------------------------------------------------------------

    def _add(
        self,
        platform: str,
        conversation: str,
        message_id: str,
        text: str,
        body: dict[str, Any],
        *,
        author: str = DESK,
        thread: str | None = None,
    ) -> Shown:
        shown = Shown(
            seq=len(self.messages) + 1,
            platform=platform,
            conversation=conversation,
            message_id=message_id,
            text=text,
            body=body,
            author=author,
            thread=thread,
        )
        self.messages.append(shown)
        return shown

    def _update(self, conversation: str, message_id: str, text: str, body: dict[str, Any]) -> None:
        for shown in self.messages:
            if shown.conversation == conversation and shown.message_id == message_id:
                shown.text, shown.body = text or shown.text, body
                shown.updates += 1
                return

    async def _changed(self) -> None:
        for listener in self.on_change:
            await listener()


def _json_arg(value: Any) -> Any:
    """Block Kit arguments arrive as JSON strings in form posts and as objects in JSON posts."""
    return json.loads(value) if isinstance(value, str) else value


def _slack_buttons(blocks: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """(block id, element) for every button in `actions` blocks, in order."""
    return [
        (str(block.get("block_id", "")), element)
        for block in blocks
        if block.get("type") == "actions"
        for element in block.get("elements") or []
        if element.get("type") == "button"
    ]


def _label(element: dict[str, Any]) -> str:
    text = element.get("text")
    return str(text.get("text", "")) if isinstance(text, dict) else str(element.get("action_id"))
