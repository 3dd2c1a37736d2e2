"""Commands typed in the 1:1 chat (or @mentioning the bot): help, list, show (and its
timeline), export, stats, home, report."""

from __future__ import annotations

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity

from bot.core import Core
from bot.domain import Actor
from bot.errors import DeskError, InvalidInput
from bot.incidents.commands import (
    Answer,
    BadExportFormat,
    CommandName,
    ExportQueued,
    OpenList,
    Refused,
    Shown,
    Timeline,
    ToolList,
    Usage,
    parse_command,
)
from bot.insights.stats import parse_period, period_label
from handlers.teams.cards.chat import HELP_TEXT, list_text, show_card, timeline_text
from handlers.teams.cards.elements import Element, Markdown, md, shown
from handlers.teams.cards.forms import report_form
from handlers.teams.cards.home import home_card
from handlers.teams.cards.stats import STATS_USAGE, rules_card, stats_card
from handlers.teams.cards.tools import reenable_form, tools_text
from handlers.teams.cards.triage import card_summary
from handlers.teams.ids import InputId
from handlers.teams.references import actor_of


def command_text(context: TurnContext) -> str:
    """The typed text without the bot's @mention (present in channels and group chats)."""
    text = TurnContext.remove_recipient_mention(context.activity) or context.activity.text or ""
    return " ".join(text.replace("&nbsp;", " ").split())


HOME = "home"


def card_reply(content: Element, summary: str) -> Activity:
    reply: Activity = MessageFactory.attachment(CardFactory.adaptive_card(content))
    reply.summary = summary
    return reply


async def home_reply(core: Core, actor: Actor, refresh_for: str | None) -> Element:
    """The person's dashboard as a card that keeps itself current (see cards/home.py)."""
    data = await core.insights.dashboard.home(actor=actor)
    return home_card(data, core.ctx.config, refresh_for=refresh_for)


async def stats_reply(core: Core, actor: Actor, rest: str) -> Activity:
    """Admins only: counts say where incidents happen, which is for triagers to read."""
    service = core.insights
    arg = rest.strip().split(" ")[0].lower() if rest.strip() else ""
    try:
        if arg == "rules":
            table = await service.rule_stats(actor=actor)
            return card_reply(rules_card(table, service.screener.config.threshold), "Rules")
        period = parse_period(arg or None)
        stats = await service.stats(actor=actor, period=period)
    except InvalidInput:
        return MessageFactory.text(STATS_USAGE)
    except DeskError as exc:
        return MessageFactory.text(exc.message)
    label = period_label(period)
    return card_reply(stats_card(stats, label, core.ctx.config), f"Weak points, {label}")


async def on_message(core: Core, context: TurnContext) -> None:
    said = command_text(context)
    actor = actor_of(context.activity)
    if said.lower() == HOME:
        sender = context.activity.from_property
        content = await home_reply(core, actor, sender.id if sender else None)
        await context.send_activity(card_reply(content, "Your AI Incident Desk dashboard"))
        return
    typed = parse_command(said)
    if typed.name == CommandName.STATS:
        await context.send_activity(await stats_reply(core, actor, typed.rest))
        return
    if typed.name == CommandName.REPORT:
        values = {InputId.DESCRIPTION.value: typed.rest} if typed.rest else None
        form = report_form(core.ctx.config, values=values, in_chat=True)
        await context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(form)))
        return
    if typed.name == CommandName.REENABLE:
        await context.send_activity(await reenable_reply(core, context, typed.key))
        return
    if typed.name not in {
        CommandName.LIST,
        CommandName.SHOW,
        CommandName.EXPORT,
        CommandName.TOOLS,
    }:
        await context.send_activity(MessageFactory.text(HELP_TEXT))
        return
    answer = await core.commands.answer(actor, typed)
    await context.send_activity(reply_for(answer))


async def reenable_reply(core: Core, context: TurnContext, tool_ref: str) -> Activity:
    """The sign-off form for an approver; anyone else is told why not, before filling it in."""
    if not tool_ref:
        return MessageFactory.text("Usage: `reenable <tool id>`")
    try:
        tool, signoff = await core.tools.checklist(actor_of(context.activity), tool_ref)
    except DeskError as exc:
        return MessageFactory.text(exc.message)
    form: Activity = MessageFactory.attachment(
        CardFactory.adaptive_card(reenable_form(tool, signoff))
    )
    return form


def reply_for(answer: Answer) -> Activity:
    """The chat reply for a command's answer."""
    text: str
    match answer:
        case OpenList():
            text = list_text(answer)
        case Shown(view):
            reply: Activity = MessageFactory.attachment(CardFactory.adaptive_card(show_card(view)))
            reply.summary = card_summary(view)
            return reply
        case Timeline(key, entries):
            text = timeline_text(key, entries)
        case ExportQueued(key, fmt):
            text = md(
                "Preparing the {} export of **{}** with a fresh audit-chain check. "
                "It arrives here in a moment as a file to accept (Teams saves it to your "
                "OneDrive). The export is recorded in the audit log.",
                fmt.value,
                key,
            )
        case BadExportFormat(formats):
            text = f"Pick one of: {', '.join(formats)}."
        case Usage(example):
            text = Markdown(f"Usage: `{example}`")  # the core's own example, not what was typed
        case Refused(message):
            text = shown(message)
        case ToolList(statuses):
            text = tools_text(statuses)
        case _:
            text = HELP_TEXT
    return MessageFactory.text(str(text))
