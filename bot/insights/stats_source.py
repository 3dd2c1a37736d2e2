"""Incident and obligation rows for the stats, loaded from the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.insights.stats import (
    IncidentRow,
    ObligationRow,
    WeakPoints,
    WeeklySeries,
    compute,
    weekly_series,
)
from storage import insight_queries as q
from storage.db import Database
from storage.models import Incident, Obligation


def incident_row(incident: Incident) -> IncidentRow:
    return IncidentRow(
        key=incident.key,
        kind=incident.kind,
        status=incident.status,
        failure_type=incident.failure_type,
        failure_point=incident.failure_point,
        ai_tool=incident.ai_tool,
        channel_id=incident.channel_id,
        created_at=incident.created_at,
        aware_at=incident.aware_at,
        contained_at=incident.contained_at,
        closed_at=incident.closed_at,
        outcome=incident.outcome,
    )


def obligation_row(obligation: Obligation, key: str) -> ObligationRow:
    notified = (obligation.decision or {}).get("notified_at")
    return ObligationRow(
        incident_key=key,
        status=obligation.status,
        due_at=obligation.due_at,
        informational=obligation.informational,
        decided_at=obligation.decided_at,
        notified_at=datetime.fromisoformat(notified) if notified else None,
    )


async def load_rows(
    db: Database, *, since: datetime | None
) -> tuple[list[IncidentRow], list[ObligationRow]]:
    async with db.transaction() as session:
        incidents = await q.incidents_created_since(session, since=since)
        obligations = await q.obligations_of(session, incident_ids=[i.id for i in incidents])
        return [incident_row(i) for i in incidents], [obligation_row(o, k) for o, k in obligations]


async def weak_points(
    db: Database, *, period: timedelta | None, now: datetime | None = None
) -> WeakPoints:
    now = now or datetime.now(UTC)
    since = now - period if period is not None else None
    incidents, obligations = await load_rows(db, since=since)
    return compute(incidents, obligations, now=now, since=since)


async def weekly(db: Database, *, now: datetime, weeks: int = 12) -> WeeklySeries:
    incidents, _ = await load_rows(db, since=now - timedelta(weeks=weeks + 1))
    return weekly_series(incidents, now=now, weeks=weeks)
