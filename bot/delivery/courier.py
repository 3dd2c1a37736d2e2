"""The one place an outbox row becomes platform calls.

For each claimed row the courier reads its typed payload, loads what the message needs (the
incident view once, the card copies, the recipient's address), calls the platform's port, and
records what happened (new card copies, copies that could not be updated). Every transaction is
opened here; a port only renders and sends."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, assert_never

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.addresses import AddressBook
from bot.delivery.outbox import OutboundMessage
from bot.delivery.payloads import (
    ContainmentPage,
    DeadlineNudge,
    DirectMessage,
    Export,
    FetchEvidenceFiles,
    Notice,
    OutboxKind,
    Payload,
    RefreshCards,
    RefreshDashboard,
    ScreeningDigest,
    TriageCard,
    UnreadablePayload,
    Webhook,
    WeeklyDigestPost,
)
from bot.delivery.port import (
    AddressedChatPort,
    CardCopy,
    ChatPort,
    DeliveryError,
    OutgoingFile,
    Recipient,
    WebhookPort,
)
from bot.domain import Actor, IncidentView, ObligationLine, Platform
from bot.errors import NotFound
from bot.evidence.files import fetch_files
from bot.exports.files import ExportFormat, render
from bot.incidents.views import to_view
from bot.settings import DeskConfig
from storage import repository as repo
from storage.db import Database
from storage.models import CardPost

if TYPE_CHECKING:
    from bot.evidence.store import EvidenceStore
    from bot.insights.dashboard import Dashboard
    from bot.insights.digest import WeeklyDigest

log = logging.getLogger(__name__)

# A captured message's files are tried this many times; then one that keeps failing is recorded
# as unreadable, with the reason.
MAX_FETCH_ATTEMPTS = 5


def nudge_still_due(view: IncidentView, line: ObligationLine) -> bool:
    """Whether a queued nudge is still worth sending: a decision recorded meanwhile or a closed
    incident leaves nothing to remind anyone of (the same rule on every platform)."""
    return line.open and view.closed_at is None


class Courier:
    """Delivers one claimed outbox row through the port of the row's platform."""

    def __init__(
        self,
        db: Database,
        config: DeskConfig,
        *,
        ports: Mapping[Platform, ChatPort],
        webhook: WebhookPort,
        addresses: AddressBook,
        store: EvidenceStore,
        dashboard: Dashboard,
        digest: WeeklyDigest,
    ) -> None:
        self.db = db
        self.config = config
        self.ports = dict(ports)
        self.webhook = webhook
        self.addresses = addresses
        self.store = store
        self.dashboard = dashboard
        self.digest = digest
        self.platforms = frozenset(self.ports) | {Platform.WEBHOOK}

    async def deliver(self, message: OutboundMessage) -> None:
        """Send one row or raise DeliveryError (`permanent` when retrying cannot help)."""
        try:
            payload = message.typed()
        except UnreadablePayload as exc:
            raise DeliveryError(str(exc), permanent=True) from exc
        try:
            await self._send(payload, message)
        except NotFound as exc:
            raise DeliveryError(exc.message, permanent=True) from exc

    def port(self, platform: Platform) -> ChatPort:
        port = self.ports.get(platform)
        if port is None:
            raise DeliveryError(f"no chat port for {platform.value}", permanent=True)
        return port

    async def _send(self, payload: Payload, message: OutboundMessage) -> None:
        # The one place that tells the kinds apart; mypy checks that every kind is handled.
        match payload:
            case TriageCard():
                await self.post_card(self.port(message.platform), payload)
            case RefreshCards():
                await self.refresh_cards(self.port(message.platform), payload.incident_id)
            case Notice():
                port = self.port(message.platform)
                to = await self.recipient(port, payload.target, opening_for=payload.kind)
                text = port.render_note(payload.note) if payload.note else payload.text
                await port.send_notice(to, text, channel_id=payload.channel_id)
            case DirectMessage():
                port = self.port(message.platform)
                to = await self.recipient(port, payload.target, opening_for=payload.kind)
                await port.send_dm(
                    to, port.render_note(payload.note) if payload.note else payload.text
                )
            case DeadlineNudge():
                await self.nudge(self.port(message.platform), payload)
            case ContainmentPage():
                port = self.port(message.platform)
                view = await self.view(payload.incident_id)
                to = await self.recipient(port, payload.target, opening_for=payload.kind)
                await port.ask_to_contain(to, view)
            case FetchEvidenceFiles():
                port = self.port(message.platform)
                await self.fetch_files(port, payload.evidence_id, attempts=message.attempts)
            case Export():
                await self.export(self.port(message.platform), payload)
            case RefreshDashboard():
                port = self.port(message.platform)
                await self.refresh_dashboards(port, payload.incident_id, row_id=message.id)
            case ScreeningDigest():
                port = self.port(message.platform)
                to = await self.recipient(port, payload.target, opening_for=payload.kind)
                await port.send_screening_digest(to, payload.entries, cap=payload.cap)
            case WeeklyDigestPost():
                port = self.port(message.platform)
                digest = await self.digest.compose(payload.period_end)
                chart = await self.digest.chart(payload.period_end)
                to = await self.recipient(port, payload.target, opening_for=payload.kind)
                await port.send_weekly_digest(to, digest, chart)
            case Webhook():
                await self.webhook.post(
                    payload.target, secret_env=payload.secret_env, body=payload.body
                )
            case _:
                assert_never(payload)

    # ---- what every message needs -------------------------------------------------------------

    async def view(self, incident_id: int) -> IncidentView:
        async with self.db.transaction() as session:
            return await self._view(session, incident_id)

    async def _view(self, session: AsyncSession, incident_id: int) -> IncidentView:
        incident = await repo.get_incident(session, incident_id=incident_id)
        if incident is None:
            raise NotFound(f"Incident {incident_id} does not exist.")
        return to_view(incident, self.config)

    async def recipient(
        self, port: ChatPort, target: str, *, opening_for: OutboxKind | None
    ) -> Recipient:
        """The target, with its stored address on a platform that needs one. A user known only
        from a channel gets a 1:1 chat opened (and kept) to send them `opening_for`; updating a
        copy already posted needs no chat of its own (None)."""
        if not isinstance(port, AddressedChatPort):
            return Recipient(target=target)
        address = await self.addresses.user(target)
        if opening_for is not None and address is not None and not address.conversation_id:
            conversation_id = await port.open_chat(address, purpose=f"delivering {opening_for}")
            address = address.model_copy(
                update={"conversation_id": conversation_id, "captured_at": datetime.now(UTC)}
            )
            await self.addresses.save(address)
            log.info("opened a %s 1:1 chat with %s", port.platform.value, target)
        if address is None:
            address = await self.addresses.channel(target)
        return Recipient(target=target, address=address)

    # ---- triage cards: the copies are recorded here, once for every platform -----------------

    async def post_card(self, port: ChatPort, card: TriageCard) -> None:
        """Post one recipient's copy; a retried row updates the copy already posted."""
        platform = port.platform.value
        async with self.db.transaction() as session:
            existing = await repo.get_card_post(
                session, incident_id=card.incident_id, platform=platform, recipient=card.target
            )
            view = await self._view(session, card.incident_id)
        if existing is not None:
            await self.update_copies(port, [existing], view)
            return
        to = await self.recipient(port, card.target, opening_for=card.kind)
        copy = await port.post_card(to, view)
        async with self.db.transaction() as session:
            repo.add_card_post(
                session,
                incident_id=card.incident_id,
                platform=platform,
                recipient=card.target,
                channel=copy.channel,
                message_id=copy.message_id,
                at=datetime.now(UTC),
            )
        # A change that landed while this copy was being posted found no copy to refresh.
        latest = await self.view(card.incident_id)
        if latest != view:
            await port.update_card(to, copy, latest)

    async def refresh_cards(self, port: ChatPort, incident_id: int) -> None:
        async with self.db.transaction() as session:
            posts = await repo.card_posts_for(
                session, incident_id=incident_id, platform=port.platform.value
            )
            view = await self._view(session, incident_id)
        await self.update_copies(port, posts, view)

    async def update_copies(
        self, port: ChatPort, posts: Sequence[CardPost], view: IncidentView
    ) -> None:
        """Redraw every copy. One that cannot be updated (a deleted DM, a channel the bot left)
        is logged and noted on its card_posts row, and the others are still updated; then the
        row is retried if any failure may pass, else it fails with the first reason."""
        failures: dict[int, DeliveryError] = {}
        for post in posts:
            to = await self.recipient(port, post.recipient, opening_for=None)
            copy = CardCopy(channel=post.channel, message_id=post.message_id)
            try:
                await port.update_card(to, copy, view)
            except DeliveryError as exc:
                failures[post.id] = exc
                log.warning(
                    "%s card copy for %s (%s %s) of %s not updated: %s",
                    post.platform,
                    post.recipient,
                    post.channel,
                    post.message_id,
                    view.key,
                    exc.reason,
                )
        now = datetime.now(UTC)
        changed = [p for p in posts if p.id in failures or p.last_error is not None]
        if changed:
            async with self.db.transaction() as session:
                for post in changed:
                    failure = failures.get(post.id)
                    await repo.note_card_update(
                        session,
                        card_post_id=post.id,
                        error=failure.reason[:2000] if failure else None,
                        at=now,
                    )
        if failures:
            errors = list(failures.values())
            raise next((e for e in errors if not e.permanent), errors[0])

    # ---- clocks -------------------------------------------------------------------------------

    async def nudge(self, port: ChatPort, nudge: DeadlineNudge) -> None:
        """Rendered at delivery, so a decision recorded meanwhile means nothing is sent."""
        async with self.db.transaction() as session:
            view = await self._view(session, nudge.incident_id)
            root = await repo.get_card_post(
                session,
                incident_id=nudge.incident_id,
                platform=port.platform.value,
                recipient=nudge.target,
            )
        # A withdrawn obligation is not in the view: nothing to remind anyone of either.
        line = next((o for o in view.obligations if o.id == nudge.obligation_id), None)
        if line is None or not nudge_still_due(view, line):
            log.info(
                "nudge for %s obligation %s skipped: already decided",
                view.key,
                line.regime_id if line else nudge.obligation_id,
            )
            return
        to = await self.recipient(port, nudge.target, opening_for=nudge.kind)
        thread = CardCopy(channel=root.channel, message_id=root.message_id) if root else None
        await port.send_nudge(to, view, line, now=nudge.as_of or datetime.now(UTC), thread=thread)

    # ---- platform work: evidence files and exports ------------------------------------------

    async def fetch_files(self, port: ChatPort, evidence_id: int, *, attempts: int) -> None:
        retry = await fetch_files(
            self.db,
            self.store,
            evidence_id=evidence_id,
            fetch=port.download_file,
            max_bytes=self.config.evidence.max_file_bytes,
            give_up=attempts >= MAX_FETCH_ATTEMPTS,
        )
        if retry:
            raise DeliveryError(f"evidence {evidence_id}: some files could not be downloaded yet")

    async def export(self, port: ChatPort, export: Export) -> None:
        """Built at delivery, so a rate limit or an outage retries the upload, not loses it."""
        built = await render(
            self.db,
            self.config,
            self.store,
            key=export.key,
            fmt=ExportFormat(export.format),
            generated_by=f"{port.platform.value}:{export.target}",
        )
        to = await self.recipient(port, export.target, opening_for=export.kind)
        await port.send_file(
            to,
            OutgoingFile(
                filename=built.filename,
                data=built.data,
                title=built.title,
                comment=f"Here is the {built.title} you asked for.\n{built.verdict}",
            ),
        )

    # ---- dashboards ---------------------------------------------------------------------------

    async def refresh_dashboards(self, port: ChatPort, incident_id: int, *, row_id: int) -> None:
        users = await self.dashboard.audience(
            platform=port.platform, incident_id=incident_id, row_id=row_id
        )
        for user_id in users:
            home = await self.dashboard.home(actor=Actor(platform=port.platform, user_id=user_id))
            try:
                await port.publish_home(user_id, home)
            except DeliveryError as exc:
                if not exc.permanent:
                    raise  # retried; publishing again is harmless
                log.info("dashboard of %s not refreshed: %s", user_id, exc.reason)
