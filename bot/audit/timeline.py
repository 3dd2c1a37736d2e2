"""An incident's audit events in chain order, each with a one-line summary a person can read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit.actions import AuditAction
from bot.domain import Actor
from bot.errors import NotAuthorized, NotFound
from bot.evidence.canonical import canonical_json
from storage import repository as repo
from storage.models import AuditEvent

if TYPE_CHECKING:
    from bot.incidents.access import AccessPolicy

ACTION_LABELS: dict[str, str] = {
    AuditAction.CHAIN_STARTED: "Audit chain started",
    AuditAction.REPORTED: "Reported",
    AuditAction.REPORTER_ADDED: "Another reporter joined",
    AuditAction.SUSPECTED: "Flagged by automatic screening",
    AuditAction.ASSIGNED: "Assigned",
    AuditAction.SEVERITY_CHANGED: "Severity set",
    AuditAction.MARKED_NEAR_MISS: "Marked near miss",
    AuditAction.CONFIRMED: "Confirmed as a real incident",
    AuditAction.CLASSIFIED: "Classified",
    AuditAction.CONTAINED: "Contained",
    AuditAction.CLOSED: "Closed",
    AuditAction.EXPORTED: "Exported",
    AuditAction.OBLIGATIONS_DERIVED: "Regulatory clocks started",
    AuditAction.OBLIGATION_DECIDED: "Regulatory decision recorded",
    AuditAction.REFUSED: "Refused: not an admin",
    AuditAction.EVIDENCE_ADDED: "Evidence added",
    AuditAction.CAPTURE_ATTACHED: "Full capture of the message attached",
    AuditAction.SOURCE_EDITED: "Source message edited",
    AuditAction.SOURCE_DELETED: "Source message deleted",
    AuditAction.SOURCE_RESTORED: "Source message restored",
    AuditAction.FILES_FETCHED: "Evidence files downloaded",
    AuditAction.EVIDENCE_REDACTED: "Evidence redacted",
}
VALUE_LIMIT = 160
TIMELINE_DENIED = "The audit timeline is shown to incident admins only."


class TimelineEntry(BaseModel):
    """One audit event; `seq` is None for events recorded before the chain existed."""

    seq: int | None
    at: datetime
    actor: str
    actor_name: str | None
    action: str
    label: str
    summary: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    hash: str | None


def _show(value: Any, limit: int | None) -> str:
    if isinstance(value, dict | list):
        text = canonical_json(value)
    else:
        text = "—" if value is None or value == "" else str(value)
    flat = " ".join(text.split())
    return flat if limit is None or len(flat) <= limit else flat[: limit - 1] + "…"


def summarize(
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    *,
    limit: int | None = VALUE_LIMIT,
    show: Callable[[Any, int | None], str] = _show,
    name_of: Callable[[str], str] = str,
) -> str:
    """`severity: — → SEV2; status: reported → triaging`, or `key: value` for new facts; each
    value cut to `limit` characters (None: in full, as exports show them)."""
    before, after = before or {}, after or {}
    parts: list[str] = []
    for name in [*after, *(k for k in before if k not in after)]:
        label = name_of(name)
        if name in before:
            if before.get(name) != after.get(name):
                old, new = show(before.get(name), limit), show(after.get(name), limit)
                parts.append(f"{label}: {old} → {new}")
        elif after.get(name) is not None:
            parts.append(f"{label}: {show(after[name], limit)}")
    return "; ".join(parts)


def entry(event: AuditEvent) -> TimelineEntry:
    return TimelineEntry(
        seq=event.seq,
        at=event.occurred_at,
        actor=event.actor,
        actor_name=event.actor_name,
        action=event.action,
        label=ACTION_LABELS.get(event.action, event.action),
        summary=summarize(event.before, event.after),
        before=event.before,
        after=event.after,
        hash=event.hash,
    )


async def load(session: AsyncSession, *, incident_id: int) -> list[TimelineEntry]:
    """Events recorded before the chain first (by id), then the chain in seq order."""
    result = await session.execute(
        select(AuditEvent)
        .where(AuditEvent.incident_id == incident_id)
        .order_by(AuditEvent.seq.is_not(None), AuditEvent.seq, AuditEvent.id)
    )
    return [entry(e) for e in result.scalars()]


async def for_admin(
    access: AccessPolicy, *, actor: Actor, key: str
) -> tuple[str, list[TimelineEntry]]:
    """The incident key and its timeline, for admins only."""
    if not access.is_admin(actor):
        raise NotAuthorized(TIMELINE_DENIED)
    async with access.ctx.db.transaction() as session:
        incident = await repo.get_incident_by_key(session, key=key)
        if incident is None:
            raise NotFound(f"No incident {key.upper()}.")
        return incident.key, await load(session, incident_id=incident.id)
