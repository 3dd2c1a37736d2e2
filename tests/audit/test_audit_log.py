"""The audit log in the database: every change is sealed into one gap-free chain, `audit
verify` finds tampering done directly to the stored rows, and concurrent writers never fork it."""

from __future__ import annotations

import asyncio
import hashlib
import json
import string
from collections.abc import Iterator
from datetime import timedelta
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, create_engine, select, text, update

from bot.audit import trail
from bot.audit.actions import AuditAction
from bot.audit.chain import GENESIS_HASH, BreakReason, link_hash
from bot.audit.verify import stored_fields, verify_connection, verify_url
from bot.domain import SYSTEM_ACTOR
from bot.errors import ConfigError
from handlers.cli import main
from storage import audit_repository as chain_repo
from storage.db import Database
from storage.migrate import sync_url, upgrade
from storage.models import AuditEvent
from tests.support.audit_ops import core_app, many_operations
from tests.support.harness import AUDIT_KEY

TAMPER = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
TEXT_FIELDS = ("actor", "actor_name", "platform", "action", "before", "after", "prev_hash", "hash")


def seed(url: str) -> None:
    async def run() -> None:
        app = core_app(url)
        await many_operations(app)
        await app.db.dispose()

    asyncio.run(run())


@pytest.fixture
def seeded(database_url: str) -> Iterator[Engine]:
    """A database holding the log of many real operations, and a sync engine on it."""
    seed(database_url)
    engine = create_engine(sync_url(database_url))
    yield engine
    engine.dispose()


def chained(conn: Connection) -> list[Any]:
    return list(chain_repo.stream_chained(conn))


def tampered(engine: Engine, change: Any) -> Any:
    """Apply `change(conn)` in a transaction, verify inside it, then roll it back."""
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            change(conn)
            return verify_connection(conn, AUDIT_KEY)
        finally:
            trans.rollback()


def set_value(conn: Connection, seq: int, name: str, value: Any) -> None:
    conn.execute(
        text(f'UPDATE audit_events SET "{name}" = :v WHERE seq = :s'), {"v": value, "s": seq}
    )


# --- an intact log ----------------------------------------------------------------------------


def test_many_operations_make_one_gap_free_chain_that_verifies(seeded: Engine) -> None:
    with seeded.connect() as conn:
        rows = chained(conn)
        result = verify_connection(conn, AUDIT_KEY)
        head = chain_repo.stored_head(conn)

    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert len(rows) >= 25
    assert rows[0].prev_hash == GENESIS_HASH
    assert all(later.prev_hash == earlier.hash for earlier, later in pairwise(rows))
    assert result.ok and result.checked == len(rows) and result.head == rows[-1].hash
    assert head is not None and (head.seq, head.hash) == (len(rows), rows[-1].hash)
    actions = {r.action for r in rows}
    assert {"incident.reported", "incident.closed", "triage.refused"} <= actions


