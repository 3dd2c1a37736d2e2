"""Commands typed in the 1:1 chat (or @mentioning the bot): help, list, show, report."""

from __future__ import annotations

from botbuilder.core import CardFactory, MessageFactory, TurnContext

from bot.core import Core
from bot.errors import DeskError
from handlers.teams.cards.chat import HELP_TEXT, list_text, show_card
from handlers.teams.cards.forms import report_form
from handlers.teams.cards.triage import card_summary
from handlers.teams.ids import ChatCommand, InputId
from handlers.teams.references import actor_of


def command_text(context: TurnContext) -> str:
    """The typed text without the bot's @mention (present in channels and group chats)."""
    text = TurnContext.remove_recipient_mention(context.activity) or context.activity.text or ""
    return " ".join(text.replace("&nbsp;", " ").split())


async def on_message(core: Core, context: TurnContext) -> None:
    text = command_text(context)
    sub, _, rest = text.partition(" ")
    sub = sub.lower()
    if sub == ChatCommand.REPORT:
        values = {InputId.DESCRIPTION.value: rest} if rest else None
        form = report_form(core.ctx.config, values=values, in_chat=True)
        await context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(form)))
        return
    if sub not in {ChatCommand.LIST, ChatCommand.SHOW}:
        await context.send_activity(MessageFactory.text(HELP_TEXT))
        return
    actor = actor_of(context.activity)
    try:
        if sub == ChatCommand.LIST:
            views, everything = await core.queries.list_open(actor=actor)
            await context.send_activity(
                MessageFactory.text(list_text(views, everything=everything))
            )
            return
        key = rest.split(" ")[0] if rest else ""
        if not key:
            await context.send_activity(MessageFactory.text("Usage: `show INC-0001`"))
            return
        view = await core.queries.show(actor=actor, key=key)
    except DeskError as exc:
        await context.send_activity(MessageFactory.text(exc.message))
        return
    reply = MessageFactory.attachment(CardFactory.adaptive_card(show_card(view)))
    reply.summary = card_summary(view)
    await context.send_activity(reply)
