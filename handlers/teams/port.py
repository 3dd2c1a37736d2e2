"""The core's ChatPort on the Bot Connector API: triage cards, card updates, notices, deadline
nudges and containment pages, as proactive messages.

The core's dispatcher (bot/delivery/courier.py) decides what to send, looks up the stored
address (conversation reference) of each recipient and records what happened; this file only
renders Adaptive Cards, sends them and turns the connector's failures into DeliveryError."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
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

from bot.delivery.addresses import NO_REFERENCE, Address
from bot.delivery.port import CardCopy, DeliveryError, OutgoingFile, Recipient, unsupported
from bot.domain import IncidentView, ObligationLine, Platform
from bot.evidence.files import PendingFile
from bot.insights.dashboard import HomeData
from bot.insights.digest import DigestData
from bot.notes import Note
from handlers.teams.adapter import without_sdk_retries
from handlers.teams.cards.digest import (
    chart_attachment,
    overflow_digest_card,
    weekly_digest_card,
    weekly_summary,
)
from handlers.teams.cards.elements import Element, markdown_of, shown
from handlers.teams.cards.obligations import (
    containment_card,
    containment_summary,
    nudge_card,
    nudge_summary,
)
from handlers.teams.cards.triage import card_summary, triage_card
from handlers.teams.files import consent_card

log = logging.getLogger(__name__)

# Teams caps a message at about 100 KB; base64 makes a PNG a third larger.
MAX_INLINE_CHART = 70_000
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


@contextmanager
def translated(doing: str) -> Iterator[None]:
    """Turns the connector's failures, and not reaching it at all, into DeliveryError."""
    try:
        yield
    except HttpOperationError as exc:
        raise delivery_error(exc, doing) from exc
    except (ClientRequestError, OSError) as exc:
        raise DeliveryError(f"Teams unreachable: {type(exc).__name__}: {exc}") from exc


