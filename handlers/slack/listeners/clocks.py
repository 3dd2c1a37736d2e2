"""Classify…, Contained and the obligation decision buttons, and their forms."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.audit.actions import AuditAction
from bot.clocks.classification import MULTI_QUESTIONS, answers_from_values
from bot.clocks.decisions import ObligationStatus, parse_decision
from bot.containment.tool_state import parse_mode
from bot.domain import Actor, IncidentView
from bot.errors import DeskError, InvalidInput
from handlers.slack.api_errors import error_code
from handlers.slack.blocks.classify import classify_modal, decision_modal, loading_modal
from handlers.slack.blocks.elements import input_values
from handlers.slack.deps import actor_from, deps
from handlers.slack.ids import ActionId, BlockId, CallbackId
from handlers.slack.listeners.actions import card_ref, refused_form, tell, triage_action
from handlers.slack.metadata import CardRef, ObligationRef, parse

log = logging.getLogger(__name__)


def inline_errors(view: dict[str, Any], fields: dict[str, str]) -> dict[str, str]:
    """Attach each error to its input, or to the form's first input when it has none."""
    inputs = [b["block_id"] for b in view.get("blocks", []) if b.get("type") == "input"]
    fallback = inputs[0] if inputs else BlockId.REFERENCE.value
    return {(k if k in inputs else fallback): v[:150] for k, v in fields.items()}


async def _open_then_fill(
    client: AsyncWebClient, trigger_id: str, callback_id: str, title: str
) -> str | None:
    try:
        resp = await client.views_open(
            trigger_id=trigger_id, view=loading_modal(callback_id, title)
        )
    except SlackApiError as exc:
        log.warning("views.open failed: %s", error_code(exc))
        return None
    return str(resp["view"]["id"])


async def open_classify(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    await ack()
    d = deps(context)
    try:
        ref = card_ref(body, action)
    except DeskError as exc:
        await tell(client, body, exc.message)
        return
    if await refused_form(
        context,
        body,
        form=AuditAction.CLASSIFY_FORM,
        incident_id=ref.incident_id,
        channel_id=ref.channel_id,
    ):
        return
    view_id = await _open_then_fill(
        client, body["trigger_id"], CallbackId.CLASSIFY_MODAL, "Classify"
    )
    if view_id is None:
        return
    try:
        view, previous = await d.clocks.classification(ref.incident_id)
        form = classify_modal(
            view, d.ctx.config, private_metadata=ref.model_dump_json(), previous=previous
        )
    except DeskError as exc:
        await tell(client, body, exc.message)
        return
    await client.views_update(view_id=view_id, view=form)


async def submit_classify(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    d = deps(context)
    values = input_values(view)
    try:
        ref = parse(CardRef, view.get("private_metadata"))
        aware = values.get(BlockId.AWARE_AT)
        try:
            aware_at = datetime.fromtimestamp(int(aware), UTC) if aware else None
        except (TypeError, ValueError, OverflowError, OSError):
            aware_at = None
        answers = answers_from_values(
            d.ctx.config,
            values,
            aware_at=aware_at,
            flags=[name for q in MULTI_QUESTIONS for name in values.get(q) or []],
        )
        await d.clocks.classify(
            actor=actor_from(body), incident_id=ref.incident_id, answers=answers
        )
    except InvalidInput as exc:
        await ack(response_action="errors", errors=inline_errors(view, exc.fields))
        return
    except DeskError as exc:
        await ack(response_action="errors", errors=inline_errors(view, {"": exc.message}))
        return
    await ack()


async def _contained(
    context: AsyncBoltContext, actor: Actor, ref: CardRef, action: dict[str, Any]
) -> IncidentView:
    mode = parse_mode((action.get("selected_option") or {}).get("value"))
    return await deps(context).containment.contain(
        actor=actor, incident_id=ref.incident_id, mode=mode, channel_id=ref.channel_id
    )


async def open_decision(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    await ack()
    d = deps(context)
    try:
        ref = parse(ObligationRef, action.get("value"))
    except DeskError as exc:
        await tell(client, body, exc.message)
        return
    channel = (body.get("channel") or {}).get("id")
    if await refused_form(
        context, body, form=AuditAction.DECISION_FORM, incident_id=None, channel_id=channel
    ):
        return
    view_id = await _open_then_fill(
        client, body["trigger_id"], CallbackId.DECISION_MODAL, "Record decision"
    )
    if view_id is None:
        return
    try:
        incident, line, must_record = await d.clocks.obligation_view(ref.obligation_id)
    except DeskError as exc:
        await tell(client, body, exc.message)
        return
    form = decision_modal(
        incident,
        line,
        ref.decision or "notified",
        private_metadata=ref.model_copy(update={"channel_id": channel}).model_dump_json(),
        must_record=must_record,
        now=datetime.now(UTC),
    )
    await client.views_update(view_id=view_id, view=form)


async def submit_decision(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    d = deps(context)
    values = input_values(view)
    try:
        ref = parse(ObligationRef, view.get("private_metadata"))
        notified = values.get(BlockId.NOTIFIED_AT)
        form = parse_decision(
            ref.decision or ObligationStatus.NOTIFIED,
            values,
            notified_at=datetime.fromtimestamp(int(notified), UTC) if notified else None,
        )
        await d.clocks.decide(
            actor=actor_from(body),
            obligation_id=ref.obligation_id,
            form=form,
            channel_id=ref.channel_id,
        )
    except InvalidInput as exc:
        await ack(response_action="errors", errors=inline_errors(view, exc.fields))
        return
    except DeskError as exc:
        await ack(response_action="errors", errors=inline_errors(view, {"": exc.message}))
        return
    await ack()


def register(app: AsyncApp) -> None:
    app.action(ActionId.CLASSIFY.value)(open_classify)
    app.action(ActionId.CONTAINED.value)(triage_action(_contained))
    for action_id in (ActionId.NOTIFIED, ActionId.NOT_REQUIRED, ActionId.NOTIFIED_LATE):
        app.action(action_id.value)(open_decision)
    app.view(CallbackId.CLASSIFY_MODAL.value)(submit_classify)
    app.view(CallbackId.DECISION_MODAL.value)(submit_decision)
