"""The message extension action `addToIncident`: another message becomes evidence of an open
incident (its reporters' and the admins'), captured from the action's `messagePayload`."""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import CardFactory, TurnContext
from botbuilder.schema.teams import (
    MessagingExtensionActionResponse,
    TaskModuleContinueResponse,
    TaskModuleMessageResponse,
    TaskModuleTaskInfo,
)

from bot.core import Core
from bot.errors import DeskError, NotAuthorized, StorageUnavailable
from bot.evidence.canonical import excerpt
from handlers.teams.capture import author_hint, capture_message, html_to_text, source_key
from handlers.teams.cards.add_evidence import PICK_ONE, add_form
from handlers.teams.cards.elements import Element
from handlers.teams.ids import InputId
from handlers.teams.references import actor_of, channel_of, tenant_of

log = logging.getLogger(__name__)

TITLE = "Add to incident"
NOTHING_OPEN = (
    "You have no open incidents to add this message to: admins can add to any open incident, "
    "others to the ones they reported. Use Report as AI incident to report it as a new one."
)
NO_MESSAGE = "Teams did not send the message. Open More actions on the message and try again."


def _dialog(form: Element) -> MessagingExtensionActionResponse:
    return MessagingExtensionActionResponse(
        task=TaskModuleContinueResponse(
            value=TaskModuleTaskInfo(
                title=TITLE, card=CardFactory.adaptive_card(form), height="medium", width="medium"
            )
        )
    )


def _note(text: str) -> MessagingExtensionActionResponse:
    """A dialog's closing message is plain text: no markdown is rendered there."""
    return MessagingExtensionActionResponse(task=TaskModuleMessageResponse(value=text))


def _message(value: dict[str, Any]) -> dict[str, Any] | None:
    payload = value.get("messagePayload")
    return payload if isinstance(payload, dict) and payload.get("id") else None


async def _form(
    core: Core, context: TurnContext, message: dict[str, Any], **kwargs: Any
) -> MessagingExtensionActionResponse:
    views, _ = await core.queries.list_open(actor=actor_of(context.activity))
    if not views:
        return _note(NOTHING_OPEN)
    shown = excerpt(html_to_text((message.get("body") or {}).get("content")), 600)
    return _dialog(add_form(views, excerpt=shown, author=author_hint(message), **kwargs))


async def fetch_task(core: Core, context: TurnContext) -> MessagingExtensionActionResponse:
    """The open incidents the presser may add to; one quick query, no call to Teams."""
    message = _message(context.activity.value or {})
    if message is None:
        return _note(NO_MESSAGE)
    try:
        return await _form(core, context, message)
    except StorageUnavailable as exc:
        return _note(exc.message)


async def submit_action(core: Core, context: TurnContext) -> MessagingExtensionActionResponse:
    """Save before answering; a refusal or a failure re-shows the dialog and says why."""
    activity = context.activity
    value = activity.value or {}
    message = _message(value)
    if message is None:
        return _note(NO_MESSAGE)
    raw = value.get("data")
    data: dict[str, Any] = raw if isinstance(raw, dict) else {}
    chosen = str(data.get(InputId.INCIDENT) or "")
    actor = actor_of(activity)
    try:
        if not chosen.isdigit():
            return await _form(core, context, message, error=PICK_ONE)
        tenant_id = tenant_of(activity)
        team_id, channel_id = channel_of(activity)
        conversation_id = activity.conversation.id
        added = await core.evidence.add(
            actor=actor,
            incident_id=int(chosen),
            source_key=source_key(
                tenant_id=tenant_id, conversation_id=conversation_id, message_id=message["id"]
            ),
            content=capture_message(
                message,
                conversation_id=conversation_id,
                tenant_id=tenant_id,
                reporter=actor.ref,
                team_id=team_id,
                channel_id=channel_id,
            ),
        )
    except StorageUnavailable as exc:
        log.warning("evidence from %s not added: database unavailable", actor.ref)
        return await _safe_form(core, context, message, chosen, exc.message)
    except NotAuthorized as exc:
        return _note(exc.message)  # refused and audited by the core; nothing was added
    except DeskError as exc:
        return await _safe_form(core, context, message, chosen, exc.message)
    if added.already:
        return _note(f"This message is already evidence #{added.number} of {added.incident_key}.")
    return _note(
        f"Added to {added.incident_key} as evidence #{added.number}. "
        "The incident admins' cards show it."
    )


async def _safe_form(
    core: Core, context: TurnContext, message: dict[str, Any], chosen: str, error: str
) -> MessagingExtensionActionResponse:
    try:
        return await _form(core, context, message, chosen=chosen, error=error)
    except DeskError:
        return _note(error)
