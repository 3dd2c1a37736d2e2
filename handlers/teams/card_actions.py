"""`adaptiveCard/action` invokes: triage buttons, clocks and containment, the chat report form.

The clicked card is answered with its refreshed self; the other admins' copies are updated
through the outbox (REFRESH_CARDS), like on Slack. The admin check runs in the core."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import TurnContext

from bot.audit.actions import AuditAction
from bot.core import Core
from bot.domain import IncidentView, Outcome, Platform, is_row_id
from bot.errors import (
    DeskError,
    InvalidInput,
    NotAuthorized,
    StorageRejected,
    StorageUnavailable,
)
from bot.incidents.forms import parse_close, parse_severity, report_answers
from handlers.teams import clock_actions as clocks
from handlers.teams.cards.elements import CARD_CONTENT_TYPE, Element
from handlers.teams.cards.forms import SAVE_FAILED, answer_card, close_form, report_form
from handlers.teams.cards.triage import triage_card
from handlers.teams.chat import home_reply
from handlers.teams.deps import Click
from handlers.teams.ids import InputId, Verb
from handlers.teams.references import actor_of, submission_key
from handlers.teams.timezone import reader_zone
from handlers.teams.tool_actions import submit_reenable

log = logging.getLogger(__name__)

MESSAGE_TYPE = "application/vnd.microsoft.activity.message"
Action = Callable[[Core, Click], Awaitable[Element]]
# The invoke response body. Built as plain JSON: the SDK's AdaptiveCardInvokeResponse model
# types `value` as an object and cannot serialise the text of a message response.
InvokeBody = dict[str, Any]


def show_card(content: Element) -> InvokeBody:
    return {"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": content}


def show_message(text: str) -> InvokeBody:
    """A short note to the person who clicked; the card stays as it was."""
    return {"statusCode": 200, "type": MESSAGE_TYPE, "value": text}


async def _assign(deps: Core, click: Click) -> Element:
    view = await deps.triage.assign_to_me(actor=click.actor, incident_id=click.incident_id)
    return triage_card(view)


async def _severity(deps: Core, click: Click) -> Element:
    severity = parse_severity(click.data.get(InputId.SEVERITY), then="press Set severity")
    view = await deps.triage.set_severity(
        actor=click.actor, incident_id=click.incident_id, severity=severity
    )
    return triage_card(view)


async def _confirm(deps: Core, click: Click) -> Element:
    view = await deps.insights.suspected.confirm(actor=click.actor, incident_id=click.incident_id)
    return triage_card(view)


async def _near_miss(deps: Core, click: Click) -> Element:
    return triage_card(
        await deps.triage.mark_near_miss(actor=click.actor, incident_id=click.incident_id)
    )


def _open_close_form(outcome: Outcome | None) -> Action:
    async def action(deps: Core, click: Click) -> Element:
        view = await deps.queries.view(incident_id=click.incident_id)
        return close_form(incident_id=view.id, incident_key=view.key, outcome=outcome)

    return action


async def _close(deps: Core, click: Click) -> Element:
    core, data, incident_id = deps, click.data, click.incident_id
    try:
        form = parse_close(data)
        view: IncidentView = await core.triage.close(
            actor=click.actor, incident_id=incident_id, form=form
        )
    except InvalidInput as exc:
        key = (await core.queries.view(incident_id=incident_id)).key
        return close_form(incident_id=incident_id, incident_key=key, values=data, errors=exc.fields)
    return triage_card(view)


async def _back(deps: Core, click: Click) -> Element:
    return triage_card(await deps.queries.view(incident_id=click.incident_id))


# verb → (what it does, the audited action name a non-admin's click is refused as; None when
# the core itself decides who may, as for Contained, which a tool's kill-switch owner may press)
TRIAGE_ACTIONS: dict[Verb, tuple[Action, AuditAction | None]] = {
    Verb.ASSIGN_ME: (_assign, AuditAction.ASSIGNED),
    Verb.SEVERITY: (_severity, AuditAction.SEVERITY_CHANGED),
    Verb.NEAR_MISS: (_near_miss, AuditAction.MARKED_NEAR_MISS),
    Verb.CONFIRM: (_confirm, AuditAction.CONFIRMED),
    Verb.FALSE_POSITIVE: (_open_close_form(Outcome.FALSE_POSITIVE), AuditAction.CLOSE_FORM),
    Verb.CLOSE: (_open_close_form(None), AuditAction.CLOSE_FORM),
    Verb.CLOSE_SUBMIT: (_close, AuditAction.CLOSED),
    Verb.CLOSE_CANCEL: (_back, AuditAction.CLOSE_FORM),
    Verb.CLASSIFY: (clocks.open_classify, AuditAction.CLASSIFY_FORM),
    Verb.CONTAINED: (clocks.contained, None),
    Verb.CLASSIFY_SUBMIT: (clocks.submit_classify, AuditAction.CLASSIFIED),
    Verb.CLASSIFY_CANCEL: (_back, AuditAction.CLASSIFY_FORM),
    Verb.NOTIFIED: (clocks.open_decision, AuditAction.DECISION_FORM),
    Verb.NOT_REQUIRED: (clocks.open_decision, AuditAction.DECISION_FORM),
    Verb.NOTIFIED_LATE: (clocks.open_decision, AuditAction.DECISION_FORM),
    Verb.DECISION_SUBMIT: (clocks.submit_decision, AuditAction.OBLIGATION_DECIDED),
    Verb.DECISION_CANCEL: (clocks.back_from_decision, AuditAction.DECISION_FORM),
}
# Decision buttons name an obligation stage; every other button names an incident.
OBLIGATION_VERBS = frozenset(v for v in TRIAGE_ACTIONS if v.startswith("obligation."))


async def report_from_chat(core: Core, context: TurnContext, data: dict[str, Any]) -> InvokeBody:
    """The form `report <text>` posted in the chat; it becomes the confirmation when saved."""
    actor = actor_of(context.activity)
    try:
        form = core.intake.parse_report(**report_answers(data))
        result = await core.intake.report(
            actor=actor,
            form=form,
            platform=Platform.TEAMS,
            channel_id=context.activity.conversation.id,
            submission_key=submission_key(actor, context.activity.id),
        )
    except InvalidInput as exc:
        return show_card(report_form(core.ctx.config, values=data, errors=exc.fields, in_chat=True))
    except StorageRejected as exc:
        errors = {"general": exc.message}
        return show_card(report_form(core.ctx.config, values=data, errors=errors, in_chat=True))
    except StorageUnavailable:
        errors = {"general": SAVE_FAILED}
        return show_card(report_form(core.ctx.config, values=data, errors=errors, in_chat=True))
    return show_card(
        answer_card(f"Reported as {result.incident_key}", "The incident admins have been told.")
    )


async def handle(deps: Core, context: TurnContext) -> InvokeBody:
    value = context.activity.value
    found = value.get("action") if isinstance(value, dict) else None
    action: dict[str, Any] = found if isinstance(found, dict) else {}
    if action.get("type") != "Action.Execute":
        return show_message("This button is not one of ours.")
    raw = action.get("data")
    data: dict[str, Any] = raw if isinstance(raw, dict) else {}
    verb = action.get("verb")
    if verb == Verb.REPORT_SUBMIT:
        return await report_from_chat(deps, context, data)
    if verb == Verb.HOME_REFRESH:
        # Teams asks for the dashboard whenever its owner looks at it: always current.
        sender = context.activity.from_property
        refresh_for = sender.id if sender else None
        return show_card(await home_reply(deps, actor_of(context.activity), refresh_for))
    if verb == Verb.REENABLE_SUBMIT:
        signed = await submit_reenable(deps, actor_of(context.activity), data)
        return show_message(signed) if isinstance(signed, str) else show_card(signed)
    if verb not in TRIAGE_ACTIONS:
        return show_message("This button is not one of ours.")
    id_key = "obligation_id" if verb in OBLIGATION_VERBS else "incident_id"
    if not is_row_id(data.get(id_key, "")):
        return show_message("This button is not one of ours.")
    run, audited_as = TRIAGE_ACTIONS[Verb(verb)]
    actor = actor_of(context.activity)
    click = Click(verb=Verb(verb), actor=actor, data=data, zone=reader_zone(context.activity))
    try:
        if audited_as is not None and not deps.access.is_admin(actor):
            # Told right here, so the core's refusal needs no chat message as well.
            refusal = await deps.access.refuse(
                actor=actor,
                action=audited_as,
                incident_id=None if verb in OBLIGATION_VERBS else click.incident_id,
                notify=False,
            )
            return show_message(refusal.message)
        return show_card(await run(deps, click))
    except NotAuthorized as exc:
        return show_message(exc.message)
    except InvalidInput as exc:
        return show_message(" ".join(exc.fields.values()))
    except DeskError as exc:
        log.info("triage %s (%s %s) by %s: %s", verb, id_key, data[id_key], actor.ref, exc.message)
        return show_message(exc.message)
