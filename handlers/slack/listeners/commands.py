"""`/incident` and its sub-commands."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.audit import timeline
from bot.core import Core
from bot.domain import Actor
from bot.errors import DeskError
from bot.exports.files import ExportFormat, request_export
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
    if sub not in {"list", "show", "export"}:
        await ack(text=HELP_TEXT)
        return
    await ack()
    core = deps(context)
    actor = actor_from(body)
    words = [w for w in rest.split() if not w.startswith("--")]
    flags = {w for w in rest.split() if w.startswith("--")}
    key = words[0] if words else ""
    try:
        if sub == "list":
            views, everything = await core.queries.list_open(actor=actor)
            await respond(text=list_text(views, everything=everything), response_type="ephemeral")
        elif not key:
            usage = f"`/incident {sub} INC-0001`" + (" [--timeline]" if sub == "show" else "")
            await respond(text=f"Usage: {usage}", response_type="ephemeral")
        elif sub == "export":
            await export(core, actor, key, words[1:], respond)
        elif "--timeline" in flags:
            found, entries = await timeline.for_admin(core.access, actor=actor, key=key)
            await respond(
                text=timeline_text(found, entries),
                blocks=timeline_blocks(found, entries),
                response_type="ephemeral",
            )
        else:
            view = await core.queries.show(actor=actor, key=key)
            await respond(text=card_text(view), blocks=show_blocks(view), response_type="ephemeral")
    except DeskError as exc:
        await respond(text=exc.message, response_type="ephemeral")


async def export(
    core: Core, actor: Actor, key: str, options: list[str], respond: AsyncRespond
) -> None:
    """`/incident export INC-0001 [bundle|html|md|json]`: audited, then DMed via the outbox."""
    choice = options[0].lower() if options else ExportFormat.BUNDLE.value
    if choice not in {f.value for f in ExportFormat}:
        formats = ", ".join(f.value for f in ExportFormat)
        await respond(text=f"Pick one of: {formats}.", response_type="ephemeral")
        return
    fmt = ExportFormat(choice)
    found = await request_export(core.access, actor=actor, key=key, fmt=fmt)
    await respond(
        text=f"Preparing the {fmt.value} export of *{found}* with a fresh audit-chain check; "
        "I will DM you the file in a moment. The export is recorded in the audit log.",
        response_type="ephemeral",
    )


def register(app: AsyncApp) -> None:
    app.command(SLASH_COMMAND)(incident_command)
