"""The chain head anchored outside the database: each new head is appended to a file (meant for
another volume or a write-once bucket), so a truncated log with its head row rewound, or a
deleted head row, no longer verifies.

A line is what `incident-desk audit head` prints: `HASH seq=N at=TIME`."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

HASH = re.compile(r"^[0-9a-f]{64}$")


def head_line(digest: str, seq: int, at: str) -> str:
    """One anchor line, the same text `audit head` prints."""
    return f"{digest} seq={seq} at={at}"


@dataclass(frozen=True)
class Head:
    hash: str
    seq: int | None


def parse_head(text: str) -> Head | None:
    """A head from `HASH`, or from a whole `HASH seq=N at=…` line; None when it is neither."""
    parts = text.strip().split()
    if not parts or not HASH.match(parts[0].lower()):
        return None
    seq = None
    for part in parts[1:]:
        if part.startswith("seq=") and part[4:].isdigit():
            seq = int(part[4:])
    return Head(hash=parts[0].lower(), seq=seq)


def group_heads(tokens: Iterable[str]) -> list[str]:
    """Heads from command-line words: a pasted `HASH seq=N at=…` line, quoted or not, is one."""
    heads: list[str] = []
    for token in tokens:
        for word in token.split():
            if heads and not HASH.match(word.lower()) and "=" in word:
                heads[-1] += " " + word
            else:
                heads.append(word)
    return heads


def append(path: Path, line: str) -> None:
    """Append one line; a failure is logged, never raised (the commit has already happened)."""
    try:
        with path.open("a", encoding="ascii") as handle:
            handle.write(line + "\n")
    except OSError as exc:
        log.error("could not append the audit head to the anchor file %s: %s", path, exc)


@dataclass
class AnchorCheck:
    """What the anchors say: `problems` fail verification; `notes` say which were checked."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check(paths: Iterable[Path], hashes: Mapping[int, str], checked: int) -> AnchorCheck:
    """Every head in every readable anchor file must still be in the chain at its seq."""
    result = AnchorCheck()
    for path in paths:
        try:
            lines = path.read_text(encoding="ascii").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            result.notes.append(f"anchor {path}: not readable ({reason}), not checked")
            continue
        heads = [h for h in (parse_head(line) for line in lines) if h is not None]
        problem = _first_problem(path, heads, hashes, checked)
        if problem is not None:
            result.problems.append(problem)
        elif heads:
            last = max((h.seq or 0) for h in heads)
            result.notes.append(f"anchor {path}: {len(heads)} heads checked, up to seq {last}")
        else:
            result.notes.append(f"anchor {path}: empty, nothing to check")
    return result


def _first_problem(
    path: Path, heads: list[Head], hashes: Mapping[int, str], checked: int
) -> str | None:
    by_hash = {digest: seq for seq, digest in hashes.items()}
    highest = max((h.seq for h in heads if h.seq is not None), default=0)
    if highest > checked:
        gone = f"seq {checked + 1}" + (f"-{highest}" if highest > checked + 1 else "")
        return (
            f"anchor {path} records the chain at seq {highest} but the log ends at seq "
            f"{checked}: {gone} gone"
        )
    for head in heads:
        found = by_hash.get(head.hash)
        if found is None:
            return (
                f"anchor {path} holds head {head.hash[:16]}… (seq {head.seq}) that is not in the "
                "chain: the log was rewritten after it was anchored"
            )
        if head.seq is not None and found != head.seq:
            return f"anchor {path} holds head {head.hash[:16]}… at seq {head.seq}, found at {found}"
    return None
