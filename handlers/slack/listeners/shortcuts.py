"""Message and global shortcuts: open the report form at once, capture evidence after."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import Platform
from bot.errors import StorageUnavailable
from bot.evidence.canonical import excerpt
from bot.evidence.text import shown_text
from bot.incidents.intake import Intake
from handlers.slack.api_errors import error_code
from handlers.slack.blocks.evidence import add_modal, added_modal, loading_modal
from handlers.slack.blocks.modals import report_modal
from handlers.slack.capture import author_hint, capture_message, seed_capture
from handlers.slack.deps import actor_from, deps
from handlers.slack.ids import CallbackId
from handlers.slack.metadata import ReportMeta

log = logging.getLogger(__name__)


async def open_report_form(
    client: AsyncWebClient,
    context: AsyncBoltContext,
    trigger_id: str,
    *,
    meta: ReportMeta,
    message: dict[str, Any] | None = None,
    initial_text: str | None = None,
) -> str | None:
    """Open the report modal and return its view id, or None when Slack refused."""
    view = report_modal(
        deps(context).ctx.config,
        private_metadata=meta.model_dump_json(),
        excerpt=excerpt(shown_text(message), 600) if message is not None else None,
        author=author_hint(message) if message is not None else None,
        initial_text=initial_text,
    )
    try:
        resp = await client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        log.warning("views.open failed: %s", error_code(exc))
        return None
    return str(resp["view"]["id"])


async def report_message(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Ack and open the form first: the trigger id expires in 3 seconds."""
    await ack()
    message = body["message"]
    meta = ReportMeta(
        team_id=(body.get("team") or {}).get("id"),
        channel_id=body["channel"]["id"],
        message_ts=message["ts"],
    )
    view_id = await open_report_form(
        client, context, body["trigger_id"], meta=meta, message=message
    )
    if view_id is None:
        return
    core = deps(context)
    reporter = actor_from(body).ref
    # The payload already holds the message: keep it before any slow look-up, so a fast submit
    # stores the message itself; the full capture then replaces it or is attached after.
    channel_name = body["channel"].get("name")
    seed = seed_capture(
        team_id=meta.team_id,
        channel_id=body["channel"]["id"],
        channel_name=channel_name,
        message=message,
        reporter=reporter,
    )
    await _keep(core.intake, view_id, seed)
    evidence = await capture_message(
        client,
        team_id=meta.team_id,
        channel_id=body["channel"]["id"],
        message=message,
        reporter=reporter,
        thread_limit=core.ctx.config.thread_context_limit,
        channel_name=channel_name,
    )
    await _keep(core.intake, view_id, evidence)


async def _keep(intake: Intake, view_id: str, content: dict[str, Any]) -> None:
    try:
        await intake.save_evidence_draft(form_id=view_id, platform=Platform.SLACK, content=content)
    except StorageUnavailable:
        log.warning("could not keep evidence draft for view %s; it is captured on submit", view_id)


async def report_global(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    await open_report_form(client, context, body["trigger_id"], meta=ReportMeta())


async def add_to_incident(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Open the modal at once, then fill in the incident list and capture while they choose."""
    await ack()
    message = body["message"]
    meta = ReportMeta(
        team_id=(body.get("team") or {}).get("id"),
        channel_id=body["channel"]["id"],
        message_ts=message["ts"],
    )
    shown = {
        "private_metadata": meta.model_dump_json(),
        "text": shown_text(message),
        "author": author_hint(message),
    }
    try:
        opened = await client.views_open(trigger_id=body["trigger_id"], view=loading_modal(**shown))
    except SlackApiError as exc:
        log.warning("views.open failed: %s", error_code(exc))
        return
    view_id = str(opened["view"]["id"])
    core = deps(context)
    actor = actor_from(body)
    try:
        incidents, _ = await core.queries.list_open(actor=actor)
        view = add_modal(incidents, **shown)
    except StorageUnavailable as exc:
        incidents, view = [], added_modal(exc.message)
    try:
        await client.views_update(view_id=view_id, view=view)
    except SlackApiError as exc:
        log.warning("views.update of %s failed: %s", view_id, error_code(exc))
        return
    if not incidents:
        return
    evidence = await capture_message(
        client,
        team_id=meta.team_id,
        channel_id=meta.channel_id or "",
        message=message,
        reporter=actor.ref,
        thread_limit=core.ctx.config.thread_context_limit,
        channel_name=body["channel"].get("name"),
    )
    try:
        await core.intake.save_evidence_draft(
            form_id=view_id, platform=Platform.SLACK, content=evidence
        )
    except StorageUnavailable:
        log.warning("could not keep evidence draft for view %s; it is captured on submit", view_id)


def register(app: AsyncApp) -> None:
    app.shortcut(CallbackId.REPORT_MESSAGE.value)(report_message)
    app.shortcut(CallbackId.REPORT_GLOBAL.value)(report_global)
    app.shortcut(CallbackId.ADD_TO_INCIDENT.value)(add_to_incident)
