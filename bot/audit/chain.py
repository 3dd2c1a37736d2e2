"""The audit log's hash chain: hash = HMAC-SHA256(key, prev_hash || canonical event), verify,
and the HMAC key (AUDIT_HMAC_KEY, or a generated key file kept outside the database)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from bot.errors import ConfigError
from bot.evidence.canonical import canonical_json

log = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
GENESIS_SEQ = 1
EVENT_FIELDS = (
    "seq",
    "occurred_at",
    "actor",
    "actor_name",
    "platform",
    "action",
    "incident_id",
    "before",
    "after",
)
KEY_FILE_NAME = "audit.key"
HOME_ENV = "INCIDENT_DESK_HOME"
GENERATED_KEY_BYTES = 32
MIN_HEX_KEY_DIGITS = 32
SHORT_KEY_BYTES = 16


class BreakReason(StrEnum):
    """What is wrong at the first broken link of the chain."""

    MODIFIED = "modified"
    MISSING = "missing"
    REORDERED = "reordered"


@dataclass(frozen=True)
class ChainRow:
    """One stored audit event: `event` holds its fields; `seq` overrides any seq inside it."""

    seq: int
    prev_hash: str
    hash: str
    event: Mapping[str, Any]


@dataclass(frozen=True)
class VerifyResult:
    """`checked` events verified in order up to `head`; on failure, the first broken seq and why."""

    ok: bool
    checked: int
    head: str
    broken_seq: int | None = None
    reason: BreakReason | None = None
    message: str = ""


def iso_utc(moment: datetime) -> str:
    """The hashed text form of a timestamp: UTC ISO-8601 with microseconds; naive means UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_event(event: Mapping[str, Any]) -> bytes:
    """The bytes an event is hashed over: canonical JSON; a datetime `occurred_at` is iso_utc."""
    seq = event.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool):
        raise ValueError("an audit event needs an integer 'seq' to be hashed")
    fields = dict(event)
    occurred_at = fields.get("occurred_at")
    if isinstance(occurred_at, datetime):
        fields["occurred_at"] = iso_utc(occurred_at)
    return canonical_json(fields).encode("utf-8")


def link_hash(key: bytes, prev_hash: str, event: Mapping[str, Any]) -> str:
    """Hex HMAC-SHA256 under `key` of `prev_hash` (as text) followed by the canonical event."""
    mac = hmac.new(key, prev_hash.encode("utf-8"), hashlib.sha256)
    mac.update(canonical_event(event))
    return mac.hexdigest()


def seal(key: bytes, *, seq: int, prev_hash: str, event: Mapping[str, Any]) -> ChainRow:
    """The chain row for `event` appended as `seq` after the event whose hash is `prev_hash`."""
    fields = {name: value for name, value in event.items() if name != "seq"}
    digest = link_hash(key, prev_hash, {**fields, "seq": seq})
    return ChainRow(seq=seq, prev_hash=prev_hash, hash=digest, event=fields)


def verify_chain(rows: Iterable[ChainRow], key: bytes) -> VerifyResult:
    """Recompute the chain over `rows` in seq order (streamed); name the first broken link."""
    head = GENESIS_HASH
    expected = GENESIS_SEQ
    checked = 0
    remaining = iter(rows)
    for row in remaining:
        if row.seq == expected and row.prev_hash == head and _holds(key, row, expected):
            head = row.hash
            expected += 1
            checked += 1
            continue
        reason, detail = _diagnose(key, row, expected, head, remaining)
        return VerifyResult(
            ok=False,
            checked=checked,
            head=head,
            broken_seq=expected,
            reason=reason,
            message=f"seq {expected}: {reason} — {detail}",
        )
    noun = "event" if checked == 1 else "events"
    return VerifyResult(
        ok=True, checked=checked, head=head, message=f"{checked} {noun} checked, chain intact"
    )


def _holds(key: bytes, row: ChainRow, seq: int) -> bool:
    """Whether the row's stored hash is the keyed hash of its content placed at `seq`."""
    expected = link_hash(key, row.prev_hash, {**row.event, "seq": seq})
    return hmac.compare_digest(expected.encode("utf-8"), row.hash.encode("utf-8"))


