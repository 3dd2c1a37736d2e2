"""The audit hash chain: it verifies when intact and names the first broken seq when tampered."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import logging
import os
import stat
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.audit.chain import (
    EVENT_FIELDS,
    GENESIS_HASH,
    BreakReason,
    ChainRow,
    canonical_event,
    default_key_path,
    iso_utc,
    link_hash,
    load_or_create_key,
    seal,
    verify_chain,
)
from bot.errors import ConfigError
from bot.evidence.canonical import canonical_json

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
ACTIONS = ("incident.reported", "incident.triaged", "incident.contained", "incident.closed")
START = datetime(2025, 11, 26, 14, 5, tzinfo=UTC)


# --- builders ---------------------------------------------------------------------------------


def sample_event(n: int) -> dict[str, Any]:
    """A varied event: unicode names, absent incident ids and before/after on some rows."""
    return {
        "occurred_at": iso_utc(START + timedelta(minutes=7 * n, microseconds=n)),
        "actor": f"U0{n:04d}",
        "actor_name": None if n % 5 == 0 else f"Zoë Ńowak {n}",
        "platform": ("slack", "teams", "cli")[n % 3],
        "action": ACTIONS[n % len(ACTIONS)],
        "incident_id": None if n % 7 == 0 else n // 3 + 1,
        "before": None if n % 2 else {"state": "reported", "severity": None},
        "after": {"state": "triaging", "note": f"step {n} — “ok”", "tags": ["a", n]},
    }


def build_chain(events: list[dict[str, Any]], key: bytes = KEY) -> list[ChainRow]:
    rows: list[ChainRow] = []
    for seq, event in enumerate(events, start=1):
        prev = rows[-1].hash if rows else GENESIS_HASH
        rows.append(seal(key, seq=seq, prev_hash=prev, event=event))
    return rows


CHAIN = build_chain([sample_event(n) for n in range(1, 41)])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**9), 10**9) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=8,
)
events = st.fixed_dictionaries(
    {
        "occurred_at": st.datetimes(timezones=st.just(UTC)).map(iso_utc),
        "actor": st.text(min_size=1, max_size=20),
        "actor_name": st.none() | st.text(max_size=30),
        "platform": st.sampled_from(["slack", "teams", "cli", "system"]),
        "action": st.sampled_from(ACTIONS),
        "incident_id": st.none() | st.integers(1, 10**6),
        "before": st.none() | st.dictionaries(st.text(max_size=8), json_values, max_size=4),
        "after": st.none() | st.dictionaries(st.text(max_size=8), json_values, max_size=4),
    }
)
row_fields = st.sampled_from([*EVENT_FIELDS, "prev_hash", "hash"])


# Text a database can store: a lone surrogate cannot be encoded, so no stored row holds one.
STORABLE_CHAR = st.characters(codec="utf-8")


def mutate(value: Any, data: st.DataObject) -> Any:
    """`value` with one small change: one character, one number, or one nested entry."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return data.draw(st.integers(-5, 10**6).filter(lambda v: v != value))
    if isinstance(value, str):
        if not value:
            return data.draw(STORABLE_CHAR)
        i = data.draw(st.integers(0, len(value) - 1))
        char = data.draw(STORABLE_CHAR.filter(lambda c: c != value[i]))
        return value[:i] + char + value[i + 1 :]
    if isinstance(value, list):
        if not value:
            return [None]
        i = data.draw(st.integers(0, len(value) - 1))
        return [*value[:i], mutate(value[i], data), *value[i + 1 :]]
    if isinstance(value, dict):
        if not value:
            return {"x": None}
        name = data.draw(st.sampled_from(sorted(value)))
        changed = dict(value)
        if data.draw(st.booleans()):
            changed[mutate(name, data)] = changed.pop(name)
        else:
            changed[name] = mutate(value[name], data)
        return changed
    return data.draw(st.text(min_size=1) | st.integers())  # None becomes a value


def tamper(row: ChainRow, name: str, data: st.DataObject) -> ChainRow:
    """`row` with one stored field changed; the hash is left as it was."""
    if name in ("seq", "prev_hash", "hash"):
        changed = dataclasses.replace(row, **{name: mutate(getattr(row, name), data)})
    else:
        changed = dataclasses.replace(row, event={**row.event, name: mutate(row.event[name], data)})
    assume(changed != row)
    return changed


def replaced(rows: list[ChainRow], index: int, row: ChainRow) -> list[ChainRow]:
    return [*rows[:index], row, *rows[index + 1 :]]


# --- hashing ----------------------------------------------------------------------------------


def test_link_hash_is_hmac_sha256_of_prev_hash_text_then_canonical_event() -> None:
    event = {"seq": 1, **sample_event(1)}
    expected = hmac.new(
        KEY, GENESIS_HASH.encode() + canonical_json(event).encode("utf-8"), hashlib.sha256
    ).hexdigest()

    assert link_hash(KEY, GENESIS_HASH, event) == expected
    assert GENESIS_HASH == "0" * 64


