"""The report form (dialog or chat card), the close form, and the answers that replace them."""

from __future__ import annotations

from typing import Any

from bot.domain import OUTCOME_LABELS, Outcome, PersonalData, Reach
from bot.settings import DeskConfig
from handlers.teams.cards.elements import (
    Element,
    card,
    choice_input,
    error_text,
    execute,
    heading,
    submit,
    text,
    text_input,
)
from handlers.teams.ids import InputId, Verb

REACH_OPTIONS = [
    (Reach.REACHED_CLIENT.value, "It reached a client (or someone outside the firm)"),
    (Reach.CAUGHT.value, "It was caught before it reached anyone (near miss)"),
]
PERSONAL_DATA_OPTIONS = [
    (PersonalData.YES.value, "Yes"),
    (PersonalData.NO.value, "No"),
    (PersonalData.UNSURE.value, "Unsure"),
]
SAVE_FAILED = (
    "Could not be saved: nothing was recorded. Your answers are still here; please press "
    "Report again in a minute."
)


def _with_error(element: Element, errors: dict[str, str]) -> list[Element]:
    message = errors.get(str(element["id"]))
    return [element, error_text(message)] if message else [element]


def report_form(
    config: DeskConfig,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    excerpt: str | None = None,
    author: str | None = None,
    in_chat: bool = False,
) -> Element:
    """The same questions as Slack's modal; errors show under their fields, values are kept."""
    values = values or {}
    errors = errors or {}
    body: list[Element] = []
    if excerpt is not None:
        body.append(text(f"**Message from {author or 'unknown author'}**"))
        body.append(text(excerpt or "(no text)", subtle=True))
        body.append(text("A copy of this message is kept as evidence.", size="Small"))
    general = errors.get("general") or errors.get("payload")
    if general:
        body.append(error_text(general))
    fields = [
        text_input(
            InputId.DESCRIPTION,
            "What went wrong?",
            value=values.get(InputId.DESCRIPTION),
            placeholder="e.g. The summary quotes revenue figures from another client's engagement",
        ),
        choice_input(
            InputId.FAILURE_TYPE,
            "Failure type",
            [(t.id, t.label) for t in config.failure_types],
            value=values.get(InputId.FAILURE_TYPE),
        ),
        choice_input(
            InputId.REACH,
            "Did it reach a client?",
            REACH_OPTIONS,
            value=values.get(InputId.REACH),
            expanded=True,
        ),
        choice_input(
            InputId.PERSONAL_DATA,
            "Is personal data involved?",
            PERSONAL_DATA_OPTIONS,
            value=values.get(InputId.PERSONAL_DATA),
            expanded=True,
        ),
    ]
    for field in fields:
        body += _with_error(field, errors)
    if in_chat:
        return card(
            [heading("Report an AI incident"), *body],
            [execute(Verb.REPORT_SUBMIT, "Report", style="positive", with_inputs=True)],
        )
    return card(body, [submit("Report", style="positive")])


def answer_card(title: str, message: str) -> Element:
    """Replaces a form once it has done its job."""
    return card([heading(title), text(message)])


def close_form(
    *,
    incident_id: int,
    incident_key: str,
    outcome: Outcome | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Element:
    """Closing always records an outcome, a rationale, the root cause and the lessons."""
    values = values or {}
    errors = errors or {}
    fp = (values.get(InputId.OUTCOME) or outcome) == Outcome.FALSE_POSITIVE
    body: list[Element] = [heading(f"Close {incident_key}"), text("Record how it ended.")]
    if errors.get("general"):
        body.append(error_text(errors["general"]))
    fields = [
        choice_input(
            InputId.OUTCOME,
            "Outcome",
            [(o.value, OUTCOME_LABELS[o]) for o in Outcome],
            value=values.get(InputId.OUTCOME) or (outcome.value if outcome else None),
            expanded=True,
        ),
        text_input(
            InputId.RATIONALE,
            "Rationale",
            value=values.get(InputId.RATIONALE),
            placeholder="What was done, or why nothing was needed",
        ),
        text_input(
            InputId.ROOT_CAUSE, "Root cause", value=values.get(InputId.ROOT_CAUSE), required=not fp
        ),
        text_input(
            InputId.LESSONS, "Lessons learned", value=values.get(InputId.LESSONS), required=not fp
        ),
    ]
    for field in fields:
        body += _with_error(field, errors)
    ref = {"incident_id": incident_id}
    return card(
        body,
        [
            execute(
                Verb.CLOSE_SUBMIT, "Close incident", ref, style="destructive", with_inputs=True
            ),
            execute(Verb.CLOSE_CANCEL, "Back", ref),
        ],
    )
