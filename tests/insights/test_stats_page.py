"""`incident-desk stats --html` as a page for a board paper: the firm's name, a summary, channel
names, legends beside the bars, long tables cut; checked in headless Chromium."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from bot.insights.stats_report import _table
from handlers.cli import main
from storage.db import Database
from storage.models import Evidence
from tests.support import chromium
from tests.support.requires import requires
from tests.support.stats_data import NOW, seed

needs_chromium = requires(
    chromium.available(),
    "headless Chromium not found at /usr/bin/chromium (apt-get install chromium)",
)

PAGE_CHECK = """
(() => {
  const imgs = [...document.images];
  const summary = document.getElementById("summary");
  return {
    title: document.querySelector("h1").textContent,
    summary: summary ? summary.textContent : null,
    summaryShown: !!summary && summary.getBoundingClientRect().height > 0,
    images: imgs.length,
    loaded: imgs.every(i => i.complete && i.naturalWidth > 0),
    text: document.body.innerText,
    fetched: performance.getEntriesByType("resource").map(r => r.name),
    scrolls: document.documentElement.scrollWidth, width: window.innerWidth,
  };
})()
"""


@pytest.fixture
def board(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    async def run() -> None:
        db = Database(database_url)
        await seed(db)
        async with db.transaction() as session:
            # A capture that named the channel, as the report shortcut does.
            session.add(
                Evidence(
                    incident_id=1,
                    kind="message",
                    source_key="slack:C1:1.1",
                    content={"channel_id": "C1", "channel_name": "client-a-engagement"},
                    sha256="0" * 64,
                    captured_at=datetime(2026, 3, 2, tzinfo=UTC),
                    captured_by="slack:U0SEED",
                )
            )
        await db.dispose()

    asyncio.run(run())
    config = tmp_path / "desk.yaml"
    config.write_text("firm:\n  name: Northwind Legal LLP\n", encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("INCIDENT_DESK_CONFIG", str(config))
    return database_url


def test_long_tables_are_cut_to_and_n_more() -> None:
    html = _table(["key"], [[f"INC-{n:04d}"] for n in range(1, 31)])

    assert "INC-0012" in html and "INC-0013" not in html
    assert "and 18 more" in html


@needs_chromium
async def test_stats_page_reads_as_a_board_paper_in_a_real_browser(
    board: str, tmp_path: Path
) -> None:
    out = tmp_path / "stats.html"
    with time_machine.travel(NOW, tick=False):
        assert await asyncio.to_thread(main, ["stats", "--period", "all", "--html", str(out)]) == 0

    async with chromium.headless(tmp_path / "profile") as page:
        await page.open(out.as_uri())
        seen = await page.evaluate(PAGE_CHECK)
        png, _, height = await page.screenshot()
    (tmp_path / "stats.png").write_bytes(png)

    assert seen["title"] == "Northwind Legal LLP · AI incidents and weak points"
    assert seen["summaryShown"]
    assert seen["summary"].startswith("All time, staff reported 4 AI incidents and 3 near misses")
    assert "after awareness" in seen["summary"] and "met on time" in seen["summary"]
    assert seen["images"] == 3 and seen["loaded"]
    assert "#client-a-engagement" in seen["text"]
    assert "Not legal advice." in seen["text"]
    assert seen["fetched"] == [] and seen["scrolls"] <= seen["width"]
    assert height > 1000 and len(png) > 50_000
