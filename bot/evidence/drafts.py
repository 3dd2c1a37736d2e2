"""Evidence drafts: what a capture found while the report form was open.

The shortcut keeps a seed from its own payload at once, then the full capture replaces it. A
submit that finds only a seed (or nothing) stores what it has and leaves the draft claimed by
the incident; the full capture, whenever it lands, is attached to that incident then."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import trail
from bot.audit.actions import AuditAction
from bot.domain import SYSTEM_ACTOR, Platform
from bot.evidence.lifecycle import insert_evidence
from storage import repository as repo
from storage.models import Evidence, EvidenceDraft, Incident

SEED = "seed"


def is_complete(content: dict[str, Any] | None) -> bool:
    """A full capture, not a seed from the shortcut payload nor a placeholder."""
    if not content:
        return False
    return content.get("capture") != SEED and not content.get("capture_incomplete")


def incomplete(source_key: str | None) -> dict[str, Any]:
    """What a submit records when not even the seed was kept: said plainly, not left absent."""
    return {
        "source_key": source_key,
        "capture_incomplete": True,
        "note": "The message could not be captured before the report was saved; "
        "the capture is attached when it finishes.",
        "captured_at": datetime.now(UTC).isoformat(),
    }


async def take_for_report(
    session: AsyncSession, *, form_id: str, source_key: str | None
) -> tuple[dict[str, Any], bool]:
    """The evidence a submit stores, and whether a fuller capture is still to come."""
    draft = await repo.lock_draft(session, form_id=form_id)
    if draft is None:
        return incomplete(source_key), True
    content = draft.content
    if is_complete(content):
        await session.delete(draft)
        return content, False
    return content, True


async def await_capture(
    session: AsyncSession, *, form_id: str, platform: Platform, incident: Incident
) -> None:
    """Claim the form's draft for `incident`, so its capture is attached when it finishes and
    the purge never drops it."""
    draft = await repo.lock_draft(session, form_id=form_id)
    if draft is not None:
        draft.incident_id = incident.id
        return
    try:
        async with session.begin_nested():
            session.add(
                EvidenceDraft(
                    form_id=form_id,
                    platform=platform.value,
                    content={},
                    created_at=datetime.now(UTC),
                    incident_id=incident.id,
                )
            )
    except IntegrityError:
        # The capture saved its draft a moment ago: claim that one.
        found = await repo.lock_draft(session, form_id=form_id)
        if found is not None:
            found.incident_id = incident.id


@dataclass(frozen=True)
class Kept:
    """Where a capture went: still a draft, or attached to `incident` (evidence #`number`)."""

    incident: Incident | None = None
    number: int | None = None


async def keep(
    session: AsyncSession,
    *,
    form_id: str,
    platform: Platform,
    content: dict[str, Any],
    fetch_platforms: frozenset[Platform],
) -> Kept:
    """Keep a capture as the form's draft, or attach it to the incident already saved from it."""
    draft = await repo.lock_draft(session, form_id=form_id)
    if draft is None:
        session.add(
            EvidenceDraft(
                form_id=form_id,
                platform=platform.value,
                content=content,
                created_at=datetime.now(UTC),
            )
        )
        return Kept()
    if draft.incident_id is None:
        if is_complete(draft.content) and not is_complete(content):
            return Kept()  # a seed never overwrites the full capture
        draft.content = content
        draft.created_at = datetime.now(UTC)
        return Kept()
    if not is_complete(content):
        return Kept()
    incident = await repo.lock_incident(session, incident_id=draft.incident_id)
    await session.delete(draft)
    if incident is None:
        return Kept()
    evidence = await insert_evidence(
        session,
        incident=incident,
        content=content,
        source_key=incident.source_key,
        captured_by=str(content.get("reporter") or SYSTEM_ACTOR.ref),
        fetch_platforms=fetch_platforms,
    )
    number = int(
        await session.scalar(
            select(func.count()).select_from(Evidence).where(Evidence.incident_id == incident.id)
        )
        or 0
    )
    incident.updated_at = datetime.now(UTC)
    await trail.record(
        session,
        actor=SYSTEM_ACTOR,
        action=AuditAction.CAPTURE_ATTACHED,
        incident_id=incident.id,
        after={
            "evidence": number,
            "sha256": evidence.sha256,
            "snapshot_sha256": content.get("snapshot_sha256"),
            "source_key": incident.source_key,
        },
    )
    return Kept(incident=incident, number=number)
