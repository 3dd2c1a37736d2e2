"""Logging set-up: plain lines or, with LOG_FORMAT=json, one JSON object per line; and a quiet
idle desk (the scheduler's per-run lines and the SDKs' start-up chatter are dropped)."""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

# The HTTP request being handled, set by the web app's middleware; "-" outside a request.
REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")
_INCIDENT_KEY = re.compile(r"\bINC-\d{4,}\b")
PLAIN = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# APScheduler logs two INFO lines per job run (about 35,000 a day at the default intervals)
# and one "Adding job tentatively" line per job at start: only its warnings are kept.
QUIET = ("apscheduler.executors.default", "apscheduler.scheduler")
# Socket Mode retries a lost connection forever, logging a full traceback each time.
ONE_LINE = ("slack_sdk.socket_mode", "slack_bolt.adapter.socket_mode")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the incident key, platform
    and request id when known. Exceptions are reduced to their type and message."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
        }
        key = getattr(record, "incident", None) or _first_key(message)
        if key:
            entry["incident"] = key
        platform = getattr(record, "platform", None) or _platform_of(record.name)
        if platform:
            entry["platform"] = platform
        request_id = REQUEST_ID.get()
        if request_id != "-":
            entry["request_id"] = request_id
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            entry["error"] = f"{type(error).__name__}: {error}"
        return json.dumps(entry, ensure_ascii=False)


class NoTraceback(logging.Filter):
    """Keeps the line, drops the traceback, for loggers under `prefixes`: loops that retry and
    log each failure."""

    def __init__(self, prefixes: tuple[str, ...]) -> None:
        super().__init__()
        self.prefixes = prefixes

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith(self.prefixes):
            return True
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time, so a replaced stderr is followed."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _: Any) -> None:
        pass


def setup_logging(log_format: str | None) -> None:
    """Configure the root logger; `log_format` is LOG_FORMAT (plain or json). Calling it again
    replaces the handler it installed, and leaves any other handler alone."""
    handler = _StderrHandler()
    if (log_format or "").strip().lower() == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(PLAIN))
    # On the handler, not the loggers: a logger's filter misses its children's records.
    handler.addFilter(NoTraceback(ONE_LINE))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)


def _first_key(message: str) -> str | None:
    found = _INCIDENT_KEY.search(message)
    return found.group(0) if found else None


def _platform_of(logger_name: str) -> str | None:
    if logger_name.startswith(("handlers.slack", "slack_")):
        return "slack"
    if logger_name.startswith(("handlers.teams", "botbuilder", "botframework")):
        return "teams"
    return None
