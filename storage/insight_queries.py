"""Queries behind screening, the dashboard, the stats and the weekly digest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage import models
from storage.models import (
    Incident,
    IncidentReporter,
    JobRun,
    Obligation,
    OutboxMessage,
    ScreeningHit,
    ScreeningOverflow,
)


async def count_incidents_by(
    session: AsyncSession, *, created_by: str, channel_id: str, since: datetime
) -> int:
    """Incidents `created_by` raised in a channel since a moment (the flood guard's count)."""
    result = await session.execute(
        select(func.count())
        .select_from(Incident)
        .where(
            Incident.created_by == created_by,
            Incident.channel_id == channel_id,
            Incident.created_at >= since,
        )
    )
    return int(result.scalar_one())


async def overflow_by_source(session: AsyncSession, *, source_key: str) -> ScreeningOverflow | None:
    result = await session.execute(
        select(ScreeningOverflow).where(ScreeningOverflow.source_key == source_key)
    )
    return result.scalar_one_or_none()


async def claim_undigested_overflow(
    session: AsyncSession, *, limit: int
) -> Sequence[ScreeningOverflow]:
    """Overflow rows not yet in a digest, locked so one replica digests each row once."""
    result = await session.execute(
        select(ScreeningOverflow)
        .where(ScreeningOverflow.digested_at.is_(None))
        .order_by(ScreeningOverflow.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return result.scalars().all()


async def hits_for(session: AsyncSession, *, incident_id: int) -> Sequence[ScreeningHit]:
    result = await session.execute(
        select(ScreeningHit)
        .where(ScreeningHit.incident_id == incident_id)
        .order_by(ScreeningHit.id)
    )
    return result.scalars().all()


async def hit_decisions(session: AsyncSession) -> list[tuple[str, str | None]]:
    """(rule id, decision or None) for every rule that fired on a suspected incident."""
    result = await session.execute(
        select(ScreeningHit.rule_id, ScreeningHit.decision).order_by(ScreeningHit.id)
    )
    return [(str(rule), decision) for rule, decision in result.all()]


async def overflow_rule_ids(session: AsyncSession) -> list[list[Any]]:
    result = await session.execute(select(ScreeningOverflow.rule_ids))
    return [list(ids or []) for ids in result.scalars().all()]


async def incidents_created_since(
    session: AsyncSession, *, since: datetime | None, until: datetime | None = None
) -> Sequence[Incident]:
    stmt = select(Incident)
    if since is not None:
        stmt = stmt.where(Incident.created_at >= since)
    if until is not None:
        stmt = stmt.where(Incident.created_at < until)
    result = await session.execute(stmt.order_by(Incident.id))
    return result.scalars().all()


async def open_incidents(session: AsyncSession, *, limit: int = 500) -> Sequence[Incident]:
    result = await session.execute(
        select(Incident).where(Incident.status != "closed").order_by(Incident.id).limit(limit)
    )
    return result.scalars().all()


async def recent_of_kind(
    session: AsyncSession, *, kind: str, since: datetime, limit: int
) -> Sequence[Incident]:
    result = await session.execute(
        select(Incident)
        .where(Incident.kind == kind, Incident.created_at >= since)
        .order_by(Incident.id.desc())
        .limit(limit)
    )
    return result.scalars().all()


async def reported_by(session: AsyncSession, *, reporter: str, limit: int) -> Sequence[Incident]:
    """The incidents a person reported, newest first, open or closed."""
    result = await session.execute(
        select(Incident)
        .where(
            Incident.id.in_(
                select(IncidentReporter.incident_id).where(IncidentReporter.reporter == reporter)
            )
        )
        .order_by(Incident.id.desc())
        .limit(limit)
    )
    return result.scalars().all()


async def open_obligations(
    session: AsyncSession, *, due_before: datetime | None = None
) -> list[tuple[Obligation, str, int]]:
    """Open, binding obligation stages with their incident's key and id, soonest first."""
    stmt = (
        select(Obligation, Incident.key, Incident.id)
        .join(Incident, Incident.id == Obligation.incident_id)
        .where(
            Obligation.status == "open",
            Obligation.informational.is_(False),
            Incident.status != "closed",
        )
    )
    if due_before is not None:
        stmt = stmt.where(Obligation.due_at < due_before)
    result = await session.execute(stmt.order_by(Obligation.due_at, Obligation.id))
    return [(o, str(key), int(iid)) for o, key, iid in result.all()]


async def obligations_of(
    session: AsyncSession, *, incident_ids: Sequence[int]
) -> list[tuple[Obligation, str]]:
    if not incident_ids:
        return []
    result = await session.execute(
        select(Obligation, Incident.key)
        .join(Incident, Incident.id == Obligation.incident_id)
        .where(Obligation.incident_id.in_(list(incident_ids)))
        .order_by(Obligation.id)
    )
    return [(o, str(key)) for o, key in result.all()]


async def later_outbox_row_exists(
    session: AsyncSession, *, kind: str, after_id: int, incident_id: int | None = None
) -> bool:
    """Whether a later row of this kind (for this incident, if given) is yet to be delivered."""
    stmt = select(OutboxMessage.id).where(
        OutboxMessage.kind == kind,
        OutboxMessage.id > after_id,
        OutboxMessage.status.in_(["pending", "sending"]),
    )
    if incident_id is not None:
        stmt = stmt.where(OutboxMessage.incident_id == incident_id)
    result = await session.execute(stmt.limit(1))
    return result.scalar_one_or_none() is not None


async def claim_job_run(session: AsyncSession, *, job_id: str, period: str, now: datetime) -> bool:
    """Record that `job_id` ran for `period`; False when some process already did."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    result = await session.execute(
        insert(JobRun)
        .values(job_id=job_id, period=period, ran_at=now)
        .on_conflict_do_nothing(index_elements=["job_id", "period"])
        .returning(JobRun.job_id)
    )
    return result.scalar_one_or_none() is not None


async def audit_chain_head(session: AsyncSession) -> str | None:
    """The audit hash chain's current head hash, or None before the first sealed event."""
    row = await session.execute(select(models.AuditHead.hash).limit(1))
    head = row.scalar_one_or_none()
    return str(head) if head else None


async def channel_names(
    session: AsyncSession, *, channel_ids: Sequence[str], limit: int = 2000
) -> dict[str, str]:
    """Channel names as captured with evidence (the newest capture wins), by channel id."""
    if not channel_ids:
        return {}
    result = await session.execute(
        select(models.Evidence.content)
        .join(models.Incident, models.Incident.id == models.Evidence.incident_id)
        .where(models.Incident.channel_id.in_(list(channel_ids)))
        .order_by(models.Evidence.id.desc())
        .limit(limit)
    )
    names: dict[str, str] = {}
    for content in result.scalars():
        if not isinstance(content, dict):
            continue
        channel, name = content.get("channel_id"), content.get("channel_name")
        if isinstance(channel, str) and isinstance(name, str) and name:
            names.setdefault(channel, name)
    return names
