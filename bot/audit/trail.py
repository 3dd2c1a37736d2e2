"""The append point of the audit log: every state change and refusal is recorded here, and
sealed into the hash chain (bot/audit/chain.py) when the caller's transaction commits.

The HMAC key reaches the seal through the session's `info` dict: the composition root (and the
CLI) builds its Database with `session_info(key)`, so every session of that database carries the
key and the ~15 call sites keep their signature. Several apps in one process (tests) never share
a key by accident, and a session without a key refuses to commit rather than write an unsealed
event."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from bot.audit.actions import AuditAction
from bot.audit.anchor import append as append_anchor
from bot.audit.anchor import head_line
from bot.audit.chain import (
    GENESIS_HASH,
    default_key_path,
    iso_utc,
    key_created_message,
    load_or_create_key,
    seal,
)
from bot.audit.state import states
from bot.domain import SYSTEM_ACTOR, Actor
from bot.errors import ConfigError
from bot.evidence.canonical import canonical_json
from storage import audit_repository as chain_repo
from storage.db import Database
from storage.models import AuditEvent

log = logging.getLogger(__name__)

KEY_INFO = "incident_desk.audit_hmac_key"
PENDING_INFO = "incident_desk.audit_pending"
ANCHOR_INFO = "incident_desk.audit_anchor"
SEALED_INFO = "incident_desk.audit_sealed_head"


def session_info(key: bytes, anchor: Path | None = None) -> dict[str, Any]:
    """The `session_info` for a Database whose sessions append to the audit chain, and append
    each new head to the `anchor` file when one is configured."""
    info: dict[str, Any] = {KEY_INFO: key}
    if anchor is not None:
        info[ANCHOR_INFO] = anchor
    return info


def load_key(explicit: str | None, home: str | None = None) -> bytes:
    """AUDIT_HMAC_KEY, else the key file (created on first start, with a back-it-up warning)."""
    path = default_key_path({"INCIDENT_DESK_HOME": home} if home else None)
    key, created = load_or_create_key(explicit, path)
    if created:
        log.warning(key_created_message(path))
    return key


def event_fields(
    *,
    occurred_at: datetime | str,
    actor: str,
    actor_name: str | None,
    platform: str,
    action: str,
    incident_id: int | None,
    before: Any,
    after: Any,
    state: Any = None,
) -> dict[str, Any]:
    """The hashed fields of one event (all but seq), exactly as stored and read back. `state`
    is hashed only when present, so events sealed before it existed verify unchanged."""
    fields = {
        "occurred_at": iso_utc(occurred_at) if isinstance(occurred_at, datetime) else occurred_at,
        "actor": actor,
        "actor_name": actor_name,
        "platform": platform,
        "action": action,
        "incident_id": incident_id,
        "before": before,
        "after": after,
    }
    if state is not None:
        fields["state"] = state
    return fields


def fields_of(event: AuditEvent) -> dict[str, Any]:
    return event_fields(
        occurred_at=event.occurred_at,
        actor=event.actor,
        actor_name=event.actor_name,
        platform=event.platform,
        action=event.action,
        incident_id=event.incident_id,
        before=event.before,
        after=event.after,
        state=event.state,
    )


def legacy_digest(events: Iterable[Mapping[str, Any]]) -> tuple[int, str]:
    """How many pre-chain events there are and a SHA-256 over their ids and fields, in id order."""
    digest = hashlib.sha256()
    count = 0
    for event in events:
        digest.update(canonical_json(event).encode("utf-8") + b"\n")
        count += 1
    return count, digest.hexdigest()


def _plain(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the JSON column gives back: the hash must cover the stored form, not the given one."""
    return None if value is None else dict(json.loads(canonical_json(value)))


