"""The runbook printed to PDF in one headless Chromium run (the same browser and flags as the
report's PDF, bot/exports/pdf.py, without its header and footer band)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from bot.errors import DeskError
from bot.exports.pdf import HEADLESS_FLAGS, find_chromium

# The runbook is one page of its own: no report header or footer band.
FLAGS = (*HEADLESS_FLAGS, "--no-pdf-header-footer")


def html_to_pdf(html: str, output: Path, *, timeout: float = 60) -> Path:
    """Write `html` as a PDF at `output`; DeskError says what to install when Chromium is absent."""
    binary = find_chromium()
    if binary is None:
        raise DeskError(
            "PDF needs Chromium (apt-get install chromium); "
            "use --html and print it from a browser instead"
        )
    with tempfile.TemporaryDirectory(
        prefix="incident-desk-pdf-", ignore_cleanup_errors=True
    ) as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(html, encoding="utf-8")
        result = subprocess.run(
            [
                binary,
                *FLAGS,
                f"--user-data-dir={Path(tmp) / 'profile'}",
                f"--print-to-pdf={output.resolve()}",
                page.as_uri(),
            ],
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    if result.returncode != 0 or not output.exists():
        raise DeskError(f"Chromium could not print the PDF (exit {result.returncode})")
    return output
