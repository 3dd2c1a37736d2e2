"""How a captured chat message is named, the same way from every side that can see it."""

from __future__ import annotations


def slack_message_key(channel_id: str, ts: str) -> str:
    """`slack:CHANNEL:TS`: a Slack Connect channel keeps one id on every side, and an Enterprise
    Grid channel id is unique across the grid, so the reporter's team id is left out."""
    return f"slack:{channel_id}:{ts}"


def legacy_slack_key(key: str) -> str | None:
    """The current key for a key stored before migration 0007 (`slack:TEAM:CHANNEL:TS`)."""
    parts = key.split(":")
    if len(parts) != 4 or parts[0] != "slack":
        return None
    return slack_message_key(parts[2], parts[3])