async def record(
    session: AsyncSession,
    *,
    actor: Actor,
    action: AuditAction,
    incident_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Queue one event in the caller's transaction; it is sealed into the chain just before that
    transaction commits, so it commits with the change it describes, or not at all."""
    event = AuditEvent(
        occurred_at=datetime.now(UTC),
        actor=actor.ref,
        actor_name=actor.name,
        platform=actor.platform.value,
        action=str(action),  # the plain value, whatever the database driver does with enums
        incident_id=incident_id,
        before=_plain(before),
        after=_plain(after),
    )
    session.info.setdefault(PENDING_INFO, []).append(event)
    return event


@sa_event.listens_for(Session, "before_commit")
def _seal_pending(session: Session) -> None:
    """Seal the queued events under the head lock. Taking that desk-wide lock last, at commit,
    means a transaction never waits for another lock while holding it (no deadlocks), and holds
    it only for the moment of the commit."""
    pending: list[AuditEvent] = session.info.get(PENDING_INFO) or []
    if not pending or session.in_nested_transaction():
        return
    head = chain_repo.lock_head(session, genesis=GENESIS_HASH)
    # Checked after the first query, so an unreachable database still reads as one.
    key = session.info.get(KEY_INFO)
    if not isinstance(key, bytes):
        raise ConfigError("the audit key is not configured for this database session")
    if head.seq == 0:
        head = _seal_legacy(session, key, head)
    _seal_states(session, pending)
    for queued in pending:
        head = _append(session, key, head, queued)
    chain_repo.move_head(session, head=head)
    session.info[PENDING_INFO] = []
    session.info[SEALED_INFO] = head_line(head.hash, head.seq, iso_utc(pending[-1].occurred_at))


@sa_event.listens_for(Session, "after_commit")
def _anchor_head(session: Session) -> None:
    line = session.info.pop(SEALED_INFO, None)
    anchor = session.info.get(ANCHOR_INFO)
    if line is not None and isinstance(anchor, Path):
        append_anchor(anchor, line)


def _seal_states(session: Session, pending: list[AuditEvent]) -> None:
    """The last event of this transaction for each incident seals the record as it commits."""
    last = {e.incident_id: e for e in pending if e.incident_id is not None}
    if not last:
        return
    session.flush()
    found = states(chain_repo.record_rows(session, sorted(last)))
    for incident_id, event in last.items():
        # A deleted incident (retention) seals an empty state: its absence is then expected.
        event.state = _plain(found.get(incident_id, {"deleted": True}))


@sa_event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    if not session.in_transaction():
        session.info.pop(PENDING_INFO, None)


def _append(
    session: Session, key: bytes, head: chain_repo.Head, event: AuditEvent
) -> chain_repo.Head:
    row = seal(key, seq=head.seq + 1, prev_hash=head.hash, event=fields_of(event))
    event.seq, event.prev_hash, event.hash = row.seq, row.prev_hash, row.hash
    session.add(event)
    return chain_repo.Head(seq=row.seq, hash=row.hash)


def _seal_legacy(session: Session, key: bytes, head: chain_repo.Head) -> chain_repo.Head:
    """Before the first chained event, seal a digest of any events recorded before the chain."""
    legacy = chain_repo.legacy_events(session)
    if not legacy:
        return head
    count, digest = legacy_digest({"id": e.id, **fields_of(e)} for e in legacy)
    log.info("audit chain started; sealing %d events recorded before it", count)
    return _append(
        session,
        key,
        head,
        AuditEvent(
            occurred_at=datetime.now(UTC),
            actor=SYSTEM_ACTOR.ref,
            actor_name=SYSTEM_ACTOR.name,
            platform=SYSTEM_ACTOR.platform.value,
            action=AuditAction.CHAIN_STARTED.value,
            incident_id=None,
            before=None,
            after={"legacy_events": count, "legacy_sha256": digest},
        ),
    )


def open_database(
    url: str, *, explicit_key: str | None, home: str | None, anchor: Path | None = None
) -> Database:
    """A Database whose sessions can append to the audit chain (and anchor its head)."""
    return Database(url, session_info=session_info(load_key(explicit_key, home), anchor))
