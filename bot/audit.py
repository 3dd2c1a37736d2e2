"""The append point of the audit log: every state change and refusal is recorded here."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import Actor
from storage.models import AuditEvent


async def record(
    session: AsyncSession,
    *,
    actor: Actor,
    action: str,
    incident_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction, so it commits with the change it describes."""
    event = AuditEvent(
        occurred_at=datetime.now(UTC),
        actor=actor.ref,
        actor_name=actor.name,
        platform=actor.platform.value,
        action=action,
        incident_id=incident_id,
        before=before,
        after=after,
    )
    session.add(event)
    await session.flush()
    return event
