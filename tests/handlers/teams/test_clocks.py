"""Regulatory clocks from Teams: Classify… starts them on every card, nudges reach Teams admins
and the Teams triage channel with the decision buttons, and a decision stops them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine

from storage.models import AuditEvent, Incident, Nudge, Obligation
from tests.support import teams_activities as act
from tests.support.teams_clock_steps import (
    CARD,
    MESSAGE,
    START,
    button,
    buttons,
    classify,
    elements,
    errors,
    inputs,
    is_nudge,
    nudges_to,
    press,
    reported,
    shown,
    tick,
    triage_card_of,
)
from tests.support.teams_harness import TEAMS_ADMINS, TeamsHarness

ICO = "UK GDPR Art. 33 — notify the ICO"


@pytest.fixture
def teams_overrides() -> dict[str, Any]:
    return {"TEAMS_TRIAGE_CHANNEL": act.CHANNEL}


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


async def ico(h: TeamsHarness) -> Obligation:
    [row] = [o for o in await h.rows(Obligation) if o.regime_id == "uk_gdpr_art33"]
    return row


async def test_classify_from_teams_shows_the_clocks_on_every_card(
    clock: Any, teams: TeamsHarness
) -> None:
    await reported(teams)

    opened = await press(
        teams, button(triage_card_of(teams, act.ADMIN_1), "triage.classify"), user=act.ADMIN_1
    )

    form = opened["value"]
    assert opened["type"] == CARD and "Classify INC-0001" in shown(form)
    assert {
        "aware_at_date": "2026-11-23",
        "aware_at_time": "09:00",  # the report time, in London (GMT in November)
        "personal_data": "no",
        "serious_incident_condition": "none",
        "failure_type": "contamination",
    }.items() <= inputs(form).items()
    ids = {e["id"] for e in elements(form) if str(e.get("type", "")).startswith("Input.")}
    assert {"risk_to_individuals", "flags", "failure_point"} <= ids
    assert "your time, Europe/London" in shown(form)

    answer = await press(
        teams,
        button(form, "classify.submit"),
        user=act.ADMIN_1,
        **{
            **inputs(form),
            "personal_data": "yes",
            "personal_data_breach": "yes",
            "risk_to_individuals": "risk",
            "flags": "wrong_recipient,client_received",
        },
    )

    assert answer["type"] == CARD, answer
    card = shown(answer["value"])
    assert ICO in card and "3 d left" in card
    assert "{{DATE(2026-11-26T09:00:00Z, SHORT)}} {{TIME(2026-11-26T09:00:00Z)}}" in card
    obligation = await ico(teams)
    assert obligation.due_at == START + timedelta(hours=72)
    decisions = [b["data"] for b in buttons(answer["value"], "obligation.notified")]
    assert decisions == [{"obligation_id": obligation.id, "origin": "triage"}]
    assert buttons(answer["value"], "obligation.not_required")
    assert buttons(answer["value"], "obligation.late")
    [row] = await teams.rows(Incident)
    assert row.classification is not None
    assert row.classification["wrong_recipient"] and row.classification["client_received"]
    assert row.aware_at == START and row.status == "triaging"
    other = shown(triage_card_of(teams, act.ADMIN_2))
    assert ICO in other and "obligation.notified" in other
    events = [(e.action, e.actor) for e in await teams.rows(AuditEvent)]
    assert ("incident.classified", f"teams:{act.ADMIN_1}") in events


async def test_awareness_is_entered_in_the_presser_local_time(
    clock: Any, teams: TeamsHarness
) -> None:
    await reported(teams)
    york = "America/New_York"
    opened = await press(
        teams,
        button(triage_card_of(teams, act.ADMIN_1), "triage.classify"),
        user=act.ADMIN_1,
        zone=york,
    )
    form = opened["value"]
    assert (inputs(form)["aware_at_date"], inputs(form)["aware_at_time"]) == ("2026-11-23", "04:00")
    assert f"your time, {york}" in shown(form)

    values = {**inputs(form), "aware_at_date": "2026-11-22", "aware_at_time": "20:30"}
    await press(
        teams,
        button(form, "classify.submit"),
        user=act.ADMIN_1,
        zone=york,
        **{
            **values,
            "personal_data": "yes",
            "personal_data_breach": "yes",
            "risk_to_individuals": "risk",
        },
    )

    [row] = await teams.rows(Incident)
    assert row.aware_at == START - timedelta(hours=7, minutes=30)  # 20:30 EST is 01:30 UTC
    assert (await ico(teams)).due_at == row.aware_at + timedelta(hours=72)


async def test_classification_errors_show_in_the_form(clock: Any, teams: TeamsHarness) -> None:
    await reported(teams)

    future = await classify(teams, aware_at_date="2026-11-24")
    missing = await classify(teams, aware_at_date="", aware_at_time="")

    assert future["type"] == CARD and errors(future["value"]) == [
        "Awareness cannot be in the future."
    ]
    assert inputs(future["value"])["aware_at_date"] == "2026-11-24"  # what was typed is kept
    assert inputs(future["value"])["personal_data"] == "yes"
    assert errors(missing["value"]) == ["Pick when the firm became aware."]
    assert await teams.rows(Obligation) == []
    [row] = await teams.rows(Incident)
    assert row.classified_at is None


async def test_non_admin_classify_and_decisions_are_refused_and_audited(
    clock: Any, teams: TeamsHarness
) -> None:
    incident = await reported(teams)
    await classify(teams)
    obligation = await ico(teams)

    answers = [
        await teams.click("triage.classify", user=act.MALLORY, incident_id=incident.id),
        await teams.click(
            "classify.submit",
            user=act.MALLORY,
            incident_id=incident.id,
            aware_at_date="2026-11-20",
            aware_at_time="09:00",
            personal_data="no",
            serious_incident_condition="none",
        ),
        await teams.click(
            "obligation.submit",
            user=act.MALLORY,
            obligation_id=obligation.id,
            decision="not_required",
            rationale="nothing to see",
        ),
    ]

    for answer in answers:
        assert answer["type"] == MESSAGE
        assert answer["value"].startswith("Only incident admins can triage incidents")
    [row] = await teams.rows(Incident)
    assert row.aware_at == START and row.classification is not None
    assert row.classification["personal_data"] == "yes"
    assert (await ico(teams)).status == "open"
    refused = [e for e in await teams.rows(AuditEvent) if e.action == "triage.refused"]
    assert [(e.actor, (e.after or {}).get("attempted")) for e in refused] == [
        (f"teams:{act.MALLORY}", "incident.classify_form"),
        (f"teams:{act.MALLORY}", "incident.classified"),
        (f"teams:{act.MALLORY}", "obligation.decided"),
    ]


async def test_nudges_reach_teams_admins_with_the_decision_actions(
    clock: Any, teams: TeamsHarness
) -> None:
    await reported(teams)
    await classify(teams)
    obligation = await ico(teams)

    assert await tick(teams, clock, START + timedelta(hours=23)) == 0
    assert await tick(teams, clock, START + timedelta(hours=24)) == 1  # 48 h left

    for admin in TEAMS_ADMINS:
        [nudge] = nudges_to(teams, act.personal_chat(admin))
        text = shown(nudge)
        assert f"**{ICO}** for **INC-0001** closes in 2 d." in text
        assert "{{DATE(2026-11-26T09:00:00Z, SHORT)}}" in text
        assert [a["verb"] for a in nudge["actions"]] == [
            "obligation.notified",
            "obligation.not_required",
            "obligation.late",
        ]
        assert all(a["data"]["obligation_id"] == obligation.id for a in nudge["actions"])
    [summary] = {c.body.get("summary") for c in teams.connector.named("send") if is_nudge(c.card)}
    assert summary == f"{ICO} for INC-0001 closes in 2 d"


async def test_a_decision_from_a_teams_nudge_stops_further_nudges(
    clock: Any, teams: TeamsHarness
) -> None:
    await reported(teams)
    await classify(teams)
    await tick(teams, clock, START + timedelta(hours=24))
    [nudge] = nudges_to(teams, act.personal_chat(act.ADMIN_1))

    opened = await press(teams, button(nudge, "obligation.notified"), user=act.ADMIN_1)
    form = opened["value"]
    assert opened["type"] == CARD and f"Notified: {ICO}" in shown(form)
    assert {"notified_at_date": "2026-11-24", "notified_at_time": "09:00"}.items() <= (
        inputs(form).items()
    )
    assert "detail__nature" in shown(form) and "detail__dpo_contact" in shown(form)

    unreferenced = await press(
        teams, button(form, "obligation.submit"), user=act.ADMIN_1, **inputs(form)
    )
    assert errors(unreferenced["value"]) == ["Give the authority's reference (or 'none given')."]
    assert (await ico(teams)).status == "open"

    recorded = await press(
        teams,
        button(unreferenced["value"], "obligation.submit"),
        user=act.ADMIN_1,
        **{
            **inputs(unreferenced["value"]),
            "reference": "ICO-2026-0042",
            "notified_at_time": "08:30",
            "detail__nature": "Two clients' revenue figures, one data subject",
        },
    )

    assert recorded["type"] == CARD
    assert "✅" in shown(recorded["value"]) and "notified (ref ICO-2026-0042)" in shown(
        recorded["value"]
    )
    assert not buttons(recorded["value"], "obligation.notified")
    obligation = await ico(teams)
    assert (obligation.status, obligation.decided_by) == ("notified", f"teams:{act.ADMIN_1}")
    assert obligation.decision is not None
    assert obligation.decision["notified_at"] == "2026-11-24T08:30:00+00:00"
    assert obligation.decision["details"] == {
        "nature": "Two clients' revenue figures, one data subject"
    }
    pending = [n for n in await teams.rows(Nudge) if n.status == "pending"]
    assert pending == []
    for admin in TEAMS_ADMINS:
        assert "notified (ref ICO-2026-0042)" in shown(triage_card_of(teams, admin))

    before = len(teams.connector.named("send"))
    for hours in (48, 60, 71, 72, 84, 120):
        assert await tick(teams, clock, START + timedelta(hours=hours)) == 0
    assert len(teams.connector.named("send")) == before


async def test_not_required_needs_a_rationale_and_late_needs_reasons(
    clock: Any, teams: TeamsHarness
) -> None:
    await reported(teams)
    triage = (await classify(teams, risk_to_individuals="high_risk"))["value"]
    ico_row = await ico(teams)
    [art34] = [o for o in await teams.rows(Obligation) if o.regime_id == "uk_gdpr_art34"]

    [not_required] = [
        b
        for b in buttons(triage, "obligation.not_required")
        if b["data"]["obligation_id"] == ico_row.id
    ]
    form = (await press(teams, not_required, user=act.ADMIN_1))["value"]
    blank = (await press(teams, button(form, "obligation.submit"), user=act.ADMIN_1))["value"]
    assert errors(blank) == ["Record why the breach is unlikely to result in a risk (Art. 33(5))."]
    done = await press(
        teams,
        button(blank, "obligation.submit"),
        user=act.ADMIN_1,
        rationale="Figures were public; no risk to individuals after review",
    )
    assert "not required" in shown(done["value"])  # the triage card, refreshed

    clock.move_to(START + timedelta(hours=30))
    [late] = [
        b
        for b in buttons(done["value"], "obligation.late")
        if b["data"]["obligation_id"] == art34.id
    ]
    form = (await press(teams, late, user=act.ADMIN_1))["value"]
    no_reasons = await press(
        teams,
        button(form, "obligation.submit"),
        user=act.ADMIN_1,
        **{**inputs(form), "reference": "letters sent"},
    )
    assert errors(no_reasons["value"]) == [
        "Say why the data subjects were not told without undue delay (Art. 34(1))."
    ]
    await press(
        teams,
        button(no_reasons["value"], "obligation.submit"),
        user=act.ADMIN_1,
        **inputs(no_reasons["value"]),
        reasons="Addresses had to be verified first",
    )

    statuses = {o.regime_id: o.status for o in await teams.rows(Obligation)}
    assert statuses == {"uk_gdpr_art33": "not_required", "uk_gdpr_art34": "late"}
    [row] = [o for o in await teams.rows(Obligation) if o.regime_id == "uk_gdpr_art34"]
    assert row.decision is not None
    assert row.decision["reasons"] == "Addresses had to be verified first"


async def test_a_nudge_decided_before_delivery_is_not_sent(clock: Any, teams: TeamsHarness) -> None:
    from bot.delivery.outbox import OutboundMessage
    from bot.domain import Platform

    await reported(teams)
    triage = (await classify(teams))["value"]
    obligation = await ico(teams)
    form = await press(teams, button(triage, "obligation.not_required"), user=act.ADMIN_1)
    await press(
        teams, button(form["value"], "obligation.submit"), user=act.ADMIN_1, rationale="no risk"
    )
    before = len(teams.connector.named("send"))

    await teams.app.dispatcher.courier.deliver(
        OutboundMessage(
            id=0,
            platform=Platform.TEAMS,
            kind="nudge",
            target=act.ADMIN_1,
            incident_id=obligation.incident_id,
            payload={"obligation_id": obligation.id, "nudge_id": 0, "overdue": False},
            attempts=1,
        )
    )

    assert len(teams.connector.named("send")) == before


async def test_nudges_go_to_the_teams_triage_channel_and_overdue_ones_repeat(
    clock: Any, teams: TeamsHarness
) -> None:
    await reported(teams)
    # The bot learns the channel (a stored reference) when someone @mentions it there.
    await teams.post(act.channel_mention(teams.service_url, "help", user=act.ADMIN_1))
    await classify(teams)

    await tick(teams, clock, START + timedelta(hours=24))
    [first] = nudges_to(teams, act.CHANNEL)
    assert "closes in 2 d" in shown(first)

    assert await tick(teams, clock, START + timedelta(hours=73)) == 1
    overdue = nudges_to(teams, act.CHANNEL)[-1]
    assert "**OVERDUE**" in shown(overdue) and "deadline passed 1 h ago" in shown(overdue)
    assert await tick(teams, clock, START + timedelta(hours=80)) == 0
    assert await tick(teams, clock, START + timedelta(hours=85)) == 1  # every 12 h while overdue
    # 48 h left, then one for everything missed by +73 h (coalesced), then the 12-hourly repeat.
    assert len(nudges_to(teams, act.CHANNEL)) == 3


async def test_doctor_says_when_the_teams_triage_channel_cannot_be_reached(
    teams: TeamsHarness, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    from handlers.cli import main

    await teams.install(*TEAMS_ADMINS)
    monkeypatch.setenv("DATABASE_URL", teams.app.settings.database_url)
    monkeypatch.setenv("TEAMS_ENABLED", "true")
    monkeypatch.setenv("INCIDENT_ADMINS", ",".join(TEAMS_ADMINS))
    monkeypatch.setenv("TEAMS_TRIAGE_CHANNEL", act.CHANNEL)
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "MicrosoftAppId"):
        monkeypatch.delenv(name, raising=False)
    missing = f"teams: TEAMS_TRIAGE_CHANNEL {act.CHANNEL} cannot be reached"

    assert await asyncio.to_thread(main, ["doctor"]) == 1
    assert missing in capsys.readouterr().out

    await teams.post(act.channel_mention(teams.service_url, "help", user=act.ADMIN_1))

    assert await asyncio.to_thread(main, ["doctor"]) == 0
    assert missing not in capsys.readouterr().out
