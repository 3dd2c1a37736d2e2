"""Logs: LOG_FORMAT=json writes one JSON object per line with the incident key, platform and
request id; the idle desk is quiet; retry loops log one line, not a traceback."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.logs import REQUEST_ID, setup_logging
from bot.settings import DeskConfig
from handlers.wiring import create_app
from tests.support.fakes.slack_api import FakeSlack
from tests.support.harness import make_settings


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers, root.level = handlers, level


def test_json_lines_carry_incident_platform_and_request_id_and_no_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    setup_logging("json")
    token = REQUEST_ID.set("req-42")
    try:
        logging.getLogger("handlers.slack.listeners.views").info("report %s saved", "INC-0007")
        try:
            raise TimeoutError("Slack took too long")
        except TimeoutError:
            logging.getLogger("bot.delivery.outbox").exception("round failed for INC-0008")
    finally:
        REQUEST_ID.reset(token)

    lines = capsys.readouterr().err.strip().splitlines()
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == "report INC-0007 saved"
    assert (first["incident"], first["platform"], first["request_id"]) == (
        "INC-0007",
        "slack",
        "req-42",
    )
    assert first["level"] == "INFO"
    assert second["incident"] == "INC-0008"
    assert second["error"] == "TimeoutError: Slack took too long"
    assert "Traceback" not in "".join(lines)


async def test_the_idle_scheduler_writes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging(None)
    scheduler = AsyncIOScheduler(timezone="UTC")

    async def idle() -> None:
        return None

    scheduler.add_job(idle, "interval", seconds=0.1, id="idle")
    scheduler.start()
    await asyncio.sleep(0.35)
    scheduler.shutdown(wait=False)

    assert capsys.readouterr().err == ""


def test_socket_mode_retries_log_one_line_without_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    setup_logging(None)
    try:
        raise OSError("Network is unreachable")
    except OSError as exc:
        logging.getLogger("slack_sdk.socket_mode.aiohttp").exception(
            "Failed to connect (error: %s); Retrying...", exc
        )

    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "Failed to connect" in err and "OSError: Network is unreachable" in err
    assert "Traceback" not in err


async def test_start_up_does_not_warn_that_the_bot_token_is_unused(
    fake_slack: FakeSlack,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    setup_logging(None)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")

    app = create_app(make_settings(database_url, fake_slack), DeskConfig())
    await app.db.dispose()

    err = capsys.readouterr().err
    assert "will be unused" not in err
    assert "Adding job tentatively" not in err
