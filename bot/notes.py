"""Platform-neutral rich text: what the core says to people, as data each platform renders.

A `Note` is a run of spans: plain text, strong text, a link, a moment (shown in each reader's own
time zone) or a person. Slack renders it as mrkdwn (`*bold*`, `<url|label>`, `<!date^…>`,
`<@U…>`), Teams as markdown (`**bold**`, `[label](url)`, `{{DATE()}}`, names), and `plain` is
the fallback for notifications and logs. The core never writes either platform's markup."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict


class Span(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str = ""
    strong: bool = False
    url: str | None = None  # a link; `text` is its label
    at: datetime | None = None  # a moment
    person: str | None = None  # a platform user ref (`slack:U1`); `text` is their name if known


class Note(BaseModel):
    model_config = ConfigDict(frozen=True)

    spans: tuple[Span, ...] = ()

    def __add__(self, other: Note | Span | str) -> Note:
        return note(self, other)

    @property
    def plain(self) -> str:
        return render(self, PLAIN)


def note(*parts: Note | Span | str) -> Note:
    spans: list[Span] = []
    for part in parts:
        if isinstance(part, Note):
            spans += part.spans
        elif isinstance(part, Span):
            spans.append(part)
        elif part:
            spans.append(Span(text=part))
    return Note(spans=tuple(spans))


def strong(text: str) -> Span:
    return Span(text=text, strong=True)


def link(label: str, url: str) -> Span:
    return Span(text=label, url=url)


def moment(at: datetime) -> Span:
    return Span(at=at)


def person(ref: str | None, name: str | None = None) -> Span:
    """Somebody, or nobody when `ref` is empty (each platform says "nobody" its own way)."""
    return Span(person=ref or "", text=name or "")


class Markup(Protocol):
    """How one platform writes each kind of span; `text` is people's or an AI's words, which the
    platform must show literally (escaped), never read as its markup."""

    def text(self, text: str) -> str: ...

    def strong(self, text: str) -> str: ...

    def link(self, label: str, url: str) -> str: ...

    def moment(self, at: datetime) -> str: ...

    def person(self, ref: str | None, name: str | None) -> str: ...


def render(value: Note, markup: Markup) -> str:
    out: list[str] = []
    for span in value.spans:
        if span.at is not None:
            out.append(markup.moment(span.at))
        elif span.person is not None:
            out.append(markup.person(span.person or None, span.text or None))
        elif span.url is not None:
            out.append(markup.link(span.text, span.url))
        elif span.strong:
            out.append(markup.strong(span.text))
        else:
            out.append(markup.text(span.text))
    return "".join(out)


class PlainMarkup:
    """No markup at all: notification text, logs, Teams dialogs that show plain text."""

    def text(self, text: str) -> str:
        return text

    def strong(self, text: str) -> str:
        return text

    def link(self, label: str, url: str) -> str:
        return f"{label} ({url})"

    def moment(self, at: datetime) -> str:
        return f"{at.astimezone(UTC):%a %d %b %Y %H:%M} UTC"

    def person(self, ref: str | None, name: str | None) -> str:
        if not ref:
            return "nobody"
        return name or ref.partition(":")[2] or ref


PLAIN = PlainMarkup()


def plural(count: int, word: str, words: str | None = None) -> str:
    """`1 incident`, `2 incidents`."""
    return f"{count} {word if count == 1 else (words or word + 's')}"
