"""The report spool: reports accepted while the database was down, one fsynced JSON line each
in an append-only local file, replayed (idempotently, by submission key) once it is back."""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from bot.domain import Actor, Platform, ReportInput
from bot.errors import DeskError

log = logging.getLogger(__name__)

SPOOL_FILE = "report-spool.jsonl"


class SpooledReport(BaseModel):
    """Everything `Intake.report` needs to record the report later, as it was accepted."""

    submission_key: str
    actor: Actor
    form: ReportInput
    platform: Platform
    source_key: str | None = None
    channel_id: str | None = None
    evidence: dict[str, Any] | None = None
    draft_form_id: str | None = None
    spooled_at: datetime


class ReportSpool:
    """An append-only file of SpooledReport lines. A line is acknowledged only once fsynced; a
    torn last line (a crash mid-write) was never acknowledged and is skipped."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def append(self, report: SpooledReport) -> None:
        """Write one line and fsync it (and, the first time, the folder that holds it)."""
        line = report.model_dump_json() + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            new = not self.path.exists()
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
            if new:
                _fsync_dir(self.path.parent)

    def pending(self) -> list[SpooledReport]:
        """Every whole line still in the spool, oldest first."""
        if not self.path.exists():
            return []
        found: list[SpooledReport] = []
        with self._lock:
            text = self.path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                found.append(SpooledReport.model_validate_json(line))
            except (ValidationError, json.JSONDecodeError):
                log.warning("report spool line %s is torn or unreadable; skipped", number)
        return found

    def forget(self, keys: set[str]) -> None:
        """Drop the lines now recorded in the database: the rest is rewritten to a new file
        that replaces the old one atomically, so a crash here loses nothing."""
        with self._lock:
            if not self.path.exists():
                return
            kept = []
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    key = json.loads(line).get("submission_key")
                except json.JSONDecodeError:
                    continue
                if key not in keys:
                    kept.append(line + "\n")
            if not kept:
                self.path.unlink()
                _fsync_dir(self.path.parent)
                return
            temporary = self.path.with_suffix(".tmp")
            with open(temporary, "w", encoding="utf-8") as handle:
                handle.writelines(kept)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
            _fsync_dir(self.path.parent)


def spooled_now() -> datetime:
    return datetime.now(UTC)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class ReportSpooled(DeskError):
    """The database was down, so the report went to the spool: accepted, recorded later."""

    def __init__(self) -> None:
        super().__init__(
            "Received. The database is unavailable right now, so your report will be recorded "
            "as soon as it is back; you will get a message with its incident key then. You do "
            "not need to report it again."
        )
