"""The core's questions (bot/questions.py) as Adaptive Card inputs. A re-shown form keeps the
answers given, and each error shows under the question it is about."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

from bot.questions import Question, Widget
from handlers.teams.cards.elements import (
    Element,
    choice_input,
    date_time_inputs,
    error_text,
    text,
    text_input,
)
from handlers.teams.timezone import local_inputs, zone_name


def with_error(
    element: Element, errors: Mapping[str, str], key: str | None = None
) -> list[Element]:
    message = errors.get(key or str(element.get("id")))
    return [element, error_text(message)] if message else [element]


def errors_for(errors: Mapping[str, str], *keys: str) -> list[Element]:
    """Errors that belong to no single input (the form, or a date and time pair)."""
    return [error_text(errors[k]) for k in keys if errors.get(k)]


def when_inputs(
    question_id: str,
    label: str,
    *,
    default: datetime,
    zone: tzinfo,
    values: Mapping[str, Any],
    hint: str,
) -> list[Element]:
    """A date and a time in the reader's zone; their ids are `<question id>_date` and `_time`."""
    date_id, time_id = f"{question_id}_date", f"{question_id}_time"
    day, clock = local_inputs(default, zone)
    value = (str(values.get(date_id) or day), str(values.get(time_id) or clock))
    return date_time_inputs(
        date_id, time_id, f"{label} (your time, {zone_name(zone)})", value=value, hint=hint
    )


def question_elements(
    question: Question,
    *,
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    zone: tzinfo = UTC,
    default: datetime | None = None,
) -> list[Element]:
    q = question
    if q.widget == Widget.REMARK:
        return [text(q.label, subtle=True)]
    if q.widget == Widget.WHEN:
        moment = default or datetime.now(UTC)
        inputs = when_inputs(
            q.id, q.label, default=moment, zone=zone, values=values, hint=q.hint or ""
        )
        return inputs + errors_for(errors, q.id)
    value = values.get(q.id)
    if q.widget in (Widget.TEXT, Widget.LINE):
        element = text_input(
            q.id,
            q.label,
            value=value,
            placeholder=q.placeholder,
            required=q.required,
            multiline=q.widget == Widget.TEXT,
            max_length=q.max_length,
        )
    else:
        # A multi-select sends, and shows, its values comma-separated.
        if isinstance(value, list | tuple):
            value = ",".join(value)
        element = choice_input(
            q.id,
            q.label,
            list(q.options),
            value=value,
            expanded=q.widget in (Widget.RADIO, Widget.MULTI),
            required=q.required,
            multi_select=q.widget == Widget.MULTI,
        )
    return with_error(element, errors)


def ask(
    questions: list[Question],
    *,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
    zone: tzinfo = UTC,
    defaults: Mapping[str, datetime] | None = None,
) -> list[Element]:
    """Every question in order; `defaults` pre-fill the WHEN questions."""
    body: list[Element] = []
    for q in questions:
        body += question_elements(
            q,
            values=values or {},
            errors=errors or {},
            zone=zone,
            default=(defaults or {}).get(q.id),
        )
    return body
