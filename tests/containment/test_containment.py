"""Containment first: SEV1/SEV2 pages the tool's owners and its signed kill-switch webhook."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from bot.settings import DeskConfig, RunbookTool
from storage.models import AuditEvent, Incident, OutboxMessage
from tests.support.harness import Harness
from tests.support.kill_switch import KillSwitch, running_kill_switch
from tests.support.slack_payloads import block_action
from tests.support.slack_steps import open_report, rows, submit

SECRET = "kill-switch-shared-secret"
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
async def kill_switch() -> AsyncIterator[KillSwitch]:
    async with running_kill_switch() as switch:
        yield switch


@pytest.fixture
def desk_config(kill_switch: KillSwitch, monkeypatch: pytest.MonkeyPatch) -> DeskConfig:
    monkeypatch.setenv("DRAFTBOT_KILL_SECRET", SECRET)
    tool = RunbookTool(
        id="draftbot",
        name="DraftBot",
        owners=["U0OWNER"],
        kill_switch_url=kill_switch.url,
        kill_switch_secret_env="DRAFTBOT_KILL_SECRET",
        logs="Azure Monitor workspace ai-drafting",
        safe_to_reenable="Prompt context is reset per client and a reviewer signed off",
        slack_bot_ids=["B0DRAFTER"],
    )
    return DeskConfig(runbook=[tool])


async def severity(h: Harness, incident: Incident, value: str) -> None:
    payload = block_action(
        user="U0ADMIN1",
        action_id="triage_severity",
        incident_id=incident.id,
        response_url=h.fake.response_url,
        selected=value,
    )
    assert (await h.interact(payload)).status == 200
    await h.settle()


async def reported(h: Harness) -> Incident:
    await submit(h, await open_report(h))
    [incident] = await rows(h, Incident)
    return incident


def owner_pages(h: Harness) -> list[Any]:
    return [c for c in h.fake.dms_to("U0OWNER") if "switch off" in c.args["text"]]


async def test_reported_message_identifies_the_tool_from_its_bot_id(harness: Harness) -> None:
    incident = await reported(harness)
    assert incident.ai_tool == "draftbot"
    card = json.dumps(harness.fake.dms_to("U0ADMIN1")[0].json_arg("blocks"), ensure_ascii=False)
    assert "Runbook: DraftBot" in card and "Azure Monitor" in card


async def test_sev3_pages_nobody(harness: Harness, kill_switch: KillSwitch) -> None:
    await severity(harness, await reported(harness), "SEV3")
    assert owner_pages(harness) == [] and kill_switch.requests == []


async def test_sev1_pages_owners_once_and_posts_a_signed_webhook_with_retry(
    harness: Harness, kill_switch: KillSwitch
) -> None:
    kill_switch.fail_next = 1
    with time_machine.travel(START, tick=False) as clock:
        incident = await reported(harness)
        await severity(harness, incident, "SEV1")
        await severity(harness, incident, "SEV2")  # still paged only once

        [page] = owner_pages(harness)
        assert "INC-0001" in page.args["text"]
        blocks = json.dumps(page.json_arg("blocks"), ensure_ascii=False)
        assert "triage_contained" in blocks and "safe to re-enable" in blocks.lower()
        assert len(kill_switch.requests) == 1  # answered 503: retried later
        [hook] = [r for r in await rows(harness, OutboxMessage) if r.kind == "webhook"]
        assert hook.status == "pending" and "503" in (hook.last_error or "")

        clock.shift(timedelta(minutes=2))
        await harness.app.dispatcher.drain()

    assert len(kill_switch.requests) == 2
    headers, body = kill_switch.requests[-1]
    timestamp = headers["X-Incident-Desk-Timestamp"]
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    assert headers["X-Incident-Desk-Signature"] == "sha256=" + expected.hexdigest()
    assert json.loads(body) | {"paged_at": None} == {
        "event": "contain",
        "incident": "INC-0001",
        "severity": "SEV1",
        "tool": "draftbot",
        "tool_name": "DraftBot",
        "paged_at": None,
    }


async def test_owner_presses_contained_and_the_card_shows_time_to_containment(
    harness: Harness,
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        incident = await reported(harness)
        await severity(harness, incident, "SEV2")
        clock.shift(timedelta(hours=1, minutes=12))
        payload = block_action(
            user="U0OWNER",
            action_id="triage_contained",
            incident_id=incident.id,
            response_url=harness.fake.response_url,
        )
        assert (await harness.interact(payload)).status == 200
        await harness.settle()

    [row] = await rows(harness, Incident)
    assert row.contained_by == "slack:U0OWNER" and row.status == "contained"
    assert row.contained_at == START + timedelta(hours=1, minutes=12)
    card = json.dumps(harness.fake.named("chat.update")[-1].json_arg("blocks"))
    assert "Contained 1 h 12 m after awareness by <@U0OWNER>" in card
    assert any(e.action == "incident.contained" for e in await rows(harness, AuditEvent))


async def test_stranger_cannot_press_contained(harness: Harness) -> None:
    incident = await reported(harness)
    payload = block_action(
        user="U0STRANGER",
        action_id="triage_contained",
        incident_id=incident.id,
        response_url=harness.fake.response_url,
    )
    await harness.interact(payload)
    await harness.settle()
    [row] = await rows(harness, Incident)
    assert row.contained_at is None
    refused = [e for e in await rows(harness, AuditEvent) if e.action == "triage.refused"]
    assert refused[0].after == {"attempted": "incident.contained"}
