"""Containment from Teams: a SEV1/SEV2 incident pages the AI tool's kill-switch owner in Teams,
and Contained, pressed by that owner or an admin, records when the tool was switched off."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine

from bot.settings import DeskConfig, RunbookTool
from storage.models import AuditEvent, Incident, OutboxMessage
from tests.support import teams_activities as act
from tests.support.teams_clock_steps import (
    CARD,
    MESSAGE,
    START,
    button,
    buttons,
    classify,
    press,
    reported,
    shown,
    triage_card_of,
)
from tests.support.teams_harness import TEAMS_ADMINS, TeamsHarness

OWNER = "6b1d0f4e-5555-4000-8000-00000000d001"  # a Teams (Entra) id: not an admin


@pytest.fixture
def teams_config() -> DeskConfig:
    return DeskConfig(
        runbook=[
            RunbookTool(
                id="draftbot",
                name="DraftBot",
                owners=[OWNER],
                logs="Azure Monitor workspace ai-prod",
                safe_to_reenable="Prompt fixed and 20 eval cases pass",
            )
        ]
    )


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


async def severe(h: TeamsHarness, severity: str = "SEV1") -> Incident:
    """Reported, classified as a DraftBot incident, then given a severity from the card."""
    incident = await reported(h, also_install=(OWNER,))
    await classify(h, ai_tool="draftbot")
    await h.click("triage.severity", user=act.ADMIN_1, incident_id=incident.id, severity=severity)
    return incident


def pages_to(h: TeamsHarness, user: str) -> list[dict[str, Any]]:
    return [
        c.card for c in h.cards_to(user) if c.card and "Containment comes first" in shown(c.card)
    ]


async def test_sev1_pages_the_teams_owner_who_presses_contained(
    clock: Any, teams: TeamsHarness
) -> None:
    await severe(teams)

    [page] = pages_to(teams, OWNER)
    text = shown(page)
    assert "**INC-0001** is **SEV1**" in text and "switch off **DraftBot**" in text
    assert "Azure Monitor workspace ai-prod" in text and "20 eval cases pass" in text
    assert OWNER in text  # who can switch it off
    [summary] = [c.body["summary"] for c in teams.cards_to(OWNER) if c.card == page]
    assert summary == "INC-0001 is SEV1: please switch off DraftBot now"
    paged = [r for r in await teams.rows(OutboxMessage) if r.kind == "containment"]
    assert [(r.platform, r.target, r.status) for r in paged] == [("teams", OWNER, "sent")]

    clock.move_to(START + timedelta(hours=1, minutes=12))
    answer = await press(teams, button(page, "triage.contained"), user=OWNER)

    assert answer["type"] == CARD
    assert "🔒 Contained 1 h 12 m after awareness by" in shown(answer["value"])
    assert not buttons(answer["value"], "triage.contained")
    [row] = await teams.rows(Incident)
    assert row.contained_at == START + timedelta(hours=1, minutes=12)
    assert (row.contained_by, row.status) == (f"teams:{OWNER}", "contained")
    for admin in TEAMS_ADMINS:
        card = triage_card_of(teams, admin)
        assert "Contained 1 h 12 m after awareness" in shown(card)
        assert not buttons(card, "triage.contained")
    events = [(e.action, e.actor) for e in await teams.rows(AuditEvent)]
    assert ("incident.contained", f"teams:{OWNER}") in events


async def test_admin_contains_from_the_triage_card(clock: Any, teams: TeamsHarness) -> None:
    await severe(teams, "SEV2")

    answer = await press(
        teams, button(triage_card_of(teams, act.ADMIN_2), "triage.contained"), user=act.ADMIN_2
    )

    assert buttons(answer["value"], "triage.assign_me")  # the triage card, refreshed
    assert "Contained 0 m after awareness" in shown(answer["value"])
    [row] = await teams.rows(Incident)
    assert (row.contained_at, row.contained_by) == (START, f"teams:{act.ADMIN_2}")

    again = await press(teams, button(pages_to(teams, OWNER)[0], "triage.contained"), user=OWNER)
    assert again["type"] == MESSAGE and "already recorded as contained" in again["value"]


async def test_someone_else_pressing_contained_is_refused_and_audited(
    clock: Any, teams: TeamsHarness
) -> None:
    await severe(teams)
    [page] = pages_to(teams, OWNER)

    answer = await press(teams, button(page, "triage.contained"), user=act.MALLORY)

    assert answer["type"] == MESSAGE
    assert answer["value"].startswith("Only incident admins can triage incidents")
    [row] = await teams.rows(Incident)
    assert row.contained_at is None
    refused = [e for e in await teams.rows(AuditEvent) if e.action == "triage.refused"]
    assert [(e.actor, (e.after or {}).get("attempted")) for e in refused] == [
        (f"teams:{act.MALLORY}", "incident.contained")
    ]


async def test_sev3_pages_nobody(clock: Any, teams: TeamsHarness) -> None:
    await severe(teams, "SEV3")

    assert pages_to(teams, OWNER) == []
    assert [r for r in await teams.rows(OutboxMessage) if r.kind == "containment"] == []
