"""The report form (dialog or chat card), the close form, and the answers that replace them."""

from __future__ import annotations

from typing import Any

from bot.domain import Outcome
from bot.incidents.forms import close_questions, report_questions
from bot.settings import DeskConfig
from handlers.teams.cards.elements import (
    Element,
    card,
    error_text,
    execute,
    heading,
    md,
    submit,
    text,
)
from handlers.teams.cards.questions import ask
from handlers.teams.ids import Verb

SAVE_FAILED = (
    "Could not be saved: nothing was recorded. Your answers are still here; please press "
    "Report again in a minute."
)


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
        body.append(text(md("**Message from {}**", author or "unknown author")))
        body.append(text(excerpt or "(no text)", subtle=True))
        body.append(text("A copy of this message is kept as evidence.", size="Small"))
    general = errors.get("general") or errors.get("payload")
    if general:
        body.append(error_text(general))
    body += ask(report_questions(config), values=values, errors=errors)
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
    """The core's close questions (bot/incidents/forms.py), the correction included."""
    values = values or {}
    errors = errors or {}
    answers = {**values, "outcome": values.get("outcome") or (outcome.value if outcome else None)}
    body: list[Element] = [heading(f"Close {incident_key}"), text("Record how it ended.")]
    if errors.get("general"):
        body.append(error_text(errors["general"]))
    body += ask(close_questions(answers["outcome"]), values=answers, errors=errors)
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
