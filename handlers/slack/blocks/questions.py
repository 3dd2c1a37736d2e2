"""The core's questions (bot/questions.py) as Block Kit input blocks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.questions import Question, Widget
from handlers.slack.blocks.elements import (
    Block,
    checkboxes,
    context,
    datetime_input,
    radio_input,
    static_select_input,
    text_input,
)


def question_block(question: Question, initial: Any = None) -> Block:
    """One question; `initial` is its pre-filled answer (a datetime for a WHEN question)."""
    q = question
    if q.widget == Widget.REMARK:
        return context(q.label)
    if q.widget == Widget.WHEN:
        return datetime_input(q.id, q.label, initial, q.hint or "")
    if q.widget in (Widget.TEXT, Widget.LINE):
        return text_input(
            q.id,
            q.label,
            multiline=q.widget == Widget.TEXT,
            initial=initial,
            placeholder=q.placeholder,
            optional=not q.required,
            max_length=q.max_length,
        )
    if q.widget == Widget.MULTI:
        return checkboxes(q.id, q.label, list(q.options), set(initial or ()))
    pick = static_select_input if q.widget == Widget.SELECT else radio_input
    block = pick(q.id, q.label, list(q.options), initial=initial)
    return block if q.required else {**block, "optional": True}


def question_blocks(
    questions: list[Question], initial: Mapping[str, Any] | None = None
) -> list[Block]:
    initial = initial or {}
    return [question_block(q, initial.get(q.id)) for q in questions]
