"""Durable outbound messages: enqueued in the caller's transaction, delivered once with retry."""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel
from sqlalchemy import ColumnElement, and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.delivery.payloads import OutboxKind, OutboxPayload, Payload, load_payload
from bot.delivery.port import DeliveryError
from bot.domain import Platform
from storage.db import Database
from storage.models import OutboxMessage

__all__ = ["OutboundMessage", "OutboxDispatcher", "OutboxKind", "OutboxStatus", "enqueue"]

log = logging.getLogger(__name__)


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


def enqueue(session: AsyncSession, *, platform: Platform, payload: OutboxPayload) -> OutboxMessage:
    """Add a message to the caller's transaction; delivered only if that transaction commits.

    The payload's type is the row's kind; its `target` and `incident_id` get their own columns."""
    now = datetime.now(UTC)
    row = OutboxMessage(
        platform=platform.value,
        kind=payload.kind.value,
        target=payload.target,
        incident_id=payload.incident_id,
        payload=payload.payload_json(),
        status=OutboxStatus.PENDING.value,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    return row


class OutboundMessage(BaseModel):
    """One claimed outbox row, as stored."""

    id: int
    platform: Platform
    kind: str
    target: str | None
    incident_id: int | None
    payload: dict[str, Any]
    attempts: int

    def typed(self) -> Payload:
        """The row's payload model; UnreadablePayload for a kind this version does not know."""
        return load_payload(
            self.kind, target=self.target, incident_id=self.incident_id, payload=self.payload
        )


class Deliverer(Protocol):
    """Delivers one claimed row for the platforms it serves, or raises DeliveryError."""

    platforms: frozenset[Platform]

    async def deliver(self, message: OutboundMessage) -> None: ...


def backoff_seconds(attempts: int, retry_after: float | None, *, base: float = 2.0) -> float:
    """Exponential backoff with jitter, capped at 15 minutes, never shorter than Retry-After."""
    delay = min(base ** max(attempts, 1), 900.0) * (0.8 + 0.4 * random.random())
    return max(delay, retry_after or 0.0)


def held_back(now: datetime) -> ColumnElement[bool]:
    """A row waits while an earlier row to the same conversation is still being sent or is
    waiting for its retry: each conversation gets its messages in order."""
    earlier = aliased(OutboxMessage)
    return exists().where(
        earlier.platform == OutboxMessage.platform,
        earlier.target == OutboxMessage.target,
        earlier.id < OutboxMessage.id,
        or_(
            and_(earlier.status == OutboxStatus.PENDING.value, earlier.next_attempt_at > now),
            and_(earlier.status == OutboxStatus.SENDING.value, earlier.claimed_until >= now),
        ),
    )


class OutboxDispatcher:
    """Claims due rows atomically and delivers them: conversations side by side, each one's
    rows in order; every send has a deadline and first re-checks that the row is still ours."""

    def __init__(
        self,
        db: Database,
        courier: Deliverer,
        *,
        lease: timedelta = timedelta(seconds=30),
        call_timeout: timedelta = timedelta(seconds=20),
        batch_size: int = 25,
        max_attempts: int = 15,
        worker_id: str | None = None,
        on_failed: Callable[[OutboundMessage, bool], None] | None = None,
    ) -> None:
        self.db = db
        # Told of each failed attempt and whether it was the last (the metrics count them).
        self.on_failed = on_failed
        self.courier = courier
        self.lease = lease
        self.call_timeout = call_timeout
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        # A stable name (OUTBOX_WORKER_ID) lets a restarted process take back its rows at once;
        # without one, each run has a name of its own and a crashed run's rows wait one lease.
        self.worker_id = worker_id or uuid.uuid4().hex[:12]
        # claimed_by is the stable name plus this run's nonce: the lease re-check tells this run
        # from an earlier one under the same name.
        self.claim_token = f"{self.worker_id}/{uuid.uuid4().hex[:8]}"
        self._reclaimed_own = False
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[int]] = set()
        self.started_at = datetime.now(UTC)
        # When the last delivery round finished (well or not); /healthz watches it.
        self.last_round_at: datetime | None = None

    @property
    def platforms(self) -> frozenset[Platform]:
        """The platforms whose rows this dispatcher claims."""
        return self.courier.platforms

    async def claim(self) -> list[OutboundMessage]:
        """Claim up to `batch_size` due rows: a crashed worker's expired lease is reclaimed, and
        on this run's first claim so are rows an earlier run under this name left claimed. A
        row waits while an earlier row to the same target is still being sent or retried."""
        now = datetime.now(UTC)
        expired = OutboxMessage.claimed_until < now
        if not self._reclaimed_own:
            mine = OutboxMessage.claimed_by.startswith(f"{self.worker_id}/", autoescape=True)
            expired = or_(expired, mine)
        blocked = held_back(now)
        due = (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.platform.in_([p.value for p in self.platforms]),
                or_(
                    and_(
                        OutboxMessage.status == OutboxStatus.PENDING.value,
                        OutboxMessage.next_attempt_at <= now,
                    ),
                    and_(OutboxMessage.status == OutboxStatus.SENDING.value, expired),
                ),
                ~blocked,
            )
            .order_by(OutboxMessage.id)
            .limit(self.batch_size)
            .with_for_update(skip_locked=True)
        )
        stmt = (
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(due.scalar_subquery()))
            .values(
                status=OutboxStatus.SENDING.value,
                claimed_by=self.claim_token,
                claimed_until=now + self.lease,
                attempts=OutboxMessage.attempts + 1,
            )
            .returning(OutboxMessage)
            .execution_options(synchronize_session=False)
        )
        async with self.db.transaction() as session:
            rows = (await session.execute(stmt)).scalars().all()
            claimed = [
                OutboundMessage(
                    id=r.id,
                    platform=Platform(r.platform),
                    kind=r.kind,
                    target=r.target,
                    incident_id=r.incident_id,
                    payload=r.payload,
                    attempts=r.attempts,
                )
                for r in rows
            ]
        self._reclaimed_own = True
        return sorted(claimed, key=lambda m: m.id)

    async def run_once(self) -> int:
        """Deliver everything due now; returns how many rows were attempted."""
        async with self._lock:
            claimed = await self.claim()
            await self.deliver_claimed(claimed)
            return len(claimed)

    async def deliver_claimed(self, claimed: Sequence[OutboundMessage]) -> None:
        """Deliver rows this run claimed: conversations side by side, each one's in order."""
        lanes: dict[tuple[str, str], list[OutboundMessage]] = {}
        for message in claimed:
            # Rows without a target (dashboard refreshes) go one kind at a time, as they
            # coalesce: the first one's work covers those queued behind it.
            lane = (message.platform.value, message.target or f"kind:{message.kind}")
            lanes.setdefault(lane, []).append(message)
        await asyncio.gather(*(self._deliver_lane(lane) for lane in lanes.values()))

    async def drain(self, max_rounds: int = 20) -> None:
        """Deliver until nothing is due (tests and shutdown use this)."""
        await self.wait_idle()
        for _ in range(max_rounds):
            if await self.run_once() == 0:
                return

    def kick(self) -> None:
        """Deliver soon, without waiting for the next scheduler tick."""
        task = asyncio.get_running_loop().create_task(self.deliver_due())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def wait_idle(self) -> None:
        """Wait for deliveries already kicked off."""
        await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def deliver_due(self) -> int:
        try:
            return await self.run_once()
        except Exception:
            log.exception("outbox delivery round failed; the scheduler will retry")
            return 0
        finally:
            self.last_round_at = datetime.now(UTC)

    async def _deliver_lane(self, messages: Sequence[OutboundMessage]) -> None:
        """One conversation's rows, in order; after one that must wait, the rest wait too."""
        for index, message in enumerate(messages):
            waiting = messages[index:]
            try:
                ours = await self._renew([m.id for m in waiting])
                retry_at = await self._deliver(message) if message.id in ours else None
                if message.id not in ours:
                    log.info("outbox message %s was taken over by another worker", message.id)
            except Exception:
                log.exception("outbox message %s: recording its outcome failed", message.id)
                retry_at = None
            if retry_at is not None:
                await self._release([m.id for m in waiting[1:]], at=retry_at)
                return

    async def _renew(self, ids: list[int]) -> set[int]:
        """Renew the lease of rows still claimed by this run, just before the next send; a row
        another worker took over meanwhile is left out, so it is not sent twice. Renewing the
        rows still waiting in the lane is the heartbeat that keeps a short lease safe."""
        async with self.db.transaction() as session:
            renewed = await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(ids),
                    OutboxMessage.claimed_by == self.claim_token,
                    OutboxMessage.status == OutboxStatus.SENDING.value,
                )
                .values(claimed_until=datetime.now(UTC) + self.lease)
                .returning(OutboxMessage.id)
            )
            return set(renewed.scalars().all())

    async def _deliver(self, message: OutboundMessage) -> datetime | None:
        """Send one row and record the outcome; returns when it is retried, if it is."""
        try:
            async with asyncio.timeout(self.call_timeout.total_seconds()):
                await self.courier.deliver(message)
        except DeliveryError as exc:
            return await self._failed(message, exc)
        except TimeoutError:
            seconds = self.call_timeout.total_seconds()
            return await self._failed(
                message, DeliveryError(f"no answer within {seconds:.0f}s; will retry")
            )
        except Exception as exc:
            log.exception("outbox message %s (%s) raised", message.id, message.kind)
            return await self._failed(message, DeliveryError(f"{type(exc).__name__}: {exc}"))
        async with self.db.transaction() as session:
            # Recorded as sent even if the lease lapsed meanwhile and another worker claimed the
            # row: it was sent, and the other worker's re-check before its send now skips it.
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message.id, OutboxMessage.status != "sent")
                .values(status=OutboxStatus.SENT.value, sent_at=datetime.now(UTC), last_error=None)
            )
        return None

    async def _release(self, ids: list[int], *, at: datetime) -> None:
        """Hand claimed rows back unsent, due with the row they must follow."""
        if not ids:
            return
        async with self.db.transaction() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids), OutboxMessage.claimed_by == self.claim_token)
                .values(
                    status=OutboxStatus.PENDING.value,
                    claimed_until=None,
                    next_attempt_at=at,
                    attempts=OutboxMessage.attempts - 1,
                )
            )

    async def _failed(self, message: OutboundMessage, exc: DeliveryError) -> datetime | None:
        give_up = exc.permanent or message.attempts >= self.max_attempts
        if self.on_failed is not None:
            self.on_failed(message, give_up)
        values: dict[str, Any] = {"last_error": exc.reason[:2000], "claimed_until": None}
        retry_at = None
        if give_up:
            values["status"] = OutboxStatus.FAILED.value
            log.error(
                "outbox message %s (%s to %s, incident %s) failed for good after %s attempts: %s",
                message.id,
                message.kind,
                message.target,
                message.incident_id,
                message.attempts,
                exc.reason,
            )
        else:
            delay = backoff_seconds(message.attempts, exc.retry_after)
            retry_at = datetime.now(UTC) + timedelta(seconds=delay)
            values["status"] = OutboxStatus.PENDING.value
            values["next_attempt_at"] = retry_at
            log.warning(
                "outbox message %s (%s, incident %s) will be retried in %.0fs: %s",
                message.id,
                message.kind,
                message.incident_id,
                delay,
                exc.reason,
            )
        async with self.db.transaction() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message.id, OutboxMessage.claimed_by == self.claim_token)
                .values(**values)
            )
        return retry_at
