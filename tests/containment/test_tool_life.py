"""An AI tool's life on Slack: contained with a mode (state on the card and in `/incident tools`,
a signed `disable`), and re-enabled only on the runbook's sign-off (a signed `enable`)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from bot.containment.reenable import Tick
from bot.domain import Actor, Platform
from bot.settings import DeskConfig, ReenableSignOff, RunbookTool
from storage.models import AiToolState, AuditEvent, Incident
from tests.support.harness import Harness
from tests.support.kill_switch import KillSwitch, running_kill_switch
from tests.support.slack_payloads import slash_command, view_submission
from tests.support.slack_steps import click, open_report, rows, submit

SECRET = "draftbot-switch-secret"
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CRITERIA = [
    "Root cause fixed",
    "Regression eval passing",
    "Context isolation verified",
    "Owner informed",
]


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
        slack_bot_ids=["B0DRAFTER"],
        reenable=ReenableSignOff(
            criteria=CRITERIA, approvers=["U0APPROVER1", "U0APPROVER2"], two_approvers=True
        ),
    )
    return DeskConfig(runbook=[tool, RunbookTool(id="summariser", name="Summariser")])


async def contained_incident(h: Harness, mode: str, severity: str = "SEV2") -> Incident:
    await submit(h, await open_report(h))
    incident = (await rows(h, Incident))[-1]
    await click(h, "U0ADMIN1", "triage_severity", incident.id, selected=severity)
    await click(h, "U0OWNER", "triage_contained", incident.id, selected=mode)
    return incident


async def command(h: Harness, text: str, user: str) -> list[dict[str, Any]]:
    before = len(h.fake.responses)
    resp = await h.command(slash_command(text, user=user, response_url=h.fake.response_url))
    assert resp.status == 200
    await h.settle()
    return h.fake.responses[before:]


def answers(ticked: int = len(CRITERIA), noted: int = len(CRITERIA)) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for i in range(len(CRITERIA)):
        picked = [{"value": "done"}] if i < ticked else []
        values[f"criterion_{i}_tick"] = {"tick": {"type": "checkboxes", "selected_options": picked}}
        note = f"https://evals.example/run/{i}" if i < noted else ""
        values[f"criterion_{i}"] = {"note": {"type": "plain_text_input", "value": note}}
    return values


async def sign_off(h: Harness, user: str, values: dict[str, Any]) -> dict[str, Any]:
    await command(h, "reenable draftbot", user)
    opened = h.fake.named("views.open")[-1]
    view = opened.json_arg("view")
    payload = view_submission(
        view_id=opened.response["view"]["id"],
        callback_id="reenable_tool_modal",
        private_metadata=view["private_metadata"],
        values=values,
        user=user,
        blocks=view["blocks"],
    )
    resp = await h.interact(payload)
    assert resp.status == 200
    await h.settle()
    text = await resp.text()
    return json.loads(text) if text else {}


async def state(h: Harness) -> AiToolState:
    [row] = await rows(h, AiToolState)
    return row


async def test_contained_with_a_mode_shows_on_the_card_and_in_tools_and_disables_the_switch(
    harness: Harness, kill_switch: KillSwitch
) -> None:
    with time_machine.travel(START, tick=False):
        incident = await contained_incident(harness, "key_revoked")
    row = await state(harness)
    assert (row.state, row.mode, row.changed_by) == ("contained", "key_revoked", "slack:U0OWNER")
    card = json.dumps(harness.fake.named("chat.update")[-1].json_arg("blocks"))
    assert "State: *DraftBot*: contained (API key revoked) since 2026-11-23 09:00 UTC" in card
    assert "triage_contained" not in card  # the choice is gone once recorded
    [disable] = kill_switch.signed_bodies(SECRET)[-1:]
    assert disable == {
        "event": "disable",
        "tool": "draftbot",
        "tool_name": "DraftBot",
        "at": START.isoformat(),
        "mode": "key_revoked",
        "incident": incident.key,
        "by": "slack:U0OWNER",
    }
    homes = [c for c in harness.fake.named("views.publish") if c.args["user_id"] == "U0ADMIN1"]
    assert "*DraftBot*: contained (API key revoked)" in json.dumps(homes[-1].json_arg("view"))
    [listed] = await command(harness, "tools", "U0REPORTER")
    assert "*DraftBot*: contained (API key revoked)" in listed["text"]
    assert "*Summariser*: in service" in listed["text"]
    contained = [e for e in await rows(harness, AuditEvent) if e.action == "incident.contained"]
    assert contained[0].after is not None and contained[0].after["mode"] == "key_revoked"


async def test_the_card_asks_how_the_tool_was_contained(harness: Harness) -> None:
    await submit(harness, await open_report(harness))
    card = harness.fake.dms_to("U0ADMIN1")[0].json_arg("blocks")
    [actions] = [b for b in card if str(b.get("block_id", "")).startswith("triage_actions")]
    [choice] = [e for e in actions["elements"] if e["action_id"] == "triage_contained"]
    assert choice["placeholder"]["text"] == "Contained…"
    assert [o["text"]["text"] for o in choice["options"]] == [
        "Switched off",
        "API key revoked",
        "Human-only processing",
        "Throttled",
    ]


async def test_reenable_refused_to_someone_the_runbook_does_not_name(harness: Harness) -> None:
    await contained_incident(harness, "switched_off")
    forms = len(harness.fake.named("views.open"))
    [told] = await command(harness, "reenable draftbot", "U0ADMIN1")
    assert "Only the approvers the runbook names for DraftBot" in told["text"]
    assert len(harness.fake.named("views.open")) == forms  # no form to fill in for nothing
    refused = [e for e in await rows(harness, AuditEvent) if e.action == "triage.refused"]
    assert [(e.actor, e.after) for e in refused] == [
        ("slack:U0ADMIN1", {"attempted": "tool.reenabled", "tool": "draftbot"})
    ]
    assert (await state(harness)).state == "contained"


async def test_reenable_refused_while_an_item_is_unticked_or_has_no_note(harness: Harness) -> None:
    await contained_incident(harness, "switched_off")
    answer = await sign_off(harness, "U0APPROVER1", answers(ticked=3, noted=2))
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {
        "criterion_2": "Add a note or a link saying how it was checked.",
        "criterion_3_tick": "Tick this item once it is true.",
    }
    row = await state(harness)
    assert row.state == "contained" and row.approvals == []


async def test_reenable_refused_while_a_sev1_of_the_tool_is_open(harness: Harness) -> None:
    await contained_incident(harness, "human_only", severity="SEV1")
    answer = await sign_off(harness, "U0APPROVER1", answers())
    assert answer["response_action"] == "errors"
    [message] = answer["errors"].values()
    assert "cannot be re-enabled while INC-0001 (SEV1) is open" in message
    assert (await state(harness)).state == "contained"


async def test_reenable_needs_two_different_approvers_then_enables_and_tells_owners(
    harness: Harness, kill_switch: KillSwitch
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        await contained_incident(harness, "throttled")
        clock.shift(timedelta(days=3))
        first = await sign_off(harness, "U0APPROVER1", answers())
        assert "a second, different approver must sign off" in json.dumps(first)
        assert (await state(harness)).state == "contained"
        again = await sign_off(harness, "U0APPROVER1", answers())
        assert "You already approved re-enabling DraftBot" in json.dumps(again)
        second = await sign_off(harness, "U0APPROVER2", answers())

    assert "Signed off and re-enabled" in json.dumps(second)
    row = await state(harness)
    assert row.state == "in_service"
    assert row.reenabled_by == ["slack:U0APPROVER1", "slack:U0APPROVER2"]
    [*_, enable] = kill_switch.signed_bodies(SECRET)
    assert enable["event"] == "enable"
    assert enable["approved_by"] == ["slack:U0APPROVER1", "slack:U0APPROVER2"]
    card = json.dumps(harness.fake.named("chat.update")[-1].json_arg("blocks"))
    assert "re-enabled on 2026-11-26 by <@U0APPROVER1> and <@U0APPROVER2>" in card
    told = harness.fake.dms_to("U0OWNER")[-1].args["text"]
    assert "*DraftBot* was re-enabled after sign-off by <@U0APPROVER1> and <@U0APPROVER2>" in told
    [listed] = await command(harness, "tools", "U0REPORTER")
    assert "re-enabled on 2026-11-26 by <@U0APPROVER1> and <@U0APPROVER2>" in listed["text"]
    actions = [e.action for e in await rows(harness, AuditEvent)]
    assert actions.count("tool.reenable_approved") == 1 and actions.count("tool.reenabled") == 1
    [done] = [e for e in await rows(harness, AuditEvent) if e.action == "tool.reenabled"]
    assert done.after is not None
    notes = done.after["approvals"][1]["notes"]
    assert notes["Regression eval passing"] == "https://evals.example/run/1"


async def test_two_approvers_signing_at_once_reenable_the_tool_exactly_once(
    harness: Harness, kill_switch: KillSwitch
) -> None:
    await contained_incident(harness, "switched_off")
    ticks = {i: Tick(done=True, note=f"checked {i}") for i in range(len(CRITERIA))}
    tools = harness.app.core.tools

    await asyncio.gather(
        *(
            tools.sign_off(
                actor=Actor(platform=Platform.SLACK, user_id=who), tool_ref="draftbot", ticks=ticks
            )
            for who in ("U0APPROVER1", "U0APPROVER2")
        )
    )
    await harness.settle()

    row = await state(harness)
    assert row.state == "in_service" and sorted(row.reenabled_by or []) == [
        "slack:U0APPROVER1",
        "slack:U0APPROVER2",
    ]
    events = [e.action for e in await rows(harness, AuditEvent)]
    assert events.count("tool.reenabled") == 1
    assert [b["event"] for b in kill_switch.signed_bodies(SECRET)].count("enable") == 1


async def test_containing_the_tool_updates_the_cards_of_its_other_open_incidents(
    harness: Harness,
) -> None:
    await submit(harness, await open_report(harness, ts="1700000000.000900"))
    [earlier] = await rows(harness, Incident)
    assert earlier.ai_tool == "draftbot"
    updates = len(harness.fake.named("chat.update"))

    await contained_incident(harness, "throttled")

    refreshed = [
        json.dumps(c.json_arg("blocks"))
        for c in harness.fake.named("chat.update")[updates:]
        if f'"triage_actions:{earlier.id}"' in json.dumps(c.json_arg("blocks"))
    ]
    assert refreshed and "*DraftBot*: contained (throttled)" in refreshed[-1]


async def test_reenable_of_a_tool_in_service_says_so_before_any_form(harness: Harness) -> None:
    [told] = await command(harness, "reenable draftbot", "U0APPROVER1")
    assert told["text"] == "DraftBot is in service: there is nothing to re-enable."
    assert harness.fake.named("views.open") == []
