"""Print an HTML file to PDF with headless Chromium (a fresh profile each time, no network)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from bot.errors import DeskError

CHROMIUM = "/usr/bin/chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
)


def html_to_pdf(html: str, output: Path, *, chromium: str = CHROMIUM, timeout: float = 60) -> Path:
    """Write `html` as a PDF at `output`; DeskError says what to install when Chromium is absent."""
    binary = shutil.which(chromium)
    if binary is None:
        raise DeskError(
            f"PDF needs Chromium at {chromium} (apt-get install chromium); "
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
