"""Events API listeners: the App Home tab, and edits/deletions of captured messages."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import Actor, Platform
from bot.errors import DeskError
from handlers.slack.api_errors import error_code
from handlers.slack.deps import deps, insights
from handlers.slack.ids import ActionId
from handlers.slack.listeners.shortcuts import open_report_form
from handlers.slack.metadata import ReportMeta
from handlers.slack.port import publish_home
from handlers.slack.source_changes import source_change

log = logging.getLogger(__name__)


async def app_home_opened(
    event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    if event.get("tab") != "home":
        return
    actor = Actor(platform=Platform.SLACK, user_id=event["user"])
    try:
        desk_insights = insights(context)
        home = await desk_insights.dashboard.home(actor=actor)
        await publish_home(client, actor.user_id, home, desk_insights.ctx.config)
    except DeskError as exc:
        log.warning("App Home for %s not refreshed: %s", actor.ref, exc.message)
    except SlackApiError as exc:
        log.warning("views.publish for %s failed: %s", actor.ref, error_code(exc))


async def home_report(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    await open_report_form(client, context, body["trigger_id"], meta=ReportMeta())


async def message(body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext) -> None:
    """Every channel message arrives here (Slack retries unanswered events, so all are taken);
    only an edit or deletion of a captured message is recorded."""
    change = source_change(body.get("team_id"), event)
    if change is None:
        return
    try:
        touched = await deps(context).evidence.record_source_change(change)
    except DeskError as exc:
        log.warning("source %s of %s not recorded: %s", change.kind, event.get("channel"), exc)
        return
    if touched:
        log.info("source message %s for %s", change.kind, ", ".join(touched))


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(app_home_opened)
    app.event("message")(message)
    app.action(ActionId.HOME_REPORT.value)(home_report)
