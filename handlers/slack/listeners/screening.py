"""New channel messages go through automatic screening after the ack; Confirm incident."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import SYSTEM_ACTOR, Actor, IncidentView, Platform
from bot.errors import DeskError
from bot.screening.intake import ScreenedMessage
from handlers.slack.blocks.text import plain
from handlers.slack.capture import capture_message
from handlers.slack.deps import deps, insights
from handlers.slack.ids import ActionId
from handlers.slack.listeners.actions import triage_action
from handlers.slack.metadata import CardRef

log = logging.getLogger(__name__)

# New messages only: edits, deletions, joins and other housekeeping subtypes are not screened.
SCREENED_SUBTYPES = frozenset({None, "bot_message", "thread_broadcast", "file_share", "me_message"})


def _strings(node: Any) -> list[str]:
    """Every `text` string in blocks or attachments, in document order."""
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    if not isinstance(node, dict):
        return []
    found: list[str] = []
    for key, value in node.items():
        if key in {"text", "pretext", "title", "value"} and isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict | list):
            found += _strings(value)
    return found


def message_text(event: dict[str, Any]) -> str:
    """The text an AI tool posted, including what it put in blocks and attachments."""
    main = plain(event.get("text") or "")
    extra: list[str] = []
    for piece in _strings(event.get("blocks", [])) + _strings(event.get("attachments", [])):
        piece = plain(piece).strip()
        if piece and piece not in main and piece not in extra:
            extra.append(piece)
    return "\n".join([main, *extra]).strip()


async def is_new_message(event: dict[str, Any]) -> bool:
    """Matcher: only new messages reach screening; edits and deletions go to later listeners."""
    return event.get("subtype") in SCREENED_SUBTYPES and not event.get("hidden")


def screened_message(body: dict[str, Any], event: dict[str, Any]) -> ScreenedMessage | None:
    channel, ts = event.get("channel"), event.get("ts")
    if not channel or not ts:
        return None
    profile = event.get("bot_profile") or {}
    return ScreenedMessage(
        platform=Platform.SLACK,
        team_id=body.get("team_id") or event.get("team"),
        channel_id=str(channel),
        ts=str(ts),
        text=message_text(event),
        author_bot_id=event.get("bot_id"),
        author_app_id=event.get("app_id") or profile.get("app_id"),
        author_user_id=event.get("user"),
        author_name=profile.get("name") or event.get("username"),
    )


async def screen_message(
    body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Runs after Bolt acked the event; a retried delivery of the same message adds nothing."""
    if event.get("bot_id") and event.get("bot_id") == context.bot_id:
        return  # the desk's own cards and digests
    message = screened_message(body, event)
    screener = insights(context).screener
    if message is None or not screener.wants(message):
        return
    # Off the event loop: a 40,000-character message takes tens of milliseconds to screen.
    result = await asyncio.to_thread(screener.assess, message)
    if result is None:
        return
    try:
        if await screener.seen(message):
            return
        evidence = await capture_message(
            client,
            team_id=message.team_id,
            channel_id=message.channel_id,
            message=event,
            reporter=SYSTEM_ACTOR.ref,
            thread_limit=deps(context).ctx.config.thread_context_limit,
        )
        await screener.record(message, result, evidence)
    except DeskError as exc:
        # Logged by source key only: the message text may hold the very data that was flagged.
        log.error("screening of %s not recorded: %s", message.source_key, exc.message)


async def _confirm(
    context: AsyncBoltContext, actor: Actor, ref: CardRef, _: dict[str, Any]
) -> IncidentView:
    return await insights(context).suspected.confirm(
        actor=actor, incident_id=ref.incident_id, channel_id=ref.channel_id
    )


async def ignore_message() -> None:
    """Acknowledge every other message event, so Slack never retries or disables them."""


def register(app: AsyncApp) -> None:
    # Registered before other `message` listeners: Bolt runs the first match only, and the
    # matcher lets edits and deletions through to them.
    app.event("message", matchers=[is_new_message])(screen_message)
    app.action(ActionId.CONFIRM.value)(triage_action(_confirm))


def register_fallback(app: AsyncApp) -> None:
    """Registered last: message events no other listener took are acknowledged here."""
    app.event("message")(ignore_message)
