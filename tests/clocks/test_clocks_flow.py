"""Classify → obligations on the card → nudges at the offsets → a decision stops the clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
import time_machine

from storage.models import AuditEvent, Incident, Nudge, Obligation
from tests.support.harness import ADMINS, Harness
from tests.support.slack_payloads import (
    block_action,
    classify_values,
    decision_values,
    obligation_action,
    view_submission,
)
from tests.support.slack_steps import close_form, open_report, rows, submit, submit_close

dumps = partial(json.dumps, ensure_ascii=False)
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"TRIAGE_CHANNEL": "C0TRIAGE"}


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


async def reported(h: Harness) -> Incident:
    await submit(h, await open_report(h))
    [incident] = await rows(h, Incident)
    return incident


async def click(h: Harness, payload: dict[str, Any]) -> None:
    assert (await h.interact(payload)).status == 200
    await h.settle()


async def filled_form(h: Harness) -> dict[str, Any]:
    """The form that replaced the loading modal (views.update)."""
    call = h.fake.named("views.update")[-1]
    return {**call.json_arg("view"), "id": call.args["view_id"]}


async def classify(
    h: Harness, incident: Incident, user: str = "U0ADMIN1", **answers: Any
) -> dict[str, Any]:
    await click(
        h,
        block_action(
            user=user,
            action_id="triage_classify",
            incident_id=incident.id,
            response_url=h.fake.response_url,
        ),
    )
    form = await filled_form(h)
    answers.setdefault("aware_at", int(START.timestamp()))
    resp = await h.interact(
        view_submission(
            view_id=form["id"],
            callback_id=form["callback_id"],
            private_metadata=form["private_metadata"],
            values=classify_values(**answers),
            blocks=form["blocks"],
            user=user,
        )
    )
    body = await resp.text()
    await h.settle()
    return json.loads(body) if body else {}


async def decide(
    h: Harness, obligation_id: int, decision: str, user: str = "U0ADMIN1", **values: Any
) -> dict[str, Any]:
    action_id = {
        "notified": "obligation_notified",
        "not_required": "obligation_not_required",
        "late": "obligation_notified_late",
    }[decision]
    await click(
        h,
        obligation_action(
            user=user,
            action_id=action_id,
            obligation_id=obligation_id,
            decision=decision,
            response_url=h.fake.response_url,
        ),
    )
    form = await filled_form(h)
    resp = await h.interact(
        view_submission(
            view_id=form["id"],
            callback_id=form["callback_id"],
            private_metadata=form["private_metadata"],
            values=decision_values(**values),
            blocks=form["blocks"],
            user=user,
        )
    )
    body = await resp.text()
    await h.settle()
    return json.loads(body) if body else {}


def channel_nudges(h: Harness) -> list[Any]:
    return [
        c
        for c in h.fake.named("chat.postMessage")
        if c.response.get("ok") and c.args.get("channel") == "C0TRIAGE" and c.args.get("thread_ts")
    ]


async def tick(h: Harness, clock: Any, to: datetime) -> int:
    clock.move_to(to)
    sent = await h.app.core.clocks.deliver_due_nudges()
    await h.settle()
    return sent


async def test_ico_clock_nudges_at_offsets_until_notified(harness: Harness, clock: Any) -> None:
    incident = await reported(harness)
    root = next(
        c for c in harness.fake.named("chat.postMessage") if c.args["channel"] == "C0TRIAGE"
    )

    answer = await classify(harness, incident, personal_data="yes", risk="risk")

    assert answer == {}
    [ico] = [o for o in await rows(harness, Obligation) if o.regime_id == "uk_gdpr_art33"]
    assert ico.due_at == START + timedelta(hours=72)
    card = dumps(harness.fake.named("chat.update")[-1].json_arg("blocks"))
    assert "UK GDPR Art. 33" in card and "3 d left" in card and "Notified…" in card
    assert f"<!date^{int(ico.due_at.timestamp())}^" in card

    assert await tick(harness, clock, START + timedelta(hours=23)) == 0
    assert await tick(harness, clock, START + timedelta(hours=24)) == 1  # 48 h left
    [first] = channel_nudges(harness)
    assert first.args["thread_ts"] == root.response["ts"]
    assert "closes in 2 d" in first.args["text"] and "INC-0001" in first.args["text"]
    for admin in ADMINS:  # unassigned: every admin is told
        assert any("UK GDPR Art. 33" in c.args["text"] for c in harness.fake.dms_to(admin))

    await click(
        harness,
        block_action(
            user="U0ADMIN2",
            action_id="triage_assign_me",
            incident_id=incident.id,
            response_url=harness.fake.response_url,
        ),
    )
    assert await tick(harness, clock, START + timedelta(hours=48)) == 1  # 24 h left
    assert len(channel_nudges(harness)) == 2
    assert len([c for c in harness.fake.dms_to("U0ADMIN2") if "Art. 33" in c.args["text"]]) == 2
    assert len([c for c in harness.fake.dms_to("U0ADMIN1") if "Art. 33" in c.args["text"]]) == 1

    answer = await decide(
        harness,
        ico.id,
        "notified",
        reference="ICO-123456",
        notified_at=int((START + timedelta(hours=47)).timestamp()),
        details={"nature": "Client B figures sent to Client A"},
    )
    assert answer == {}
    for hours in (60, 68, 71, 72, 84, 200):
        assert await tick(harness, clock, START + timedelta(hours=hours)) == 0
    assert len(channel_nudges(harness)) == 2
    [row] = [o for o in await rows(harness, Obligation) if o.regime_id == "uk_gdpr_art33"]
    assert row.decision is not None
    assert (row.status, row.decided_by, row.decision["reference"]) == (
        "notified",
        "slack:U0ADMIN1",
        "ICO-123456",
    )
    assert row.decision["details"]["nature"] == "Client B figures sent to Client A"
    assert {n.status for n in await rows(harness, Nudge) if n.obligation_id == ico.id} == {
        "sent",
        "cancelled",
    }
    decided = [e for e in await rows(harness, AuditEvent) if e.action == "obligation.decided"]
    assert decided[0].after is not None and decided[0].after["status"] == "notified"


async def test_overdue_nudges_go_to_every_admin_every_12_hours(
    harness: Harness, clock: Any
) -> None:
    incident = await reported(harness)
    await classify(harness, incident)
    await click(
        harness,
        block_action(
            user="U0ADMIN1",
            action_id="triage_assign_me",
            incident_id=incident.id,
            response_url=harness.fake.response_url,
        ),
    )
    assert await tick(harness, clock, START + timedelta(hours=72)) == 1  # coalesced, then overdue
    assert await tick(harness, clock, START + timedelta(hours=80)) == 0
    assert await tick(harness, clock, START + timedelta(hours=84)) == 1
    overdue = [c for c in harness.fake.dms_to("U0ADMIN2") if "deadline passed" in c.args["text"]]
    assert len(overdue) == 2 and "OVERDUE" in dumps(overdue[-1].args["blocks"])


async def test_restart_sends_only_the_latest_missed_nudge(harness: Harness, clock: Any) -> None:
    incident = await reported(harness)
    await classify(harness, incident)
    # Down from before the 48 h-left nudge until after the 12 h-left one: three came due.
    clock.move_to(START + timedelta(hours=61))
    await harness.app.start(with_scheduler=False)
    await harness.settle()
    [nudge] = channel_nudges(harness)
    assert "closes in 11 h" in nudge.args["text"]
    statuses = sorted(n.status for n in await rows(harness, Nudge))
    assert statuses.count("superseded") == 2 and statuses.count("sent") == 1


async def test_not_required_needs_a_rationale(harness: Harness, clock: Any) -> None:
    incident = await reported(harness)
    await classify(harness, incident)
    [ico] = [o for o in await rows(harness, Obligation) if o.regime_id == "uk_gdpr_art33"]

    missing = await decide(harness, ico.id, "not_required", rationale="  ")
    done = await decide(harness, ico.id, "not_required", rationale="Encrypted; key not exposed")

    assert missing["response_action"] == "errors"
    assert "Art. 33(5)" in missing["errors"]["rationale"]
    assert done == {}
    [row] = [o for o in await rows(harness, Obligation) if o.id == ico.id]
    assert row.decision is not None
    assert (row.status, row.decision["rationale"]) == ("not_required", "Encrypted; key not exposed")


async def test_late_notification_needs_reasons_and_notified_after_deadline_is_refused(
    harness: Harness, clock: Any
) -> None:
    incident = await reported(harness)
    await classify(harness, incident)
    [ico] = [o for o in await rows(harness, Obligation) if o.regime_id == "uk_gdpr_art33"]
    clock.move_to(START + timedelta(hours=80))
    late_at = int((START + timedelta(hours=79)).timestamp())

    on_time = await decide(harness, ico.id, "notified", reference="R1", notified_at=late_at)
    no_reasons = await decide(
        harness, ico.id, "late", reference="R1", notified_at=late_at, reasons=""
    )
    late = await decide(
        harness,
        ico.id,
        "late",
        reference="R1",
        notified_at=late_at,
        reasons="DPO on leave; breach scope unclear until day 3",
    )

    assert "use Notified late" in on_time["errors"]["notified_at"]
    assert "reasons for the delay" in no_reasons["errors"]["reasons"]
    assert late == {}
    [row] = [o for o in await rows(harness, Obligation) if o.id == ico.id]
    assert row.status == "late" and row.decision is not None
    assert row.decision["reasons"].startswith("DPO on leave")


async def test_close_is_blocked_while_an_obligation_is_undecided(
    harness: Harness, clock: Any
) -> None:
    incident = await reported(harness)
    await classify(harness, incident)
    view = await close_form(harness, incident)

    answer = await submit_close(harness, view)

    assert answer["response_action"] == "errors"
    assert "UK GDPR Art. 33" in answer["errors"]["rationale"]
    [row] = await rows(harness, Incident)
    assert row.status != "closed"


async def test_awareness_in_the_past_makes_stages_overdue_at_once(
    harness: Harness, clock: Any
) -> None:
    incident = await reported(harness)
    await classify(harness, incident, aware_at=int((START - timedelta(hours=80)).timestamp()))
    card = dumps(harness.fake.named("chat.update")[-1].json_arg("blocks"))
    assert "OVERDUE" in card and "overdue by 8 h" in card
    assert await tick(harness, clock, START) == 1
    assert "deadline passed" in channel_nudges(harness)[0].args["text"]


async def test_correcting_awareness_moves_the_deadline_and_reschedules(
    harness: Harness, clock: Any
) -> None:
    incident = await reported(harness)
    await classify(harness, incident)
    await classify(harness, incident, aware_at=int((START - timedelta(hours=10)).timestamp()))
    [ico] = [o for o in await rows(harness, Obligation) if o.regime_id == "uk_gdpr_art33"]
    assert ico.due_at == START + timedelta(hours=62)
    pending = [n for n in await rows(harness, Nudge) if n.status == "pending"]
    assert min(n.due_at for n in pending) == START + timedelta(hours=14)  # 48 h left
    events = [e for e in await rows(harness, AuditEvent) if e.action == "incident.classified"]
    assert len(events) == 2 and events[1].before is not None
    assert events[1].before["aware_at"] == START.isoformat()


async def test_classification_without_personal_data_starts_no_ico_clock(
    harness: Harness, clock: Any
) -> None:
    incident = await reported(harness)
    await classify(harness, incident, personal_data="no", risk=None)
    assert [o.regime_id for o in await rows(harness, Obligation)] == []
    card = dumps(harness.fake.named("chat.update")[-1].json_arg("blocks"))
    assert "no regulatory notification is triggered" not in card  # never reassures
    assert "none of the desk's regime rules starts a clock" in card
    assert "still for a person to judge" in card and "Not legal advice" in card


async def test_deferred_ai_act_rows_are_informational_not_binding(
    harness: Harness, clock: Any
) -> None:
    incident = await reported(harness)
    await classify(
        harness,
        incident,
        personal_data="no",
        risk=None,
        flags=["high_risk_ai_system"],
        serious="serious_harm_health",
    )
    rows_ = await rows(harness, Obligation)
    assert {o.regime_id for o in rows_} >= {"eu_ai_act_art73"}
    assert all(o.informational for o in rows_ if o.regime_id.startswith("eu_ai_act"))
    card = dumps(harness.fake.named("chat.update")[-1].json_arg("blocks"))
    assert "informational only" in card
    assert await tick(harness, clock, START + timedelta(days=20)) == 0  # no binding clock
    view = await close_form(harness, incident)
    assert await submit_close(harness, view) == {}  # informational rows never block closing


# ---- defects 1, 3 and 11 end to end on Slack


async def test_personal_data_without_a_risk_answer_is_refused_and_starts_nothing(
    harness: Harness, clock: Any
) -> None:
    incident = await reported(harness)

    refused = await classify(harness, incident, personal_data="yes", risk=None, breach=None)

    assert refused["response_action"] == "errors"
    assert set(refused["errors"]) == {"risk_to_individuals", "personal_data_breach"}
    assert "personal data is involved" in refused["errors"]["risk_to_individuals"]
    assert await rows(harness, Obligation) == []
    # "Unsure" is an answer, and it fails closed: the ICO clock starts.
    await classify(harness, incident, personal_data="unsure", risk="risk", breach="unsure")
    assert [o.regime_id for o in await rows(harness, Obligation)] == ["uk_gdpr_art33"]


async def test_a_breach_judged_unlikely_asks_for_a_recorded_reason_not_reassurance(
    harness: Harness, clock: Any
) -> None:
    incident = await reported(harness)
    await classify(harness, incident, personal_data="yes", risk="unlikely")
    [decide_row] = await rows(harness, Obligation)
    card = dumps(harness.fake.named("chat.update")[-1].json_arg("blocks"))

    assert (decide_row.regime_id, decide_row.record_only) == ("uk_gdpr_art33_5", True)
    assert "no regulatory notification is triggered" not in card
    assert "Decide: not notifiable" in card and "record a decision" in card
    assert "obligation_notified" not in card  # only Not required… is offered
    assert await decide(harness, decide_row.id, "not_required", rationale="Encrypted") == {}
    [row] = await rows(harness, Obligation)
    assert row.status == "not_required" and row.decision == {
        "details": {},
        "rationale": "Encrypted",
    }


async def test_telling_data_subjects_ten_minutes_after_awareness_is_not_late(
    harness: Harness, clock: Any
) -> None:
    incident = await reported(harness)
    await classify(harness, incident, personal_data="yes", risk="high_risk")
    [art34] = [o for o in await rows(harness, Obligation) if o.regime_id == "uk_gdpr_art34"]
    card = dumps(harness.fake.named("chat.update")[-1].json_arg("blocks"))
    assert "OVERDUE" not in card and "due now, without undue delay" in card
    assert "target" in card and "not a legal deadline" in card

    await tick(harness, clock, START + timedelta(hours=24))  # Art. 34's first nudge
    nudges = [c for c in channel_nudges(harness) if "Art. 34" in c.args["text"]]
    assert nudges and all("OVERDUE" not in dumps(c.args) for c in nudges)
    assert "due without undue delay" in nudges[-1].args["text"]

    clock.move_to(START + timedelta(hours=24, minutes=10))
    told = int((START + timedelta(minutes=10)).timestamp())
    done = await decide(harness, art34.id, "notified", notified_at=told)
    assert done == {}  # no authority's reference asked, and not refused as late
    [row] = [o for o in await rows(harness, Obligation) if o.id == art34.id]
    assert row.status == "notified"


async def test_art_34_form_cites_art_34_and_asks_no_reference(harness: Harness, clock: Any) -> None:
    incident = await reported(harness)
    await classify(harness, incident, personal_data="yes", risk="high_risk")
    [art34] = [o for o in await rows(harness, Obligation) if o.regime_id == "uk_gdpr_art34"]

    await click(
        harness,
        obligation_action(
            user="U0ADMIN1",
            action_id="obligation_notified_late",
            obligation_id=art34.id,
            decision="late",
            response_url=harness.fake.response_url,
        ),
    )
    form = dumps(await filled_form(harness))

    assert "reference" not in [b.get("block_id") for b in (await filled_form(harness))["blocks"]]
    assert "Art. 34" in form and "Art. 33(4)" not in form and "authority" not in form.lower()


async def test_each_row_of_decision_buttons_names_its_regulator_and_stage(
    harness: Harness, clock: Any
) -> None:
    incident = await reported(harness)
    await classify(harness, incident, personal_data="yes", risk="high_risk")
    blocks = harness.fake.named("chat.update")[-1].json_arg("blocks")

    rows_of_buttons = [
        (blocks[i - 1], b)
        for i, b in enumerate(blocks)
        if b.get("block_id", "").startswith("obligation:")
    ]
    labels = [label["elements"][0]["text"] for label, _ in rows_of_buttons]
    assert sorted(labels) == [
        "For *UK GDPR Art. 33 — notify the ICO* — Notify the ICO:",
        "For *UK GDPR Art. 34 — tell the data subjects* — Tell the data subjects without "
        "undue delay:",
    ]
