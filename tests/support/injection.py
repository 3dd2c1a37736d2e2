"""Hostile text for the formatting-injection tests, and readers of what the desk sent."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from typing import Any

# A reporter's attempt to ping everyone and disguise a link, plus text that only looks like markup.
HOSTILE = "<!channel> <https://evil.example|the ICO portal> revenue < £5m & falling"
HOSTILE_TEAMS = (
    "[the ICO portal](https://evil.example) <at>everyone</at> **loud** "
    "{{DATE(2020-01-01T00:00:00Z, SHORT)}} revenue < £5m & falling"
)
# An AI reply as Slack delivers it: its own markup raw, its literal `<`/`&` as entities.
CAPTURED_AI_TEXT = "<!here> see <https://evil.example|your statement>: revenue &lt; £5m &amp; down"

# The desk's own tokens: a user or channel mention, a date, a link to a Slack message.
DESK_TOKEN = re.compile(
    r"<(?:@[UW][A-Z0-9]+|#[CGD][A-Z0-9]+|!date\^\d+\^[^|>]*\|[^<>]*"
    r"|https://acme\.slack\.com/archives/[A-Z0-9]+/p\d+\|[^<>|]*)>"
)
TOKEN = re.compile(r"<[^<>]*>")


def mrkdwn_texts(node: Any) -> Iterator[str]:
    """Every string Slack may read as mrkdwn: text objects, fields and top-level `text`."""
    if isinstance(node, dict):
        if node.get("type") != "plain_text":
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    yield value
                else:
                    yield from mrkdwn_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from mrkdwn_texts(item)


def foreign_tokens(text: str) -> list[str]:
    """`<…>` tokens in `text` that the desk did not write."""
    return [t for t in TOKEN.findall(text) if not DESK_TOKEN.fullmatch(t)]


def sent_texts(call_args: dict[str, Any]) -> list[str]:
    """What one recorded Slack call would show: its text, blocks, attachments and view."""
    found: list[str] = []
    for name in ("text", "blocks", "view", "attachments", "initial_comment"):
        value = call_args.get(name)
        if isinstance(value, str) and name != "text":
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        found += list(mrkdwn_texts({"text": value} if isinstance(value, str) else value))
    return found


def card_texts(node: Any) -> Iterator[str]:
    """Every string Teams renders as markdown in a card: TextBlock text and FactSet facts."""
    if isinstance(node, dict):
        if node.get("type") == "TextBlock":
            yield str(node.get("text", ""))
        elif node.get("type") == "FactSet":
            for fact in node.get("facts", []):
                yield str(fact.get("title", ""))
                yield str(fact.get("value", ""))
        for value in node.values():
            if isinstance(value, dict | list):
                yield from card_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from card_texts(item)


def obeyed_in_teams(text: str) -> list[str]:
    """Markup from HOSTILE_TEAMS that Teams would act on: a link, a mention, bold, a date."""
    found = []
    for live in ("](https://evil", "<at>", "**loud**", "{{DATE(2020"):
        if live in text:
            found.append(live)
    return found
