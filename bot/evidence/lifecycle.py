"""Evidence after the report: more messages added to an incident, edits and deletions of the
captured sources, and file downloads. Each change is one transaction with its audit event and
card refresh."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import trail
from bot.audit.actions import AuditAction
from bot.domain import SYSTEM_ACTOR, Actor, Platform, Status
from bot.errors import InvalidTransition, NotAuthorized, NotFound
from bot.evidence.canonical import sha256_hex
from bot.evidence.files import Fetch, add_file_rows, fetch_files
from bot.evidence.store import EvidenceStore, open_store
from storage import repository as repo
from storage.models import Evidence, EvidenceChange, Incident

if TYPE_CHECKING:
    from bot.incidents.access import AccessPolicy
    from bot.incidents.cards import CardFanout
    from bot.incidents.context import DeskContext

NOT_YOURS = (
    "You can add evidence only to incidents you reported; incident admins can add to any. "
    "Nothing was added."
)


class ChangeKind(StrEnum):
    EDITED = "edited"
    DELETED = "deleted"
    RESTORED = "restored"  # undeleted (Teams keeps a soft-deleted message for a while)


SOURCE_CHANGE_ACTIONS = {
    ChangeKind.EDITED: AuditAction.SOURCE_EDITED,
    ChangeKind.DELETED: AuditAction.SOURCE_DELETED,
    ChangeKind.RESTORED: AuditAction.SOURCE_RESTORED,
}


def source_deleted(kinds_in_order: Sequence[str]) -> bool:
    """Whether the source is deleted now: deleted, and not restored since."""
    state = [k for k in kinds_in_order if k in (ChangeKind.DELETED, ChangeKind.RESTORED)]
    return bool(state) and state[-1] == ChangeKind.DELETED


@dataclass(frozen=True)
class SourceChange:
    """The platform saw a message edited or deleted; `source_keys` name it as captures do."""

    source_keys: tuple[str, ...]
    kind: ChangeKind
    change_id: str
    occurred_at: datetime
    changed_by: str | None = None
    content: dict[str, Any] | None = None


@dataclass(frozen=True)
class AddedEvidence:
    incident_key: str
    number: int
    already: bool


def captured_at(content: dict[str, Any], default: datetime) -> datetime:
    raw = content.get("captured_at")
    try:
        return datetime.fromisoformat(raw) if isinstance(raw, str) else default
    except ValueError:
        return default


async def insert_evidence(
    session: AsyncSession,
    *,
    incident: Incident,
    content: dict[str, Any],
    source_key: str | None,
    captured_by: str,
    fetch_platforms: frozenset[Platform],
) -> Evidence:
    """Store a capture with its SHA-256, plus a pending row per attached file."""
    evidence = Evidence(
        incident_id=incident.id,
        kind="message",
        source_key=source_key,
        content=content,
        sha256=sha256_hex(content),
        captured_at=captured_at(content, datetime.now(UTC)),
        captured_by=captured_by,
    )
    session.add(evidence)
    await session.flush()
    platform = next((p for p in fetch_platforms if p.value == content.get("platform")), None)
    add_file_rows(session, evidence=evidence, platform=platform, incident_id=incident.id)
    return evidence


def evidence_notes(evidence: Sequence[Evidence]) -> list[str]:
    """What a card says about the captures: edited or deleted sources, redactions."""
    notes: list[str] = []
    for number, row in enumerate(evidence, start=1):
        label = "" if number == 1 else f"evidence #{number}: "
        kinds = [c.kind for c in row.changes]
        if ChangeKind.EDITED in kinds:
            notes.append(f"{label}source edited after capture")
        if source_deleted(kinds):
            notes.append(f"{label}source deleted")
        elif ChangeKind.DELETED in kinds:
            notes.append(f"{label}source deleted, then restored")
        if row.redacted_at is not None:
            notes.append(f"{label}redacted")
    return notes


class EvidenceService:
    """Evidence after the report: Add to incident, source edits and deletions, file downloads."""

    def __init__(
        self,
        ctx: DeskContext,
        access: AccessPolicy,
        cards: CardFanout,
        *,
        store: EvidenceStore | None = None,
    ) -> None:
        self.ctx = ctx
        self.access = access
        self.cards = cards
        self.store = store or open_store(ctx.config.evidence)

    async def add(
        self,
        *,
        actor: Actor,
        incident_id: int,
        source_key: str | None,
        draft_form_id: str | None = None,
        content: dict[str, Any] | None = None,
    ) -> AddedEvidence:
        """Attach another captured message to an open incident (its reporters and admins).
        The capture is `content` when the platform hands it over whole (Teams), else a draft."""
        if not await self.may_add(actor, incident_id):
            await self.access.refuse(
                actor=actor, action=AuditAction.ADD_EVIDENCE, incident_id=incident_id, notify=False
            )
            raise NotAuthorized(NOT_YOURS)
        async with self.ctx.db.transaction() as session:
            incident = await repo.lock_incident(session, incident_id=incident_id)
            if incident is None:
                raise NotFound(f"Incident {incident_id} does not exist.")
            if incident.status == Status.CLOSED:
                raise InvalidTransition(
                    f"{incident.key} is closed, so no evidence can be added; report the "
                    "message as a new incident instead."
                )
            result = await self._add(session, actor, incident, source_key, draft_form_id, content)
        self.ctx.notify_committed()
        return result

    async def may_add(self, actor: Actor, incident_id: int) -> bool:
        """Admins add to any incident; others to the ones they reported."""
        if self.access.is_admin(actor):
            return True
        async with self.ctx.db.transaction() as session:
            found = await repo.find_reporter(session, incident_id=incident_id, reporter=actor.ref)
            return found is not None

    async def _add(
        self,
        session: AsyncSession,
        actor: Actor,
        incident: Incident,
        source_key: str | None,
        draft_form_id: str | None,
        given: dict[str, Any] | None = None,
    ) -> AddedEvidence:
        draft = await repo.pop_draft(session, form_id=draft_form_id) if draft_form_id else None
        for number, row in enumerate(incident.evidence, start=1):
            if source_key and row.source_key == source_key:
                return AddedEvidence(incident_key=incident.key, number=number, already=True)
        content = (
            given
            if given is not None
            else draft.content
            if draft is not None
            else {
                "source_key": source_key,
                "capture_incomplete": True,
                "note": "The message could not be captured before it was added.",
                "captured_at": datetime.now(UTC).isoformat(),
            }
        )
        evidence = await insert_evidence(
            session,
            incident=incident,
            content=content,
            source_key=source_key,
            captured_by=actor.ref,
            fetch_platforms=self.ctx.platforms,
        )
        number = len(incident.evidence) + 1
        incident.updated_at = datetime.now(UTC)
        await trail.record(
            session,
            actor=actor,
            action=AuditAction.EVIDENCE_ADDED,
            incident_id=incident.id,
            after={"evidence": number, "sha256": evidence.sha256, "source_key": source_key},
        )
        self.cards.refresh(session, incident)
        return AddedEvidence(incident_key=incident.key, number=number, already=False)

    async def record_source_change(self, change: SourceChange) -> list[str]:
        """Record an edit or deletion against every capture of that message; the captures stay.
        Returns the keys of the incidents it touched (none when the message is not evidence)."""
        async with self.ctx.db.transaction() as session:
            found = await session.execute(
                select(Evidence.incident_id)
                .where(Evidence.source_key.in_(change.source_keys))
                .distinct()
            )
            incident_ids = sorted(found.scalars())
            touched: list[str] = []
            for incident_id in incident_ids:
                incident = await repo.lock_incident(session, incident_id=incident_id)
                if incident is not None and await self._note_change(session, incident, change):
                    touched.append(incident.key)
        if touched:
            self.ctx.notify_committed()
        return touched

    async def _note_change(
        self, session: AsyncSession, incident: Incident, change: SourceChange
    ) -> bool:
        noted = False
        for number, row in enumerate(incident.evidence, start=1):
            if row.source_key not in change.source_keys:
                continue
            seen = {(c.kind, c.change_id) for c in row.changes}
            deleted = source_deleted([c.kind for c in row.changes])
            if (
                (change.kind, change.change_id) in seen
                or (deleted and change.kind != ChangeKind.RESTORED)
                or (not deleted and change.kind == ChangeKind.RESTORED)
            ):
                continue  # a redelivered event, a change after the deletion, a stray restore
            digest = sha256_hex(change.content) if change.content is not None else None
            # A redacted capture keeps no text, so neither does a later edit of its source.
            kept = None if row.redacted_at is not None else change.content
            session.add(
                EvidenceChange(
                    evidence_id=row.id,
                    kind=change.kind.value,
                    change_id=change.change_id[:64],
                    occurred_at=change.occurred_at,
                    recorded_at=datetime.now(UTC),
                    changed_by=change.changed_by,
                    content=kept,
                    sha256=digest,
                )
            )
            await session.flush()
            await trail.record(
                session,
                actor=SYSTEM_ACTOR,
                action=SOURCE_CHANGE_ACTIONS[change.kind],
                incident_id=incident.id,
                after={
                    "evidence": number,
                    "occurred_at": change.occurred_at.isoformat(),
                    "changed_by": change.changed_by,
                    "sha256": digest,
                },
            )
            noted = True
        if noted:
            self.cards.refresh(session, incident)
        return noted

    async def fetch_files(self, *, evidence_id: int, fetch: Fetch, give_up: bool) -> bool:
        """Download the pending files of one capture; True when a retry is needed."""
        return await fetch_files(
            self.ctx.db,
            self.store,
            evidence_id=evidence_id,
            fetch=fetch,
            max_bytes=self.ctx.config.evidence.max_file_bytes,
            give_up=give_up,
        )
