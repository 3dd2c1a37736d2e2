"""Small named Adaptive Card builders shared by forms, the triage card and chat replies.

Teams reads markdown in TextBlocks and facts (`[label](url)`, `**bold**`, lists) and
`{{DATE(…)}}` functions. People's and AI text must show literally, so it is escaped at one place:
`text`, `heading`, `error_text` and `facts` escape any plain `str` they are given, and only
`Markdown` (the desk's own markup, made by `md`, `shown`, `local_time` and `markdown_of`) is kept
as is. A forgotten escape therefore shows markup as text, never obeys it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from bot.notes import Note, render

# What Teams markdown or its DATE/TIME functions act on: emphasis, links, `<at>` mentions,
# quotes. A backslash before each also breaks `**`, `{{` and a link's `](` apart (see escape), so
# the text stays inert even for a renderer that does not honour backslash escapes.
_SPECIAL = re.compile(r"([\\`*_~\[\]{}<>])")
_LINE_START = re.compile(r"^(\s*)([-+#]|\d+(?=\.))", re.MULTILINE)
SAFE_SCHEMES = ("https://", "http://", "mailto:")


class Markdown(str):
    """Text that is already Teams markdown; anything else is escaped before it is shown."""

    __slots__ = ()

    def __add__(self, other: str) -> Markdown:
        return Markdown(str.__add__(self, shown(other)))

    def __radd__(self, other: str) -> Markdown:
        return Markdown(str.__add__(shown(other), self))


def escape(text: str) -> str:
    """Every character Teams markdown or its DATE functions would act on, backslash-escaped."""
    text = _SPECIAL.sub(r"\\\1", text).replace("\\](", "\\]\\(")
    return _LINE_START.sub(lambda m: m.group(1) + _list_marker(m.group(2)), text)


def _list_marker(marker: str) -> str:
    return f"{marker}\\" if marker[0].isdigit() else f"\\{marker}"


def shown(text: str) -> Markdown:
    """People's or an AI's text as markdown that shows it and never obeys it."""
    return text if isinstance(text, Markdown) else Markdown(escape(text))


def md(template: str, *parts: str) -> Markdown:
    """The desk's own markdown `template` (a literal) with each `{}` filled by an escaped part."""
    return Markdown(template.format(*(shown(part) for part in parts)))


def joined(separator: str, parts: Iterable[str]) -> Markdown:
    """Parts joined by the desk's `separator`, each escaped unless already markdown."""
    return Markdown(separator.join(shown(part) for part in parts))


Element = dict[str, Any]

CARD_VERSION = "1.5"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"


def card(body: list[Element], actions: list[Element] | None = None) -> Element:
    """An Adaptive Card 1.5; full width so facts and forms are readable in Teams."""
    content: Element = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": CARD_VERSION,
        "msteams": {"width": "Full"},
        "body": body,
    }
    if actions:
        content["actions"] = actions
    return content


def text(
    value: str,
    *,
    weight: str | None = None,
    size: str | None = None,
    color: str | None = None,
    subtle: bool = False,
) -> Element:
    block: Element = {"type": "TextBlock", "text": str(shown(value)), "wrap": True}
    if weight:
        block["weight"] = weight
    if size:
        block["size"] = size
    if color:
        block["color"] = color
    if subtle:
        block["isSubtle"] = True
    return block


def heading(value: str) -> Element:
    return {**text(value, weight="Bolder", size="Medium"), "style": "heading"}


def error_text(value: str) -> Element:
    return text(value, color="Attention", size="Small")


def facts(pairs: list[tuple[str, str]]) -> Element:
    """A FactSet; titles and values are escaped unless they are `Markdown`."""
    return {
        "type": "FactSet",
        "facts": [{"title": str(shown(k)), "value": str(shown(v))} for k, v in pairs],
    }


def who(ref: str | None, name: str | None = None) -> Markdown:
    """A person as a Teams reader can recognise them: their name, else the platform id."""
    if not ref:
        return Markdown("nobody")
    if name:
        return shown(name)
    platform, _, user_id = ref.partition(":")
    return shown(user_id) if platform == "teams" else md("{} ({})", user_id, platform.capitalize())


def local_time(moment: datetime) -> Markdown:
    """Teams renders {{DATE}} and {{TIME}} in each reader's own time zone."""
    iso = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Markdown(f"{{{{DATE({iso}, SHORT)}}}} {{{{TIME({iso})}}}}")


