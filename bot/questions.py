"""A form as the core asks it: questions in order, each with its label, hint and whether it must be
answered. Each platform only picks the widget (a Slack input block, an Adaptive Card input), so
both ask the same questions with the same words, and a new question reaches both at once.

A question's id is the name of the field its answer fills (`rationale`, `reference`…), so an
InvalidInput from the core lands under the question it is about."""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict


class Widget(StrEnum):
    TEXT = "text"  # several lines of text
    LINE = "line"  # one line of text
    SELECT = "select"  # one of `options`, in a drop-down
    RADIO = "radio"  # one of `options`, all in view
    MULTI = "multi"  # any of `options`, all in view (never required)
    WHEN = "when"  # a date and a time
    REMARK = "remark"  # no answer: a line of text between questions (its `label`)


class Question(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    label: str
    widget: Widget = Widget.TEXT
    required: bool = True
    placeholder: str | None = None
    hint: str | None = None
    options: tuple[tuple[str, str], ...] = ()  # (value, label)
    max_length: int = 3000


def remark(id: str, text: str) -> Question:
    return Question(id=id, label=text, widget=Widget.REMARK, required=False)


# Control characters nobody types on purpose: NUL (which PostgreSQL refuses in text) and the rest
# of C0 and DEL, but not tab and newline. Pasted text carries them; they are dropped, not refused.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def typed(value: str) -> str:
    """Typed or pasted text as it is stored: CRLF as newlines, control characters dropped."""
    return CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def text_answer(values: Mapping[str, Any], question_id: str) -> str:
    """A typed answer, trimmed; "" when it was left empty (or is not text at all)."""
    value = values.get(question_id)
    return typed(value).strip() if isinstance(value, str) else ""
