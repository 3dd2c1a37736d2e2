"""Delivers outbox rows to Teams by proactive messages: triage cards, card updates, notices,
deadline nudges and containment pages."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)
from botframework.connector.aio import ConnectorClient
from msrest.exceptions import ClientRequestError, HttpOperationError

from bot.clocks.service import Clocks
from bot.core import Core
from bot.delivery.outbox import OutboxKind
from bot.delivery.port import DeliveryError, OutboundMessage
from bot.domain import Platform
from bot.errors import NotFound
from handlers.teams.adapter import without_sdk_retries
from handlers.teams.cards.elements import Element
from handlers.teams.cards.obligations import (
    containment_card,
    containment_summary,
    nudge_card,
    nudge_summary,
)
from handlers.teams.cards.triage import card_summary, triage_card
from handlers.teams.references import NO_REFERENCE, ConversationBook
from storage import repository as repo
from storage.models import CardPost, TeamsConversation

log = logging.getLogger(__name__)

TEAMS = Platform.TEAMS.value
# 4xx answers retrying cannot fix: bad request, bot blocked or uninstalled, conversation gone.
PERMANENT_STATUSES = frozenset({400, 403, 404, 405, 409, 410, 412, 413})


def delivery_error(exc: HttpOperationError, doing: str) -> DeliveryError:
    """Translate a Bot Connector failure, honouring Retry-After on 429."""
    response = exc.response
    status = int(getattr(response, "status_code", 0) or 0)
    if status == 429:
        raw = response.headers.get("Retry-After") if response is not None else None
        retry_after = float(raw) if raw else 30.0
        return DeliveryError(
            f"Teams rate limit while {doing} (retry after {retry_after:.0f}s)",
            retry_after=retry_after,
        )
    return DeliveryError(
        f"Teams answered HTTP {status} while {doing}: {exc.message or exc}",
        permanent=status in PERMANENT_STATUSES,
    )


def teams_markdown(text: str) -> str:
    """The core writes Slack-style *bold*; Teams markdown wants **bold**."""
    return re.sub(r"(?<![*\w])\*([^*\n]+)\*(?![*\w])", r"**\1**", text)


class TeamsMessenger:
    """Implements the core's Messenger port with the Bot Connector API."""

    platform = Platform.TEAMS

    def __init__(
        self,
        adapter: CloudAdapter,
        core: Core,
        clocks: Clocks,
        book: ConversationBook,
        app_id: str,
    ) -> None:
        self.adapter = adapter
        self.core = core
        self.clocks = clocks
        self.book = book
        self.app_id = app_id

    async def deliver(self, message: OutboundMessage) -> None:
        kind = OutboxKind(message.kind)
        try:
            if kind == OutboxKind.TRIAGE_CARD:
                assert message.target and message.incident_id
                await self.post_card(message.incident_id, message.target)
            elif kind == OutboxKind.REFRESH_CARDS:
                assert message.incident_id
                await self.refresh_cards(message.incident_id)
            elif kind in (OutboxKind.NOTICE, OutboxKind.DM):
                # Teams has no ephemeral messages, so a notice goes to the 1:1 chat.
                assert message.target
                await self.send_text(message.target, message.payload["text"])
            elif kind == OutboxKind.NUDGE:
                assert message.target
                await self.nudge(message.target, int(message.payload["obligation_id"]))
            elif kind == OutboxKind.CONTAINMENT:
                assert message.target and message.incident_id
                await self.containment(message.target, message.incident_id)
            else:  # pragma: no cover - a row of a kind this version does not know
                raise DeliveryError(f"unknown outbox kind {message.kind}", permanent=True)
        except NotFound as exc:
            raise DeliveryError(exc.message, permanent=True) from exc
        except HttpOperationError as exc:
            raise delivery_error(exc, f"delivering {kind.value}") from exc
        except (ClientRequestError, OSError) as exc:
            raise DeliveryError(f"Teams unreachable: {type(exc).__name__}: {exc}") from exc

    # ---- where to send ----------------------------------------------------------------------

    async def reference(self, target: str) -> ConversationReference:
        """A 1:1 chat with a user (opened when needed) or a channel; else a clear failure."""
        row = await self.book.user(target)
        if row is not None and not row.conversation_id:
            row = await self._open_personal_chat(row)
        if row is None:
            row = await self.book.channel(target)
        if row is None or not row.conversation_id:
            reason = (
                f"{NO_REFERENCE} for {target}: they have not installed AI Incident Desk in "
                "Teams or messaged the bot yet. Install the app for them (Teams admin center → "
                "Manage apps, or they add it themselves); this message is sent again then."
            )
            log.error("Teams message to %s not sent: %s", target, reason)
            raise DeliveryError(reason, permanent=True)
        return ConversationReference(
            channel_id="msteams",
            service_url=row.service_url,
            conversation=ConversationAccount(id=row.conversation_id, tenant_id=row.tenant_id),
            bot=ChannelAccount(id=row.bot_id),
            user=ChannelAccount(id=row.user_id) if row.user_id else None,
        )

    async def _open_personal_chat(self, row: TeamsConversation) -> TeamsConversation:
        """A user seen only in a channel: ask Teams for the 1:1 chat and keep its id."""
        params = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=row.bot_id),
            members=[ChannelAccount(id=row.user_id)],
            tenant_id=row.tenant_id,
            channel_data={"tenant": {"id": row.tenant_id}},
        )

        async def create(context: TurnContext) -> str:
            # Inside a turn (not adapter.create_conversation) so the SDK's own retries are off.
            client = context.turn_state[CloudAdapter.BOT_CONNECTOR_CLIENT_KEY]
            assert isinstance(client, ConnectorClient)  # what CloudAdapter keeps under that key
            created = await client.conversations.create_conversation(params)
            return str(created.id)

        at_service = ConversationReference(
            channel_id="msteams",
            service_url=row.service_url,
            conversation=ConversationAccount(id=row.key, tenant_id=row.tenant_id),
            bot=ChannelAccount(id=row.bot_id),
        )
        row.conversation_id = await self._turn(at_service, create)
        row.captured_at = datetime.now(UTC)
        await self.book.save(row)
        log.info("opened a Teams 1:1 chat with %s", row.key)
        return row

    # ---- sending ----------------------------------------------------------------------------

    async def _turn(
        self, reference: ConversationReference, work: Callable[[TurnContext], Awaitable[Any]]
    ) -> Any:
        results: list[Any] = []
        errors: list[Exception] = []

        async def callback(context: TurnContext) -> None:
            without_sdk_retries(context)
            # The continuation activity has a made-up id; without this the SDK would send a
            # reply to it instead of a new message in the conversation.
            context.activity.id = None
            try:
                results.append(await work(context))
            except Exception as exc:
                # The adapter's on_turn_error would swallow it and the row would count as sent.
                errors.append(exc)

        await self.adapter.continue_conversation(reference, callback, self.app_id)
        if errors:
            raise errors[0]
        return results[0] if results else None

    async def send(self, reference: ConversationReference, activity: Activity) -> str:
        async def work(context: TurnContext) -> str:
            response = await context.send_activity(activity)
            return str(response.id) if response and response.id else ""

        return str(await self._turn(reference, work))

    async def update(
        self, reference: ConversationReference, activity_id: str, activity: Activity
    ) -> None:
        async def work(context: TurnContext) -> None:
            activity.id = activity_id
            await context.update_activity(activity)

        await self._turn(reference, work)

    async def send_text(self, target: str, text: str) -> None:
        await self.send(await self.reference(target), MessageFactory.text(teams_markdown(text)))

    async def send_card(self, target: str, content: Element, summary: str) -> None:
        activity = MessageFactory.attachment(CardFactory.adaptive_card(content))
        activity.summary = summary
        await self.send(await self.reference(target), activity)

    # ---- clocks and containment -------------------------------------------------------------

    async def nudge(self, target: str, obligation_id: int) -> None:
        """To an admin's 1:1 chat or a channel. Rendered at delivery, so a decision recorded
        meanwhile means nothing is sent."""
        view, line, _ = await self.clocks.obligation_view(obligation_id)
        if not line.open or view.closed_at is not None:
            log.info("nudge for %s %s skipped: already decided", view.key, line.regime_id)
            return
        now = datetime.now(UTC)
        await self.send_card(target, nudge_card(view, line, now), nudge_summary(view, line, now))

    async def containment(self, owner: str, incident_id: int) -> None:
        """Page a kill-switch owner in their 1:1 chat: the runbook entry and a Contained button."""
        view = await self.core.queries.view(incident_id=incident_id)
        await self.send_card(owner, containment_card(view), containment_summary(view))

    # ---- triage cards -----------------------------------------------------------------------

    async def _card_activity(self, incident_id: int) -> tuple[Activity, Any]:
        view = await self.core.queries.view(incident_id=incident_id)
        activity = MessageFactory.attachment(CardFactory.adaptive_card(triage_card(view)))
        activity.summary = card_summary(view)
        return activity, view

    async def post_card(self, incident_id: int, admin: str) -> None:
        """Post the card to one admin; a retried row updates the copy already posted."""
        async with self.core.ctx.db.transaction() as session:
            existing = await repo.get_card_post(
                session, incident_id=incident_id, platform=TEAMS, recipient=admin
            )
        if existing is not None:
            await self._update_copy(existing)
            return
        reference = await self.reference(admin)
        activity, view = await self._card_activity(incident_id)
        activity_id = await self.send(reference, activity)
        post = CardPost(
            incident_id=incident_id,
            platform=TEAMS,
            recipient=admin,
            channel=reference.conversation.id,
            message_id=activity_id,
            created_at=datetime.now(UTC),
        )
        async with self.core.ctx.db.transaction() as session:
            session.add(post)
        # A change that landed while this copy was being posted found no copy to refresh.
        if await self.core.queries.view(incident_id=incident_id) != view:
            await self._update_copy(post)

    async def refresh_cards(self, incident_id: int) -> None:
        async with self.core.ctx.db.transaction() as session:
            posts = await repo.card_posts_for(session, incident_id=incident_id, platform=TEAMS)
        # One admin's unreachable copy must not stop the others from updating.
        errors: list[DeliveryError] = []
        for post in posts:
            try:
                await self._update_copy(post)
            except HttpOperationError as exc:
                errors.append(delivery_error(exc, f"updating the card of {post.recipient}"))
            except DeliveryError as exc:
                errors.append(exc)
        if errors:
            retryable = [e for e in errors if not e.permanent]
            raise (retryable or errors)[0]

    async def _update_copy(self, post: CardPost) -> None:
        row = await self.book.user(post.recipient) or await self.book.channel(post.recipient)
        if row is None:
            raise DeliveryError(f"{NO_REFERENCE} for {post.recipient}", permanent=True)
        reference = ConversationReference(
            channel_id="msteams",
            service_url=row.service_url,
            conversation=ConversationAccount(id=post.channel, tenant_id=row.tenant_id),
            bot=ChannelAccount(id=row.bot_id),
        )
        activity, _ = await self._card_activity(post.incident_id)
        await self.update(reference, post.message_id, activity)
