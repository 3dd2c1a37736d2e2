"""The chain head anchored outside the database, and published heads pasted as `audit head`
prints them: a cut tail with the head row rewound, or a deleted head row, is caught."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, delete, func, select, update

from bot.audit.verify import verify_url
from handlers.cli import main
from storage.migrate import sync_url
from storage.models import AuditEvent, AuditHead
from tests.support.audit_ops import core_app, many_operations
from tests.support.harness import AUDIT_KEY


def _seed(database_url: str, anchor: Path) -> Engine:
    async def run() -> None:
        app = core_app(database_url, AUDIT_ANCHOR_FILE=str(anchor))
        await many_operations(app, incidents=3)
        await app.db.dispose()

    asyncio.run(run())
    return create_engine(sync_url(database_url))


def _cut_tail(engine: Engine, keep: int) -> None:
    """Delete the newest events and rewind the head row to match: the old attack."""
    with engine.begin() as conn:
        conn.execute(delete(AuditEvent).where(AuditEvent.seq > keep))
        digest = conn.execute(select(AuditEvent.hash).where(AuditEvent.seq == keep)).scalar_one()
        conn.execute(update(AuditHead).values(seq=keep, hash=digest))


def test_every_commit_appends_its_head_and_verify_checks_the_anchor(
    database_url: str, tmp_path: Path
) -> None:
    anchor = tmp_path / "anchor" / "heads.log"
    anchor.parent.mkdir()
    engine = _seed(database_url, anchor)
    with engine.connect() as conn:
        seqs = conn.execute(select(func.max(AuditEvent.seq))).scalar_one()
    engine.dispose()

    lines = anchor.read_text(encoding="ascii").splitlines()
    report = verify_url(database_url, AUDIT_KEY, anchors=[anchor, tmp_path / "missing.log"])

    assert lines[-1].split()[1] == f"seq={seqs}"
    assert report.ok, report.message
    assert f"anchor {anchor}: {len(lines)} heads checked, up to seq {seqs}" in report.notes
    assert any("missing.log: not readable" in n and "not checked" in n for n in report.notes)


def test_a_cut_tail_with_the_head_row_rewound_is_caught_by_the_anchor(
    database_url: str, tmp_path: Path
) -> None:
    anchor = tmp_path / "heads.log"
    engine = _seed(database_url, anchor)
    with engine.connect() as conn:
        last = conn.execute(select(func.max(AuditEvent.seq))).scalar_one() or 0
    _cut_tail(engine, last - 2)
    engine.dispose()

    report = verify_url(database_url, AUDIT_KEY, anchors=[anchor])

    assert not report.ok
    assert report.message == (
        f"before seq 1: missing — anchor {anchor} records the chain at seq {last} but the log "
        f"ends at seq {last - 2}: seq {last - 1}-{last} gone"
    )


def test_a_deleted_head_row_and_tail_is_caught_by_the_anchor(
    database_url: str, tmp_path: Path
) -> None:
    anchor = tmp_path / "heads.log"
    engine = _seed(database_url, anchor)
    with engine.begin() as conn:
        last = conn.execute(select(func.max(AuditEvent.seq))).scalar_one() or 0
        conn.execute(delete(AuditEvent).where(AuditEvent.seq == last))
        conn.execute(delete(AuditHead))
    engine.dispose()

    report = verify_url(database_url, AUDIT_KEY, anchors=[anchor])

    assert not report.ok and f"seq {last} gone" in report.message


def test_verify_accepts_the_line_audit_head_prints(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    _seed(database_url, tmp_path / "heads.log").dispose()
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("AUDIT_HMAC_KEY", AUDIT_KEY.hex())
    assert main(["audit", "head"]) == 0
    line = capsys.readouterr().out.strip()

    assert main(["audit", "verify", "--published-head", line]) == 0
    quoted = capsys.readouterr().out
    assert main(["audit", "verify", "--published-head", *line.split()]) == 0
    unquoted = capsys.readouterr().out

    assert "found at seq" in quoted and "found at seq" in unquoted


def test_a_published_head_beyond_the_log_names_the_cut(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    engine = _seed(database_url, tmp_path / "heads.log")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("AUDIT_HMAC_KEY", AUDIT_KEY.hex())
    assert main(["audit", "head"]) == 0
    line = capsys.readouterr().out.strip()
    seq = int(line.split()[1].removeprefix("seq="))
    _cut_tail(engine, seq - 1)
    engine.dispose()

    assert main(["audit", "verify", "--published-head", line]) == 1

    out = capsys.readouterr().out
    assert f"was seq {seq} but the log ends at seq {seq - 1}" in out
