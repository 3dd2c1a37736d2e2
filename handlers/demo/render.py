"""Slack Block Kit and Teams Adaptive Cards as plain text, the way a reader would see them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from handlers.demo import cast
from handlers.demo.workspace import Shown

# Slack's own markup for dates and mentions, shown as Slack would show it.
_DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")
_MENTION = re.compile(r"<@([A-Z0-9]+)>")
_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]*)>")
# Teams' date functions, which its client renders in the reader's own zone.
_TEAMS_DATE = re.compile(r"\{\{DATE\((\d{4}-\d\d-\d\d)T[^}]*\}\}")
_TEAMS_TIME = re.compile(r"\{\{TIME\(\d{4}-\d\d-\d\dT(\d\d:\d\d)[^}]*\}\}")


def teams_markup(text: str) -> str:
    """Teams date and time functions as plain UTC text."""
    return _TEAMS_TIME.sub(r"\1 UTC", _TEAMS_DATE.sub(r"\1", text))


def slack_markup(text: str, names: Mapping[str, str]) -> str:
    """Dates as their fallback text, mentions as @name, links as their label."""
    text = _DATE.sub(r"\1", text)
    text = _MENTION.sub(lambda m: "@" + names.get(m.group(1), m.group(1)), text)
    return _LINK.sub(r"\2", text)


def blocks_text(blocks: list[dict[str, Any]]) -> list[str]:
    """One line per block; buttons as `[Label]`, selects as `[Label ▾]`."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind in ("header", "section"):
            if block.get("text"):
                lines += _text(block["text"]).splitlines()
            fields = [_text(f) for f in block.get("fields") or []]
            lines += [" · ".join(f.replace("\n", " ") for f in fields)] if fields else []
            if block.get("accessory"):
                lines.append(_control(block["accessory"]))
        elif kind == "context":
            lines.append(" · ".join(_text(e) for e in block.get("elements") or [] if "text" in e))
        elif kind == "actions":
            lines.append(" ".join(_control(e) for e in block.get("elements") or []))
        elif kind == "divider":
            lines.append("—")
    return [line for line in lines if line.strip()]


def _text(obj: dict[str, Any]) -> str:
    return str(obj.get("text", "")) if isinstance(obj, dict) else str(obj)


def _control(element: dict[str, Any]) -> str:
    label = _text(element.get("text") or element.get("placeholder") or {}) or element.get(
        "action_id", ""
    )
    return f"[{label} ▾]" if "select" in str(element.get("type")) else f"[{label}]"


def card_text(card: dict[str, Any]) -> list[str]:
    """An Adaptive Card's text, facts, inputs and buttons, top to bottom."""
    lines: list[str] = []
    _walk(card.get("body") or [], lines)
    buttons = _buttons(card.get("actions") or [])
    if buttons:
        lines.append(buttons)
    return [line for line in lines if line.strip()]


def _walk(elements: list[dict[str, Any]], lines: list[str]) -> None:
    for element in elements:
        kind = str(element.get("type", ""))
        if kind == "TextBlock":
            lines += str(element.get("text", "")).splitlines()
        elif kind == "RichTextBlock":
            lines.append("".join(str(i.get("text", "")) for i in element.get("inlines") or []))
        elif kind == "FactSet":
            facts = element.get("facts") or []
            lines.append(" · ".join(f"{f.get('title')} {f.get('value')}" for f in facts))
        elif kind == "ColumnSet":
            for column in element.get("columns") or []:
                _walk(column.get("items") or [], lines)
        elif kind == "Container":
            _walk(element.get("items") or [], lines)
        elif kind == "ActionSet":
            lines.append(_buttons(element.get("actions") or []))
        elif kind.startswith("Input."):
            lines.append(f"({element.get('label') or element.get('id')})")


def _buttons(actions: list[dict[str, Any]]) -> str:
    return " ".join(f"[{a.get('title', '')}]" for a in actions if a.get("title"))


def message_lines(shown: Shown) -> list[str]:
    """A message as its reader sees it: a card rendered as text, else its text."""
    card = shown.card
    if card is not None:
        return [teams_markup(line) for line in card_text(card)]
    lines = blocks_text(shown.blocks) or shown.text.splitlines()
    return [slack_markup(line, cast.NAMES) for line in lines]