def link(label: str, url: str) -> Markdown:
    """A link whose label is shown literally; a URL of another scheme is shown, not linked."""
    if not url.lower().startswith(SAFE_SCHEMES):
        return md("{} ({})", label, url)
    href = url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
    return Markdown(f"[{escape(label)}]({href})")


class TeamsMarkup:
    """Teams markdown: `**bold**`, `[label](url)`, dates in each reader's zone, names."""

    def text(self, text: str) -> str:
        return escape(text)

    def strong(self, text: str) -> str:
        return f"**{escape(text)}**"

    def link(self, label: str, url: str) -> str:
        return link(label, url)

    def moment(self, at: datetime) -> str:
        return local_time(at)

    def person(self, ref: str | None, name: str | None) -> str:
        return who(ref, name)


MARKUP = TeamsMarkup()


def markdown_of(note: Note) -> Markdown:
    """A core note as Teams markdown (TextBlocks and chat messages)."""
    return Markdown(render(note, MARKUP))


def text_input(
    input_id: str,
    label: str,
    *,
    value: str | None = None,
    placeholder: str | None = None,
    required: bool = True,
    multiline: bool = True,
    max_length: int = 3000,
) -> Element:
    element: Element = {
        "type": "Input.Text",
        "id": input_id,
        "label": label,
        "isMultiline": multiline,
        "maxLength": max_length,
        "isRequired": required,
    }
    if required:
        element["errorMessage"] = f"{label} is required."
    if value:
        element["value"] = value[:max_length]
    if placeholder:
        element["placeholder"] = placeholder
    return element


def choice_input(
    input_id: str,
    label: str,
    options: list[tuple[str, str]],
    *,
    value: str | None = None,
    expanded: bool = False,
    required: bool = True,
    multi_select: bool = False,
) -> Element:
    """A choice; a multi-select one sends its values comma-separated."""
    element: Element = {
        "type": "Input.ChoiceSet",
        "id": input_id,
        "label": label,
        "style": "expanded" if expanded else "compact",
        "isRequired": required,
        "choices": [{"title": title[:75], "value": v} for v, title in options],
    }
    if multi_select:
        element["isMultiSelect"] = True
    if required:
        element["errorMessage"] = f"Pick one: {label.rstrip('?')}."
    if value:
        element["value"] = value
    return element


def date_time_inputs(
    date_id: str, time_id: str, label: str, *, value: tuple[str, str], hint: str
) -> list[Element]:
    """A date and a time side by side, in the reader's local time (the form says which zone)."""
    day, clock = value
    pair = {
        "type": "ColumnSet",
        "columns": [
            {
                "type": "Column",
                "width": "stretch",
                "items": [
                    {
                        "type": "Input.Date",
                        "id": date_id,
                        "label": label,
                        "isRequired": True,
                        "errorMessage": "Pick a date.",
                        "value": day,
                    }
                ],
            },
            {
                "type": "Column",
                "width": "stretch",
                "items": [
                    {
                        "type": "Input.Time",
                        "id": time_id,
                        "label": "Time",
                        "isRequired": True,
                        "errorMessage": "Pick a time.",
                        "value": clock,
                    }
                ],
            },
        ],
    }
    return [pair, text(hint, size="Small", subtle=True)]


def execute(
    verb: str,
    title: str,
    data: dict[str, Any] | None = None,
    *,
    style: str | None = None,
    with_inputs: bool = False,
) -> Element:
    """An Action.Execute button; inputs are merged into `data` when the user presses it."""
    action: Element = {"type": "Action.Execute", "verb": verb, "title": title, "data": data or {}}
    if style:
        action["style"] = style
    if not with_inputs:
        action["associatedInputs"] = "none"
    return action


def submit(title: str, data: dict[str, Any] | None = None, *, style: str | None = None) -> Element:
    """Action.Submit: what a dialog (task module) form uses."""
    action: Element = {"type": "Action.Submit", "title": title, "data": data or {}}
    if style:
        action["style"] = style
    return action


def open_url(title: str, url: str) -> Element:
    return {"type": "Action.OpenUrl", "title": title, "url": url}


def action_set(actions: list[Element]) -> Element:
    return {"type": "ActionSet", "actions": actions}
