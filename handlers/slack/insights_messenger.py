"""Delivers the outbox kinds of screening, dashboards and digests; passes the rest on."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery.outbox import OutboxKind
from bot.delivery.port import DeliveryError, Messenger, OutboundMessage
from bot.domain import Actor, Platform
from bot.insights.service import Insights
from handlers.slack.api_errors import error_code
from handlers.slack.blocks.digest import weekly_digest_message
from handlers.slack.blocks.home import home_view
from handlers.slack.blocks.screening import overflow_digest
from handlers.slack.messenger import PERMANENT_ERRORS, delivery_error

log = logging.getLogger(__name__)

KINDS = frozenset(
    {OutboxKind.REFRESH_DASHBOARD, OutboxKind.SCREENING_DIGEST, OutboxKind.WEEKLY_DIGEST}
)


async def publish_home(client: AsyncWebClient, insights: Insights, user_id: str) -> None:
    """Render and publish one person's App Home from the current state."""
    data = await insights.dashboard.home(actor=Actor(platform=Platform.SLACK, user_id=user_id))
    await client.views_publish(user_id=user_id, view=home_view(data, insights.ctx.config))


class InsightsMessenger:
    """Wraps the Slack messenger: the kinds in KINDS are delivered here."""

    platform = Platform.SLACK

    def __init__(self, inner: Messenger, client: AsyncWebClient, insights: Insights) -> None:
        self.inner = inner
        self.client = client
        self.insights = insights

    async def deliver(self, message: OutboundMessage) -> None:
        if message.kind not in KINDS:
            await self.inner.deliver(message)
            return
        try:
            await self._dispatch(message)
        except SlackApiError as exc:
            raise delivery_error(exc) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(f"Slack unreachable: {type(exc).__name__}: {exc}") from exc

    async def _dispatch(self, message: OutboundMessage) -> None:
        if message.kind == OutboxKind.REFRESH_DASHBOARD:
            assert message.incident_id is not None
            await self.refresh_dashboards(message.incident_id, message.id)
        elif message.kind == OutboxKind.SCREENING_DIGEST:
            assert message.target
            await self.screening_digest(message.target, message.payload)
        else:
            assert message.target
            await self.weekly_digest(message.target, message.payload)

    async def _channel(self, target: str) -> str:
        if target[:1] in {"C", "G", "D"}:
            return target
        resp = await self.client.conversations_open(users=target)
        return str(resp["channel"]["id"])

    async def refresh_dashboards(self, incident_id: int, row_id: int) -> None:
        users = await self.insights.dashboard.audience(
            platform=Platform.SLACK, incident_id=incident_id, row_id=row_id
        )
        for user_id in users:
            try:
                await publish_home(self.client, self.insights, user_id)
            except SlackApiError as exc:
                if error_code(exc) not in PERMANENT_ERRORS | {"not_enabled"}:
                    raise  # retried; publishing again is harmless
                log.info("App Home of %s not refreshed: %s", user_id, error_code(exc))

    async def _permalink(self, channel: str, ts: str | None) -> str | None:
        if not ts:
            return None
        try:
            resp = await self.client.chat_getPermalink(channel=channel, message_ts=ts)
            return str(resp["permalink"])
        except SlackApiError:
            return None

    async def screening_digest(self, target: str, payload: dict[str, Any]) -> None:
        entries: list[dict[str, Any]] = payload["entries"]
        links: dict[str, str] = {}
        for entry in entries[:40]:
            link = await self._permalink(entry["channel_id"], entry.get("message_ts"))
            if link:
                links[f"{entry['channel_id']}:{entry['message_ts']}"] = link
        text, blocks = overflow_digest(entries, cap=int(payload["cap"]), permalinks=links)
        await self.client.chat_postMessage(
            channel=await self._channel(target), text=text, blocks=blocks
        )

    async def weekly_digest(self, target: str, payload: dict[str, Any]) -> None:
        """The text first, then the chart; a retry after a failed upload repeats both."""
        period_end = datetime.fromisoformat(payload["period_end"])
        digest = self.insights.digest
        data = await digest.compose(period_end)
        png = await digest.chart(period_end)
        text, blocks = weekly_digest_message(data)
        channel = await self._channel(target)
        await self.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        await self.client.files_upload_v2(
            channel=channel,
            file=png,
            filename=f"ai-incidents-weekly-{period_end:%Y-%m-%d}.png",
            title="AI incidents and near misses per week, by failure type (last 12 weeks)",
            alt_txt="Stacked bar chart of incidents and near misses per week by failure type",
        )
