"""`incident-desk stats`: the text report and the self-contained HTML page with its charts."""

from __future__ import annotations

import asyncio
import base64
import re
from pathlib import Path

import pytest
import time_machine

from handlers.cli import main
from storage.db import Database
from tests.support.stats_data import NOW, seed


@pytest.fixture
def seeded(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    async def run() -> None:
        db = Database(database_url)
        await seed(db)
        await db.dispose()

    asyncio.run(run())
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("INCIDENT_DESK_CONFIG", raising=False)
    return database_url


def test_stats_prints_the_weak_points(seeded: str, capsys: pytest.CaptureFixture[str]) -> None:
    with time_machine.travel(NOW, tick=False):
        assert main(["stats", "--period", "30d"]) == 0
    out = capsys.readouterr().out
    assert "Weak points, the last 30 days" in out
    assert "incidents 3, near misses 3 (ratio 1 per incident)" in out
    assert "Context loss or cross-client contamination x Client-facing document: 2 incidents" in out
    assert "time to containment: 2 h (median of 3)" in out
    assert "obligations met on time: 40% (2 met, 3 missed, 1 not yet due)" in out


def test_stats_html_is_one_self_contained_page_with_charts(
    seeded: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.html"
    with time_machine.travel(NOW, tick=False):
        assert main(["stats", "--period", "all", "--html", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out

    page = out.read_text(encoding="utf-8")
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 3
    assert all(base64.b64decode(i).startswith(b"\x89PNG\r\n\x1a\n") for i in images)
    assert not re.search(r'(src|href)="https?://', page)  # nothing fetched from elsewhere
    assert "<strong>4</strong> incidents, <strong>3</strong> near misses" in page
    assert "Obligations met on time: 50%" in page
    assert "Audit chain head" in page and "Screening rules" in page


def test_stats_rejects_a_bad_period(seeded: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--period", "fortnight"]) == 1
    assert "Use 30d, 90d" in capsys.readouterr().err
