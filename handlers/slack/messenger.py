"""Delivers outbox rows to Slack: triage cards, card refreshes, notices and DMs."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clocks.service import Clocks
from bot.core import Core
from bot.delivery.outbox import OutboxKind
from bot.delivery.port import DeliveryError, OutboundMessage
from bot.domain import Platform
from handlers.slack.api_errors import error_code
from handlers.slack.blocks.cards import card_text, containment_message, triage_card
from handlers.slack.blocks.obligations import nudge_message
from handlers.slack.exports import send_export
from handlers.slack.files import fetch_evidence_files
from storage import repository as repo
from storage.models import CardPost

log = logging.getLogger(__name__)

# Errors that retrying cannot fix; everything else is retried with backoff.
PERMANENT_ERRORS = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "cannot_dm_bot",
        "user_disabled",
        "account_inactive",
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_too_long",
        "message_not_found",
        "cant_update_message",
        "no_text",
    }
)
# An ephemeral cannot reach the user in that channel: fall back to a DM.
EPHEMERAL_FALLBACK_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "user_not_in_channel",
        "is_archived",
        "restricted_action",
        "ekm_access_denied",
        "messages_tab_disabled",
    }
)


def is_channel(target: str) -> bool:
    """Public (C…) and private (G…) channel ids, as opposed to user ids (U…, W…)."""
    return target[:1] in {"C", "G"}


def delivery_error(exc: SlackApiError) -> DeliveryError:
    """Translate a Slack API failure, honouring Retry-After on 429."""
    status = exc.response.status_code
    error = error_code(exc)
    if status == 429 or error == "ratelimited":
        raw = exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after")
        retry_after = float(raw) if raw else 30.0
        return DeliveryError(
            f"Slack rate limit (retry after {retry_after:.0f}s)", retry_after=retry_after
        )
    return DeliveryError(f"Slack error: {error}", permanent=error in PERMANENT_ERRORS)


class SlackMessenger:
    """Implements the core's Messenger port with the Slack Web API."""

    platform = Platform.SLACK

    def __init__(self, client: AsyncWebClient, core: Core, clocks: Clocks) -> None:
        self.client = client
        self.core = core
        self.clocks = clocks

    async def deliver(self, message: OutboundMessage) -> None:
        try:
            await self._dispatch(message)
        except SlackApiError as exc:
            raise delivery_error(exc) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(f"Slack unreachable: {type(exc).__name__}: {exc}") from exc

    async def _dispatch(self, message: OutboundMessage) -> None:
        kind = OutboxKind(message.kind)
        if kind == OutboxKind.TRIAGE_CARD:
            assert message.target and message.incident_id
            await self.post_card(message.incident_id, message.target)
        elif kind == OutboxKind.REFRESH_CARDS:
            assert message.incident_id
            await self.refresh_cards(message.incident_id)
        elif kind == OutboxKind.NOTICE:
            assert message.target
            await self.notice(message.target, message.payload)
        elif kind == OutboxKind.NUDGE:
            assert message.target
            await self.nudge(message.target, int(message.payload["obligation_id"]))
        elif kind == OutboxKind.CONTAINMENT:
            assert message.target and message.incident_id
            await self.containment(message.target, message.incident_id)
        elif kind == OutboxKind.DM:
            assert message.target
            await self.dm(message.target, message.payload["text"], message.payload.get("blocks"))
        elif kind == OutboxKind.FETCH_EVIDENCE_FILES:
            await fetch_evidence_files(
                self.client,
                self.core,
                evidence_id=int(message.payload["evidence_id"]),
                attempts=message.attempts,
            )
        elif kind == OutboxKind.EXPORT:
            assert message.target and message.incident_id
            await send_export(self.client, self.core, message)
        else:  # pragma: no cover - a row of a kind this version does not know
            raise DeliveryError(f"unknown outbox kind {message.kind}", permanent=True)

    async def open_dm(self, user_id: str) -> str:
        """A channel id is used as is; a user id gets the bot's DM with that user."""
        if is_channel(user_id):
            return user_id
        resp = await self.client.conversations_open(users=user_id)
        return str(resp["channel"]["id"])

    async def nudge(self, target: str, obligation_id: int) -> None:
        """Rendered at delivery, so a decision recorded meanwhile means nothing is sent."""
        view, line, _ = await self.clocks.obligation_view(obligation_id)
        if not line.open:
            log.info("nudge for %s %s skipped: already decided", view.key, line.regime_id)
            return
        text, blocks = nudge_message(view, line, datetime.now(UTC))
        thread_ts = None
        if is_channel(target):
            async with self.core.ctx.db.transaction() as session:
                root = await repo.get_card_post(
                    session, incident_id=view.id, platform="slack", recipient=target
                )
            thread_ts = root.message_id if root else None
        channel = await self.open_dm(target)
        await self.client.chat_postMessage(
            channel=channel, text=text, blocks=blocks, thread_ts=thread_ts
        )

    async def containment(self, owner: str, incident_id: int) -> None:
        view = await self.core.queries.view(incident_id=incident_id)
        text, blocks = containment_message(view)
        await self.client.chat_postMessage(
            channel=await self.open_dm(owner), text=text, blocks=blocks
        )

    async def dm(self, user_id: str, text: str, blocks: list[dict[str, Any]] | None = None) -> None:
        channel = await self.open_dm(user_id)
        await self.client.chat_postMessage(channel=channel, text=text, blocks=blocks)

    async def notice(self, user_id: str, payload: dict[str, Any]) -> None:
        text = payload["text"]
        channel = payload.get("channel_id")
        if channel:
            try:
                await self.client.chat_postEphemeral(channel=channel, user=user_id, text=text)
                return
            except SlackApiError as exc:
                if error_code(exc) not in EPHEMERAL_FALLBACK_ERRORS:
                    raise
                log.info("ephemeral to %s in %s failed, sending a DM", user_id, channel)
        await self.dm(user_id, text)

    async def post_card(self, incident_id: int, admin: str) -> None:
        """Post the card to one admin; a retried row updates the copy already posted."""
        async with self.core.ctx.db.transaction() as session:
            existing = await repo.get_card_post(
                session, incident_id=incident_id, platform="slack", recipient=admin
            )
        view = await self.core.queries.view(incident_id=incident_id)
        if existing is not None:
            await self._update(existing.channel, existing.message_id, incident_id)
            return
        channel = await self.open_dm(admin)
        resp = await self.client.chat_postMessage(
            channel=channel, text=card_text(view), blocks=triage_card(view)
        )
        async with self.core.ctx.db.transaction() as session:
            session.add(
                CardPost(
                    incident_id=incident_id,
                    platform="slack",
                    recipient=admin,
                    channel=str(resp["channel"]),
                    message_id=str(resp["ts"]),
                    created_at=datetime.now(UTC),
                )
            )
        # A change that landed while this copy was being posted found no copy to refresh.
        latest = await self.core.queries.view(incident_id=incident_id)
        if latest != view:
            await self._update(str(resp["channel"]), str(resp["ts"]), incident_id)

    async def refresh_cards(self, incident_id: int) -> None:
        async with self.core.ctx.db.transaction() as session:
            posts = await repo.card_posts_for(session, incident_id=incident_id, platform="slack")
        for post in posts:
            await self._update(post.channel, post.message_id, incident_id)

    async def _update(self, channel: str, ts: str, incident_id: int) -> None:
        view = await self.core.queries.view(incident_id=incident_id)
        await self.client.chat_update(
            channel=channel, ts=ts, text=card_text(view), blocks=triage_card(view)
        )
