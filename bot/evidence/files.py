"""Files of captured messages: a row per file at capture, then a durable download into evidence
storage (an outbox job) that records each file's SHA-256, or why it was not kept."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import trail
from bot.audit.actions import AuditAction
from bot.delivery.outbox import enqueue
from bot.delivery.payloads import FetchEvidenceFiles
from bot.domain import SYSTEM_ACTOR, Platform
from bot.evidence.download import FetchProblem, too_big
from bot.evidence.store import EvidenceStore, safe_name
from storage import repository as repo
from storage.db import Database
from storage.models import Evidence, EvidenceFile

log = logging.getLogger(__name__)


class FileStatus(StrEnum):
    PENDING = "pending"
    STORED = "stored"
    OVERSIZE = "oversize"
    UNREADABLE = "unreadable"
    REDACTED = "redacted"


@dataclass(frozen=True)
class PendingFile:
    """One file still to download, with what the platform said about it at capture."""

    id: int
    position: int
    file_id: str | None
    name: str | None
    mimetype: str | None
    declared_size: int | None
    url: str | None


Fetch = Callable[[PendingFile, int], Awaitable[bytes]]
"""Download one file within a byte limit, or raise FetchProblem (platform-specific)."""


def files_in(content: dict[str, Any]) -> list[dict[str, Any]]:
    """The file metadata a capture holds (`message.files`), whatever the platform."""
    message = content.get("message")
    files = message.get("files") if isinstance(message, dict) else None
    return [f for f in files if isinstance(f, dict)] if isinstance(files, list) else []


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def add_file_rows(
    session: AsyncSession, *, evidence: Evidence, platform: Platform | None, incident_id: int
) -> int:
    """A pending row per attached file and one outbox job to download them all."""
    files = files_in(evidence.content)
    for position, meta in enumerate(files, start=1):
        session.add(
            EvidenceFile(
                evidence_id=evidence.id,
                position=position,
                file_id=str(meta.get("id") or "")[:64] or None,
                name=str(meta.get("name") or meta.get("title") or "")[:255] or None,
                mimetype=str(meta.get("mimetype") or "")[:255] or None,
                declared_size=_int(meta.get("size")),
                source_url=meta.get("url_private") or meta.get("url"),
                status=FileStatus.PENDING.value,
            )
        )
    if files and platform is not None:
        enqueue(
            session,
            platform=platform,
            payload=FetchEvidenceFiles(incident_id=incident_id, evidence_id=evidence.id),
        )
    return len(files)


async def pending_files(db: Database, *, evidence_id: int) -> list[PendingFile]:
    async with db.transaction() as session:
        rows = await session.execute(
            select(EvidenceFile)
            .where(
                EvidenceFile.evidence_id == evidence_id,
                EvidenceFile.status == FileStatus.PENDING.value,
            )
            .order_by(EvidenceFile.position)
        )
        return [
            PendingFile(
                id=f.id,
                position=f.position,
                file_id=f.file_id,
                name=f.name,
                mimetype=f.mimetype,
                declared_size=f.declared_size,
                url=f.source_url,
            )
            for f in rows.scalars()
        ]


@dataclass(frozen=True)
class Outcome:
    file: PendingFile
    status: FileStatus
    data: bytes | None = None
    note: str | None = None


async def fetch_files(
    db: Database,
    store: EvidenceStore,
    *,
    evidence_id: int,
    fetch: Fetch,
    max_bytes: int,
    give_up: bool,
) -> bool:
    """Download every pending file of one evidence row and record the outcome; True when some
    failed transiently and the job should be retried (unless `give_up`: then they are recorded
    as unreadable)."""
    outcomes: list[Outcome] = []
    retry = False
    for pending in await pending_files(db, evidence_id=evidence_id):
        try:
            if pending.declared_size is not None and pending.declared_size > max_bytes:
                raise too_big(pending.declared_size, max_bytes)
            data = await fetch(pending, max_bytes)
        except FetchProblem as problem:
            if problem.transient and not give_up:
                retry = True
                continue
            status = FileStatus.OVERSIZE if problem.oversize else FileStatus.UNREADABLE
            outcomes.append(Outcome(pending, status, note=problem.note))
            continue
        outcomes.append(Outcome(pending, FileStatus.STORED, data=data))
    if outcomes:
        await _save(db, store, evidence_id, outcomes)
    return retry


async def _save(db: Database, store: EvidenceStore, evidence_id: int, done: list[Outcome]) -> None:
    evidence = await _evidence(db, evidence_id)
    refs: dict[int, str] = {}
    for outcome in done:
        if outcome.data is not None:
            name = f"{evidence.incident.key}/evidence-{evidence.id}/{outcome.file.position:02d}-"
            refs[outcome.file.id] = await store.put(
                name + safe_name(outcome.file.name, outcome.file.file_id or "file"), outcome.data
            )
    async with db.transaction() as session:
        incident = await repo.lock_incident(session, incident_id=evidence.incident_id)
        assert incident is not None
        row = next(e for e in incident.evidence if e.id == evidence_id)
        if row.redacted_at is not None:
            # Redacted while downloading: nothing of it may be kept.
            for ref in refs.values():
                await store.delete(ref)
            return
        recorded = _apply(row, done, refs)
        if recorded:
            await trail.record(
                session,
                actor=SYSTEM_ACTOR,
                action=AuditAction.FILES_FETCHED,
                incident_id=incident.id,
                after={"evidence": incident.evidence.index(row) + 1, "files": recorded},
            )
    log.info("%s evidence %s: %d files recorded", evidence.incident.key, evidence_id, len(done))


def _apply(row: Evidence, done: list[Outcome], refs: dict[int, str]) -> list[dict[str, Any]]:
    """Update the still-pending rows; what the audit event says about each (no file names)."""
    by_id = {f.id: f for f in row.files}
    recorded: list[dict[str, Any]] = []
    now = datetime.now(UTC)
    for outcome in done:
        file = by_id.get(outcome.file.id)
        if file is None or file.status != FileStatus.PENDING:
            continue  # a retried job already recorded it
        file.status = outcome.status.value
        file.note = outcome.note
        file.fetched_at = now
        if outcome.data is not None:
            file.sha256 = hashlib.sha256(outcome.data).hexdigest()
            file.size = len(outcome.data)
            file.storage_ref = refs[file.id]
        recorded.append(
            {
                "position": file.position,
                "status": file.status,
                "sha256": file.sha256,
                "bytes": file.size,
            }
        )
    return recorded


async def _evidence(db: Database, evidence_id: int) -> Evidence:
    async with db.transaction() as session:
        evidence = await session.get(Evidence, evidence_id)
        if evidence is None:
            raise LookupError(f"evidence {evidence_id} does not exist")
        await session.refresh(evidence, ["incident"])
        return evidence
