"""A Teams report activity delivered twice (the same activity id) makes one incident."""

from __future__ import annotations

import json

from storage.models import Incident, IncidentReporter
from tests.support import teams_activities as act
from tests.support.teams_harness import TeamsHarness


async def test_the_chat_report_form_delivered_twice_makes_one_incident(
    teams: TeamsHarness,
) -> None:
    answers = act.report_answers(description="the bot invented a case citation")

    first = await teams.click("report.submit", user=act.REPORTER, **answers)
    again = await teams.click("report.submit", user=act.REPORTER, **answers)

    assert "Reported as INC-0001" in json.dumps(first["value"])
    assert "INC-0001" in json.dumps(again["value"])
    assert [i.key for i in await teams.rows(Incident)] == ["INC-0001"]
    assert len(await teams.rows(IncidentReporter)) == 1
