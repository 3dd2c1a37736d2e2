"""The HTML report printed to PDF by headless Chromium, over the DevTools protocol.

Why Chromium and not WeasyPrint: CI and the Docker image already install Chromium for the
screenshot tests, the PDF is then laid out by the same engine that the HTML report is checked
in, and WeasyPrint would add Pango/Cairo system libraries to every image. `Page.printToPDF`
gives A4, embedded (subset) fonts, and a header and footer template on every page."""

from __future__ import annotations

import asyncio
import base64
import itertools
import shutil
import tempfile
from contextlib import suppress
from html import escape
from pathlib import Path
from typing import Any

import aiohttp

from bot.errors import DeskError

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
# A fresh, offline headless Chromium: no first-run, sync or component traffic.
HEADLESS_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
FLAGS = (*HEADLESS_FLAGS, "--remote-debugging-port=0")
TIMEOUT = 60.0
A4_INCHES = (8.27, 11.69)
MARGIN_INCHES = 0.6


NO_CHROMIUM = (
    "PDF needs Chromium (apt-get install chromium); export html and print it instead. "
    "Nothing was exported."
)


class PdfUnavailable(DeskError):
    """No Chromium to print with; the message says how to get one."""


def find_chromium() -> str | None:
    """The Chromium binary, or None."""
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def _band(text: str, right: str) -> str:
    # Header and footer templates are rendered apart from the page, with no page styles.
    style = "font-size:7px;font-family:sans-serif;color:#555;width:100%;padding:0 0.6in;"
    return (
        f'<div style="{style}display:flex;justify-content:space-between">'
        f"<span>{escape(text)}</span><span>{right}</span></div>"
    )


async def html_to_pdf(html: str, *, firm: str | None, generated: str, chain_head: str) -> bytes:
    """Print `html` as an A4 PDF with the firm, page numbers, and "generated at / by / chain
    head" on every page. Raises PdfUnavailable when no Chromium is installed."""
    binary = find_chromium()
    if binary is None:
        raise PdfUnavailable(NO_CHROMIUM)
    # Chromium may still be flushing its profile as it exits; leftovers are only temp files.
    with tempfile.TemporaryDirectory(
        prefix="incident-desk-pdf-", ignore_cleanup_errors=True
    ) as work:
        folder = Path(work)
        page = folder / "report.html"
        page.write_text(html, encoding="utf-8")
        process = await asyncio.create_subprocess_exec(
            binary,
            *FLAGS,
            f"--user-data-dir={folder / 'profile'}",
            "about:blank",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            port = await _port(folder / "profile", process)
            return await _print(port, page, firm=firm, generated=generated, head=chain_head)
        finally:
            with suppress(ProcessLookupError):
                process.kill()
            await process.wait()


async def _port(profile: Path, process: asyncio.subprocess.Process) -> int:
    marker = profile / "DevToolsActivePort"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while loop.time() < deadline:
        if marker.exists() and marker.read_text().strip():
            return int(marker.read_text().splitlines()[0])
        if process.returncode is not None:
            break
        await asyncio.sleep(0.05)
    raise PdfUnavailable("Chromium did not start; export html and print it instead.")


async def _print(port: int, page: Path, *, firm: str | None, generated: str, head: str) -> bytes:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/json/list") as resp:
            targets = await resp.json()
        target = next(t for t in targets if t["type"] == "page")
        async with http.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            cdp = _Cdp(ws)
            await cdp.send("Page.enable")
            await cdp.send("Page.navigate", url=page.as_uri())
            await cdp.wait("Page.loadEventFired")
            result = await cdp.send(
                "Page.printToPDF",
                paperWidth=A4_INCHES[0],
                paperHeight=A4_INCHES[1],
                marginTop=MARGIN_INCHES,
                marginBottom=MARGIN_INCHES,
                marginLeft=MARGIN_INCHES,
                marginRight=MARGIN_INCHES,
                printBackground=True,
                displayHeaderFooter=True,
                headerTemplate=_band(firm or "AI incident report", "Not legal advice"),
                footerTemplate=_band(
                    f"{generated} · chain head {head}",
                    'page <span class="pageNumber"></span> of <span class="totalPages"></span>',
                ),
            )
    return base64.b64decode(result["data"])


class _Cdp:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.seen: list[dict[str, Any]] = []

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        msg_id = next(self.ids)
        await self.ws.send_json({"id": msg_id, "method": method, "params": params})
        while True:
            msg = await self.ws.receive_json(timeout=TIMEOUT)
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise PdfUnavailable(f"Chromium could not print the report: {msg['error']}")
                return dict(msg.get("result", {}))
            self.seen.append(msg)

    async def wait(self, method: str) -> None:
        while not any(m.get("method") == method for m in self.seen):
            self.seen.append(await self.ws.receive_json(timeout=TIMEOUT))