def test_canonical_event_ignores_key_order_and_normalises_datetimes_to_utc() -> None:
    event = {"seq": 3, **sample_event(3)}
    shuffled = dict(reversed(list(event.items())))
    paris = timezone(timedelta(hours=1))
    local = {**event, "occurred_at": datetime(2025, 11, 26, 15, 5, tzinfo=paris)}
    naive = {**event, "occurred_at": datetime(2025, 11, 26, 14, 5)}

    assert canonical_event(shuffled) == canonical_event(event)
    assert canonical_event(local) == canonical_event(naive)
    assert b'"occurred_at":"2025-11-26T14:05:00.000000+00:00"' in canonical_event(local)
    assert "Zoë".encode() in canonical_event(event)


def test_canonical_event_refuses_an_event_without_an_integer_seq() -> None:
    with pytest.raises(ValueError, match="seq"):
        canonical_event(sample_event(1))
    with pytest.raises(ValueError, match="seq"):
        canonical_event({**sample_event(1), "seq": "1"})


# --- verification of an intact chain ----------------------------------------------------------


def test_intact_chain_verifies_and_reports_its_head() -> None:
    result = verify_chain(CHAIN, KEY)

    assert result.ok
    assert result.checked == len(CHAIN)
    assert result.head == CHAIN[-1].hash
    assert result.broken_seq is None and result.reason is None
    assert result.message == "40 events checked, chain intact"


def test_empty_chain_verifies_with_the_genesis_head() -> None:
    result = verify_chain([], KEY)

    assert result.ok and result.checked == 0 and result.head == GENESIS_HASH


@given(st.lists(events, min_size=1, max_size=25))
def test_any_chain_of_events_verifies(generated: list[dict[str, Any]]) -> None:
    rows = build_chain(generated)

    result = verify_chain(iter(rows), KEY)

    assert result.ok and result.checked == len(rows) and result.head == rows[-1].hash


def test_chain_does_not_verify_under_another_key() -> None:
    result = verify_chain(CHAIN, OTHER_KEY)

    assert (result.ok, result.broken_seq, result.reason) == (False, 1, BreakReason.MODIFIED)
    assert result.head == GENESIS_HASH and result.checked == 0


# --- tampering --------------------------------------------------------------------------------


@given(st.data(), st.integers(0, len(CHAIN) - 1), row_fields)
def test_one_changed_field_is_reported_as_modified_at_its_seq(
    data: st.DataObject, index: int, name: str
) -> None:
    rows = replaced(CHAIN, index, tamper(CHAIN[index], name, data))

    result = verify_chain(rows, KEY)

    assert not result.ok
    assert (result.broken_seq, result.reason) == (index + 1, BreakReason.MODIFIED)
    assert result.checked == index
    assert result.head == (CHAIN[index - 1].hash if index else GENESIS_HASH)


def test_modified_message_names_the_seq_and_the_problem() -> None:
    row = CHAIN[16]
    rows = replaced(CHAIN, 16, dataclasses.replace(row, event={**row.event, "actor": "U0EVIL"}))

    result = verify_chain(rows, KEY)

    assert result.message == "seq 17: modified — stored hash does not match its content"


@given(st.integers(0, len(CHAIN) - 2), st.integers(1, 5))
def test_deleted_rows_are_reported_as_missing_at_the_first_deleted_seq(
    index: int, count: int
) -> None:
    count = min(count, len(CHAIN) - 1 - index)
    rows = CHAIN[:index] + CHAIN[index + count :]

    result = verify_chain(rows, KEY)

    assert (result.ok, result.broken_seq, result.reason) == (False, index + 1, BreakReason.MISSING)
    assert result.message.startswith(f"seq {index + 1}: missing — the chain jumps from ")


def test_deleting_the_newest_row_is_visible_only_as_a_different_head() -> None:
    result = verify_chain(CHAIN[:-1], KEY)

    assert result.ok and result.head == CHAIN[-2].hash != CHAIN[-1].hash


@given(st.lists(st.integers(0, len(CHAIN) - 1), min_size=2, max_size=2, unique=True))
def test_two_swapped_rows_are_reported_as_reordered_at_the_earlier_seq(pair: list[int]) -> None:
    first, second = sorted(pair)
    rows = list(CHAIN)
    rows[first], rows[second] = rows[second], rows[first]

    result = verify_chain(rows, KEY)

    assert (result.ok, result.broken_seq, result.reason) == (
        False,
        first + 1,
        BreakReason.REORDERED,
    )


@given(st.lists(st.integers(0, len(CHAIN) - 1), min_size=2, max_size=2, unique=True))
def test_rows_whose_contents_traded_seq_numbers_are_reordered(pair: list[int]) -> None:
    first, second = sorted(pair)
    a, b = CHAIN[first], CHAIN[second]
    rows = replaced(CHAIN, first, dataclasses.replace(b, seq=a.seq))
    rows = replaced(rows, second, dataclasses.replace(a, seq=b.seq))

    result = verify_chain(rows, KEY)

    assert (result.broken_seq, result.reason) == (first + 1, BreakReason.REORDERED)
    assert (
        result.message
        == f"seq {first + 1}: reordered — it holds the content recorded as seq {second + 1}"
    )


