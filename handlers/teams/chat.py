"""Commands typed in the 1:1 chat (or @mentioning the bot): help, list, show, report."""

from __future__ import annotations

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity

from bot.core import Core
from bot.incidents.commands import (
    Answer,
    CommandName,
    OpenList,
    Refused,
    Shown,
    Timeline,
    Usage,
    parse_command,
)
from handlers.teams.cards.chat import HELP_TEXT, list_text, show_card, timeline_text
from handlers.teams.cards.forms import report_form
from handlers.teams.cards.triage import card_summary
from handlers.teams.ids import InputId
from handlers.teams.references import actor_of


def command_text(context: TurnContext) -> str:
    """The typed text without the bot's @mention (present in channels and group chats)."""
    text = TurnContext.remove_recipient_mention(context.activity) or context.activity.text or ""
    return " ".join(text.replace("&nbsp;", " ").split())


async def on_message(core: Core, context: TurnContext) -> None:
    typed = parse_command(command_text(context))
    if typed.name == CommandName.REPORT:
        values = {InputId.DESCRIPTION.value: typed.rest} if typed.rest else None
        form = report_form(core.ctx.config, values=values, in_chat=True)
        await context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(form)))
        return
    if typed.name not in {CommandName.LIST, CommandName.SHOW}:
        await context.send_activity(MessageFactory.text(HELP_TEXT))
        return
    answer = await core.commands.answer(actor_of(context.activity), typed)
    await context.send_activity(reply_for(answer))


def reply_for(answer: Answer) -> Activity:
    """The chat reply for a command's answer."""
    match answer:
        case OpenList():
            text = list_text(answer)
        case Shown(view):
            reply: Activity = MessageFactory.attachment(CardFactory.adaptive_card(show_card(view)))
            reply.summary = card_summary(view)
            return reply
        case Timeline(key, entries):
            text = timeline_text(key, entries)
        case Usage(example):
            text = f"Usage: `{example}`"
        case Refused(message):
            text = message
        case _:
            text = HELP_TEXT
    return MessageFactory.text(text)
