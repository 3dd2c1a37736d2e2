"""Verify the audit chain as stored in the database, the way `incident-desk audit verify` does.

Rows are read raw (JSON as text) and streamed in seq order, so a tampered value is reported at
its seq rather than crashing the check. Besides the links, it compares the chain with the head
record, the digest of events recorded before the chain, and any published heads."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, pool

from bot.audit.actions import AuditAction
from bot.audit.anchor import Head, parse_head
from bot.audit.anchor import check as anchor_check
from bot.audit.chain import BreakReason, ChainRow, iso_utc, verify_chain
from bot.audit.state import Sealed, content_mismatches, differences, states
from bot.audit.trail import event_fields, legacy_digest
from storage import audit_repository as chain_repo
from storage.migrate import sync_url


@dataclass(frozen=True)
class ChainReport:
    """The verdict on the whole log: `message` names the first broken seq and what is wrong."""

    ok: bool
    checked: int
    head: str
    broken_seq: int | None = None
    reason: BreakReason | None = None
    message: str = ""
    legacy_events: int = 0
    notes: list[str] = field(default_factory=list)
    verified_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def head_seq(self) -> int:
        return self.checked

    def lines(self) -> list[str]:
        """What the CLI prints: the verdict, the head, then notes."""
        head = f"chain head: seq {self.head_seq} {self.head}"
        hint = []
        if self.broken_seq == 1 and self.reason == BreakReason.MODIFIED:
            hint = ["the very first event fails: check this is the key that sealed the log"]
        return [self.message, head, *hint, *self.notes]


def _time(value: Any) -> str:
    if isinstance(value, datetime):
        return iso_utc(value)
    try:
        return iso_utc(datetime.fromisoformat(str(value)))
    except ValueError:
        return f"unreadable timestamp {value!r}"


def _json(value: Any) -> Any:
    if value is None:
        return None
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return {"unreadable stored JSON": str(value)}


def stored_fields(raw: Any) -> dict[str, Any]:
    """The hashed fields of one raw row, parsed the same way `record` wrote them."""
    return event_fields(
        occurred_at=_time(raw.occurred_at),
        actor=raw.actor,
        actor_name=raw.actor_name,
        platform=raw.platform,
        action=raw.action,
        incident_id=raw.incident_id,
        before=_json(raw.before),
        after=_json(raw.after),
        state=_json(raw.state),
    )


class _Rows:
    """Feeds verify_chain while remembering what the other checks need."""

    def __init__(self, raw: Iterable[Any], published: set[str]) -> None:
        self.raw = raw
        self.published = published
        self.found: dict[str, int] = {}
        self.first: dict[str, Any] | None = None
        self.hashes: dict[int, str] = {}
        self.sealed: dict[int, Sealed] = {}

    def __iter__(self) -> Iterator[ChainRow]:
        for raw in self.raw:
            event = stored_fields(raw)
            if self.first is None:
                self.first = event
            if raw.hash in self.published:
                self.found[raw.hash] = int(raw.seq)
            self.hashes[int(raw.seq)] = raw.hash or ""
            state = event.get("state")
            if raw.incident_id is not None and isinstance(state, dict):
                self.sealed[int(raw.incident_id)] = Sealed(seq=int(raw.seq), state=state)
            yield ChainRow(
                seq=int(raw.seq), prev_hash=raw.prev_hash or "", hash=raw.hash or "", event=event
            )


def verify_connection(
    conn: Connection,
    key: bytes,
    *,
    published: Iterable[str] = (),
    anchors: Iterable[Path] = (),
) -> ChainReport:
    """Recompute the chain, then check the head record, pre-chain events, the record itself,
    anchors and published heads. A published head may be a hash or the line `audit head` prints."""
    published = list(published)
    heads = [parse_head(p) for p in published]
    unreadable = [p for p, h in zip(published, heads, strict=True) if h is None]
    rows = _Rows(chain_repo.stream_chained(conn), {h.hash for h in heads if h is not None})
    result = verify_chain(rows, key)
    base = ChainReport(
        ok=result.ok,
        checked=result.checked,
        head=result.head,
        broken_seq=result.broken_seq,
        reason=result.reason,
        message=result.message,
    )
    if unreadable:
        return _failed(
            base,
            None,
            BreakReason.MODIFIED,
            f"{unreadable[0]!r} is not a published head: paste the 64-hex hash or the line "
            "`incident-desk audit head` printed",
        )
    if not result.ok:
        return base
    for check in (_check_head_record, _check_legacy):
        base = check(conn, base, rows)
        if not base.ok:
            return base
    # A cut tail is named before the record differences it leaves behind.
    anchored = anchor_check(anchors, rows.hashes, base.checked)
    if anchored.problems:
        return _failed(base, None, BreakReason.MISSING, anchored.problems[0])
    for note in anchored.notes:
        base = _with(base, note=note)
    base = _check_published(base, rows, [h for h in heads if h is not None])
    return _check_record(conn, base, rows) if base.ok else base


def _check_record(conn: Connection, base: ChainReport, rows: _Rows) -> ChainReport:
    """Every incident, reporter and capture hash as the chain last sealed it; evidence content
    as its capture hash."""
    record = chain_repo.record_rows(conn)
    current = states(record)
    keys = {incident_id: str(state["key"]) for incident_id, state in current.items()}
    problems: list[str] = []
    unsealed = 0
    for incident_id in sorted(set(current) | set(rows.sealed)):
        sealed = rows.sealed.get(incident_id)
        if sealed is None:
            unsealed += 1  # recorded before events sealed state; its events still verify
            continue
        if sealed.state.get("deleted"):
            continue
        key = str(sealed.state.get("key") or f"incident {incident_id}")
        problems += differences(key, sealed, current.get(incident_id))
    problems += content_mismatches(record, keys)
    if problems:
        failed = _failed(
            base,
            None,
            BreakReason.MODIFIED,
            f"the record differs from the chain: {problems[0]}",
        )
        return ChainReport(
            ok=False,
            checked=failed.checked,
            head=failed.head,
            reason=failed.reason,
            message=f"record: {problems[0]}",
            legacy_events=failed.legacy_events,
            notes=[*failed.notes, *problems[1:]],
        )
    note = f"{len(current) - unsealed} incidents match the state sealed in the chain"
    if unsealed:
        note += f"; {unsealed} recorded before state sealing are covered by their events only"
    return _with(base, note=note)


def _failed(base: ChainReport, seq: int | None, reason: BreakReason, text: str) -> ChainReport:
    where = f"seq {seq}" if seq is not None else "before seq 1"
    return ChainReport(
        ok=False,
        checked=base.checked,
        head=base.head,
        broken_seq=seq,
        reason=reason,
        message=f"{where}: {reason} — {text}",
        legacy_events=base.legacy_events,
        notes=base.notes,
    )


def _check_head_record(conn: Connection, base: ChainReport, _: _Rows) -> ChainReport:
    stored = chain_repo.stored_head(conn)
    if stored is None or (stored.seq, stored.hash) == (base.checked, base.head):
        return base
    if stored.seq > base.checked:
        gone = f"seq {base.checked + 1}" + (
            f"-{stored.seq}" if stored.seq > base.checked + 1 else ""
        )
        return _failed(
            base,
            base.checked + 1,
            BreakReason.MISSING,
            f"the log ends at seq {base.checked} but the chain head was seq {stored.seq}; "
            f"{gone} gone",
        )
    return _failed(
        base,
        stored.seq + 1 if stored.seq < base.checked else stored.seq,
        BreakReason.MODIFIED,
        f"the head record (seq {stored.seq}) does not match the log (seq {base.checked})",
    )


def _check_legacy(conn: Connection, base: ChainReport, rows: _Rows) -> ChainReport:
    count, digest = legacy_digest(
        {"id": raw.id, **stored_fields(raw)} for raw in chain_repo.stream_legacy(conn)
    )
    first = rows.first
    sealed = (
        (first or {}).get("after")
        if (first or {}).get("action") == AuditAction.CHAIN_STARTED
        else None
    )
    if isinstance(sealed, dict):
        expected = (sealed.get("legacy_events"), sealed.get("legacy_sha256"))
        if expected != (count, digest):
            return _failed(
                base,
                None,
                BreakReason.MODIFIED,
                f"the {expected[0]} events recorded before the chain (sealed at seq 1) no longer "
                f"match their digest ({count} such rows now)",
            )
        note = f"{count} events recorded before the chain: digest matches (sealed at seq 1)"
        return _with(base, legacy_events=count, note=note)
    if count and base.checked:
        return _failed(
            base,
            None,
            BreakReason.MODIFIED,
            f"{count} events without a seq are outside the chain (added after it started)",
        )
    if count:
        note = f"{count} events recorded before the chain are sealed by the next recorded event"
        return _with(base, legacy_events=count, note=note)
    return base


def _check_published(base: ChainReport, rows: _Rows, heads: list[Head]) -> ChainReport:
    for head in heads:
        digest = head.hash
        seq = rows.found.get(digest)
        if seq is None and head.seq is not None and head.seq > base.checked:
            return _failed(
                base,
                None,
                BreakReason.MISSING,
                f"published head {digest} was seq {head.seq} but the log ends at seq "
                f"{base.checked}: the log was cut after it was published",
            )
        if seq is None:
            return _failed(
                base,
                None,
                BreakReason.MODIFIED,
                f"published head {digest} is not in the chain: the log was rewritten after it "
                "was published",
            )
        if head.seq is not None and head.seq != seq:
            return _failed(
                base,
                None,
                BreakReason.MODIFIED,
                f"published head {digest} was seq {head.seq} but is at seq {seq} now",
            )
        base = _with(base, note=f"published head {digest[:16]}… found at seq {seq}")
    return base


def _with(base: ChainReport, *, note: str, legacy_events: int | None = None) -> ChainReport:
    return ChainReport(
        ok=base.ok,
        checked=base.checked,
        head=base.head,
        message=base.message,
        legacy_events=base.legacy_events if legacy_events is None else legacy_events,
        notes=[*base.notes, note],
        verified_at=base.verified_at,
    )


def verify_url(
    url: str, key: bytes, *, published: Iterable[str] = (), anchors: Iterable[Path] = ()
) -> ChainReport:
    """verify_connection on a fresh synchronous connection (run it in a thread from async code)."""
    engine = create_engine(sync_url(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            return verify_connection(conn, key, published=published, anchors=anchors)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class HeadInfo:
    seq: int
    hash: str
    occurred_at: str


def head_url(url: str) -> HeadInfo | None:
    """The newest chained event's seq and hash, as stored (not verified)."""
    engine = create_engine(sync_url(url), poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            newest = None
            for raw in chain_repo.stream_newest(conn):
                newest = HeadInfo(int(raw.seq), raw.hash or "", _time(raw.occurred_at))
            return newest
    finally:
        engine.dispose()
