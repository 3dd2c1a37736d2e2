"""Evidence capture from a Slack message shortcut payload plus Web API look-ups."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.evidence.canonical import sha256_hex
from handlers.slack.api_errors import error_code
from handlers.slack.blocks.text import Mrkdwn, mention, shown

log = logging.getLogger(__name__)

FILE_FIELDS = ("id", "name", "title", "mimetype", "filetype", "size", "url_private", "permalink")


def files_metadata(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Metadata of attached files; the bytes are not fetched here."""
    return [{k: f.get(k) for k in FILE_FIELDS if k in f} for f in message.get("files", [])]


def author_hint(message: dict[str, Any]) -> Mrkdwn:
    """A label for the modal that needs no API call: the bot's name or a user mention."""
    if (integration := _integration(message)) is not None:
        return shown(str(integration["display_name"]))
    if message.get("bot_id"):
        profile = message.get("bot_profile") or {}
        return shown(str(profile.get("name") or message.get("username") or message.get("bot_id")))
    user = message.get("user")
    return mention(f"slack:{user}") if user else Mrkdwn("unknown author")


def _integration(message: dict[str, Any]) -> dict[str, Any] | None:
    """A legacy `bot_message` with no bot id: an integration that posts with only a name."""
    if message.get("subtype") != "bot_message" or message.get("bot_id"):
        return None
    icons = message.get("icons") or {}
    icon = next(
        (icons[k] for k in ("image_72", "image_48", "image_36", "emoji") if icons.get(k)), None
    )
    return {
        "type": "integration",
        "id": None,
        "display_name": message.get("username") or "unnamed integration",
        "icon": icon,
        "is_bot": True,
    }


def seed_author(message: dict[str, Any]) -> dict[str, Any]:
    """The author as the shortcut payload names it, before any look-up."""
    if (integration := _integration(message)) is not None:
        return integration
    if bot_id := message.get("bot_id"):
        profile = message.get("bot_profile") or {}
        return {
            "type": "bot",
            "id": bot_id,
            "app_id": message.get("app_id") or profile.get("app_id"),
            "display_name": profile.get("name") or message.get("username"),
            "is_bot": True,
            "user_id": message.get("user"),
        }
    return {"type": "user", "id": message.get("user"), "display_name": None, "is_bot": False}


def _message_part(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "text": message.get("text"),
        "blocks": message.get("blocks", []),
        "attachments": message.get("attachments", []),
        "files": files_metadata(message),
        "subtype": message.get("subtype"),
        "edited": message.get("edited"),
    }


def seed_capture(
    *,
    team_id: str | None,
    channel_id: str,
    message: dict[str, Any],
    reporter: str,
    channel_name: str | None = None,
) -> dict[str, Any]:
    """The evidence Slack already sent inside the shortcut: kept at once, so a fast submit or a
    slow look-up never loses the message. `snapshot_sha256` is the hash of the payload's message."""
    snapshot = _message_part(message)
    return {
        "platform": "slack",
        "capture": "seed",
        "team_id": team_id,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "ts": message.get("ts"),
        "thread_ts": message.get("thread_ts"),
        "message": snapshot,
        "snapshot_sha256": sha256_hex(snapshot),
        "author": seed_author(message),
        "reporter": reporter,
        "captured_at": datetime.now(UTC).isoformat(),
    }


async def _author(client: AsyncWebClient, message: dict[str, Any]) -> dict[str, Any]:
    if (integration := _integration(message)) is not None:
        return integration
    bot_id = message.get("bot_id")
    if bot_id:
        profile = message.get("bot_profile") or {}
        author: dict[str, Any] = {
            "type": "bot",
            "id": bot_id,
            "app_id": message.get("app_id") or profile.get("app_id"),
            "display_name": profile.get("name") or message.get("username"),
            "is_bot": True,
            "user_id": message.get("user"),
        }
        try:
            info = (await client.bots_info(bot=bot_id))["bot"]
            author["app_id"] = author["app_id"] or info.get("app_id")
            author["display_name"] = author["display_name"] or info.get("name")
        except SlackApiError as exc:
            author["lookup_error"] = error_code(exc)
        return author
    user_id = message.get("user")
    author = {"type": "user", "id": user_id, "display_name": None, "is_bot": False}
    if user_id:
        try:
            user = (await client.users_info(user=user_id))["user"]
            profile = user.get("profile", {})
            author["display_name"] = (
                profile.get("display_name") or profile.get("real_name") or user.get("name")
            )
            author["is_bot"] = bool(user.get("is_bot"))
            if user.get("is_bot"):
                author["type"] = "bot"
                author["bot_id"] = profile.get("bot_id")
                author["app_id"] = profile.get("api_app_id")
        except SlackApiError as exc:
            author["lookup_error"] = error_code(exc)
    return author


async def _permalink(client: AsyncWebClient, channel: str, ts: str) -> str | None:
    try:
        return str((await client.chat_getPermalink(channel=channel, message_ts=ts))["permalink"])
    except SlackApiError as exc:
        log.info("permalink unavailable for %s/%s: %s", channel, ts, error_code(exc))
        return None


async def _thread(
    client: AsyncWebClient, channel: str, message: dict[str, Any], limit: int
) -> dict[str, Any]:
    root = message.get("thread_ts") or message["ts"]
    try:
        resp = await client.conversations_replies(channel=channel, ts=root, limit=limit + 1)
    except SlackApiError as exc:
        error = error_code(exc)
        return {
            "available": False,
            "error": error,
            "note": f"The bot could not read this thread ({error}); only the message was captured.",
            "messages": [],
        }
    messages: list[dict[str, Any]] = list(resp.get("messages", []))[: limit + 1]
    return {
        "available": True,
        "root_ts": root,
        "messages": messages,
        "truncated": bool(resp.get("has_more")) or len(resp.get("messages", [])) > limit + 1,
    }


async def capture_message(
    client: AsyncWebClient,
    *,
    team_id: str | None,
    channel_id: str,
    message: dict[str, Any],
    reporter: str,
    thread_limit: int = 20,
    channel_name: str | None = None,
) -> dict[str, Any]:
    """Everything the evidence record holds; the core hashes this as canonical JSON."""
    snapshot = _message_part(message)
    return {
        "platform": "slack",
        "capture": "full",
        "team_id": team_id,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "ts": message.get("ts"),
        "thread_ts": message.get("thread_ts"),
        "message": snapshot,
        "snapshot_sha256": sha256_hex(snapshot),
        "author": await _author(client, message),
        "permalink": await _permalink(client, channel_id, message["ts"]),
        "thread": await _thread(client, channel_id, message, thread_limit),
        "reporter": reporter,
        "captured_at": datetime.now(UTC).isoformat(),
    }
