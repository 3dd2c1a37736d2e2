"""The classification form (which clocks start) and the decision forms (which stop them).

Both replace the card they were opened from; errors show under their fields, answers kept."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from bot.clocks.classification import FLAG_OPTIONS, RISK_OPTIONS, SERIOUS_OPTIONS, scope_options
from bot.domain import IncidentView, ObligationLine
from bot.settings import DeskConfig
from handlers.teams.cards.elements import (
    Element,
    card,
    choice_input,
    date_time_inputs,
    error_text,
    execute,
    heading,
    local_time,
    text,
    text_input,
)
from handlers.teams.cards.forms import PERSONAL_DATA_OPTIONS
from handlers.teams.ids import InputId, Origin, Verb
from handlers.teams.timezone import local_inputs, zone_name

DECISION_TITLES = {"notified": "Notified", "not_required": "Not required", "late": "Notified late"}


def _under(element: Element, errors: dict[str, str], key: str | None = None) -> list[Element]:
    message = errors.get(key or str(element.get("id")))
    return [element, error_text(message)] if message else [element]


def _when(
    date_id: InputId,
    time_id: InputId,
    label: str,
    *,
    default: datetime,
    zone: tzinfo,
    values: dict[str, Any],
    hint: str,
) -> list[Element]:
    day, clock = local_inputs(default, zone)
    value = (str(values.get(date_id) or day), str(values.get(time_id) or clock))
    return date_time_inputs(
        date_id, time_id, f"{label} (your time, {zone_name(zone)})", value=value, hint=hint
    )


def _general(errors: dict[str, str], *keys: str) -> list[Element]:
    return [error_text(errors[k]) for k in keys if errors.get(k)]


def classify_form(
    view: IncidentView,
    config: DeskConfig,
    *,
    previous: dict[str, Any],
    zone: tzinfo,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Element:
    """DESIGN.md's questions; re-shown with the submitted values when something is wrong."""
    errors = errors or {}
    submitted = values is not None
    values = values or {}

    def pick(input_id: InputId, initial: str | None) -> str | None:
        """What was submitted (even nothing) on a re-shown form, else the stored answer."""
        if not submitted:
            return initial
        return str(values.get(input_id) or "") or None

    flags = ",".join(k for k, _ in FLAG_OPTIONS if previous.get(k))
    personal_data = view.personal_data.value
    body: list[Element] = [
        heading(f"Classify {view.key}"),
        text(
            "The answers decide which regulatory clocks start; you can revise them later and "
            "the deadlines follow."
        ),
        *_general(errors, "general", "payload"),
    ]
    when = _when(
        InputId.AWARE_DATE,
        InputId.AWARE_TIME,
        "When did the firm become aware?",
        default=view.aware_at or view.created_at,
        zone=zone,
        values=values,
        hint="The clocks (e.g. ICO 72 h) start here. Defaults to the report time.",
    )
    body += when + _general(errors, "aware_at")
    fields = [
        choice_input(
            InputId.PERSONAL_DATA,
            "Was personal data involved?",
            PERSONAL_DATA_OPTIONS,
            value=pick(InputId.PERSONAL_DATA, previous.get("personal_data") or personal_data),
            expanded=True,
        ),
        choice_input(
            InputId.RISK,
            "Risk to individuals' rights and freedoms",
            RISK_OPTIONS,
            value=pick(InputId.RISK, previous.get("risk_to_individuals")),
            expanded=True,
            required=False,
        ),
        choice_input(
            InputId.FLAGS,
            "What happened (tick all that apply)",
            FLAG_OPTIONS,
            value=pick(InputId.FLAGS, flags),
            expanded=True,
            required=False,
            multi_select=True,
        ),
        choice_input(
            InputId.SERIOUS,
            "EU AI Act serious-incident condition",
            SERIOUS_OPTIONS,
            value=pick(InputId.SERIOUS, previous.get("serious_incident_condition") or "none"),
        ),
    ]
    scope = scope_options(config)
    if scope:
        chosen = ",".join(k for k, _ in scope if previous.get(k))
        fields.append(
            choice_input(
                InputId.SCOPE,
                "NIS2 / DORA",
                scope,
                value=pick(InputId.SCOPE, chosen),
                expanded=True,
                required=False,
                multi_select=True,
            )
        )
    fields.append(
        choice_input(
            InputId.FAILURE_TYPE,
            "Failure type",
            [(t.id, t.label) for t in config.failure_types],
            value=pick(InputId.FAILURE_TYPE, view.failure_type),
        )
    )
    fields.append(
        choice_input(
            InputId.FAILURE_POINT,
            "Failure point",
            [(p.id, p.label) for p in config.failure_points],
            value=pick(InputId.FAILURE_POINT, view.failure_point),
            required=False,
        )
    )
    if config.runbook:
        tool = view.ai_tool if config.tool(view.ai_tool) else None
        fields.append(
            choice_input(
                InputId.AI_TOOL,
                "AI tool",
                [(t.id, t.name) for t in config.runbook],
                value=pick(InputId.AI_TOOL, tool),
                required=False,
            )
        )
    for field in fields:
        body += _under(field, errors)
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
    """Notified (reference, time, what must be recorded), late (plus reasons), or not required
    (the rationale); the core says what is missing."""
    errors = errors or {}
    values = values or {}
    body: list[Element] = [
        heading(f"{DECISION_TITLES[decision]}: {line.name}"),
        text(f"{line.stage} for **{view.key}** · deadline {local_time(line.due_at)}"),
        *_general(errors, "general", "decision", "payload"),
    ]
    if decision in ("notified", "late"):
        reference = text_input(
            InputId.REFERENCE,
            "Authority's reference",
            value=values.get(InputId.REFERENCE),
            multiline=False,
            max_length=200,
        )
        body += _under(reference, errors)
        body += _when(
            InputId.NOTIFIED_DATE,
            InputId.NOTIFIED_TIME,
            "When was it notified?",
            default=now,
            zone=zone,
            values=values,
            hint="The time the notification was made.",
        )
        body += _general(errors, "notified_at")
        for field in must_record:
            input_id = f"{InputId.DETAIL_PREFIX}{field['id']}"
            body.append(
                text_input(
                    input_id, field["label"][:150], value=values.get(input_id), required=False
                )
            )
        if must_record:
            body.append(text("Information may follow in phases (Art. 33(4)).", subtle=True))
    if decision == "late":
        reasons = text_input(
            InputId.REASONS,
            "Reasons for the delay",
            value=values.get(InputId.REASONS),
            placeholder="Required: Art. 33(1) asks for the reasons",
        )
        body += _under(reasons, errors)
    if decision == "not_required":
        rationale = text_input(
            InputId.RATIONALE,
            "Why no notification is needed",
            value=values.get(InputId.RATIONALE),
            placeholder="Required: every breach is documented (Art. 33(5))",
        )
        body += _under(rationale, errors)
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
