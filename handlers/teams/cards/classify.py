"""The classification form (which clocks start) and the decision forms (which stop them).

Both replace the card they were opened from; errors show under their fields, answers kept."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from bot.clocks.classification import classify_prefill, classify_questions
from bot.clocks.decisions import DECISION_TITLES, ObligationStatus, decision_questions
from bot.clocks.wording import nudge_stage_note
from bot.domain import IncidentView, ObligationLine
from bot.settings import DeskConfig
from handlers.teams.cards.elements import (
    Element,
    card,
    execute,
    heading,
    local_time,
    markdown_of,
    md,
    text,
)
from handlers.teams.cards.questions import ask, errors_for
from handlers.teams.ids import Origin, Verb


def classify_form(
    view: IncidentView,
    config: DeskConfig,
    *,
    previous: dict[str, Any],
    zone: tzinfo,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Element:
    """The core's classification questions (bot/clocks/classification.py): pre-filled, or
    re-shown with what was submitted (even nothing) when something is wrong."""
    errors = errors or {}
    body: list[Element] = [
        heading(f"Classify {view.key}"),
        text(
            "The answers decide which regulatory clocks start; you can revise them later and "
            "the deadlines follow."
        ),
        *errors_for(errors, "general", "payload"),
    ]
    prefill = classify_prefill(view, config, previous)
    body += ask(
        classify_questions(config),
        values=prefill if values is None else values,
        errors=errors,
        zone=zone,
        defaults={"aware_at": prefill["aware_at"]},
    )
    ref = {"incident_id": view.id}
    return card(
        body,
        [
            execute(Verb.CLASSIFY_SUBMIT, "Save", ref, style="positive", with_inputs=True),
            execute(Verb.CLASSIFY_CANCEL, "Back", ref),
        ],
    )


def decision_form(
    view: IncidentView,
    line: ObligationLine,
    decision: str,
    *,
    must_record: list[dict[str, str]],
    zone: tzinfo,
    now: datetime,
    origin: Origin,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Element:
    """The core's questions for this decision (bot/clocks/decisions.py); the core also says what
    is missing."""
    errors = errors or {}
    values = values or {}
    body: list[Element] = [
        heading(f"{DECISION_TITLES[ObligationStatus(decision)]}: {line.name}"),
        text(
            markdown_of(nudge_stage_note(line))
            if line.immediate
            else md("{} for **{}** · deadline {}", line.stage, view.key, local_time(line.due_at))
        ),
        *errors_for(errors, "general", "decision", "payload"),
    ]
    body += ask(
        decision_questions(decision, must_record, line.decision_form),
        values=values,
        errors=errors,
        zone=zone,
        defaults={"notified_at": now},
    )
    ref = {"obligation_id": line.id, "origin": origin.value}
    return card(
        body,
        [
            execute(
                Verb.DECISION_SUBMIT,
                "Record",
                {**ref, "decision": decision},
                style="positive",
                with_inputs=True,
            ),
            execute(Verb.DECISION_CANCEL, "Back", ref),
        ],
    )
