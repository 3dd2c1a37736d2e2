"""`conversationUpdate`: the app was installed for a user, in a team or in a group chat."""

from __future__ import annotations

import logging

from botbuilder.core import MessageFactory, TurnContext

log = logging.getLogger(__name__)

WELCOME = (
    "Hi, I'm **AI Incident Desk**. When an AI reply is wrong, use **… → More actions → Report "
    "as AI incident** on the message, or type `report` here. Type `help` for everything I do."
)


async def on_conversation_update(context: TurnContext) -> None:
    """Say hello once, when the bot itself is added; the reference was stored in on_turn."""
    activity = context.activity
    bot_id = activity.recipient.id if activity.recipient else None
    if not any(m.id == bot_id for m in activity.members_added or []):
        return
    scope = activity.conversation.conversation_type if activity.conversation else None
    log.info(
        "AI Incident Desk installed (%s scope, conversation %s)", scope, activity.conversation.id
    )
    await context.send_activity(MessageFactory.text(WELCOME))
