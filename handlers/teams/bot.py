"""The Teams bot: stores where each sender can be reached, then hands each surface its turn."""

from __future__ import annotations

import logging

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema.teams import (
    FileConsentCardResponse,
    MessagingExtensionAction,
    MessagingExtensionActionResponse,
)

from bot.core import Core
from bot.errors import StorageUnavailable
from handlers.teams import add_evidence, card_actions, chat, extension, files, install
from handlers.teams.ids import ADD_COMMAND
from handlers.teams.references import ConversationBook
from handlers.teams.screening import addressed_to_bot, screen_activity
from handlers.teams.source_changes import source_change

log = logging.getLogger(__name__)


class DeskTeamsBot(TeamsActivityHandler):
    def __init__(self, deps: Core, book: ConversationBook) -> None:
        super().__init__()
        self.deps = deps
        self.core = deps
        self.book = book

    async def on_turn(self, turn_context: TurnContext) -> None:
        try:
            await self.book.remember(turn_context.activity)
        except StorageUnavailable:
            # Reporting must still answer (it says nothing was recorded); the next turn retries.
            log.warning("conversation reference not stored: database unavailable")
        if turn_context.activity.type in ("messageUpdate", "messageDelete"):
            # Handled here for every event type, including those the SDK has no hook for.
            await self.on_source_change(turn_context)
            return
        await super().on_turn(turn_context)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if activity.conversation is not None and activity.conversation.conversation_type not in (
            None,
            "personal",
        ):
            # Channel and group messages arrive through resource-specific consent: screened.
            await screen_activity(self.core, activity)
        # Answered only when meant for the bot, so it stays silent where it only watches.
        if addressed_to_bot(activity):
            await chat.on_message(self.core, turn_context)

    async def on_source_change(self, turn_context: TurnContext) -> None:
        """An edit or deletion of a message: recorded against its captures, if it has any."""
        change = source_change(turn_context.activity)
        if change is None:
            return
        touched = await self.core.evidence.record_source_change(change)
        if touched:
            log.info("source %s %s: %s", change.kind, change.source_keys[0], ", ".join(touched))

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        # Replaces the SDK's version, which looks up every added member over the network.
        await install.on_conversation_update(turn_context)

    async def on_teams_messaging_extension_fetch_task(
        self, turn_context: TurnContext, action: MessagingExtensionAction
    ) -> MessagingExtensionActionResponse:
        if action.command_id == ADD_COMMAND:
            return await add_evidence.fetch_task(self.core, turn_context)
        return await extension.fetch_task(self.core, turn_context)

    async def on_teams_messaging_extension_submit_action(
        self, turn_context: TurnContext, action: MessagingExtensionAction
    ) -> MessagingExtensionActionResponse:
        if action.command_id == ADD_COMMAND:
            return await add_evidence.submit_action(self.core, turn_context)
        return await extension.submit_action(self.core, turn_context)

    async def on_teams_file_consent_accept(
        self, turn_context: TurnContext, file_consent_card_response: FileConsentCardResponse
    ) -> None:
        await files.on_accept(self.core, turn_context, file_consent_card_response)

    async def on_teams_file_consent_decline(
        self, turn_context: TurnContext, file_consent_card_response: FileConsentCardResponse
    ) -> None:
        await files.on_decline(turn_context, file_consent_card_response)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        if turn_context.activity.name == "adaptiveCard/action":
            # Answered as plain JSON: see card_actions.InvokeBody for why not the SDK's model.
            body = await card_actions.handle(self.deps, turn_context)
            return InvokeResponse(status=200, body=body)
        return await super().on_invoke_activity(turn_context)
