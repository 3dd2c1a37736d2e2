"""Triage buttons: every admin's card updates in place; non-admins are refused and audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from bot.clocks.regimes import ClassificationAnswers
from bot.domain import Actor, CloseInput, Outcome, PersonalData, Platform
from storage.models import AuditEvent, Incident
from tests.support.harness import ADMINS, Harness
from tests.support.slack_steps import (
    card_updates,
    click,
    close_form,
    open_report,
    rows,
    submit,
    submit_close,
)


async def reported(h: Harness) -> Incident:
    await submit(h, await open_report(h))
    [incident] = await rows(h, Incident)
    return incident


async def test_assign_to_me_updates_every_admin_card_and_audits(harness: Harness) -> None:
    incident = await reported(harness)
    posted_ts = {
        c.args["channel"]: c.response["ts"] for c in harness.fake.named("chat.postMessage")
    }

    await click(harness, "U0ADMIN1", "triage_assign_me", incident.id)

    [row] = await rows(harness, Incident)
    assert (row.assignee, row.status) == ("slack:U0ADMIN1", "triaging")
    updates = card_updates(harness)
    for admin in ADMINS:
        update = updates[f"D{admin}"]
        assert update["ts"] == posted_ts[f"D{admin}"]
        assert "<@U0ADMIN1>" in json.dumps(update["blocks"])
    events = [(e.action, e.actor) for e in await rows(harness, AuditEvent)]
    assert ("incident.assigned", "slack:U0ADMIN1") in events


async def test_severity_select_sets_severity_on_all_cards(harness: Harness) -> None:
    incident = await reported(harness)

    await click(harness, "U0ADMIN2", "triage_severity", incident.id, selected="SEV2")

    [row] = await rows(harness, Incident)
    assert row.severity == "SEV2"
    for admin in ADMINS:
        blocks = card_updates(harness)[f"D{admin}"]["blocks"]
        actions = next(b for b in blocks if b["type"] == "actions")
        select_el = next(e for e in actions["elements"] if e["type"] == "static_select")
        assert select_el["initial_option"]["value"] == "SEV2"
    [event] = [
        e for e in await rows(harness, AuditEvent) if e.action == "incident.severity_changed"
    ]
    assert event.before == {"severity": None, "status": "reported"}
    assert event.after == {"severity": "SEV2", "status": "triaging"}


async def test_near_miss_button_changes_kind(harness: Harness) -> None:
    incident = await reported(harness)
    await click(harness, "U0ADMIN1", "triage_near_miss", incident.id)
    [row] = await rows(harness, Incident)
    assert row.kind == "near_miss"
    card = json.dumps(card_updates(harness)["DU0ADMIN2"]["blocks"])
    assert "Near miss" in card
    # One fact: a near miss did not reach a client, on the row, the card and in the audit.
    assert row.reach == "caught"
    assert "Reached a client" in card and "no, caught" in card
    assert "triage_near_miss" not in card  # no longer offered once it is one
    [event] = [
        e for e in await rows(harness, AuditEvent) if e.action == "incident.marked_near_miss"
    ]
    assert event.before is not None and event.after is not None
    assert (event.before["reach"], event.after["reach"]) == ("reached_client", "caught")


async def test_a_closed_card_no_longer_says_not_classified_yet(harness: Harness) -> None:
    incident = await reported(harness)
    admin = Actor(platform=Platform.SLACK, user_id="U0ADMIN1")
    form = CloseInput(
        outcome=Outcome.FALSE_POSITIVE, rationale="Not an AI reply", root_cause="", lessons=""
    )

    await harness.app.core.triage.close(actor=admin, incident_id=incident.id, form=form)
    await harness.settle()

    card = json.dumps(card_updates(harness)["DU0ADMIN2"]["blocks"])
    assert "False positive" in card and "Not classified yet" not in card


async def test_non_admin_click_is_refused_audited_and_changes_nothing(harness: Harness) -> None:
    incident = await reported(harness)
    updates_before = len(harness.fake.named("chat.update"))

    await click(harness, "U0MALLORY", "triage_severity", incident.id, selected="SEV4")
    await click(harness, "U0MALLORY", "triage_close", incident.id)

    [row] = await rows(harness, Incident)
    assert (row.severity, row.status) == (None, "reported")
    assert len(harness.fake.named("chat.update")) == updates_before
    assert not [c for c in harness.fake.named("views.open") if "Close" in json.dumps(c.args)]
    refusals = [
        c for c in harness.fake.named("chat.postEphemeral") if c.args["user"] == "U0MALLORY"
    ]
    assert len(refusals) == 2 and "Only incident admins" in refusals[0].args["text"]
    refused = [e for e in await rows(harness, AuditEvent) if e.action == "triage.refused"]
    assert [(e.actor, (e.after or {}).get("attempted")) for e in refused] == [
        ("slack:U0MALLORY", "incident.severity_changed"),
        ("slack:U0MALLORY", "incident.close_form"),
    ]


async def test_close_records_outcome_updates_cards_and_tells_reporter(harness: Harness) -> None:
    incident = await reported(harness)
    view = await close_form(harness, incident)
    assert view["callback_id"] == "close_incident_modal"

    answer = await submit_close(harness, view)

    assert answer == {}
    [row] = await rows(harness, Incident)
    assert (row.status, row.outcome, row.root_cause) == (
        "closed",
        "remediated",
        "Stale session context",
    )
    assert row.closed_at is not None
    for admin in ADMINS:
        blocks = card_updates(harness)[f"D{admin}"]["blocks"]
        assert "Closed: Remediated" in json.dumps(blocks)
        assert not [b for b in blocks if b["type"] == "actions"]
    [dm] = harness.fake.dms_to("U0REPORTER")
    assert "INC-0001" in dm.args["text"] and "closed" in dm.args["text"]


async def test_close_requires_rationale_root_cause_and_lessons(harness: Harness) -> None:
    incident = await reported(harness)
    view = await close_form(harness, incident)

    answer = await submit_close(harness, view, rationale="", root_cause=" ", lessons="")

    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {"rationale", "root_cause", "lessons"}
    [row] = await rows(harness, Incident)
    assert row.status == "reported"


async def test_false_positive_opens_close_form_with_outcome_preset(harness: Harness) -> None:
    incident = await reported(harness)
    await click(harness, "U0ADMIN1", "triage_false_positive", incident.id)
    view = harness.fake.named("views.open")[-1].json_arg("view")
    outcome = next(b for b in view["blocks"] if b.get("block_id") == "outcome")
    assert outcome["element"]["initial_option"]["value"] == "false_positive"


async def test_non_admin_close_submission_is_refused(harness: Harness) -> None:
    incident = await reported(harness)
    view = await close_form(harness, incident)

    answer = await submit_close(harness, view, user="U0MALLORY")

    assert answer["response_action"] == "errors"
    assert "Only incident admins" in answer["errors"]["rationale"]
    async with harness.app.db.sessions() as s:
        row = await s.scalar(select(Incident))
        assert row is not None and row.status == "reported"


async def test_classify_revises_reached_a_client_and_near_miss_keeps_a_recorded_receipt(
    harness: Harness,
) -> None:
    incident = await reported(harness)
    admin = Actor(platform=Platform.SLACK, user_id="U0ADMIN1")
    core = harness.app.core
    aware = datetime.now(UTC)

    await core.clocks.classify(
        actor=admin,
        incident_id=incident.id,
        answers=ClassificationAnswers(personal_data=PersonalData.NO, aware_at=aware),
    )
    [unticked] = await rows(harness, Incident)
    await core.clocks.classify(
        actor=admin,
        incident_id=incident.id,
        answers=ClassificationAnswers(
            personal_data=PersonalData.YES, client_received=True, aware_at=aware
        ),
    )
    await core.triage.mark_near_miss(actor=admin, incident_id=incident.id)
    [received] = await rows(harness, Incident)

    assert unticked.reach == "caught"  # Classify's answer revised the report's
    assert received.reach == "reached_client"  # a recorded receipt is not undone by Near miss
    classified = [e for e in await rows(harness, AuditEvent) if e.action == "incident.classified"]
    assert [(e.before or {}).get("reach") for e in classified] == ["reached_client", "caught"]