def test_cli_verify_prints_events_checked_and_head_and_exits_zero(
    seeded: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("AUDIT_HMAC_KEY", AUDIT_KEY.hex())
    with seeded.connect() as conn:
        rows = chained(conn)

    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{len(rows)} events checked, chain intact"
    assert out[1] == f"chain head: seq {len(rows)} {rows[-1].hash}"

    assert main(["audit", "head"]) == 0
    assert capsys.readouterr().out.startswith(f"{rows[-1].hash} seq={len(rows)} at=")


def test_cli_verify_names_the_first_broken_seq_and_exits_non_zero(
    seeded: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("AUDIT_HMAC_KEY", AUDIT_KEY.hex())
    with seeded.begin() as conn:
        set_value(conn, 7, "actor", "slack:U0EVIL")

    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("seq 7: modified — stored hash does not match its content")


def test_cli_verify_never_generates_a_key_and_hints_at_a_wrong_one(
    seeded: Engine,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    desk_home: Any,
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)

    assert main(["audit", "verify"]) == 2
    assert "no audit key: AUDIT_HMAC_KEY is not set and" in capsys.readouterr().err
    assert not (desk_home / "audit.key").exists()

    monkeypatch.setenv("AUDIT_HMAC_KEY", "a key that sealed nothing here")
    assert main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("seq 1: modified") and "check this is the key that sealed" in out


def test_verify_with_another_key_fails_at_the_first_event(
    seeded: Engine, database_url: str
) -> None:
    result = verify_url(database_url, b"not the key that sealed this chain")
    assert (result.ok, result.broken_seq, result.reason) == (False, 1, BreakReason.MODIFIED)


def test_a_published_head_is_found_and_a_rewritten_log_is_caught(
    seeded: Engine, database_url: str
) -> None:
    with seeded.connect() as conn:
        published = chained(conn)[9].hash

    found = verify_url(database_url, AUDIT_KEY, published=[published])
    forged = verify_url(database_url, AUDIT_KEY, published=["ab" * 32])

    assert found.ok and any("found at seq 10" in note for note in found.notes)
    assert not forged.ok and "is not in the chain" in forged.message


async def test_a_session_without_the_key_records_nothing(database_url: str) -> None:
    db = Database(database_url)
    with pytest.raises(ConfigError, match="audit key is not configured"):
        async with db.transaction() as session:
            await trail.record(session, actor=SYSTEM_ACTOR, action=AuditAction.EXPORT)
    async with db.sessions() as session:
        assert (await session.execute(select(AuditEvent))).first() is None
    await db.dispose()


# --- tampering with the stored rows -----------------------------------------------------------


def mutate_text(raw: str | None, data: st.DataObject) -> str:
    """`raw` with one character replaced (a new value when it was NULL)."""
    if not raw:
        return data.draw(st.text(string.ascii_letters, min_size=1, max_size=5))
    i = data.draw(st.integers(0, len(raw) - 1))
    char = data.draw(st.sampled_from(string.ascii_letters + string.digits + ' {}[]":,.-'))
    assume(char != raw[i])
    return raw[:i] + char + raw[i + 1 :]


@TAMPER
@given(data=st.data())
def test_one_byte_changed_in_any_stored_field_is_modified_at_its_seq(
    seeded: Engine, data: st.DataObject
) -> None:
    with seeded.connect() as conn:
        rows = chained(conn)
        dialect = conn.dialect.name
    row = data.draw(st.sampled_from(rows))
    name = data.draw(st.sampled_from([*TEXT_FIELDS, "occurred_at", "incident_id"]))

    def change(conn: Connection) -> None:
        if name == "occurred_at":
            shift = data.draw(st.integers(-(10**12), 10**12).filter(bool))
            current = conn.scalar(select(AuditEvent.occurred_at).where(AuditEvent.seq == row.seq))
            assert current is not None
            conn.execute(
                update(AuditEvent)
                .where(AuditEvent.seq == row.seq)
                .values(occurred_at=current + timedelta(microseconds=shift))
            )
        elif name == "incident_id":
            other = data.draw(st.integers(1, 10**6).filter(lambda v: v != row.incident_id))
            set_value(conn, row.seq, name, other)
        else:
            raw = getattr(row, name)
            new = mutate_text(raw, data)
            if name in ("before", "after"):
                try:
                    assume(
                        json.loads(new) != json.loads(raw or "null")
                    )  # whitespace is not content
                except ValueError:
                    assume(dialect == "sqlite")  # PostgreSQL refuses invalid JSON itself
            set_value(conn, row.seq, name, new)

    result = tampered(seeded, change)

    assert not result.ok
    assert (result.broken_seq, result.reason) == (row.seq, BreakReason.MODIFIED)
    assert result.message.startswith(f"seq {row.seq}: modified")


@TAMPER
@given(data=st.data())
def test_a_deleted_row_is_missing_at_its_seq_even_the_newest(
    seeded: Engine, data: st.DataObject
) -> None:
    with seeded.connect() as conn:
        last = len(chained(conn))
    seq = data.draw(st.integers(1, last))

    result = tampered(
        seeded, lambda c: c.execute(text("DELETE FROM audit_events WHERE seq = :s"), {"s": seq})
    )

    assert (result.ok, result.broken_seq, result.reason) == (False, seq, BreakReason.MISSING)


@TAMPER
@given(data=st.data())
def test_swapped_rows_are_reordered_at_the_earlier_seq(seeded: Engine, data: st.DataObject) -> None:
    with seeded.connect() as conn:
        last = len(chained(conn))
    first, second = sorted(
        data.draw(st.lists(st.integers(1, last), min_size=2, max_size=2, unique=True))
    )

    def swap(conn: Connection) -> None:
        for old, new in ((first, -1), (second, first), (-1, second)):
            conn.execute(
                text("UPDATE audit_events SET seq = :n WHERE seq = :o"), {"n": new, "o": old}
            )

    result = tampered(seeded, swap)

    assert (result.ok, result.broken_seq, result.reason) == (False, first, BreakReason.REORDERED)


@TAMPER
@given(data=st.data())
def test_a_row_rehashed_without_the_key_is_modified(seeded: Engine, data: st.DataObject) -> None:
    with seeded.connect() as conn:
        rows = chained(conn)
    row = data.draw(st.sampled_from(rows))
    relink = data.draw(st.booleans())
    guess = data.draw(st.sampled_from(["other key", "plain sha256"]))

    def forge(conn: Connection) -> None:
        set_value(conn, row.seq, "actor", "slack:U0FORGER")
        prev = row.prev_hash
        for later in [r for r in rows if r.seq >= row.seq][: None if relink else 1]:
            current = conn.execute(
                select(*chain_repo.raw_event_columns(conn.dialect.name)).where(
                    AuditEvent.seq == later.seq
                )
            ).one()
            event = {**stored_fields(current), "seq": later.seq}
            if guess == "other key":
                digest = link_hash(b"a key the forger made up", prev, event)
            else:
                payload = json.dumps(event, sort_keys=True, separators=(",", ":")).encode()
                digest = hashlib.sha256(prev.encode() + payload).hexdigest()
            conn.execute(
                text("UPDATE audit_events SET prev_hash = :p, hash = :h WHERE seq = :s"),
                {"p": prev, "h": digest, "s": later.seq},
            )
            prev = digest
        conn.execute(text("UPDATE audit_head SET hash = :h"), {"h": prev})

    result = tampered(seeded, forge)

    assert (result.ok, result.broken_seq, result.reason) == (False, row.seq, BreakReason.MODIFIED)


# --- events recorded before the chain ---------------------------------------------------------


async def test_events_from_before_the_chain_are_sealed_by_the_first_new_event(
    tmp_path: Any,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    await asyncio.to_thread(upgrade, url, "0001")
    engine = create_engine(sync_url(url))
    with engine.begin() as conn:
        for n in range(3):
            conn.execute(
                text(
                    "INSERT INTO audit_events (occurred_at, actor, platform, action, after) "
                    "VALUES (:t, 'slack:U1', 'slack', 'incident.reported', :a)"
                ),
                {"t": f"2025-01-0{n + 1} 10:00:00.000000", "a": json.dumps({"n": n})},
            )
    await asyncio.to_thread(upgrade, url)

    before = verify_url(url, AUDIT_KEY)
    app = core_app(url)
    await many_operations(app, incidents=1)
    await app.db.dispose()
    after = verify_url(url, AUDIT_KEY)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_events SET actor = 'slack:U0EVIL' WHERE seq IS NULL AND id = 2")
        )
    broken = verify_url(url, AUDIT_KEY)
    engine.dispose()

    assert before.ok and before.checked == 0
    assert "3 events recorded before the chain are sealed by the next" in before.notes[0]
    assert after.ok and "3 events recorded before the chain: digest matches" in after.notes[0]
    assert not broken.ok and broken.broken_seq is None
    assert broken.message.startswith("before seq 1: modified — the 3 events recorded before")


# --- concurrent writers -----------------------------------------------------------------------


async def test_concurrent_appends_from_two_replicas_never_fork_or_gap(database_url: str) -> None:
    replicas = [
        Database(database_url, session_info=trail.session_info(AUDIT_KEY)) for _ in range(2)
    ]
    writers = 100

    async def append(n: int) -> None:
        db = replicas[n % 2]
        async with db.transaction() as session:
            await asyncio.sleep(0)  # interleave the transactions before they reach the head lock
            await trail.record(
                session, actor=SYSTEM_ACTOR, action=AuditAction.EXPORT, after={"n": n}
            )

    await asyncio.gather(*(append(n) for n in range(writers)))

    async with replicas[0].sessions() as session:
        rows = (await session.execute(select(AuditEvent).order_by(AuditEvent.seq))).scalars().all()
    for db in replicas:
        await db.dispose()
    assert [r.seq for r in rows] == list(range(1, writers + 1))
    assert sorted((r.after or {})["n"] for r in rows) == list(range(writers))
    assert all(b.prev_hash == a.hash for a, b in pairwise(rows))
    result = await asyncio.to_thread(verify_url, database_url, AUDIT_KEY)
    assert result.ok and result.checked == writers
