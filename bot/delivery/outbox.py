"""Durable outbound messages: enqueued in the caller's transaction, delivered once with retry."""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel
from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

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


class OutboxDispatcher:
    """Claims due rows atomically, hands each to the courier, and records the outcome."""

    def __init__(
        self,
        db: Database,
        courier: Deliverer,
        *,
        lease: timedelta = timedelta(seconds=120),
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
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.worker_id = worker_id or uuid.uuid4().hex[:12]
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[int]] = set()

    @property
    def platforms(self) -> frozenset[Platform]:
        """The platforms whose rows this dispatcher claims."""
        return self.courier.platforms

    async def claim(self) -> list[OutboundMessage]:
        """Claim up to `batch_size` due rows; a crashed worker's expired lease is reclaimed."""
        now = datetime.now(UTC)
        due = (
            select(OutboxMessage.id)
            .where(
                OutboxMessage.platform.in_([p.value for p in self.platforms]),
                or_(
                    and_(
                        OutboxMessage.status == OutboxStatus.PENDING.value,
                        OutboxMessage.next_attempt_at <= now,
                    ),
                    and_(
                        OutboxMessage.status == OutboxStatus.SENDING.value,
                        OutboxMessage.claimed_until < now,
                    ),
                ),
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
                claimed_by=self.worker_id,
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
        return sorted(claimed, key=lambda m: m.id)

    async def run_once(self) -> int:
        """Deliver everything due now; returns how many rows were attempted."""
        async with self._lock:
            claimed = await self.claim()
            for message in claimed:
                await self._deliver(message)
            return len(claimed)

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

    async def _deliver(self, message: OutboundMessage) -> None:
        try:
            await self.courier.deliver(message)
        except DeliveryError as exc:
            await self._failed(message, exc)
            return
        except Exception as exc:
            log.exception("outbox message %s (%s) raised", message.id, message.kind)
            await self._failed(message, DeliveryError(f"{type(exc).__name__}: {exc}"))
            return
        async with self.db.transaction() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message.id, OutboxMessage.claimed_by == self.worker_id)
                .values(status=OutboxStatus.SENT.value, sent_at=datetime.now(UTC), last_error=None)
            )

    async def _failed(self, message: OutboundMessage, exc: DeliveryError) -> None:
        give_up = exc.permanent or message.attempts >= self.max_attempts
        if self.on_failed is not None:
            self.on_failed(message, give_up)
        values: dict[str, Any] = {"last_error": exc.reason[:2000], "claimed_until": None}
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
            values["status"] = OutboxStatus.PENDING.value
            values["next_attempt_at"] = datetime.now(UTC) + timedelta(seconds=delay)
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
                .where(OutboxMessage.id == message.id, OutboxMessage.claimed_by == self.worker_id)
                .values(**values)
            )
