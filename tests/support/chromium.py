"""A tiny Chrome DevTools Protocol client: start headless Chromium, open a page, run scripts,
take a full-page screenshot. aiohttp's websocket is all it needs."""

from __future__ import annotations

import asyncio
import base64
import itertools
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--remote-debugging-port=0",
    "--window-size=1280,900",
)
START_TIMEOUT = 30.0


def available() -> bool:
    return CHROMIUM.exists() and shutil.which(str(CHROMIUM)) is not None


class Page:
    """One page target; `send` returns a command's result, `event` waits for an event."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.ids = itertools.count(1)
        self.events: list[dict[str, Any]] = []

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        msg_id = next(self.ids)
        await self.ws.send_json({"id": msg_id, "method": method, "params": params})
        while True:
            msg = await self.ws.receive_json(timeout=START_TIMEOUT)
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return dict(msg.get("result", {}))
            self.events.append(msg)

    async def event(self, method: str) -> dict[str, Any]:
        while True:
            for seen in self.events:
                if seen.get("method") == method:
                    self.events.remove(seen)
                    return seen
            self.events.append(await self.ws.receive_json(timeout=START_TIMEOUT))

    async def evaluate(self, expression: str) -> Any:
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(str(result["exceptionDetails"]))
        return result["result"].get("value")

    async def open(self, url: str) -> None:
        await self.send("Page.enable")
        await self.send("Page.navigate", url=url)
        await self.event("Page.loadEventFired")

    async def screenshot(self) -> tuple[bytes, float, float]:
        """PNG of the whole page (not just the window), with its CSS width and height."""
        size = (await self.send("Page.getLayoutMetrics"))["cssContentSize"]
        shot = await self.send(
            "Page.captureScreenshot",
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
        )
        return base64.b64decode(shot["data"]), size["width"], size["height"]


async def _port(profile: Path, process: asyncio.subprocess.Process) -> int:
    marker = profile / "DevToolsActivePort"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT
    while loop.time() < deadline:
        if marker.exists() and marker.read_text().strip():
            return int(marker.read_text().splitlines()[0])
        if process.returncode is not None:
            break
        await asyncio.sleep(0.05)
    raise RuntimeError("Chromium did not open its DevTools port")


@asynccontextmanager
async def headless(profile: Path) -> AsyncIterator[Page]:
    """A fresh headless Chromium with its own profile; killed on exit."""
    process = await asyncio.create_subprocess_exec(
        str(CHROMIUM),
        *FLAGS,
        f"--user-data-dir={profile}",
        "about:blank",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        port = await _port(profile, process)
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/json/list") as resp:
                targets = await resp.json()
            page = next(t for t in targets if t["type"] == "page")
            async with http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                yield Page(ws)
    finally:
        with suppress(ProcessLookupError):
            process.kill()
        await process.wait()