def _diagnose(
    key: bytes, row: ChainRow, expected: int, head: str, rest: Iterator[ChainRow]
) -> tuple[BreakReason, str]:
    """Classify the break found at `row`, which stands where seq `expected` belongs."""
    previous = "the genesis hash" if expected == GENESIS_SEQ else f"seq {expected - 1}"
    links = row.prev_hash == head
    if row.seq == expected:
        if _holds(key, row, expected):
            return BreakReason.MISSING, (
                f"its link does not match {previous}; a row before it was removed or replaced"
            )
        if not links:
            later = {r.seq for r in rest}
            for seq in [*sorted(later), *range(GENESIS_SEQ, expected)]:
                if seq != expected and _holds(key, row, seq):
                    return BreakReason.REORDERED, f"it holds the content recorded as seq {seq}"
        return BreakReason.MODIFIED, "stored hash does not match its content"
    if links or _holds(key, row, expected):
        return BreakReason.MODIFIED, f"its stored seq {row.seq} does not match its content"
    if row.seq < expected:
        return BreakReason.REORDERED, (
            f"found seq {row.seq} where seq {expected} belongs; seq {row.seq} already appeared"
        )
    if any(r.seq == expected for r in rest):
        return BreakReason.REORDERED, f"found seq {row.seq} where seq {expected} belongs"
    gap = f"seq {expected}" if row.seq == expected + 1 else f"seqs {expected}-{row.seq - 1}"
    return BreakReason.MISSING, f"the chain jumps from {previous} to seq {row.seq}; {gap} gone"


def default_key_path(environ: Mapping[str, str] | None = None) -> Path:
    """$INCIDENT_DESK_HOME/audit.key when set, else ~/.config/incident-desk/audit.key."""
    env = os.environ if environ is None else environ
    home = env.get(HOME_ENV, "").strip()
    if home:
        return Path(home).expanduser() / KEY_FILE_NAME
    try:
        return Path.home() / ".config" / "incident-desk" / KEY_FILE_NAME
    except RuntimeError as exc:
        raise ConfigError(
            f"cannot find a home directory for the audit key; set {HOME_ENV} or AUDIT_HMAC_KEY"
        ) from exc


def parse_key(text: str) -> bytes | None:
    """A key written as hex (at least 32 digits, an even count); None when `text` is not one."""
    digits = text.strip()
    if len(digits) < MIN_HEX_KEY_DIGITS or len(digits) % 2:
        return None
    try:
        return bytes.fromhex(digits)
    except ValueError:
        return None


def load_or_create_key(explicit: str | None, path: Path) -> tuple[bytes, bool]:
    """The audit HMAC key, and True when it was just generated into `path` (the caller then logs
    key_created_message). AUDIT_HMAC_KEY wins over the file; a blank value counts as unset."""
    # An explicit key of 32+ hex digits (e.g. `openssl rand -hex 32`) is decoded as hex; any
    # other value is used as its UTF-8 bytes, surrounding whitespace stripped. The key file holds
    # hex only; it is created 0600 in a directory created 0700 and never overwritten.
    if explicit is not None and explicit.strip():
        key = parse_key(explicit) or explicit.strip().encode("utf-8")
        if len(key) < SHORT_KEY_BYTES:
            log.warning(
                "AUDIT_HMAC_KEY is shorter than %d bytes; use a longer key", SHORT_KEY_BYTES
            )
        return key, False
    existing = _read_key_file(path)
    if existing is not None:
        return existing, False
    created = _create_key_file(path)
    if created is not None:
        return created, True
    raced = _read_key_file(path)
    if raced is None:
        raise ConfigError(f"audit key file {path} exists but cannot be opened")
    return raced, False


def key_created_message(path: Path) -> str:
    """The warning to log when load_or_create_key generated a new key."""
    return (
        f"Generated a new audit HMAC key in {path}. Back this file up now: without it the audit "
        "trail cannot be verified. To manage the key yourself, set AUDIT_HMAC_KEY instead."
    )


def _read_key_file(path: Path) -> bytes | None:
    """The key stored in `path`, or None when there is no such file; warns on loose permissions."""
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read audit key file {path}: {exc}") from exc
    if os.name == "posix" and mode & 0o077:
        log.warning(
            "audit key file %s is readable by group or others (mode %o); run: chmod 600 %s",
            path,
            mode & 0o777,
            path,
        )
    key = parse_key(text)
    if key is None:
        raise ConfigError(
            f"audit key file {path} does not hold a hex key of at least {MIN_HEX_KEY_DIGITS} "
            "digits; restore it from your backup (a new key cannot verify the existing audit trail)"
        )
    return key


def _create_key_file(path: Path) -> bytes | None:
    """Write a new random key to `path` with mode 0600; None if another process created it first."""
    key = secrets.token_bytes(GENERATED_KEY_BYTES)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{KEY_FILE_NAME}.", dir=path.parent)
    except OSError as exc:
        raise ConfigError(f"cannot create audit key file {path}: {exc}") from exc
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(key.hex() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        # A hard link publishes the complete file atomically and never replaces an existing key.
        os.link(tmp, path)
    except FileExistsError:
        return None
    except OSError as exc:
        raise ConfigError(f"cannot create audit key file {path}: {exc}") from exc
    finally:
        with suppress(OSError):
            os.unlink(tmp)
    return key
