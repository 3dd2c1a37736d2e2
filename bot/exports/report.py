"""The incident report as data: what every export format (Markdown, HTML, JSON, bundle) shows."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit.actions import AuditAction
from bot.audit.timeline import TimelineEntry, load
from bot.audit.trail import KEY_INFO
from bot.audit.verify import verify_url
from bot.containment.timing import time_to_containment
from bot.evidence.canonical import sha256_hex
from bot.settings import DeskConfig
from storage import repository as repo
from storage.db import Database
from storage.models import Evidence, Incident

# Fields another part of the product may add to the incident row; shown when present.
OPTIONAL_FIELDS = ("classification", "obligations", "aware_at", "contained_at")


class ChainCheck(BaseModel):
    ok: bool
    checked: int
    head: str
    message: str
    verified_at: datetime


class FileEntry(BaseModel):
    position: int
    name: str | None
    mimetype: str | None
    status: str
    size: int | None
    sha256: str | None
    note: str | None
    storage_ref: str | None


class ChangeEntry(BaseModel):
    kind: str
    occurred_at: datetime
    recorded_at: datetime
    changed_by: str | None
    text: str | None
    sha256: str | None


class Redaction(BaseModel):
    at: datetime
    by: str
    reason: str


class EvidenceEntry(BaseModel):
    number: int
    kind: str
    source_key: str | None
    captured_at: datetime
    captured_by: str
    sha256: str
    integrity: str
    content: dict[str, Any] | None
    redaction: Redaction | None
    changes: list[ChangeEntry]
    files: list[FileEntry]


class Containment(BaseModel):
    aware_at: datetime
    contained_at: datetime | None
    time_to_containment: str | None


class IncidentReport(BaseModel):
    generated_at: datetime
    generated_by: str
    incident: dict[str, Any]
    classification: Any = None
    obligations: Any = None
    containment: Containment
    timeline: list[TimelineEntry]
    evidence: list[EvidenceEntry]
    chain: ChainCheck


def _plain(value: Any) -> Any:
    """Rows another module added (obligations) as plain dicts of their columns."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "__table__"):
        return {c.name: getattr(value, c.name) for c in value.__table__.columns}
    return value


async def _optional(session: AsyncSession, incident: Incident, name: str) -> Any:
    mapper = sa_inspect(type(incident))
    if name in mapper.relationships:
        await session.refresh(incident, [name])
    elif name not in mapper.columns:
        return None
    return _plain(getattr(incident, name))


def _integrity(evidence: Evidence, sealed: dict[int, str], number: int) -> str:
    """Whether the stored capture still matches the hash taken at capture and sealed in the log."""
    sealed_hash = sealed.get(number)
    if sealed_hash is not None and sealed_hash != evidence.sha256:
        return "recorded hash differs from the one sealed in the audit chain"
    if evidence.redacted_at is not None:
        return "content redacted; the hash taken at capture is kept"
    if sha256_hex(evidence.content) != evidence.sha256:
        return "content does not match the hash taken at capture"
    return "content matches the hash taken at capture" + (
        " (sealed in the audit chain)" if sealed_hash else ""
    )


def _sealed_hashes(timeline: list[TimelineEntry]) -> dict[int, str]:
    """Evidence number → the capture hash the audit chain recorded for it."""
    sealed: dict[int, str] = {}
    for item in timeline:
        after = item.after or {}
        if item.action == AuditAction.REPORTED and after.get("evidence_sha256"):
            sealed[1] = str(after["evidence_sha256"])
        elif item.action == AuditAction.EVIDENCE_ADDED and isinstance(after.get("evidence"), int):
            sealed[after["evidence"]] = str(after.get("sha256"))
    return sealed


