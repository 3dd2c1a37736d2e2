"""Small mrkdwn formatters shared by cards, nudges and lists, and the core's notes in mrkdwn."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.notes import Note, render


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


class SlackMarkup:
    def strong(self, text: str) -> str:
        return f"*{text}*"

    def link(self, label: str, url: str) -> str:
        return f"<{url}|{label}>"

    def moment(self, at: datetime) -> str:
        return slack_date(at)

    def person(self, ref: str | None, name: str | None) -> str:
        return mention(ref)


MARKUP = SlackMarkup()


def mrkdwn_of(note: Note) -> str:
    """A core note as Slack mrkdwn."""
    return render(note, MARKUP)
