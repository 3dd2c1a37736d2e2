"""Teams end to end for the fail-closed clocks: the risk question is required with personal data
(defect 1), "without undue delay" is never late or OVERDUE (defect 3), and each row of decision
buttons names its regulator and stage (defect 11)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine

from storage.models import Obligation
from tests.support import teams_activities as act
from tests.support.teams_clock_steps import (
    CARD,
    START,
    button,
    buttons,
    classify,
    elements,
    errors,
    inputs,
    nudges_to,
    press,
    reported,
    shown,
    tick,
)
from tests.support.teams_harness import TeamsHarness

ART34 = "UK GDPR Art. 34 — tell the data subjects"


@pytest.fixture
def teams_overrides() -> dict[str, Any]:
    return {"TEAMS_TRIAGE_CHANNEL": act.CHANNEL}


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


async def test_personal_data_without_a_risk_answer_is_refused_on_teams(
    clock: Any, teams: TeamsHarness
) -> None:
    await reported(teams)

    answer = await classify(teams, risk_to_individuals="", personal_data_breach="")

    assert answer["type"] == CARD
    said = errors(answer["value"])
    assert said.count("Answer this when personal data is involved or you are unsure.") == 2
    assert "Not legal advice" in shown(answer["value"])
    assert await teams.rows(Obligation) == []


async def test_art_34_on_teams_is_never_overdue_and_ten_minutes_is_not_late(
    clock: Any, teams: TeamsHarness
) -> None:
    await reported(teams)
    triage = (await classify(teams, risk_to_individuals="high_risk"))["value"]
    [art34] = [o for o in await teams.rows(Obligation) if o.regime_id == "uk_gdpr_art34"]
    assert "OVERDUE" not in shown(triage) and "due now, without undue delay" in shown(triage)

    await tick(teams, clock, START + timedelta(hours=25))
    nudges = [n for n in nudges_to(teams, act.CHANNEL) if ART34 in shown(n)]
    assert nudges and all("OVERDUE" not in shown(n) for n in nudges)

    [notified] = [
        b for b in buttons(triage, "obligation.notified") if b["data"]["obligation_id"] == art34.id
    ]
    form = (await press(teams, notified, user=act.ADMIN_1))["value"]
    assert "reference" not in inputs(form) and "Art. 33(4)" not in shown(form)
    values = {
        **inputs(form),
        "notified_at_date": "2026-11-23",
        "notified_at_time": "09:10",  # ten minutes after awareness (London is on UTC)
        "detail__communication": "Letter to both clients' contacts",
    }
    done = await press(teams, button(form, "obligation.submit"), user=act.ADMIN_1, **values)

    assert errors(done["value"]) == []
    [row] = [o for o in await teams.rows(Obligation) if o.id == art34.id]
    assert row.status == "notified"


async def test_each_row_of_buttons_on_teams_names_its_regulator_and_stage(
    clock: Any, teams: TeamsHarness
) -> None:
    await reported(teams)
    triage = (await classify(teams, risk_to_individuals="high_risk"))["value"]

    body = [e for e in elements(triage) if e.get("type") in ("TextBlock", "ActionSet")]
    labels = [
        body[i - 1]["text"]
        for i, e in enumerate(body)
        if e["type"] == "ActionSet" and buttons(e, "obligation.notified")
    ]
    assert sorted(labels) == [
        "For **UK GDPR Art. 33 — notify the ICO** — Notify the ICO:",
        f"For **{ART34}** — Tell the data subjects without undue delay:",
    ]
