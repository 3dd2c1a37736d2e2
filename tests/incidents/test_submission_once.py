"""One submitted report form makes one incident, however often it arrives, and a slow save is
answered within Slack's 3 seconds with "saving…", then with the incident key."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from sqlalchemy import func, select

from handlers.slack.listeners import views
from storage.models import Incident, IncidentReporter, ReportSubmission
from tests.support.harness import Harness
from tests.support.slack_payloads import report_values, view_submission
from tests.support.slack_steps import open_global_report, open_report, rows, submit
from tests.support.stalls import writes_stalled


def submission(view: dict[str, object]) -> dict[str, object]:
    return view_submission(
        view_id=str(view["id"]),
        callback_id=str(view["callback_id"]),
        private_metadata=str(view["private_metadata"]),
        values=report_values(),
    )


async def test_the_same_form_submitted_twice_makes_one_incident(harness: Harness) -> None:
    view = await open_global_report(harness)

    first = await submit(harness, view)
    again = await submit(harness, view)

    assert [i.key for i in await rows(harness, Incident)] == ["INC-0001"]
    assert len(await rows(harness, IncidentReporter)) == 1
    assert "INC-0001" in json.dumps(first["view"]) and "INC-0001" in json.dumps(again["view"])
    [recorded] = await rows(harness, ReportSubmission)
    assert recorded.submission_key == f"slack:T0ACME:view:{view['id']}"


async def test_the_same_request_delivered_twice_at_once_makes_one_incident(
    harness: Harness,
) -> None:
    view = await open_global_report(harness)
    payload = submission(view)

    answers = await asyncio.gather(harness.interact(payload), harness.interact(payload))
    await harness.settle()

    assert [a.status for a in answers] == [200, 200]
    for answer in answers:
        assert "INC-0001" in await answer.text()
    assert [i.key for i in await rows(harness, Incident)] == ["INC-0001"]


async def test_a_new_form_for_another_message_is_a_new_incident(harness: Harness) -> None:
    await submit(harness, await open_report(harness))
    await submit(harness, await open_report(harness, ts="1700000099.000100"))

    assert [i.key for i in await rows(harness, Incident)] == ["INC-0001", "INC-0002"]


async def test_a_save_slower_than_slack_waits_acks_saving_then_shows_the_key(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setattr(views, "SAVE_BUDGET_SECONDS", 0.3)
    view = await open_global_report(harness)

    async with writes_stalled(database_url):
        started = time.monotonic()
        resp = await harness.interact(submission(view))
        acked_in = time.monotonic() - started
        answer = await resp.json()
        await asyncio.sleep(0.5)
        # Still stalled, nothing recorded yet; and a read does not queue behind the writer.
        async with harness.app.db.reading(deadline=1.0) as session:
            count = select(func.count()).select_from(Incident)
            assert (await session.execute(count)).scalar_one() == 0
    await harness.settle()

    assert acked_in < 1.0
    assert answer["response_action"] == "update"
    assert "Saving your report" in json.dumps(answer["view"])
    [incident] = await rows(harness, Incident)
    [update] = harness.fake.named("views.update")
    assert update.args["view_id"] == view["id"]
    assert incident.key in json.dumps(update.json_arg("view"))
    [notice] = harness.fake.dms_to("U0REPORTER")
    assert incident.key in str(notice.args["text"])
