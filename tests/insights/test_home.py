"""App Home: the admin dashboard, everyone's own reports, and refreshing it on every change."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from bot.clocks.regimes import ClassificationAnswers, RiskLevel
from bot.domain import Actor, PersonalData, Platform, Reach, Severity
from bot.settings import DeskConfig
from storage.models import Incident
from tests.support.core_steps import ADMIN, report_input
from tests.support.harness import Harness
from tests.support.screening_data import LEAKY, screening_config
from tests.support.slack_payloads import message_event
from tests.support.slack_steps import click, rows

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def desk_config() -> DeskConfig:
    return screening_config()


async def seed(h: Harness) -> None:
    """INC-0001 (ICO clock), -0002 (SEV1, assigned), -0003 (near miss), -0004 (suspected)."""
    core = h.app.core
    reporter = Actor(platform=Platform.SLACK, user_id="U0REPORTER")
    other = Actor(platform=Platform.SLACK, user_id="U0OTHER")
    await core.intake.report(
        actor=reporter,
        form=report_input(Reach.REACHED_CLIENT, PersonalData.YES),
        platform=Platform.SLACK,
    )
    await h.app.core.clocks.classify(
        actor=ADMIN,
        incident_id=1,
        answers=ClassificationAnswers(
            personal_data=PersonalData.YES,
            risk_to_individuals=RiskLevel.RISK,
            client_received=True,
            aware_at=T0,
        ),
    )
    await core.intake.report(
        actor=other, form=report_input(Reach.REACHED_CLIENT), platform=Platform.SLACK
    )
    await core.triage.set_severity(actor=ADMIN, incident_id=2, severity=Severity.SEV1)
    await core.triage.assign_to_me(actor=ADMIN, incident_id=2)
    await core.intake.report(actor=other, form=report_input(Reach.CAUGHT), platform=Platform.SLACK)
    await h.event(message_event(LEAKY))
    await h.settle()


async def open_home(h: Harness, user: str) -> dict[str, Any]:
    before = len(h.fake.named("views.publish"))
    resp = await h.event(
        {
            "token": "t",
            "team_id": "T0ACME",
            "api_app_id": "A0DESK",
            "type": "event_callback",
            "event_id": f"Ev{user}",
            "event_time": 1700000000,
            "event": {"type": "app_home_opened", "user": user, "channel": "D0", "tab": "home"},
        }
    )
    assert resp.status == 200
    await h.settle()
    [publish] = h.fake.named("views.publish")[before:]
    assert publish.args["user_id"] == user
    view: dict[str, Any] = publish.json_arg("view")
    return view


def section(view: dict[str, Any], title: str) -> str:
    """The text of the section whose first line is `*title*`."""
    for block in view["blocks"]:
        text = (block.get("text") or {}).get("text", "")
        if text.startswith(f"*{title}"):
            return str(text)
    raise AssertionError(f"no section {title!r} in {[b.get('text') for b in view['blocks']]}")


async def test_admin_sees_dashboard_with_overdue_deadline_in_red(harness: Harness) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        await seed(harness)
        clock.move_to(T0 + timedelta(hours=73))
        view = await open_home(harness, "U0ADMIN1")

    shown = json.dumps(view, ensure_ascii=False)
    assert view["type"] == "home"
    report = next(b for b in view["blocks"] if b["type"] == "actions")["elements"][0]
    assert (report["action_id"], report["text"]["text"]) == ("home_report", "Report an AI incident")
    summary = next(b["text"]["text"] for b in view["blocks"] if "Open incidents:*" in json.dumps(b))
    assert summary.startswith("*Open incidents:* 2 (*SEV1*: 1, *not set*: 1)")
    assert "*Open near misses:* 1" in summary and "*Suspected, awaiting review:* 1" in summary
    assert (
        "*Last 30 days:* 2 incidents, 1 near miss · most often Context loss or cross-client "
        "contamination × not classified yet (3)" in shown
    )
    overdue = section(view, "Overdue obligations")
    assert ":red_circle: OVERDUE *INC-0001* · UK GDPR Art. 33 — notify the ICO" in overdue
    assert "overdue by 1 h" in overdue
    assert "INC-0002" in section(view, "Open incidents · SEV1")
    assert "INC-0001" in section(view, "Open incidents · not set")
    assert "INC-0004" in section(view, "Suspected by screening, awaiting review")
    unassigned = section(view, "Unassigned")
    assert all(k in unassigned for k in ("INC-0001", "INC-0003", "INC-0004"))
    assert "INC-0002" not in unassigned
    assert "INC-0002" in section(view, "Assigned to you")
    assert "*INC-0003* · Near miss" in section(view, "Recent near misses")
    assert "j***@globex.com" not in shown and "jane.doe@globex.com" not in shown


async def test_upcoming_deadline_shows_time_left(harness: Harness) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        await seed(harness)
        clock.move_to(T0 + timedelta(hours=49))
        view = await open_home(harness, "U0ADMIN2")

    upcoming = section(view, "Next deadlines")
    assert "*INC-0001* · UK GDPR Art. 33 — notify the ICO · *23 h left*" in upcoming
    assert "OVERDUE" not in json.dumps(view)


async def test_non_admin_sees_only_their_own_reports_and_states(harness: Harness) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        await seed(harness)
        clock.move_to(T0 + timedelta(hours=73))
        view = await open_home(harness, "U0REPORTER")

    shown = json.dumps(view, ensure_ascii=False)
    assert "Report an AI incident" in shown
    mine = section(view, "Your reports")
    assert "*INC-0001* · Incident · SEV? · Triaging" in mine
    for hidden in ("Dashboard", "OVERDUE", "INC-0002", "INC-0003", "INC-0004", "Unassigned"):
        assert hidden not in shown


async def test_person_with_no_reports_is_told_so(harness: Harness) -> None:
    view = await open_home(harness, "U0NEWBIE")
    assert "You have not reported anything yet." in section(view, "Your reports")


async def test_home_refreshes_for_admins_and_reporters_when_an_incident_changes(
    harness: Harness,
) -> None:
    await harness.app.core.intake.report(
        actor=Actor(platform=Platform.SLACK, user_id="U0OTHER"),
        form=report_input(Reach.CAUGHT),
        platform=Platform.SLACK,
    )
    await harness.settle()
    [incident] = await rows(harness, Incident)
    before = len(harness.fake.named("views.publish"))

    await click(harness, "U0ADMIN1", "triage_assign_me", incident.id)

    published = harness.fake.named("views.publish")[before:]
    assert sorted(c.args["user_id"] for c in published) == ["U0ADMIN1", "U0ADMIN2", "U0OTHER"]
    admin_home = next(c for c in published if c.args["user_id"] == "U0ADMIN1").json_arg("view")
    assert "INC-0001" in section(admin_home, "Assigned to you")


async def test_a_burst_of_changes_publishes_each_home_once(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    core = harness.app.core
    await core.intake.report(
        actor=Actor(platform=Platform.SLACK, user_id="U0OTHER"),
        form=report_input(Reach.CAUGHT),
        platform=Platform.SLACK,
    )
    await harness.settle()
    before = len(harness.fake.named("views.publish"))

    # Three changes committed before the outbox runs: one refresh covers them all. The dispatcher
    # must not wake between them, or the coalescing under test would depend on scheduling.
    monkeypatch.setattr(harness.app.dispatcher, "kick", lambda: None)
    await core.triage.assign_to_me(actor=ADMIN, incident_id=1)
    await core.triage.set_severity(actor=ADMIN, incident_id=1, severity=Severity.SEV4)
    await core.triage.set_severity(actor=ADMIN, incident_id=1, severity=Severity.SEV3)
    await harness.settle()

    published = harness.fake.named("views.publish")[before:]
    assert sorted(c.args["user_id"] for c in published) == ["U0ADMIN1", "U0ADMIN2", "U0OTHER"]
    assert "SEV3" in json.dumps(published[-1].json_arg("view"))


async def test_many_new_incidents_refresh_each_admin_home_once(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A burst queued before the dispatcher wakes; otherwise an early delivery may publish between
    # two reports, and the coalescing under test would depend on scheduling.
    monkeypatch.setattr(harness.app.dispatcher, "kick", lambda: None)
    for n in range(5):
        await harness.app.core.intake.report(
            actor=Actor(platform=Platform.SLACK, user_id=f"U0PERSON{n}"),
            form=report_input(Reach.CAUGHT),
            platform=Platform.SLACK,
        )
    await harness.settle()

    published = sorted(c.args["user_id"] for c in harness.fake.named("views.publish"))
    assert published == ["U0ADMIN1", "U0ADMIN2"] + [f"U0PERSON{n}" for n in range(5)]
    admin_home = next(
        c for c in harness.fake.named("views.publish") if c.args["user_id"] == "U0ADMIN1"
    ).json_arg("view")
    assert all(f"INC-000{n}" in json.dumps(admin_home) for n in range(1, 6))
