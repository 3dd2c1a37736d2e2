"""Small named Block Kit builders shared by modals and messages.

Every mrkdwn text object is made by `mrkdwn`, which escapes any plain `str` (see
handlers/slack/blocks/text.py): pass `Mrkdwn` only for the desk's own markup."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from handlers.slack.blocks.text import Mrkdwn, shown

Block = dict[str, Any]


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:150], "emoji": True}


def mrkdwn(text: str, limit: int = 3000) -> dict[str, Any]:
    """A mrkdwn text object: a plain `str` is people's text and is escaped; `Mrkdwn` is kept."""
    return {"type": "mrkdwn", "text": str(cut(shown(text), limit))}


def cut(text: Mrkdwn, limit: int) -> Mrkdwn:
    """At most `limit` characters, never ending inside a `<…>` token or an `&…;` entity."""
    if len(text) <= limit:
        return text
    kept = text[:limit]
    opened = kept.rfind("<")
    if opened > kept.rfind(">"):
        kept = kept[:opened]
    amp = kept.rfind("&")
    if amp >= 0 and ";" not in kept[amp:]:
        kept = kept[:amp]
    return Mrkdwn(kept)


def section(text: str) -> Block:
    return {"type": "section", "text": mrkdwn(text)}


def fields(texts: list[str]) -> Block:
    """A section of mrkdwn fields (Slack shows them in two columns)."""
    return {"type": "section", "fields": [mrkdwn(t, 2000) for t in texts[:10]]}


def plain_section(text: str) -> Block:
    """Someone's own words, shown as typed: plain text, so no markup in them takes effect."""
    return {"type": "section", "text": {"type": "plain_text", "text": text[:3000] or " "}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(text)]}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text)}


def option(value: str, label: str) -> dict[str, Any]:
    return {"text": plain(label[:75]), "value": value}


def button(action_id: str, text: str, value: str, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "text": plain(text),
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def text_input(
    block_id: str,
    label: str,
    *,
    multiline: bool = True,
    initial: str | None = None,
    placeholder: str | None = None,
    optional: bool = False,
    max_length: int = 3000,
) -> Block:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": block_id,
        "multiline": multiline,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = initial[:max_length]
    if placeholder:
        element["placeholder"] = plain(placeholder)
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": element,
        "optional": optional,
    }


def static_select_input(
    block_id: str, label: str, options: list[tuple[str, str]], initial: str | None = None
) -> Block:
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": block_id,
        "options": [option(v, lbl) for v, lbl in options],
    }
    if initial is not None:
        element["initial_option"] = option(initial, dict(options)[initial])
    return {"type": "input", "block_id": block_id, "label": plain(label), "element": element}


def radio_input(
    block_id: str, label: str, options: list[tuple[str, str]], initial: str | None = None
) -> Block:
    element: dict[str, Any] = {
        "type": "radio_buttons",
        "action_id": block_id,
        "options": [option(v, lbl) for v, lbl in options],
    }
    if initial is not None:
        element["initial_option"] = option(initial, dict(options)[initial])
    return {"type": "input", "block_id": block_id, "label": plain(label), "element": element}


def checkboxes(
    block_id: str, label: str, options: list[tuple[str, str]], selected: set[str]
) -> Block:
    element: dict[str, Any] = {
        "type": "checkboxes",
        "action_id": block_id,
        "options": [option(v, lbl) for v, lbl in options],
    }
    chosen = [option(v, lbl) for v, lbl in options if v in selected]
    if chosen:
        element["initial_options"] = chosen
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": element,
        "optional": True,
    }


def datetime_input(block_id: str, label: str, initial: datetime, hint: str) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "hint": plain(hint),
        "element": {
            "type": "datetimepicker",
            "action_id": block_id,
            "initial_date_time": int(initial.timestamp()),
        },
    }


def modal(
    callback_id: str,
    title: str,
    blocks: list[Block],
    *,
    submit: str | None = "Submit",
    private_metadata: str = "",
    close: str = "Cancel",
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title[:24]),
        "close": plain(close),
        "blocks": blocks,
        "private_metadata": private_metadata,
    }
    if submit:
        view["submit"] = plain(submit)
    return view


def input_values(view: dict[str, Any]) -> dict[str, Any]:
    """Flatten `view.state.values`: text, the selected option value, a list of checked values,
    or a datetimepicker's epoch seconds."""
    flat: dict[str, Any] = {}
    state = view.get("state") or {}
    for block_id, actions in (state.get("values") or {}).items():
        for element in actions.values():
            # A crafted form can put anything anywhere: a value of the wrong type reads as empty.
            if "selected_options" in element:
                chosen = element["selected_options"]
                flat[block_id] = [_value(o) for o in chosen] if isinstance(chosen, list) else []
            elif "selected_date_time" in element:
                at = element["selected_date_time"]
                flat[block_id] = at if isinstance(at, int) and not isinstance(at, bool) else None
            elif "selected_option" in element:
                flat[block_id] = _value(element["selected_option"])
            else:
                value = element.get("value")
                flat[block_id] = value if isinstance(value, str) else None
    return flat


def _value(option: Any) -> str | None:
    value = option.get("value") if isinstance(option, dict) else None
    return value if isinstance(value, str) else None
