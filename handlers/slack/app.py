"""Builds the Bolt app and its HTTP route from settings; nothing here runs at import."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient

from bot.core import Core
from bot.server import Handler
from bot.settings import Settings
from handlers.slack.deps import inject
from handlers.slack.listeners import register_listeners
from handlers.slack.requests import malformed

log = logging.getLogger(__name__)

MAX_REQUEST_AGE = 60 * 5


def build_client(settings: Settings) -> AsyncWebClient:
    base = (
        settings.slack_api_url
        if settings.slack_api_url.endswith("/")
        else settings.slack_api_url + "/"
    )
    # No retries inside the client: the outbox retries with backoff and honours Retry-After,
    # and a listener's direct call must fail fast rather than sleep past Slack's 3 s.
    return AsyncWebClient(
        token=settings.slack_bot_token, base_url=base, timeout=10, retry_handlers=[]
    )


class _SameTokenWarning(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and warns that the client's token wins; the client
    carries that same token, so the warning only alarms whoever reads the start-up log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


def build_bolt_app(
    settings: Settings,
    core: Core,
    client: AsyncWebClient,
) -> AsyncApp:
    bolt_log = logging.getLogger("slack_bolt.AsyncApp")
    if not any(isinstance(f, _SameTokenWarning) for f in bolt_log.filters):
        bolt_log.addFilter(_SameTokenWarning())
    app = AsyncApp(
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        request_verification_enabled=bool(settings.slack_signing_secret),
        # Ack first: Bolt must not wait on our listeners before answering Slack.
        process_before_response=False,
        raise_error_for_unhandled_request=False,
    )
    app.use(inject(core))
    register_listeners(app)
    return app


def slack_events_route(app: AsyncApp, signing_secret: str) -> Handler:
    """POST /slack/events: 401 unless signed by Slack within 5 minutes, 400 if unreadable or not
    shaped like anything Slack sends."""
    secret = signing_secret.encode()

    def signed(raw: bytes, timestamp: str, signature: str) -> bool:
        # Over the raw bytes: slack_sdk's verifier decodes first and fails on invalid UTF-8.
        base = b"v0:" + timestamp.encode("ascii", "replace") + b":" + raw
        expected = "v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))

    async def handler(request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        try:
            fresh = abs(time.time() - int(timestamp)) <= MAX_REQUEST_AGE
        except ValueError:
            fresh = False
        # The signature covers the raw bytes, so it is checked before anything is decoded.
        if not fresh or not signed(raw, timestamp, signature):
            log.warning("rejected /slack/events request: bad signature or stale timestamp")
            return web.json_response({"error": "invalid signature or timestamp"}, status=401)
        try:
            bolt_request = AsyncBoltRequest(
                body=raw.decode("utf-8"),
                query=request.query_string,
                headers=dict(request.headers),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("rejected /slack/events request: unreadable body (%s)", type(exc).__name__)
            return web.json_response({"error": "malformed request body"}, status=400)
        reason = malformed(bolt_request.body)
        if reason:
            log.warning("rejected /slack/events request: %s", reason)
            return web.json_response({"error": "malformed request body"}, status=400)
        response = await app.async_dispatch(bolt_request)
        return await to_aiohttp_response(response)

    return handler
