"""Builds the Bolt app and its HTTP route from settings; nothing here runs at import."""

from __future__ import annotations

import logging
import time

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.core import Core
from bot.server import Handler
from bot.settings import Settings
from handlers.slack.deps import inject
from handlers.slack.listeners import register_listeners

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
    """POST /slack/events: 401 unless signed by Slack within 5 minutes, 400 if unreadable."""
    verifier = SignatureVerifier(signing_secret)

    async def handler(request: web.Request) -> web.StreamResponse:
        body = await request.text()
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        try:
            fresh = abs(time.time() - int(timestamp)) <= MAX_REQUEST_AGE
        except ValueError:
            fresh = False
        if not fresh or not verifier.is_valid(body, timestamp, signature):
            log.warning("rejected /slack/events request: bad signature or stale timestamp")
            return web.json_response({"error": "invalid signature or timestamp"}, status=401)
        try:
            bolt_request = await to_bolt_request(request)
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("rejected /slack/events request: unreadable body (%s)", type(exc).__name__)
            return web.json_response({"error": "malformed request body"}, status=400)
        body_fields = bolt_request.body if isinstance(bolt_request.body, dict) else {}
        if not ({"type", "command", "ssl_check"} & body_fields.keys()):
            log.warning("rejected /slack/events request: not an event, command or interaction")
            return web.json_response({"error": "malformed request body"}, status=400)
        response = await app.async_dispatch(bolt_request)
        return await to_aiohttp_response(response)

    return handler
