"""Text from people and AI is shown in an export, never obeyed: raw HTML and bidi overrides."""

from __future__ import annotations

from bot.exports.files import ExportFormat
from tests.support.harness import Harness
from tests.support.slack_steps import export, open_report, submit

HOSTILE = 'See <script>alert("x")</script> and <img src=x onerror=alert(1)> invoice\u202efdp.exe'


async def test_markdown_export_escapes_raw_html_and_shows_bidi_overrides(
    harness: Harness,
) -> None:
    await submit(harness, await open_report(harness, text=HOSTILE), description=HOSTILE)

    md = (await export(harness, ExportFormat.MARKDOWN)).decode()

    assert "<script>" not in md and "<img" not in md
    assert "&lt;script&gt;alert" in md
    assert "\u202e" not in md and "invoice[U+202E]fdp.exe" in md


async def test_html_export_neutralises_bidi_overrides(harness: Harness) -> None:
    await submit(harness, await open_report(harness, text=HOSTILE), description=HOSTILE)

    html = (await export(harness, ExportFormat.HTML)).decode()

    assert "<script>" not in html and "\u202e" not in html
    assert "invoice[U+202E]fdp.exe" in html
