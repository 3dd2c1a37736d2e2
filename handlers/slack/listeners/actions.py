"""Triage card buttons. The admin check runs in the core for every click."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.audit.actions import AuditAction
from bot.domain import Actor, IncidentView, Outcome, is_row_id
from bot.errors import DeskError, InvalidInput, NotAuthorized
from bot.incidents.forms import parse_severity
from handlers.slack.api_errors import error_code
from handlers.slack.blocks.modals import close_modal
from handlers.slack.blocks.text import shown
from handlers.slack.deps import actor_from, deps
from handlers.slack.ids import ActionId, BlockId
from handlers.slack.metadata import CardRef, parse

log = logging.getLogger(__name__)

Change = Callable[[AsyncBoltContext, Actor, CardRef, dict[str, Any]], Awaitable[IncidentView]]


def card_ref(body: dict[str, Any], action: dict[str, Any]) -> CardRef:
    """Which incident a click is about: from the button value, or the select's block id."""
    channel_id = (body.get("channel") or body.get("container") or {}).get("id") or (
        body.get("container") or {}
    ).get("channel_id")
    if action.get("type") == "button":
        ref = parse(CardRef, action.get("value"))
    else:
        prefix, _, raw_id = str(action.get("block_id", "")).partition(":")
        if prefix != BlockId.TRIAGE_ACTIONS or not is_row_id(raw_id):
            raise InvalidInput({"payload": "This button is not one of ours."})
        ref = CardRef(incident_id=int(raw_id))
    return ref.model_copy(update={"channel_id": channel_id})


async def tell(client: AsyncWebClient, body: dict[str, Any], text: str) -> None:
    """An ephemeral note to the clicking user where they clicked."""
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    user = actor_from(body).user_id
    try:
        if channel:
            await client.chat_postEphemeral(channel=channel, user=user, text=shown(text))
    except SlackApiError as exc:
        log.warning("could not tell %s: %s", user, error_code(exc))


async def refused_form(
    context: AsyncBoltContext,
    body: dict[str, Any],
    *,
    form: AuditAction,
    incident_id: int | None,
    channel_id: str | None,
) -> bool:
    """True, with the refusal audited and explained, when a non-admin opens an admin form."""
    core = deps(context)
    actor = actor_from(body)
    if core.access.is_admin(actor):
        return False
    await core.access.refuse(
        actor=actor, action=form, incident_id=incident_id, channel_id=channel_id
    )
    return True


def triage_action(change: Change) -> Callable[..., Awaitable[None]]:
    """Ack, run the core change, and turn domain errors into an ephemeral explanation."""

    async def listener(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        await ack()
        try:
            ref = card_ref(body, action)
            await change(context, actor_from(body), ref, action)
        except NotAuthorized:
            return  # the core audited the refusal and queued the explanation
        except DeskError as exc:
            await tell(client, body, exc.message)

    return listener


async def _assign(
    context: AsyncBoltContext, actor: Actor, ref: CardRef, _: dict[str, Any]
) -> IncidentView:
    return await deps(context).triage.assign_to_me(
        actor=actor, incident_id=ref.incident_id, channel_id=ref.channel_id
    )


async def _severity(
    context: AsyncBoltContext, actor: Actor, ref: CardRef, action: dict[str, Any]
) -> IncidentView:
    severity = parse_severity((action.get("selected_option") or {}).get("value"))
    return await deps(context).triage.set_severity(
        actor=actor, incident_id=ref.incident_id, severity=severity, channel_id=ref.channel_id
    )


async def _near_miss(
    context: AsyncBoltContext, actor: Actor, ref: CardRef, _: dict[str, Any]
) -> IncidentView:
    return await deps(context).triage.mark_near_miss(
        actor=actor, incident_id=ref.incident_id, channel_id=ref.channel_id
    )


def open_close_form(outcome: Outcome | None) -> Callable[..., Awaitable[None]]:
    """Close… and False positive open the close form; non-admins are refused before it opens."""

    async def listener(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
        await ack()
        try:
            ref = card_ref(body, action)
        except DeskError as exc:
            await tell(client, body, exc.message)
            return
        if await refused_form(
            context,
            body,
            form=AuditAction.CLOSE_FORM,
            incident_id=ref.incident_id,
            channel_id=ref.channel_id,
        ):
            return
        # The trigger id expires in 3 s, so the form opens before any database call.
        key = f"INC-{ref.incident_id:04d}"
        for block in (body.get("message") or {}).get("blocks", []):
            if block.get("type") == "header":
                key = block["text"]["text"].split(" ")[0]
        await client.views_open(
            trigger_id=body["trigger_id"],
            view=close_modal(
                incident_key=key, private_metadata=ref.model_dump_json(), outcome=outcome
            ),
        )

    return listener


def register(app: AsyncApp) -> None:
    app.action(ActionId.ASSIGN_ME.value)(triage_action(_assign))
    app.action(ActionId.SEVERITY.value)(triage_action(_severity))
    app.action(ActionId.NEAR_MISS.value)(triage_action(_near_miss))
    app.action(ActionId.FALSE_POSITIVE.value)(open_close_form(Outcome.FALSE_POSITIVE))
    app.action(ActionId.CLOSE.value)(open_close_form(None))
