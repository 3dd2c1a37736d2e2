"""Slack mrkdwn, safely: people's and AI text escaped at one place, the desk's own markup kept.

Slack reads `<…>` in mrkdwn as a mention, a channel ping (`<!channel>`), a date or a link with any
label, and `&` starts an entity. So every piece of text a reporter, an admin or an AI wrote is
escaped (`&amp;`, `&lt;`, `&gt;`) before it reaches a message. The rule is enforced by type:

- `Mrkdwn` is text that is already safe mrkdwn. Only the desk makes it: `shown(text)` escapes,
  `md(template, *parts)` fills the desk's own template with escaped parts, and `mention`,
  `channel`, `slack_date`, `link` and `mrkdwn_of` write the desk's tokens.
- The block builders (`elements.mrkdwn`, `section`, `context`, `field`) escape any plain `str`
  they are given. Forgetting to escape therefore shows text literally instead of obeying it; the
  worst a mistake can do is show a desk token as text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from bot.notes import Note, render

USER_ID = re.compile(r"[UW][A-Z0-9]{1,20}")
CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{1,20}")
SAFE_SCHEMES = ("https://", "http://", "mailto:", "slack://")
_MAILTO = re.compile(r"<mailto:([^|>]+)(?:\|[^>]*)?>")
_LINK = re.compile(r"<((?:https?|ftp)://[^|>]+)(?:\|([^>]*))?>")
_CHANNEL = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
_MENTION = re.compile(r"<([@!][^|>]+)(?:\|[^>]*)?>")


class Mrkdwn(str):
    """Text that is already Slack mrkdwn; anything else is escaped before it is sent."""

    __slots__ = ()

    def __add__(self, other: str) -> Mrkdwn:
        return Mrkdwn(str.__add__(self, shown(other)))

    def __radd__(self, other: str) -> Mrkdwn:
        return Mrkdwn(str.__add__(shown(other), self))


def escape(text: str) -> str:
    """Slack's three control characters as entities; nothing else changes."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def shown(text: str) -> Mrkdwn:
    """People's or an AI's text as mrkdwn that shows it and never obeys it."""
    return text if isinstance(text, Mrkdwn) else Mrkdwn(escape(text))


def plain(text: str) -> str:
    """Slack markup to what a reader sees: `<mailto:a@b|a@b>` → `a@b`, links keep their URL."""
    text = _MAILTO.sub(r"\1", text)
    text = _LINK.sub(lambda m: m.group(1) if m.group(2) in (None, m.group(1)) else
                     f"{m.group(2)} ({m.group(1)})", text)  # fmt: skip
    text = _CHANNEL.sub(r"#\1", text)
    return _MENTION.sub(r"\1", text)


def captured(text: str) -> Mrkdwn:
    """A captured Slack message's text (itself mrkdwn) shown as its reader saw it, inert: its
    mentions, pings and links become words, its entities characters, then all is escaped."""
    words = plain(text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return shown(words)


def md(template: str, *parts: str) -> Mrkdwn:
    """The desk's own mrkdwn `template` (a literal) with each `{}` filled by an escaped part."""
    return Mrkdwn(template.format(*(shown(part) for part in parts)))


def joined(separator: str, parts: Iterable[str]) -> Mrkdwn:
    """Parts joined by the desk's `separator`, each escaped unless already mrkdwn."""
    return Mrkdwn(separator.join(shown(part) for part in parts))


def slack_date(moment: datetime) -> Mrkdwn:
    """Shown in each reader's own time zone, with a UTC fallback for clients without it."""
    fallback = f"{moment.astimezone(UTC):%a %d %b %Y %H:%M} UTC"
    return Mrkdwn(f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>")


def mention(ref: str | None) -> Mrkdwn:
    """`slack:U123` renders as a Slack mention; other platforms' ids as plain text."""
    if not ref:
        return Mrkdwn("_nobody_")
    platform, _, user_id = ref.partition(":")
    if platform == "slack" and USER_ID.fullmatch(user_id):
        return Mrkdwn(f"<@{user_id}>")
    return shown(user_id)


def channel(channel_id: str) -> Mrkdwn:
    """A channel link; an id that is not a Slack channel id is shown as text."""
    return Mrkdwn(f"<#{channel_id}>") if CHANNEL_ID.fullmatch(channel_id) else shown(channel_id)


def link(label: str, url: str) -> Mrkdwn:
    """A link whose label is shown literally; a URL of another scheme is shown, not linked."""
    if not url.lower().startswith(SAFE_SCHEMES):
        return md("{} ({})", label, url)
    href = escape(url.replace("|", "%7C"))
    return Mrkdwn(f"<{href}|{escape(label.replace('|', '¦'))}>")


class SlackMarkup:
    def text(self, text: str) -> str:
        return escape(text)

    def strong(self, text: str) -> str:
        return f"*{escape(text)}*"

    def link(self, label: str, url: str) -> str:
        return link(label, url)

    def moment(self, at: datetime) -> str:
        return slack_date(at)

    def person(self, ref: str | None, name: str | None) -> str:
        return mention(ref)


MARKUP = SlackMarkup()


def mrkdwn_of(note: Note) -> Mrkdwn:
    """A core note as Slack mrkdwn."""
    return Mrkdwn(render(note, MARKUP))
