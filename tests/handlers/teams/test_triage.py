"""Triage on Adaptive Cards: the clicked card refreshes in place, every other copy is updated
through the outbox, and a non-admin's click is refused on the server and audited."""

from __future__ import annotations

import json
from typing import Any

from bot.exports.evals import build_cases
from storage.models import AuditEvent, CardPost, Incident
from tests.support import teams_activities as act
from tests.support.teams_harness import TEAMS_ADMINS, TeamsHarness

CARD = "application/vnd.microsoft.card.adaptive"


async def reported(h: TeamsHarness) -> Incident:
    await h.install(*TEAMS_ADMINS)
    await h.post(act.submit_action(h.service_url))
    [incident] = await h.rows(Incident)
    return incident


def latest_updates(h: TeamsHarness) -> dict[str, dict[str, Any]]:
    """The newest card each admin's chat was updated to, keyed by conversation."""
    latest: dict[str, dict[str, Any]] = {}
    for call in h.connector.named("update"):
        assert call.conversation_id is not None and call.card is not None
        latest[call.conversation_id] = {"card": call.card, "activity_id": call.activity_id}
    return latest


def facts(card: dict[str, Any]) -> dict[str, str]:
    fact_set = next(e for e in card["body"] if e["type"] == "FactSet")
    return {f["title"]: f["value"] for f in fact_set["facts"]}


async def test_assign_to_me_refreshes_the_clicked_card_and_every_copy(teams: TeamsHarness) -> None:
    incident = await reported(teams)
    posted = {c.conversation_id: c.response["id"] for c in teams.connector.named("send") if c.card}

    answer = await teams.click("triage.assign_me", user=act.ADMIN_1, incident_id=incident.id)

    assert answer["statusCode"] == 200 and answer["type"] == CARD
    assert facts(answer["value"])["Assignee"] == "Ada Admin"
    assert facts(answer["value"])["Status"] == "Triaging"
    [row] = await teams.rows(Incident)
    assert (row.assignee, row.status) == (f"teams:{act.ADMIN_1}", "triaging")
    updates = latest_updates(teams)
    for admin in TEAMS_ADMINS:
        chat = act.personal_chat(admin)
        assert updates[chat]["activity_id"] == posted[chat]
        assert facts(updates[chat]["card"])["Assignee"] == "Ada Admin"
    posts = await teams.rows(CardPost)
    assert {(p.recipient, p.channel) for p in posts} == {
        (a, act.personal_chat(a)) for a in TEAMS_ADMINS
    }
    events = [(e.action, e.actor) for e in await teams.rows(AuditEvent)]
    assert ("incident.assigned", f"teams:{act.ADMIN_1}") in events


async def test_severity_choice_sets_severity_everywhere(teams: TeamsHarness) -> None:
    incident = await reported(teams)

    answer = await teams.click(
        "triage.severity", user=act.ADMIN_2, incident_id=incident.id, severity="SEV2"
    )

    picker = next(e for e in answer["value"]["body"] if e.get("id") == "severity")
    assert picker["value"] == "SEV2"
    [row] = await teams.rows(Incident)
    assert row.severity == "SEV2"
    for update in latest_updates(teams).values():
        assert facts(update["card"])["Severity"] == "SEV2"
    [event] = [e for e in await teams.rows(AuditEvent) if e.action == "incident.severity_changed"]
    assert event.after == {"severity": "SEV2", "status": "triaging"}


async def test_severity_without_a_choice_is_explained(teams: TeamsHarness) -> None:
    incident = await reported(teams)
    answer = await teams.click("triage.severity", user=act.ADMIN_1, incident_id=incident.id)
    assert answer["type"] == "application/vnd.microsoft.activity.message"
    assert "Pick SEV1 to SEV4" in answer["value"]
    [row] = await teams.rows(Incident)
    assert row.severity is None


async def test_near_miss_changes_kind_on_every_card(teams: TeamsHarness) -> None:
    incident = await reported(teams)
    await teams.click("triage.near_miss", user=act.ADMIN_1, incident_id=incident.id)
    [row] = await teams.rows(Incident)
    assert row.kind == "near_miss"
    for update in latest_updates(teams).values():
        assert facts(update["card"])["Kind"] == "Near miss"
        assert facts(update["card"])["Reached a client"] == "no, caught"
        assert "triage.near_miss" not in json.dumps(update["card"])
    assert row.reach == "caught"


async def test_non_admin_click_is_refused_audited_and_changes_nothing(teams: TeamsHarness) -> None:
    incident = await reported(teams)
    updates_before = len(teams.connector.named("update"))

    severity = await teams.click(
        "triage.severity", user=act.MALLORY, incident_id=incident.id, severity="SEV4"
    )
    close = await teams.click("triage.close", user=act.MALLORY, incident_id=incident.id)
    crafted = await teams.click(
        "close.submit",
        user=act.MALLORY,
        incident_id=incident.id,
        outcome="false_positive",
        rationale="nothing to see",
    )

    for answer in (severity, close, crafted):
        assert answer["type"] == "application/vnd.microsoft.activity.message"
        assert answer["value"].startswith("Only incident admins can triage incidents")
    [row] = await teams.rows(Incident)
    assert (row.severity, row.status) == (None, "reported")
    assert len(teams.connector.named("update")) == updates_before
    refused = [e for e in await teams.rows(AuditEvent) if e.action == "triage.refused"]
    assert [(e.actor, (e.after or {}).get("attempted")) for e in refused] == [
        (f"teams:{act.MALLORY}", "incident.severity_changed"),
        (f"teams:{act.MALLORY}", "incident.close_form"),
        (f"teams:{act.MALLORY}", "incident.closed"),
    ]


