"""The HTML report renders in a real browser: headless Chromium shows the incident key, the
timeline and the hashes on screen and in print, and the page loads nothing from anywhere."""

from __future__ import annotations

import json
import struct
from pathlib import Path

from bot.exports.files import ExportFormat
from storage.models import AuditEvent, Evidence, EvidenceFile
from tests.support import chromium
from tests.support.exports import full_incident
from tests.support.harness import Harness
from tests.support.requires import requires
from tests.support.slack_steps import export, rows

pytestmark = requires(
    chromium.available(),
    "headless Chromium not found at /usr/bin/chromium (apt-get install chromium)",
)

# Where each text first appears on the page, and whether a reader can see it there.
FIND = """
(() => {
  const wanted = %s;
  const found = {};
  for (const text of wanted) {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    let node, spot = null;
    while (!spot && (node = walker.nextNode())) {
      if (!node.textContent.includes(text)) continue;
      const el = node.parentElement, box = el.getBoundingClientRect(), style = getComputedStyle(el);
      spot = {
        top: box.top + window.scrollY, left: box.left, right: box.right, height: box.height,
        shown: box.width > 0 && box.height > 0 && style.visibility !== "hidden"
               && style.display !== "none" && parseFloat(style.opacity) > 0
               && style.color !== style.backgroundColor,
      };
    }
    found[text] = spot;
  }
  return {found, width: window.innerWidth, scrolls: document.documentElement.scrollWidth,
          fetched: performance.getEntriesByType("resource").map(r => r.name)};
})()
"""


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


async def test_html_report_shows_key_timeline_and_hashes_in_headless_chromium(
    harness: Harness, tmp_path: Path
) -> None:
    await full_incident(harness)
    first, _ = await rows(harness, Evidence)
    [file] = await rows(harness, EvidenceFile)
    head = (await rows(harness, AuditEvent))[-1].hash
    page_file = tmp_path / "INC-0001-report.html"
    page_file.write_bytes(await export(harness, ExportFormat.HTML))
    wanted = [
        "INC-0001 — AI incident report",
        "Source message edited",
        "Severity set",
        "Closed",
        first.sha256,
        str(file.sha256),
        str(head),
    ]

    async with chromium.headless(tmp_path / "profile") as page:
        await page.open(page_file.as_uri())
        screen = await page.evaluate(FIND % json.dumps(wanted))
        png, css_width, css_height = await page.screenshot()
        await page.send("Emulation.setEmulatedMedia", media="print")
        printed = await page.evaluate(FIND % json.dumps(wanted))
    (tmp_path / "INC-0001-report.png").write_bytes(png)

    width, height = png_size(png)
    assert (width, height) == (round(css_width), round(css_height))
    assert height > 1500 and len(png) > 50_000  # the whole report, not a blank page
    for layout in (screen, printed):
        assert layout["fetched"] == []  # self-contained: no fonts, images or scripts fetched
        assert layout["scrolls"] <= layout["width"], "the page is wider than the window"
        for text in wanted:
            spot = layout["found"][text]
            assert spot is not None, f"{text!r} is not on the page"
            assert spot["shown"], f"{text!r} is hidden"
            assert spot["left"] >= 0 and spot["right"] <= layout["width"] + 1, f"{text!r} overflows"
        assert all(s["top"] < height for s in screen["found"].values())
