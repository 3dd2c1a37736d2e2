"""Classify…, Contained and the obligation decisions on Teams cards, and their forms.

Each calls the core (Clocks, Containment), which checks who may act and audits refusals; the
answer replaces the card that was pressed: the triage card, a nudge, or a containment page."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.clocks.classification import MULTI_QUESTIONS, answers_from_values
from bot.clocks.decisions import parse_decision
from bot.containment.tool_state import parse_mode
from bot.core import Core
from bot.domain import IncidentView, ObligationLine
from bot.errors import InvalidInput
from handlers.teams.cards.classify import classify_form, decision_form
from handlers.teams.cards.elements import Element
from handlers.teams.cards.obligations import DECISION_OF_VERB, containment_card, nudge_card
from handlers.teams.cards.triage import triage_card
from handlers.teams.deps import Click
from handlers.teams.ids import InputId, Origin
from handlers.teams.timezone import utc_from_inputs


def pressed_card(origin: Origin, view: IncidentView, line: ObligationLine | None = None) -> Element:
    """The card the button sat on, rebuilt from the stored state."""
    if origin == Origin.NUDGE and line is not None:
        return nudge_card(view, line)
    if origin == Origin.PAGE:
        return containment_card(view)
    return triage_card(view)


async def open_classify(deps: Core, click: Click) -> Element:
    view, previous = await deps.clocks.classification(click.incident_id)
    return classify_form(view, deps.ctx.config, previous=previous, zone=click.zone)


async def submit_classify(deps: Core, click: Click) -> Element:
    """Save the answers (the core derives the clocks), or re-show the form with what is wrong."""
    aware_at = utc_from_inputs(
        click.data.get(InputId.AWARE_DATE), click.data.get(InputId.AWARE_TIME), click.zone
    )
    try:
        answers = answers_from_values(
            deps.ctx.config,
            click.data,
            aware_at=aware_at,
            flags=[name for q in MULTI_QUESTIONS for name in click.choices(q)],
        )
        view = await deps.clocks.classify(
            actor=click.actor, incident_id=click.incident_id, answers=answers
        )
    except InvalidInput as exc:
        view, previous = await deps.clocks.classification(click.incident_id)
        return classify_form(
            view,
            deps.ctx.config,
            previous=previous,
            zone=click.zone,
            values=click.data,
            errors=exc.fields,
        )
    return triage_card(view)


async def contained(deps: Core, click: Click) -> Element:
    """Owners may press it as well as admins: the core decides, and audits a refusal."""
    mode = parse_mode(click.data.get(InputId.CONTAIN_MODE))
    view = await deps.containment.contain(
        actor=click.actor, incident_id=click.incident_id, mode=mode
    )
    return pressed_card(click.origin, view)


async def open_decision(deps: Core, click: Click) -> Element:
    decision = DECISION_OF_VERB[click.verb]
    view, line, must_record = await deps.clocks.obligation_view(click.obligation_id)
    if not line.open:
        return pressed_card(click.origin, view, line)  # decided meanwhile: show by whom
    return decision_form(
        view,
        line,
        decision,
        must_record=must_record,
        zone=click.zone,
        now=datetime.now(UTC),
        origin=click.origin,
    )


async def submit_decision(deps: Core, click: Click) -> Element:
    """Record the decision (no further nudge for that stage), or re-show the form with errors."""
    # Outside the try: a crafted decision is refused, not re-shown as a form.
    form = parse_decision(
        click.text("decision"),
        click.data,
        notified_at=utc_from_inputs(
            click.data.get(InputId.NOTIFIED_DATE),
            click.data.get(InputId.NOTIFIED_TIME),
            click.zone,
        ),
    )
    decision = form.decision.value
    try:
        view = await deps.clocks.decide(
            actor=click.actor, obligation_id=click.obligation_id, form=form
        )
    except InvalidInput as exc:
        incident, line, must_record = await deps.clocks.obligation_view(click.obligation_id)
        return decision_form(
            incident,
            line,
            decision,
            must_record=must_record,
            zone=click.zone,
            now=datetime.now(UTC),
            origin=click.origin,
            values=click.data,
            errors=exc.fields,
        )
    line = next(o for o in view.obligations if o.id == click.obligation_id)
    return pressed_card(click.origin, view, line)


async def back_from_decision(deps: Core, click: Click) -> Element:
    view, line, _ = await deps.clocks.obligation_view(click.obligation_id)
    return pressed_card(click.origin, view, line)
