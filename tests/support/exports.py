"""A realistic incident driven through Slack, for export, redaction and eval tests."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from handlers.cli import main
from storage.models import Incident
from tests.support.harness import AUDIT_KEY, Harness
from tests.support.requires import requires
from tests.support.slack_payloads import message_changed
from tests.support.slack_steps import (
    OTHER_MESSAGE,
    add_to_incident,
    choose,
    click,
    close_form,
    file_meta,
    open_report,
    rows,
    submit,
    submit_close,
)

PDF = b"%PDF-1.7 Q3 summary for Client A\n" * 50
CORRECTION = "Q3 revenue for Client A was £3.9m; never quote another client's engagement file."


async def full_incident(h: Harness, *, close: bool = True) -> None:
    """Report with a thread and a file, an edit, a second message, triage, close."""
    h.fake.threads[("C0CLIENTA", "1700000000.000100")] = [
        {"type": "message", "ts": "1699999990.000100", "user": "U0ASKER", "text": "What was Q3?"},
        {"type": "message", "ts": "1700000000.000100", "text": "Q3 revenue for Client A…"},
    ]
    url = h.fake.host_file("F0SUMMARY/q3-summary.pdf", PDF)
    view = await open_report(h, files=[file_meta("q3-summary.pdf", url, len(PDF), "F0SUMMARY")])
    await submit(h, view)
    await h.event(message_changed(text="Q3 revenue for Client A was £3.9m."))
    await h.settle()
    await choose(h, await add_to_incident(h, **OTHER_MESSAGE), 1)
    await click(h, "U0ADMIN1", "triage_assign_me", 1)
    await click(h, "U0ADMIN1", "triage_severity", 1, selected="SEV2")
    if close:
        [incident] = await rows(h, Incident)
        await submit_close(h, await close_form(h, incident), correction=CORRECTION)


async def run_cli(h: Harness, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """`incident-desk ARGS` on the harness database, in a thread (the CLI runs its own loop)."""
    monkeypatch.setenv("DATABASE_URL", h.app.db.url)
    monkeypatch.setenv("AUDIT_HMAC_KEY", AUDIT_KEY.hex())
    return await asyncio.to_thread(main, list(args))


def unzip(data: bytes, into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    zip_path = into / "bundle.zip"
    zip_path.write_bytes(data)
    with zipfile.ZipFile(zip_path) as bundle:
        bundle.extractall(into / "unzipped")
    return into / "unzipped"


needs_sha256sum = requires(
    shutil.which("sha256sum") is not None, "sha256sum (GNU coreutils) is not installed"
)


def sha256sum_check(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sha256sum", "-c", "MANIFEST.sha256"], cwd=folder, capture_output=True, text=True
    )