async def test_close_shows_the_form_then_records_the_outcome(teams: TeamsHarness) -> None:
    incident = await reported(teams)

    form = await teams.click("triage.close", user=act.ADMIN_1, incident_id=incident.id)

    ids = [e.get("id") for e in form["value"]["body"] if e.get("id")]
    assert ids == ["outcome", "rationale", "root_cause", "lessons", "correction"]
    assert "Close INC-0001" in json.dumps(form["value"])

    closed = await teams.click(
        "close.submit",
        user=act.ADMIN_1,
        incident_id=incident.id,
        outcome="remediated",
        rationale="Corrected and resent",
        root_cause="Stale session context",
        lessons="Reset context per client",
    )

    assert "Closed: Remediated" in json.dumps(closed["value"])
    assert not [a for a in closed["value"].get("actions", []) if a["type"] == "Action.Execute"]
    [row] = await teams.rows(Incident)
    assert (row.status, row.outcome, row.lessons) == (
        "closed",
        "remediated",
        "Reset context per client",
    )
    for update in latest_updates(teams).values():
        assert "Closed: Remediated" in json.dumps(update["card"])
    [told] = [t for t in teams.connector.named("send") if "was closed" in str(t.body.get("text"))]
    assert "**INC-0001**" in told.body["text"]


async def test_the_close_cards_correction_is_stored_and_becomes_the_eval_case(
    teams: TeamsHarness,
) -> None:
    incident = await reported(teams)
    expected = "Quote only this client's own revenue figures."

    await teams.click(
        "close.submit",
        user=act.ADMIN_1,
        incident_id=incident.id,
        outcome="remediated",
        rationale="Corrected and resent",
        root_cause="Stale session context",
        lessons="Reset context per client",
        correction="  Quote only this client's own revenue figures.  ",
    )

    [row] = await teams.rows(Incident)
    assert (row.status, row.correction) == (
        "closed",
        "Quote only this client's own revenue figures.",
    )
    [closed] = [e for e in await teams.rows(AuditEvent) if e.action == "incident.closed"]
    assert (closed.after or {})["correction"] == "Quote only this client's own revenue figures."
    cases, skipped = await build_cases(teams.app.db, teams.app.config)
    assert skipped == []
    assert [(c.id, c.expected_behaviour) for c in cases] == [("INC-0001", expected)]


async def test_close_without_rationale_reshows_the_form_with_errors(teams: TeamsHarness) -> None:
    incident = await reported(teams)

    answer = await teams.click(
        "close.submit",
        user=act.ADMIN_1,
        incident_id=incident.id,
        outcome="remediated",
        rationale=" ",
        lessons="kept",
    )

    body = answer["value"]["body"]
    errors = [e["text"] for e in body if e.get("color") == "Attention"]
    assert errors == ["Required to close the incident.", "Required to close the incident."]
    assert next(e for e in body if e.get("id") == "lessons")["value"] == "kept"
    [row] = await teams.rows(Incident)
    assert row.status == "reported"


async def test_false_positive_opens_the_close_form_preset(teams: TeamsHarness) -> None:
    incident = await reported(teams)
    form = await teams.click("triage.false_positive", user=act.ADMIN_2, incident_id=incident.id)
    outcome = next(e for e in form["value"]["body"] if e.get("id") == "outcome")
    assert outcome["value"] == "false_positive"
    back = await teams.click("close.cancel", user=act.ADMIN_2, incident_id=incident.id)
    assert facts(back["value"])["Status"] == "Reported"


async def test_a_crafted_button_is_answered_not_crashed(teams: TeamsHarness) -> None:
    await reported(teams)
    crafted: list[tuple[str, dict[str, Any]]] = [
        ("triage.assign_me", {"incident_id": "x"}),
        ("nope", {"incident_id": 1}),
    ]
    for verb, data in crafted:
        answer = await teams.click(verb, user=act.ADMIN_1, **data)
        assert answer["value"] == "This button is not one of ours."
    missing = await teams.click("triage.assign_me", user=act.ADMIN_1, incident_id=999)
    assert "does not exist" in missing["value"]


async def test_database_down_on_a_click_says_so_and_changes_nothing(teams: TeamsHarness) -> None:
    from storage.db import Database

    incident = await reported(teams)
    real_db = teams.app.core.ctx.db
    teams.app.core.ctx.db = Database("postgresql+psycopg://postgres@127.0.0.1:1/unreachable")
    try:
        answers = [
            await teams.click("triage.assign_me", user=act.ADMIN_1, incident_id=incident.id),
            await teams.click("triage.assign_me", user=act.MALLORY, incident_id=incident.id),
        ]
    finally:
        await teams.app.core.ctx.db.dispose()
        teams.app.core.ctx.db = real_db

    for answer in answers:
        assert answer["value"].startswith("The database is unavailable, so nothing was recorded")
    [row] = await teams.rows(Incident)
    assert row.assignee is None
