"""Small mrkdwn formatters shared by cards, nudges and lists."""

from __future__ import annotations

from datetime import UTC, datetime


def slack_date(moment: datetime) -> str:
    """Shown in each reader's own time zone, with a UTC fallback for clients without it."""
    fallback = f"{moment.astimezone(UTC):%a %d %b %Y %H:%M} UTC"
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def mention(ref: str | None) -> str:
    """`slack:U123` renders as a Slack mention; other platforms' ids as plain text."""
    if not ref:
        return "_nobody_"
    platform, _, user_id = ref.partition(":")
    return f"<@{user_id}>" if platform == "slack" else user_id
