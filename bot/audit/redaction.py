"""Redaction and retention: evidence content becomes a tombstone, its capture hash stays.

The audit chain seals only the capture's hash, never its content, so redacting content leaves
`audit verify` passing; the redaction itself is an audit event. Files are deleted from evidence
storage after the commit; a row keeps its storage reference until its file is really gone, so a
failed delete is retried by the next sweep."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import trail
from bot.audit.actions import AuditAction
from bot.delivery.outbox import enqueue
from bot.delivery.payloads import RefreshCards
from bot.domain import SYSTEM_ACTOR, Actor, Platform, Status
from bot.errors import InvalidInput, InvalidTransition, NotFound
from bot.evidence.files import FileStatus
from bot.evidence.store import EvidenceStore
from storage import repository as repo
from storage.db import Database
from storage.models import CardPost, Evidence, EvidenceFile, Incident

if TYPE_CHECKING:
    from bot.evidence.lifecycle import EvidenceService

log = logging.getLogger(__name__)

MAX_REASON = 500
RETENTION_JOB_ID = "evidence-retention"
RETENTION_EVERY = timedelta(hours=6)


@dataclass(frozen=True)
class Redacted:
    incident_key: str
    number: int
    sha256: str
    files: int


def tombstone(row: Evidence, *, at: datetime, by: str, reason: str) -> dict[str, Any]:
    """What stays of redacted content: who, when, why, and the hashes taken at capture."""
    return {
        "redacted": True,
        "redacted_at": at.isoformat(),
        "redacted_by": by,
        "reason": reason,
        "original_sha256": row.sha256,
        "source_key": row.source_key,
        "files": [{"position": f.position, "sha256": f.sha256} for f in row.files],
    }


async def _redact_row(
    session: AsyncSession,
    *,
    incident: Incident,
    row: Evidence,
    number: int,
    actor: Actor,
    reason: str,
) -> Redacted:
    now = datetime.now(UTC)
    row.content = tombstone(row, at=now, by=actor.ref, reason=reason)
    row.redacted_at, row.redacted_by, row.redaction_reason = now, actor.ref, reason
    for change in row.changes:
        change.content = None
    for file in row.files:
        # File names can be personal data too; the hash and size stay.
        file.status, file.name, file.source_url = FileStatus.REDACTED.value, None, None
    incident.updated_at = now
    await trail.record(
        session,
        actor=actor,
        action=AuditAction.EVIDENCE_REDACTED,
        incident_id=incident.id,
        after={"evidence": number, "sha256": row.sha256, "reason": reason},
    )
    # The cards quote the evidence: refresh every posted copy, wherever this runs (CLI or bot).
    posted = await session.execute(
        select(CardPost.platform).where(CardPost.incident_id == incident.id).distinct()
    )
    for platform in sorted(posted.scalars()):
        enqueue(session, platform=Platform(platform), payload=RefreshCards(incident_id=incident.id))
    return Redacted(incident.key, number, row.sha256, len(row.files))


async def redact(
    db: Database,
    store: EvidenceStore,
    *,
    actor: Actor,
    key: str,
    number: int,
    reason: str,
) -> Redacted:
    """Replace evidence #`number` of incident `key` with a tombstone and delete its files."""
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise InvalidInput({"reason": f"Give a reason of 1 to {MAX_REASON} characters."})
    async with db.transaction() as session:
        found = await repo.get_incident_by_key(session, key=key)
        incident = await repo.lock_incident(session, incident_id=found.id) if found else None
        if incident is None:
            raise NotFound(f"No incident {key.upper()}.")
        if not 1 <= number <= len(incident.evidence):
            count = len(incident.evidence)
            raise NotFound(f"{incident.key} has {count} evidence items; there is no #{number}.")
        row = incident.evidence[number - 1]
        if row.redacted_at is not None:
            raise InvalidTransition(
                f"Evidence #{number} of {incident.key} was already redacted on "
                f"{row.redacted_at:%Y-%m-%d %H:%M} UTC by {row.redacted_by} because "
                f"{row.redaction_reason}."
            )
        done = await _redact_row(
            session,
            incident=incident,
            row=row,
            number=number,
            actor=actor,
            reason=reason,
        )
    await sweep_files(db, store)
    return done


async def sweep_files(db: Database, store: EvidenceStore) -> int:
    """Delete the stored files of redacted evidence that are still on disk (or in the bucket)."""
    async with db.transaction() as session:
        rows = await session.execute(
            select(EvidenceFile.id, EvidenceFile.storage_ref).where(
                EvidenceFile.status == FileStatus.REDACTED.value,
                EvidenceFile.storage_ref.is_not(None),
            )
        )
        pending = [(file_id, str(ref)) for file_id, ref in rows.all()]
    deleted = 0
    for file_id, ref in pending:
        try:
            await store.delete(ref)
        except (OSError, ValueError) as exc:
            log.warning("could not delete redacted evidence file %s: %s", file_id, exc)
            continue
        async with db.transaction() as session:
            file = await session.get(EvidenceFile, file_id)
            if file is not None:
                file.storage_ref = None
        deleted += 1
    return deleted


async def purge_expired(
    db: Database,
    store: EvidenceStore,
    *,
    retention_days: int,
    now: datetime | None = None,
) -> list[Redacted]:
    """Redact the evidence of incidents closed more than `retention_days` ago."""
    cutoff = (now or datetime.now(UTC)) - timedelta(days=retention_days)
    async with db.transaction() as session:
        due = await session.execute(
            select(Incident.id)
            .where(Incident.status == Status.CLOSED.value, Incident.closed_at < cutoff)
            .where(Incident.evidence.any(Evidence.redacted_at.is_(None)))
            .order_by(Incident.id)
        )
        incident_ids = list(due.scalars())
    purged: list[Redacted] = []
    for incident_id in incident_ids:
        async with db.transaction() as session:
            incident = await repo.lock_incident(session, incident_id=incident_id)
            if incident is None or incident.closed_at is None or incident.closed_at >= cutoff:
                continue  # reopened or changed since the query
            reason = (
                f"retention: evidence is kept {retention_days} days after closing "
                f"(closed {incident.closed_at:%Y-%m-%d})"
            )
            for number, row in enumerate(incident.evidence, start=1):
                if row.redacted_at is None:
                    purged.append(
                        await _redact_row(
                            session,
                            incident=incident,
                            row=row,
                            number=number,
                            actor=SYSTEM_ACTOR,
                            reason=reason,
                        )
                    )
    await sweep_files(db, store)
    if purged:
        log.info("retention purged %d evidence items", len(purged))
    return purged


def retention_jobs(
    evidence: EvidenceService,
) -> dict[str, tuple[Callable[[], Awaitable[object]], timedelta]]:
    """The scheduler job (for build_scheduler's extra_jobs): purge expired evidence when
    `evidence.retention_days` is set, and always finish deleting files of redacted evidence."""

    async def run() -> None:
        days = evidence.ctx.config.evidence.retention_days
        try:
            if days:
                await purge_expired(evidence.ctx.db, evidence.store, retention_days=days)
            else:
                await sweep_files(evidence.ctx.db, evidence.store)
        except Exception:
            log.exception("evidence retention run failed; the next run retries")
        else:
            evidence.ctx.notify_committed()

    return {RETENTION_JOB_ID: (run, RETENTION_EVERY)}
