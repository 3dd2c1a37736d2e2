"""The message extension action `reportIncident`: the form opens, submitting it reports."""

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
from bot.domain import Platform
from bot.errors import InvalidInput, StorageRejected, StorageUnavailable
from bot.evidence.canonical import excerpt
from bot.evidence.text import shown_text
from bot.incidents import notices
from bot.incidents.forms import report_answers
from handlers.teams.capture import author_hint, capture_message, html_to_text, source_key
from handlers.teams.cards.elements import Element
from handlers.teams.cards.forms import SAVE_FAILED, report_form
from handlers.teams.ids import REPORT_COMMAND
from handlers.teams.references import actor_of, channel_of, submission_key, tenant_of

log = logging.getLogger(__name__)

TITLE = "Report AI incident"
UNKNOWN_COMMAND = MessagingExtensionActionResponse(
    task=TaskModuleMessageResponse(value="This app has no such command.")
)


def show_form(card: Element) -> MessagingExtensionActionResponse:
    """Open (or re-open, with errors) the dialog with this card in it."""
    return MessagingExtensionActionResponse(
        task=TaskModuleContinueResponse(
            value=TaskModuleTaskInfo(
                title=TITLE, card=CardFactory.adaptive_card(card), height="large", width="medium"
            )
        )
    )


def _message(value: dict[str, Any]) -> dict[str, Any] | None:
    payload = value.get("messagePayload")
    return payload if isinstance(payload, dict) and payload.get("id") else None


def _form(core: Core, message: dict[str, Any] | None, **kwargs: Any) -> Element:
    if message is None:
        return report_form(core.ctx.config, **kwargs)
    text = shown_text(
        {
            "text": html_to_text((message.get("body") or {}).get("content")),
            "attachments": message.get("attachments") or [],
        }
    )
    return report_form(
        core.ctx.config, excerpt=excerpt(text, 600), author=author_hint(message), **kwargs
    )


async def fetch_task(core: Core, context: TurnContext) -> MessagingExtensionActionResponse:
    """Built from the payload alone, with no call to Teams: the dialog must open at once."""
    value = context.activity.value or {}
    if value.get("commandId") != REPORT_COMMAND:
        return UNKNOWN_COMMAND
    return show_form(_form(core, _message(value)))


async def submit_action(core: Core, context: TurnContext) -> MessagingExtensionActionResponse:
    """Save before answering, so a failure re-shows the form with the reporter's answers."""
    activity = context.activity
    value = activity.value or {}
    if value.get("commandId") != REPORT_COMMAND:
        return UNKNOWN_COMMAND
    raw = value.get("data")
    data: dict[str, Any] = raw if isinstance(raw, dict) else {}
    message = _message(value)
    actor = actor_of(activity)
    conversation_id = activity.conversation.id
    tenant_id = tenant_of(activity)
    try:
        form = core.intake.parse_report(**report_answers(data))
        evidence = key = None
        if message is not None:
            team_id, channel_id = channel_of(activity)
            key = source_key(
                tenant_id=tenant_id, conversation_id=conversation_id, message_id=message["id"]
            )
            evidence = capture_message(
                message,
                conversation_id=conversation_id,
                tenant_id=tenant_id,
                reporter=actor.ref,
                team_id=team_id,
                channel_id=channel_id,
            )
        result = await core.intake.report(
            actor=actor,
            form=form,
            platform=Platform.TEAMS,
            source_key=key,
            channel_id=conversation_id,
            evidence=evidence,
            submission_key=submission_key(actor, activity.id),
        )
    except InvalidInput as exc:
        return show_form(_form(core, message, values=data, errors=exc.fields))
    except StorageRejected as exc:
        return show_form(_form(core, message, values=data, errors={"general": exc.message}))
    except StorageUnavailable:
        log.warning("report by %s not saved: database unavailable", actor.ref)
        return show_form(_form(core, message, values=data, errors={"general": SAVE_FAILED}))
    # A dialog's closing message is plain text: no markdown is rendered there.
    text = notices.report_answer(result).plain
    return MessagingExtensionActionResponse(task=TaskModuleMessageResponse(value=text))
