"""An AI tool's life from Teams: Contained… with a mode on the page and the triage card, the state
in `tools`, and the re-enable sign-off form refused, corrected and accepted."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine

from bot.settings import DeskConfig, ReenableSignOff, RunbookTool
from storage.models import AiToolState, AuditEvent, Incident
from tests.support import teams_activities as act
from tests.support.teams_clock_steps import (
    CARD,
    MESSAGE,
    START,
    button,
    buttons,
    classify,
    errors,
    press,
    reported,
    shown,
    triage_card_of,
)
from tests.support.teams_harness import TeamsHarness

OWNER = "6b1d0f4e-5555-4000-8000-00000000d001"
APPROVER = "6b1d0f4e-5555-4000-8000-00000000d002"
CRITERIA = ["Root cause fixed", "Context isolation verified"]


@pytest.fixture
def teams_config() -> DeskConfig:
    tool = RunbookTool(
        id="draftbot",
        name="DraftBot",
        owners=[OWNER],
        reenable=ReenableSignOff(criteria=CRITERIA, approvers=[APPROVER]),
    )
    return DeskConfig(runbook=[tool])


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


async def contained(h: TeamsHarness, mode: str, severity: str = "SEV2") -> Incident:
    incident = await reported(h, also_install=(OWNER, APPROVER))
    await classify(h, ai_tool="draftbot")
    await h.click("triage.severity", user=act.ADMIN_1, incident_id=incident.id, severity=severity)
    [page] = [c.card for c in h.cards_to(OWNER) if c.card and "Containment" in shown(c.card)]
    answer = await press(h, button(page, "triage.contained"), user=OWNER, contain_mode=mode)
    assert answer["type"] == CARD
    return incident


async def say(h: TeamsHarness, text: str, user: str) -> list[dict[str, Any]]:
    before = len(h.connector.calls)
    status, _ = await h.post(act.message(h.service_url, text, user=user))
    assert status == 201
    chat = act.personal_chat(user)
    return [c.body for c in h.connector.calls[before:] if c.conversation_id == chat]


def card_in(reply: dict[str, Any]) -> dict[str, Any]:
    content: dict[str, Any] = reply["attachments"][0]["content"]
    return content


async def test_contained_with_a_mode_shows_on_the_cards_and_in_tools(
    clock: Any, teams: TeamsHarness
) -> None:
    await contained(teams, "human_only")

    [row] = await teams.rows(AiToolState)
    assert (row.state, row.mode) == ("contained", "human_only")
    card = shown(triage_card_of(teams, act.ADMIN_1))
    assert "**DraftBot**: contained (human-only processing) since 2026-11-23" in card
    assert not buttons(triage_card_of(teams, act.ADMIN_1), "triage.contained")
    [reply] = await say(teams, "tools", act.REPORTER)
    assert "**DraftBot**: contained (human-only processing)" in reply["text"]


async def test_the_triage_card_asks_how_before_contained(clock: Any, teams: TeamsHarness) -> None:
    await reported(teams)
    card = triage_card_of(teams, act.ADMIN_1)
    [picker] = [e for e in card["body"] if e.get("id") == "contain_mode"]
    assert picker["label"] == "Contained… how?" and picker["value"] == "switched_off"
    assert [c["title"] for c in picker["choices"]] == [
        "Switched off",
        "API key revoked",
        "Human-only processing",
        "Throttled",
    ]


async def test_reenable_is_refused_to_a_non_approver(clock: Any, teams: TeamsHarness) -> None:
    await contained(teams, "switched_off")
    [reply] = await say(teams, "reenable draftbot", act.ADMIN_1)
    assert "Only the approvers the runbook names for DraftBot" in reply["text"]


async def test_reenable_form_shows_what_is_missing_then_signs_the_tool_back_on(
    clock: Any, teams: TeamsHarness
) -> None:
    await contained(teams, "key_revoked")
    [reply] = await say(teams, "reenable draftbot", APPROVER)
    form = card_in(reply)

    missing = await press(
        teams,
        button(form, "tool.reenable_submit"),
        user=APPROVER,
        criterion_0_tick="true",
        criterion_0="RCA-42 merged",
        criterion_1_tick="false",
    )
    assert missing["type"] == CARD
    assert errors(missing["value"]) == ["Tick this item once it is true."]
    [row] = await teams.rows(AiToolState)
    assert row.state == "contained"

    done = await press(
        teams,
        button(missing["value"], "tool.reenable_submit"),
        user=APPROVER,
        criterion_0_tick="true",
        criterion_0="RCA-42 merged",
        criterion_1_tick="true",
        criterion_1="https://evals.example/isolation/7",
    )
    assert "Signed off and re-enabled" in shown(done["value"])
    [row] = await teams.rows(AiToolState)
    assert row.state == "in_service" and row.reenabled_by == [f"teams:{APPROVER}"]
    assert any(e.action == "tool.reenabled" for e in await teams.rows(AuditEvent))
    await teams.settle()
    assert any("was re-enabled after sign-off" in t for t in teams.texts_to(OWNER))


async def test_an_open_sev1_blocks_reenable(clock: Any, teams: TeamsHarness) -> None:
    await contained(teams, "switched_off", severity="SEV1")
    [reply] = await say(teams, "reenable draftbot", APPROVER)
    answer = await press(
        teams,
        button(card_in(reply), "tool.reenable_submit"),
        user=APPROVER,
        criterion_0_tick="true",
        criterion_0="done",
        criterion_1_tick="true",
        criterion_1="done",
    )
    assert answer["type"] == MESSAGE
    assert "cannot be re-enabled while INC-0001 (SEV1) is open" in answer["value"]