def _evidence(incident: Incident, timeline: list[TimelineEntry]) -> list[EvidenceEntry]:
    sealed = _sealed_hashes(timeline)
    entries = []
    for number, row in enumerate(incident.evidence, start=1):
        redaction = (
            Redaction(
                at=row.redacted_at, by=row.redacted_by or "", reason=row.redaction_reason or ""
            )
            if row.redacted_at is not None
            else None
        )
        entries.append(
            EvidenceEntry(
                number=number,
                kind=row.kind,
                source_key=row.source_key,
                captured_at=row.captured_at,
                captured_by=row.captured_by,
                sha256=row.sha256,
                integrity=_integrity(row, sealed, number),
                content=None if redaction else row.content,
                redaction=redaction,
                changes=[
                    ChangeEntry(
                        kind=c.kind,
                        occurred_at=c.occurred_at,
                        recorded_at=c.recorded_at,
                        changed_by=c.changed_by,
                        text=(c.content or {}).get("text"),
                        sha256=c.sha256,
                    )
                    for c in row.changes
                ],
                files=[FileEntry.model_validate(f, from_attributes=True) for f in row.files],
            )
        )
    return entries


def _containment(
    incident: Incident, extra: dict[str, Any], timeline: list[TimelineEntry]
) -> Containment:
    aware = extra.get("aware_at") or incident.created_at
    contained = extra.get("contained_at") or next(
        (t.at for t in timeline if (t.after or {}).get("status") == "contained"), None
    )
    took = time_to_containment(
        aware_at=extra.get("aware_at"), created_at=incident.created_at, contained_at=contained
    )
    return Containment(
        aware_at=aware,
        contained_at=contained,
        time_to_containment=took.label if took is not None else None,
    )


INCIDENT_FIELDS = (
    *("key", "kind", "status", "severity", "description", "failure_type", "reach"),
    *("personal_data", "platform", "created_by", "assignee", "created_at", "closed_at"),
    "channel_id",
    *("closed_by", "outcome", "rationale", "root_cause", "lessons", "correction"),
)


def named(ref: str, name: str | None) -> str:
    """`Rita Reporter (slack:U0REPORTER)`, or the id alone when no name was captured."""
    return f"{name} ({ref})" if name else ref


def _channel(incident: Incident) -> str | None:
    """The channel's name as captured with the first evidence, with its id."""
    if not incident.channel_id:
        return None
    for row in incident.evidence:
        name = (row.content or {}).get("channel_name")
        if name and (row.content or {}).get("channel_id") == incident.channel_id:
            return f"#{name} ({incident.channel_id})"
    return incident.channel_id


async def build_report(
    db: Database, config: DeskConfig, *, key: str, generated_by: str
) -> IncidentReport | None:
    """Everything an export shows, with the chain verified now; None when there is no such key."""
    async with db.transaction() as session:
        incident = await repo.get_incident_by_key(session, key=key)
        if incident is None:
            return None
        audit_key = session.info.get(KEY_INFO)
        extra = {name: await _optional(session, incident, name) for name in OPTIONAL_FIELDS}
        timeline = await load(session, incident_id=incident.id)
        fields = {name: getattr(incident, name) for name in INCIDENT_FIELDS}
        fields["failure_type_label"] = config.failure_type_label(incident.failure_type)
        fields["reporters"] = [r.reporter for r in incident.reporters]
        # People as the desk knew them at the time, the id kept beside the name.
        fields["reporters_named"] = [named(r.reporter, r.reporter_name) for r in incident.reporters]
        fields["assignee_named"] = (
            named(incident.assignee, incident.assignee_name) if incident.assignee else None
        )
        fields["channel_named"] = _channel(incident)
        evidence = _evidence(incident, timeline)
    assert isinstance(audit_key, bytes)
    chain = await asyncio.to_thread(verify_url, db.url, audit_key)
    return IncidentReport(
        generated_at=datetime.now(UTC),
        generated_by=generated_by,
        incident=fields,
        classification=extra["classification"],
        obligations=extra["obligations"],
        containment=_containment(incident, extra, timeline),
        timeline=timeline,
        evidence=evidence,
        chain=ChainCheck(
            ok=chain.ok,
            checked=chain.checked,
            head=chain.head,
            message=chain.message,
            verified_at=chain.verified_at,
        ),
    )
