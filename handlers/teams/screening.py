"""Messages the bot receives through resource-specific consent (every message in the teams and
chats it is installed in): an AI tool's message in a monitored conversation goes through the
core's automatic screening, exactly as a Slack message does."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from botbuilder.schema import Activity

from bot.core import Core
from bot.domain import SYSTEM_ACTOR, Platform
from bot.errors import DeskError
from bot.screening.intake import ScreenedMessage
from handlers.teams.capture import base_conversation_id, capture_message, html_to_text
from handlers.teams.references import channel_of, tenant_of

log = logging.getLogger(__name__)

BOT_ID_PREFIX = "28:"  # how a bot (an app) shows up in `from.id`
HTML_TYPE = "text/html"
CARD_TYPE = "application/vnd.microsoft.card.adaptive"


def addressed_to_bot(activity: Activity) -> bool:
    """A 1:1 chat, or a channel or group message that @mentions the bot: a command for us.
    Anything else reached us only through resource-specific consent and is never answered."""
    conversation = activity.conversation
    if conversation is None or conversation.conversation_type in (None, "personal"):
        return True
    bot_id = activity.recipient.id if activity.recipient else None
    for entity in activity.entities or []:
        # The SDK keeps a mention's fields outside its model, in additional_properties.
        extra = getattr(entity, "additional_properties", None) or {}
        mentioned = extra.get("mentioned") or {}
        if str(entity.type).lower() == "mention" and bot_id and mentioned.get("id") == bot_id:
            return True
    return False


def app_id_of(activity: Activity) -> str | None:
    """The Teams app id of a bot author (`28:<app id>`); None for a person."""
    sender = activity.from_property
    raw = str(sender.id) if sender and sender.id else None
    if raw and raw.startswith(BOT_ID_PREFIX):
        return raw[len(BOT_ID_PREFIX) :]
    return None


def _card_strings(node: Any) -> list[str]:
    """Every `text` and `title` string in an Adaptive Card, in document order."""
    if isinstance(node, list):
        return [s for item in node for s in _card_strings(item)]
    if not isinstance(node, dict):
        return []
    found: list[str] = []
    for key, value in node.items():
        if key in {"text", "title", "value"} and isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict | list):
            found += _card_strings(value)
    return found


def _attachments(activity: Activity) -> list[dict[str, Any]]:
    return [
        a.serialize() if hasattr(a, "serialize") else dict(a) for a in activity.attachments or []
    ]


def body_html(activity: Activity) -> str:
    """The message as Teams rendered it: the text/html attachment, else the activity's text."""
    for attachment in _attachments(activity):
        if attachment.get("contentType") == HTML_TYPE and isinstance(
            attachment.get("content"), str
        ):
            return str(attachment["content"])
    return activity.text or ""


def message_text(activity: Activity) -> str:
    """What an AI tool posted, including what it put in Adaptive Cards."""
    main = html_to_text(body_html(activity))
    extra: list[str] = []
    for attachment in _attachments(activity):
        if attachment.get("contentType") != CARD_TYPE:
            continue
        for piece in _card_strings(attachment.get("content")):
            piece = html_to_text(piece)
            if piece and piece not in main and piece not in extra:
                extra.append(piece)
    return "\n".join([main, *extra]).strip()


def message_payload(activity: Activity) -> dict[str, Any]:
    """The activity in the `messagePayload` shape a message action carries, so screening and
    a person's report capture the same fields the same way."""
    sender = activity.from_property
    app_id = app_id_of(activity)
    name = sender.name if sender else None
    author: dict[str, Any] = (
        {"application": {"id": app_id, "displayName": name, "applicationIdentityType": "bot"}}
        if app_id
        else {"user": {"id": getattr(sender, "aad_object_id", None), "displayName": name}}
    )
    timestamp = activity.timestamp.isoformat() if activity.timestamp else None
    return {
        "id": activity.id,
        "replyToId": activity.reply_to_id,
        "body": {"contentType": "html", "content": body_html(activity)},
        "from": author,
        "createdDateTime": timestamp,
        "lastModifiedDateTime": timestamp,
        "attachments": [a for a in _attachments(activity) if a.get("contentType") != HTML_TYPE],
        "mentions": [],
        "messageType": "message",
        "locale": activity.locale,
    }


def screened_message(activity: Activity) -> ScreenedMessage | None:
    conversation = activity.conversation
    if conversation is None or not conversation.id or not activity.id:
        return None
    return ScreenedMessage(
        platform=Platform.TEAMS,
        # The same key a person's report of the message uses: teams:{tenant}:{conversation}:{id}
        team_id=tenant_of(activity),
        channel_id=base_conversation_id(conversation.id),
        ts=str(activity.id),
        text=message_text(activity),
        author_teams_app_id=app_id_of(activity),
        author_user_id=getattr(activity.from_property, "aad_object_id", None),
        author_name=activity.from_property.name if activity.from_property else None,
    )


async def screen_activity(core: Core, activity: Activity) -> None:
    """Screen one received message; a redelivered activity adds nothing."""
    message = screened_message(activity)
    screener = core.insights.screener
    if message is None or not screener.wants(message):
        return
    # Off the event loop: a long message takes tens of milliseconds to screen.
    result = await asyncio.to_thread(screener.assess, message)
    if result is None:
        return
    try:
        if await screener.seen(message):
            return
        team_id, channel_id = channel_of(activity)
        evidence = capture_message(
            message_payload(activity),
            conversation_id=message.channel_id,
            tenant_id=message.team_id,
            reporter=SYSTEM_ACTOR.ref,
            team_id=team_id,
            channel_id=channel_id,
        )
        await screener.record(message, result, evidence)
    except DeskError as exc:
        # Logged by source key only: the message text may hold the very data that was flagged.
        log.error("screening of %s not recorded: %s", message.source_key, exc.message)
