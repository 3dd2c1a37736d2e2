"""Turns Slack's message_changed / message_deleted events into the core's SourceChange."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.evidence.keys import slack_message_key
from bot.evidence.lifecycle import ChangeKind, SourceChange
from handlers.slack.capture import files_metadata


def source_keys(team_id: str | None, channel: str, ts: str) -> tuple[str, ...]:
    """How captures name a message: the same on every side of a shared channel, plus the keys
    stored before migration 0007 when an older incident kept its own (see that migration)."""
    return tuple(
        dict.fromkeys(
            [
                slack_message_key(channel, ts),
                f"slack:{team_id or '-'}:{channel}:{ts}",
                f"slack:-:{channel}:{ts}",
            ]
        )
    )


def slack_time(ts: Any) -> datetime:
    try:
        return datetime.fromtimestamp(float(ts), UTC)
    except (TypeError, ValueError):
        return datetime.now(UTC)


def _visible(message: dict[str, Any]) -> dict[str, Any]:
    """What a reader sees: link unfurls and reply counters change a message without an edit."""
    attachments = [a for a in message.get("attachments") or [] if not a.get("from_url")]
    return {
        "text": message.get("text"),
        "blocks": message.get("blocks") or [],
        "attachments": attachments,
        "files": files_metadata(message),
    }


def source_change(team_id: str | None, event: dict[str, Any]) -> SourceChange | None:
    """The edit or deletion this event reports, or None when it is neither."""
    channel = str(event.get("channel") or "")
    subtype = event.get("subtype")
    when = event.get("event_ts") or event.get("ts")
    if subtype == "message_deleted":
        ts = event.get("deleted_ts") or (event.get("previous_message") or {}).get("ts")
        if not (channel and ts):
            return None
        return SourceChange(
            source_keys=source_keys(team_id, channel, str(ts)),
            kind=ChangeKind.DELETED,
            change_id="deleted",
            occurred_at=slack_time(when),
        )
    if subtype != "message_changed":
        return None
    message = event.get("message") or {}
    ts = message.get("ts")
    if not (channel and ts):
        return None
    keys = source_keys(team_id, channel, str(ts))
    if message.get("subtype") == "tombstone":
        # A thread parent deleted while it has replies stays as a "This message was deleted." stub.
        return SourceChange(keys, ChangeKind.DELETED, "deleted", slack_time(when))
    now = _visible(message)
    if now == _visible(event.get("previous_message") or {}) and not message.get("edited"):
        return None
    edited = message.get("edited") or {}
    return SourceChange(
        source_keys=keys,
        kind=ChangeKind.EDITED,
        change_id=str(edited.get("ts") or when),
        occurred_at=slack_time(edited.get("ts") or when),
        changed_by=f"slack:{edited['user']}" if edited.get("user") else None,
        content=now,
    )
