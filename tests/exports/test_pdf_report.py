"""The PDF report: A4, fonts embedded, page numbers, generated at / by / chain head and the
firm's name on every page, printed by headless Chromium."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from bot.exports import pdf
from bot.exports.files import ExportFormat
from bot.exports.pdf import find_chromium
from bot.settings import DeskConfig
from storage.models import AuditEvent
from tests.support.exports import full_incident, run_cli
from tests.support.harness import Harness
from tests.support.requires import requires
from tests.support.slack_steps import export, rows

pytestmark = requires(
    find_chromium() is not None,
    "headless Chromium not found at /usr/bin/chromium (apt-get install chromium)",
)
A4_POINTS = (596, 842)  # 8.27 x 11.69 in, as Chromium rounds A4


@pytest.fixture
def desk_config() -> DeskConfig:
    return DeskConfig.model_validate({"firm": {"name": "Northwind Legal LLP"}})


async def test_pdf_is_a4_with_embedded_fonts_and_a_running_footer(harness: Harness) -> None:
    await full_incident(harness)

    data = await export(harness, ExportFormat.PDF)

    reader = PdfReader(io.BytesIO(data))
    assert data.startswith(b"%PDF-")
    assert len(reader.pages) >= 2
    assert _fonts(reader.pages[0])
    pages = [page.extract_text() for page in reader.pages]
    for number, (page, text) in enumerate(zip(reader.pages, pages, strict=True), start=1):
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == A4_POINTS
        assert f"page {number} of {len(pages)}" in text
        assert "Northwind Legal LLP" in text and "Not legal advice" in text
        assert "Generated " in text and " by " in text and "chain head seq " in text
    assert all(_embedded(font) for page in reader.pages for font in _fonts(page))
    assert "INC-0001 — AI incident report" in pages[0]


def _fonts(page: Any) -> list[Any]:
    resources = page["/Resources"].get_object()
    fonts = resources.get("/Font")
    return [f.get_object() for f in fonts.get_object().values()] if fonts is not None else []


def _embedded(font: Any) -> bool:
    """Whether the font's program is inside the PDF (a Type0 font keeps it in its descendant)."""
    if "/DescendantFonts" in font:
        font = font["/DescendantFonts"][0].get_object()
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return False
    return any(k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))


async def test_without_chromium_a_pdf_export_is_one_line_and_not_recorded(
    harness: Harness,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
) -> None:
    await full_incident(harness)
    monkeypatch.setattr(pdf, "CHROMIUM_CANDIDATES", ())
    monkeypatch.setenv("PATH", str(tmp_path))

    code = await run_cli(
        harness, monkeypatch, "export", "INC-0001", "--format", "pdf", "-o", str(tmp_path / "r.pdf")
    )

    assert code == 1
    assert "PDF needs Chromium (apt-get install chromium)" in capsys.readouterr().err
    assert [e for e in await rows(harness, AuditEvent) if e.action == "incident.exported"] == []
