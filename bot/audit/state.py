"""What an audit event seals about the record it changed, and how a stored record is compared
with the last sealed state.

An event's `state` holds a short digest per sealed incident column, per reporter and per
evidence capture hash, not the values: the log stays small and never duplicates what redaction
removes, yet `audit verify` can still name the field that was changed outside the desk."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.audit.chain import iso_utc
from bot.evidence.canonical import canonical_json, sha256_hex
from storage.audit_repository import SEALED_INCIDENT_COLUMNS, RecordRows

DIGEST_CHARS = 16


def _digest(value: Any) -> str:
    if isinstance(value, datetime):
        value = iso_utc(value)
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()[:DIGEST_CHARS]


def _parsed(text: Any) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return {"unreadable stored JSON": str(text)}


def states(rows: RecordRows) -> dict[int, dict[str, Any]]:
    """The sealed state of each incident in `rows`, by incident id."""
    out: dict[int, dict[str, Any]] = {}
    for inc in rows.incidents:
        fields = {
            name: _digest(
                _parsed(getattr(inc, name)) if name == "classification" else getattr(inc, name)
            )
            for name in SEALED_INCIDENT_COLUMNS
        }
        out[int(inc.id)] = {"key": inc.key, "fields": fields, "reporters": {}, "evidence": {}}
    for rep in rows.reporters:
        if (state := out.get(int(rep.incident_id))) is not None:
            state["reporters"][rep.reporter] = _digest(
                [rep.reporter_name, rep.description, iso_utc(rep.reported_at)]
            )
    for ev in rows.evidence:
        if (state := out.get(int(ev.incident_id))) is not None:
            state["evidence"][str(ev.id)] = {
                "sha256": ev.sha256,
                "redacted": ev.redacted_at is not None,
            }
    return out


@dataclass(frozen=True)
class Sealed:
    """The last state sealed for one incident, and the seq of the event that sealed it."""

    seq: int
    state: Mapping[str, Any]


def differences(key: str, sealed: Sealed, current: Mapping[str, Any] | None) -> list[str]:
    """Each way the stored record differs from what the chain sealed, as one line each."""
    after = f"after seq {sealed.seq}"
    if current is None:
        return [f"{key}: the incident was deleted outside the desk {after}"]
    lines: list[str] = []
    then, now = sealed.state.get("fields") or {}, current["fields"]
    for name in SEALED_INCIDENT_COLUMNS:
        if then.get(name) != now.get(name):
            lines.append(f"{key}: {name} changed outside the desk {after}")
    then_rep, now_rep = sealed.state.get("reporters") or {}, current["reporters"]
    for ref in sorted(set(then_rep) | set(now_rep)):
        if ref not in now_rep:
            lines.append(f"{key}: reporter {ref} deleted outside the desk {after}")
        elif ref not in then_rep:
            lines.append(f"{key}: reporter {ref} added outside the desk {after}")
        elif then_rep[ref] != now_rep[ref]:
            lines.append(f"{key}: reporter {ref}'s report changed outside the desk {after}")
    then_ev, now_ev = sealed.state.get("evidence") or {}, current["evidence"]
    numbers = {eid: n for n, eid in enumerate(sorted(set(then_ev) | set(now_ev), key=int), 1)}
    for eid, number in numbers.items():
        if eid not in now_ev:
            lines.append(f"{key}: evidence #{number} deleted outside the desk {after}")
        elif eid not in then_ev:
            lines.append(f"{key}: evidence #{number} added outside the desk {after}")
        elif then_ev[eid] != now_ev[eid]:
            lines.append(
                f"{key}: evidence #{number}'s capture hash changed outside the desk {after}"
            )
    return lines


def content_mismatches(rows: RecordRows, keys: Mapping[int, str]) -> list[str]:
    """Evidence whose stored content no longer hashes to its capture hash (redacted rows hold a
    tombstone and are sealed by the redaction event instead)."""
    lines: list[str] = []
    numbers: dict[int, int] = {}
    for ev in rows.evidence:
        incident_id = int(ev.incident_id)
        numbers[incident_id] = numbers.get(incident_id, 0) + 1
        if ev.redacted_at is not None:
            continue
        if sha256_hex(_parsed(ev.content)) != ev.sha256:
            key = keys.get(incident_id, f"incident {incident_id}")
            lines.append(
                f"{key}: evidence #{numbers[incident_id]}'s content does not match its capture "
                "hash (edited outside the desk)"
            )
    return lines


def last_sealed(events: Iterable[tuple[int, int | None, Any]]) -> dict[int, Sealed]:
    """From (seq, incident_id, state) in chain order, the last sealed state per incident."""
    out: dict[int, Sealed] = {}
    for seq, incident_id, state in events:
        if incident_id is not None and isinstance(state, dict):
            out[int(incident_id)] = Sealed(seq=seq, state=state)
    return out
