"""What /healthz checks, each within a second: the database answers, the delivery clock has
ticked lately, and no outbox row has waited long past its due time."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import and_, func, or_, select, text

from bot.delivery.outbox import held_back
from storage.db import Database
from storage.errors import StorageUnavailable
from storage.models import OutboxMessage

# The whole answer must fit in a load balancer's probe timeout.
CHECK_BUDGET = 1.0
# Delivery rounds complete every few seconds; this long without one means the loop is stuck.
ROUND_STALE_AFTER = timedelta(minutes=2)
# A row due this long ago and still not sent means delivery is not keeping up (or a chat
# platform is down: the reason names the row's age either way).
OUTBOX_STUCK_AFTER = timedelta(minutes=15)


class DeliveryClock(Protocol):
    """The dispatcher, as health sees it: when its last delivery round finished."""

    last_round_at: datetime | None
    started_at: datetime


@dataclass
class Health:
    ok: bool
    checks: dict[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {"status": "ok" if self.ok else "error", **self.checks}


async def check_health(
    db: Database, clock: DeliveryClock | None, *, now: datetime | None = None
) -> Health:
    """Every check, each answered or failed within CHECK_BUDGET; never raises."""
    now = now or datetime.now(UTC)
    problems: list[str] = []
    checks: dict[str, Any] = {}
    oldest_due: datetime | None = None
    try:
        async with asyncio.timeout(CHECK_BUDGET):
            async with db.reading(deadline=CHECK_BUDGET) as session:
                await session.execute(text("SELECT 1"))
                oldest_due = await _oldest_due(session, now)
        checks["database"] = "ok"
    except (TimeoutError, StorageUnavailable) as exc:
        cause = exc.__cause__ if isinstance(exc, StorageUnavailable) else exc
        reason = "timeout" if isinstance(cause, TimeoutError) else type(cause).__name__
        checks["database"] = reason
        problems.append(f"database: {reason}")
    if clock is not None:
        last = clock.last_round_at or clock.started_at
        age = (now - last).total_seconds()
        checks["delivery_round_seconds_ago"] = round(age, 1)
        if age > ROUND_STALE_AFTER.total_seconds():
            problems.append(f"no outbox delivery round finished for {age:.0f}s")
    if oldest_due is not None:
        waited = (now - oldest_due).total_seconds()
        checks["outbox_oldest_due_seconds"] = round(max(waited, 0.0), 1)
        if waited > OUTBOX_STUCK_AFTER.total_seconds():
            problems.append(f"an outbox row has been due for {waited:.0f}s")
    if problems:
        checks["problems"] = problems
    return Health(ok=not problems, checks=checks)


async def _oldest_due(session: Any, now: datetime) -> datetime | None:
    """The due time of the oldest row waiting to be picked up: pending and due, or claimed by
    a lapsed lease. A row held back behind its conversation's retry is not stuck."""
    stmt = select(func.min(OutboxMessage.next_attempt_at)).where(
        or_(
            and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
            and_(OutboxMessage.status == "sending", OutboxMessage.claimed_until < now),
        ),
        ~held_back(now),
    )
    found: datetime | None = (await session.execute(stmt)).scalar_one_or_none()
    return found