class TeamsPort:
    """Implements the core's AddressedChatPort with the Bot Connector API."""

    platform = Platform.TEAMS

    def __init__(self, adapter: CloudAdapter, app_id: str) -> None:
        self.adapter = adapter
        self.app_id = app_id

    def render_note(self, note: Note) -> str:
        return markdown_of(note)

    # ---- where to send ----------------------------------------------------------------------

    def reference(self, to: Recipient) -> ConversationReference:
        """A 1:1 chat with a user or a channel, from its stored address; else a clear failure."""
        address = to.address
        if address is None or not address.conversation_id:
            reason = (
                f"{NO_REFERENCE} for {to.target}: they have not installed AI Incident Desk in "
                "Teams or messaged the bot yet. Install the app for them (Teams admin center → "
                "Manage apps, or they add it themselves); this message is sent again then."
            )
            log.error("Teams message to %s not sent: %s", to.target, reason)
            raise DeliveryError(reason, permanent=True)
        return ConversationReference(
            channel_id="msteams",
            service_url=address.service_url,
            conversation=ConversationAccount(
                id=address.conversation_id, tenant_id=address.tenant_id
            ),
            bot=ChannelAccount(id=address.bot_id),
            user=ChannelAccount(id=address.user_id) if address.user_id else None,
        )

    async def open_chat(self, address: Address, *, purpose: str) -> str:
        """A user seen only in a channel: ask Teams for the 1:1 chat; the core keeps its id."""
        params = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=address.bot_id),
            members=[ChannelAccount(id=address.user_id)],
            tenant_id=address.tenant_id,
            channel_data={"tenant": {"id": address.tenant_id}},
        )

        async def create(context: TurnContext) -> str:
            # Inside a turn (not adapter.create_conversation) so the SDK's own retries are off.
            client = context.turn_state[CloudAdapter.BOT_CONNECTOR_CLIENT_KEY]
            if not isinstance(client, ConnectorClient):  # what CloudAdapter keeps under that key
                raise DeliveryError("the Bot Framework adapter gave no connector client")
            created = await client.conversations.create_conversation(params)
            return str(created.id)

        at_service = ConversationReference(
            channel_id="msteams",
            service_url=address.service_url,
            conversation=ConversationAccount(id=address.key, tenant_id=address.tenant_id),
            bot=ChannelAccount(id=address.bot_id),
        )
        with translated(purpose):
            return str(await self._turn(at_service, create))

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

    async def send_text(self, to: Recipient, text: str) -> None:
        # Text from the core is a rendered note (Markdown) or its plain fallback, escaped here.
        await self.send(self.reference(to), MessageFactory.text(str(shown(text))))

    async def send_card(self, to: Recipient, content: Element, summary: str) -> None:
        activity = MessageFactory.attachment(CardFactory.adaptive_card(content))
        activity.summary = summary
        await self.send(self.reference(to), activity)

    # ---- messages to people -----------------------------------------------------------------

    async def send_notice(self, to: Recipient, text: str, *, channel_id: str | None) -> None:
        """Teams has no ephemeral messages, so a notice goes to the 1:1 chat."""
        with translated("delivering notice"):
            await self.send_text(to, text)

    async def send_dm(self, to: Recipient, text: str) -> None:
        with translated("delivering dm"):
            await self.send_text(to, text)

    async def send_nudge(
        self,
        to: Recipient,
        view: IncidentView,
        line: ObligationLine,
        *,
        now: datetime,
        thread: CardCopy | None,
    ) -> None:
        """To an admin's 1:1 chat or a channel, as a card of its own."""
        with translated("delivering nudge"):
            await self.send_card(to, nudge_card(view, line, now), nudge_summary(view, line, now))

    async def ask_to_contain(self, to: Recipient, view: IncidentView) -> None:
        """Page a kill-switch owner in their 1:1 chat: the runbook entry and a Contained button."""
        with translated("delivering containment"):
            await self.send_card(to, containment_card(view), containment_summary(view))

    # ---- triage cards -----------------------------------------------------------------------

    @staticmethod
    def _card_activity(view: IncidentView) -> Activity:
        activity: Activity = MessageFactory.attachment(CardFactory.adaptive_card(triage_card(view)))
        activity.summary = card_summary(view)
        return activity

    async def post_card(self, to: Recipient, view: IncidentView) -> CardCopy:
        with translated("delivering triage_card"):
            reference = self.reference(to)
            activity_id = await self.send(reference, self._card_activity(view))
        return CardCopy(channel=reference.conversation.id, message_id=activity_id)

    async def update_card(self, to: Recipient, copy: CardCopy, view: IncidentView) -> None:
        address = to.address
        if address is None:
            raise DeliveryError(f"{NO_REFERENCE} for {to.target}", permanent=True)
        reference = ConversationReference(
            channel_id="msteams",
            service_url=address.service_url,
            conversation=ConversationAccount(id=copy.channel, tenant_id=address.tenant_id),
            bot=ChannelAccount(id=address.bot_id),
        )
        with translated(f"updating the card of {to.target}"):
            await self.update(reference, copy.message_id, self._card_activity(view))

    # ---- what Teams does not do (yet) -------------------------------------------------------

    async def download_file(self, file: PendingFile, max_bytes: int) -> bytes:
        raise unsupported(self.platform, "evidence file downloads")

    async def send_file(self, to: Recipient, file: OutgoingFile) -> None:
        """Teams bots cannot attach files to a chat: they offer one with a file consent card
        and upload it when accepted (handlers/teams/files.py)."""
        if file.key is None or file.format is None:
            raise unsupported(self.platform, "a file that is not an incident export")
        activity = MessageFactory.attachment(consent_card(file), text=file.comment)
        activity.summary = f"{file.title}: allow to receive {file.filename}"
        with translated("delivering export"):
            await self.send(self.reference(to), activity)

    async def publish_home(self, user_id: str, home: HomeData) -> None:
        raise unsupported(self.platform, "a dashboard")

    async def send_screening_digest(
        self, to: Recipient, entries: list[dict[str, Any]], *, cap: int
    ) -> None:
        summary, content = overflow_digest_card(entries, cap=cap)
        with translated("delivering screening_digest"):
            await self.send_card(to, content, summary)

    async def send_weekly_digest(self, to: Recipient, digest: DigestData, chart: bytes) -> None:
        """The digest's card, then its chart as an inline image (a message of its own, so the
        card stays small) when the chart fits in a Teams message."""
        fits = len(chart) <= MAX_INLINE_CHART
        with translated("delivering weekly_digest"):
            reference = self.reference(to)
            content = weekly_digest_card(digest, chart_follows=fits)
            card_activity = MessageFactory.attachment(CardFactory.adaptive_card(content))
            card_activity.summary = weekly_summary(digest)
            await self.send(reference, card_activity)
            if fits:
                await self.send(reference, MessageFactory.attachment(chart_attachment(chart)))
