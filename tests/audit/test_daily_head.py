"""The chain head is posted to the triage channel once a day, and the posted line is what
`audit verify --published-head` takes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from bot.audit.daily_head import DailyHead
from tests.support.exports import run_cli
from tests.support.harness import Harness
from tests.support.slack_steps import open_report, submit

TRIAGE = "C0TRIAGE"
DAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"TRIAGE_CHANNEL": TRIAGE}


def head_posts(h: Harness) -> list[str]:
    return [
        str(c.args["text"])
        for c in h.fake.named("chat.postMessage")
        if c.args.get("channel") == TRIAGE and "Audit chain head" in str(c.args.get("text"))
    ]


def poster(h: Harness) -> DailyHead:
    return DailyHead(h.app.core.ctx, triage_channel=TRIAGE)


async def test_the_head_is_posted_once_a_day_and_verifies(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    with time_machine.travel(DAY, tick=False):
        await submit(harness, await open_report(harness))
        assert await poster(harness).run() is True
        assert await poster(harness).run() is False  # another replica, the same day
        await harness.settle()
    with time_machine.travel(DAY + timedelta(days=1), tick=False):
        assert await poster(harness).run() is True
        await harness.settle()

    first, second = head_posts(harness)
    assert "Audit chain head, 2026-11-23" in first and "Audit chain head, 2026-11-24" in second
    line = re.search(r"[0-9a-f]{64} seq=\d+ at=\S+", first)
    assert line is not None
    capsys.readouterr()
    assert await run_cli(harness, monkeypatch, "audit", "verify", "--published-head", line[0]) == 0
    assert "found at seq" in capsys.readouterr().out


async def test_nothing_is_posted_before_the_first_event_or_without_a_triage_channel(
    harness: Harness,
) -> None:
    assert await poster(harness).run() is False
    await submit(harness, await open_report(harness))
    assert await DailyHead(harness.app.core.ctx, triage_channel=None).run() is False
    await harness.settle()

    assert head_posts(harness) == []
