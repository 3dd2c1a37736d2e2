"""`/incident` and its sub-commands."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import DeskError
from handlers.slack.blocks.cards import HELP_TEXT, card_text, list_text, show_blocks
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
    text = (command.get("text") or "").strip()
    sub, _, rest = text.partition(" ")
    sub = sub.lower()
    if sub == "report":
        await ack()
        await open_report_form(
            client, context, body["trigger_id"], meta=ReportMeta(), initial_text=rest.strip()
        )
        return
    if sub == "stats":
        await ack()
        await stats_command(context, actor_from(body), rest, respond)
        return
    if sub not in {"list", "show"}:
        await ack(text=HELP_TEXT)
        return
    await ack()
    desk = deps(context).desk
    actor = actor_from(body)
    try:
        if sub == "list":
            views, everything = await desk.list_open(actor=actor)
            await respond(text=list_text(views, everything=everything), response_type="ephemeral")
        else:
            key = rest.strip().split(" ")[0] if rest.strip() else ""
            if not key:
                await respond(text="Usage: `/incident show INC-0001`", response_type="ephemeral")
                return
            view = await desk.show(actor=actor, key=key)
            await respond(text=card_text(view), blocks=show_blocks(view), response_type="ephemeral")
    except DeskError as exc:
        await respond(text=exc.message, response_type="ephemeral")


def register(app: AsyncApp) -> None:
    app.command(SLASH_COMMAND)(incident_command)
