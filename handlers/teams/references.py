"""Conversation references: where the bot can reach a Teams user or channel proactively.

Teams lets a bot message someone only in a conversation it already knows, so every inbound
activity (install, message, invoke) records where its sender and channel can be reached, as
addresses in the core's AddressBook (the outbox dispatcher reads them)."""

from __future__ import annotations

from datetime import UTC, datetime

from botbuilder.schema import Activity

from bot.delivery.addresses import CHANNEL, PERSONAL, Address, AddressBook
from bot.domain import Actor, Platform
from handlers.teams.capture import base_conversation_id


def actor_of(activity: Activity) -> Actor:
    """The Teams user behind an activity: their Entra object id, as INCIDENT_ADMINS lists it."""
    sender = activity.from_property
    if sender is None or not (sender.aad_object_id or sender.id):
        raise ValueError("activity has no sender")
    return Actor(
        platform=Platform.TEAMS, user_id=sender.aad_object_id or sender.id, name=sender.name
    )


def submission_key(actor: Actor, activity_id: str | None) -> str | None:
    """What identifies one submitted report: Teams redelivers an activity with its id, and the
    sender is part of the key so that ids are never compared across people."""
    return f"teams:{actor.user_id}:activity:{activity_id}" if activity_id else None


def tenant_of(activity: Activity) -> str | None:
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    conversation = activity.conversation
    return (data.get("tenant") or {}).get("id") or (
        conversation.tenant_id if conversation else None
    )


def channel_of(activity: Activity) -> tuple[str | None, str | None]:
    """The (team id, channel id) of a channel activity, else (None, None)."""
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    return (data.get("team") or {}).get("id"), (data.get("channel") or {}).get("id")


def references_in(activity: Activity, now: datetime) -> list[Address]:
    """The user (and channel) an inbound activity shows the bot can reach."""
    conversation = activity.conversation
    if conversation is None or not activity.service_url or activity.recipient is None:
        return []
    common = {
        "service_url": activity.service_url,
        "tenant_id": tenant_of(activity),
        "bot_id": activity.recipient.id,
        "captured_at": now,
    }
    rows = []
    try:
        actor = actor_of(activity)
    except ValueError:
        actor = None
    if actor is not None and activity.from_property is not None:
        personal = conversation.conversation_type == PERSONAL
        rows.append(
            Address(
                scope=PERSONAL,
                key=actor.user_id,
                user_id=activity.from_property.id,
                user_name=activity.from_property.name,
                conversation_id=conversation.id if personal else None,
                **common,
            )
        )
    _, channel_id = channel_of(activity)
    if channel_id:
        rows.append(
            Address(
                scope=CHANNEL,
                key=channel_id,
                conversation_id=base_conversation_id(channel_id),
                **common,
            )
        )
    return rows


class ConversationBook:
    """Records, from each inbound activity, where its sender and channel can be reached."""

    def __init__(self, addresses: AddressBook) -> None:
        self.addresses = addresses

    async def remember(self, activity: Activity) -> None:
        await self.addresses.remember(references_in(activity, datetime.now(UTC)))
