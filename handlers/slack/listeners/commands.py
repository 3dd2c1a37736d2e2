"""`/incident` and its sub-commands."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.incidents.commands import (
    Answer,
    BadExportFormat,
    CommandName,
    ExportQueued,
    OpenList,
    Refused,
    Shown,
    Timeline,
    Usage,
    parse_command,
)
from handlers.slack.blocks.cards import HELP_TEXT, card_text, list_text, show_blocks
from handlers.slack.blocks.evidence import timeline_blocks, timeline_text
from handlers.slack.deps import actor_from, deps
from handlers.slack.ids import SLASH_COMMAND
from handlers.slack.listeners.shortcuts import open_report_form
from handlers.slack.listeners.stats import stats_command
from handlers.slack.metadata import ReportMeta


async def incident_command(
    ack: AsyncAck,
    body: dict[str, Any],
    command: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    context: AsyncBoltContext,
) -> None:
    typed = parse_command(command.get("text") or "")
    if typed.name == CommandName.REPORT:
        await ack()
        await open_report_form(
            client, context, body["trigger_id"], meta=ReportMeta(), initial_text=typed.rest
        )
        return
    if typed.name == CommandName.STATS:
        await ack()
        await stats_command(context, actor_from(body), typed.rest, respond)
        return
    if typed.name == CommandName.HELP:
        await ack(text=HELP_TEXT)
        return
    await ack()
    answer = await deps(context).commands.answer(actor_from(body), typed)
    await respond(response_type="ephemeral", **render(answer))


def render(answer: Answer) -> dict[str, Any]:
    """The ephemeral reply for a command's answer: text, and blocks where there are any."""
    match answer:
        case OpenList():
            return {"text": list_text(answer)}
        case Shown(view):
            return {"text": card_text(view), "blocks": show_blocks(view)}
        case Timeline(key, entries):
            return {"text": timeline_text(key, entries), "blocks": timeline_blocks(key, entries)}
        case ExportQueued(key, fmt):
            return {
                "text": f"Preparing the {fmt.value} export of *{key}* with a fresh audit-chain "
                "check; I will DM you the file in a moment. The export is recorded in the audit "
                "log."
            }
        case BadExportFormat(formats):
            return {"text": f"Pick one of: {', '.join(formats)}."}
        case Usage(example):
            return {"text": f"Usage: `/incident {example}`"}
        case Refused(message):
            return {"text": message}


def register(app: AsyncApp) -> None:
    app.command(SLASH_COMMAND)(incident_command)
