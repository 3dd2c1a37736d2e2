"""Queries behind the audit chain: the locked head, legacy rows, and rows in chain order.

The head queries take the synchronous Session: they run in its before_commit hook (an
AsyncSession's hooks run on its sync session, whose I/O still goes through the async driver)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Text, cast, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from storage.models import AuditEvent, AuditHead, Evidence, Incident, IncidentReporter

HEAD_ID = 1
STREAM_BATCH = 1000


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str


def lock_head(session: Session, *, genesis: str) -> Head:
    """Lock the one head row (created from the newest event when absent) until commit."""
    locked = select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == HEAD_ID).with_for_update()
    row = session.execute(locked).one_or_none()
    if row is None:
        newest = (
            session.execute(
                select(AuditEvent.seq, AuditEvent.hash)
                .where(AuditEvent.seq.is_not(None))
                .order_by(AuditEvent.seq.desc())
                .limit(1)
            )
        ).one_or_none()
        seq, digest = (newest.seq, newest.hash) if newest is not None else (0, genesis)
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(
            insert(AuditHead)
            .values(id=HEAD_ID, seq=seq, hash=digest)
            .on_conflict_do_nothing(index_elements=["id"])
        )
        # A concurrent first append may have won the insert; this waits for it and reads its head.
        row = session.execute(locked).one()
    return Head(seq=int(row.seq), hash=str(row.hash))


def move_head(session: Session, *, head: Head) -> None:
    session.execute(
        update(AuditHead).where(AuditHead.id == HEAD_ID).values(seq=head.seq, hash=head.hash)
    )


def legacy_events(session: Session) -> Sequence[AuditEvent]:
    """Events recorded before the chain existed (no seq), oldest first."""
    result = session.execute(
        select(AuditEvent).where(AuditEvent.seq.is_(None)).order_by(AuditEvent.id)
    )
    return result.scalars().all()


def stored_head(conn: Connection) -> Head | None:
    row = conn.execute(
        select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == HEAD_ID)
    ).one_or_none()
    return None if row is None else Head(seq=int(row.seq), hash=str(row.hash))


def raw_event_columns(dialect: str) -> list[Any]:
    """Columns as stored: JSON as its text, and on SQLite the timestamp as its text too, so a
    tampered value is read (and reported) instead of failing to parse."""
    occurred = cast(AuditEvent.occurred_at, Text) if dialect == "sqlite" else AuditEvent.occurred_at
    return [
        AuditEvent.id,
        AuditEvent.seq,
        AuditEvent.prev_hash,
        AuditEvent.hash,
        occurred.label("occurred_at"),
        AuditEvent.actor,
        AuditEvent.actor_name,
        AuditEvent.platform,
        AuditEvent.action,
        AuditEvent.incident_id,
        cast(AuditEvent.before, Text).label("before"),
        cast(AuditEvent.after, Text).label("after"),
        cast(AuditEvent.state, Text).label("state"),
    ]


def stream_chained(conn: Connection) -> Iterator[Any]:
    """Chained rows in seq order, fetched in batches from one consistent snapshot."""
    stmt = (
        select(*raw_event_columns(conn.dialect.name))
        .where(AuditEvent.seq.is_not(None))
        .order_by(AuditEvent.seq)
        .execution_options(yield_per=STREAM_BATCH)
    )
    yield from conn.execute(stmt)


def stream_legacy(conn: Connection) -> Iterator[Any]:
    stmt = (
        select(*raw_event_columns(conn.dialect.name))
        .where(AuditEvent.seq.is_(None))
        .order_by(AuditEvent.id)
        .execution_options(yield_per=STREAM_BATCH)
    )
    yield from conn.execute(stmt)


def stream_newest(conn: Connection) -> Iterator[Any]:
    """The newest chained row (zero or one)."""
    stmt = (
        select(*raw_event_columns(conn.dialect.name))
        .where(AuditEvent.seq.is_not(None))
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    )
    yield from conn.execute(stmt)


# The incident columns whose every change is an audited action; `updated_at`, display names and
# the paging time move without one, so they are not sealed.
SEALED_INCIDENT_COLUMNS = (
    "key",
    "kind",
    "status",
    "severity",
    "description",
    "failure_type",
    "reach",
    "personal_data",
    "platform",
    "source_key",
    "created_by",
    "created_at",
    "assignee",
    "closed_at",
    "closed_by",
    "outcome",
    "rationale",
    "root_cause",
    "lessons",
    "correction",
    "ai_tool",
    "failure_point",
    "aware_at",
    "classified_at",
    "classification",
    "contained_at",
    "contained_by",
)


@dataclass(frozen=True)
class RecordRows:
    """The sealed parts of some incidents' records, as stored."""

    incidents: list[Any]
    reporters: list[Any]
    evidence: list[Any]


def record_rows(
    bind: Session | Connection, incident_ids: Sequence[int] | None = None
) -> RecordRows:
    """Incidents (sealed columns), their reporters and their evidence hashes; all when
    `incident_ids` is None. Evidence content is read as text, so a tampered value is reported."""
    incident_cols = [
        Incident.id,
        *(
            cast(Incident.classification, Text).label(c)
            if c == "classification"
            else getattr(Incident, c)
            for c in SEALED_INCIDENT_COLUMNS
        ),
    ]
    incidents = select(*incident_cols).order_by(Incident.id)
    reporters = select(
        IncidentReporter.incident_id,
        IncidentReporter.reporter,
        IncidentReporter.reporter_name,
        IncidentReporter.description,
        IncidentReporter.reported_at,
    ).order_by(IncidentReporter.id)
    evidence = select(
        Evidence.id,
        Evidence.incident_id,
        Evidence.sha256,
        Evidence.redacted_at,
        cast(Evidence.content, Text).label("content"),
    ).order_by(Evidence.id)
    if incident_ids is not None:
        incidents = incidents.where(Incident.id.in_(incident_ids))
        reporters = reporters.where(IncidentReporter.incident_id.in_(incident_ids))
        evidence = evidence.where(Evidence.incident_id.in_(incident_ids))
    return RecordRows(
        incidents=list(bind.execute(incidents)),
        reporters=list(bind.execute(reporters)),
        evidence=list(bind.execute(evidence)),
    )


async def newest_chained(session: AsyncSession) -> tuple[int, str, datetime] | None:
    """The newest chained event's seq, hash and time, as stored; None before the first."""
    row = (
        await session.execute(
            select(AuditEvent.seq, AuditEvent.hash, AuditEvent.occurred_at)
            .where(AuditEvent.seq.is_not(None))
            .order_by(AuditEvent.seq.desc())
            .limit(1)
        )
    ).first()
    if row is None or row.seq is None or not row.hash:
        return None
    return int(row.seq), str(row.hash), row.occurred_at