def test_a_forked_append_is_reported_as_reordered() -> None:
    head = CHAIN[9]
    fork = seal(KEY, seq=11, prev_hash=head.hash, event=sample_event(99))
    rows = [*CHAIN[:11], fork, *CHAIN[11:]]

    result = verify_chain(rows, KEY)

    assert (result.broken_seq, result.reason) == (12, BreakReason.REORDERED)


@given(st.data(), st.integers(0, len(CHAIN) - 1), row_fields.filter(lambda f: f != "hash"))
def test_a_tampered_row_rehashed_without_the_key_is_modified(
    data: st.DataObject, index: int, name: str
) -> None:
    row = tamper(CHAIN[index], name, data)
    event = {**row.event, "seq": row.seq}
    forged = st.sampled_from(
        [
            link_hash(OTHER_KEY, row.prev_hash, event),
            hashlib.sha256(row.prev_hash.encode() + canonical_event(event)).hexdigest(),
        ]
    )
    forged_row = dataclasses.replace(row, hash=data.draw(forged))
    rows = replaced(CHAIN, index, forged_row)
    if data.draw(st.booleans()):  # the forger also re-links every later row
        for later in range(index + 1, len(rows)):
            rows[later] = seal(
                OTHER_KEY,
                seq=rows[later].seq,
                prev_hash=rows[later - 1].hash,
                event=CHAIN[later].event,
            )

    result = verify_chain(rows, KEY)

    assert (result.ok, result.broken_seq, result.reason) == (False, index + 1, BreakReason.MODIFIED)


# --- the key ----------------------------------------------------------------------------------


def test_key_is_generated_into_a_private_file_when_none_is_configured(tmp_path: Path) -> None:
    path = tmp_path / "home" / "audit.key"

    key, created = load_or_create_key(None, path)

    assert created and len(key) == 32
    assert path.read_text() == key.hex() + "\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["audit.key"]


def test_generated_key_is_reused_on_the_next_start(tmp_path: Path) -> None:
    path = tmp_path / "audit.key"
    first, _ = load_or_create_key(None, path)

    second, created = load_or_create_key(None, path)

    assert second == first and not created


def test_concurrent_first_starts_agree_on_one_key(tmp_path: Path) -> None:
    path = tmp_path / "audit.key"
    results: list[tuple[bytes, bool]] = []
    barrier = threading.Barrier(8)

    def start() -> None:
        barrier.wait()
        results.append(load_or_create_key(None, path))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len({key for key, _ in results}) == 1
    assert sum(created for _, created in results) == 1


def test_explicit_key_wins_over_the_key_file(tmp_path: Path) -> None:
    path = tmp_path / "audit.key"
    load_or_create_key(None, path)

    key, created = load_or_create_key("a long passphrase, not hex", path)

    assert key == b"a long passphrase, not hex" and not created


def test_explicit_hex_key_is_decoded_and_no_file_is_written(tmp_path: Path) -> None:
    path = tmp_path / "audit.key"

    key, created = load_or_create_key(f" {KEY.hex()}\n", path)

    assert key == KEY and not created and not path.exists()


def test_blank_explicit_key_counts_as_unset(tmp_path: Path) -> None:
    key, created = load_or_create_key("  ", tmp_path / "audit.key")

    assert created and len(key) == 32


def test_short_explicit_key_is_accepted_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.audit.chain"):
        key, _ = load_or_create_key("hunter2", tmp_path / "audit.key")

    assert key == b"hunter2"
    assert "shorter than 16 bytes" in caplog.text and "hunter2" not in caplog.text


@pytest.mark.parametrize("content", ["", "not a key\n", "abc123\n", "zz" * 32])
def test_garbled_key_file_stops_start_up_and_is_left_alone(tmp_path: Path, content: str) -> None:
    path = tmp_path / "audit.key"
    path.write_text(content)
    path.chmod(0o600)

    with pytest.raises(ConfigError, match="does not hold a hex key"):
        load_or_create_key(None, path)
    assert path.read_text() == content


def test_unreadable_key_file_stops_start_up(tmp_path: Path) -> None:
    path = tmp_path / "audit.key"
    path.mkdir()

    with pytest.raises(ConfigError, match="cannot read audit key file"):
        load_or_create_key(None, path)


def test_key_file_readable_by_others_is_used_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "audit.key"
    path.write_text(KEY.hex() + "\n")
    path.chmod(0o644)

    with caplog.at_level(logging.WARNING, logger="bot.audit.chain"):
        key, created = load_or_create_key(None, path)

    assert key == KEY and not created
    assert "chmod 600" in caplog.text and KEY.hex() not in caplog.text


def test_default_key_path_follows_incident_desk_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))

    assert default_key_path({"INCIDENT_DESK_HOME": "/srv/desk"}) == Path("/srv/desk/audit.key")
    assert default_key_path({}) == tmp_path / ".config" / "incident-desk" / "audit.key"
    monkeypatch.delenv("INCIDENT_DESK_HOME", raising=False)
    assert default_key_path() == Path(os.environ["HOME"]) / ".config/incident-desk/audit.key"
