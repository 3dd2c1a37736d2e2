"""One message shared across organisations is one incident, whoever reports or edits it."""

from __future__ import annotations

from typing import Any

from storage.models import Evidence, EvidenceChange, Incident, IncidentReporter
from tests.support.harness import Harness
from tests.support.slack_payloads import message_changed, message_shortcut
from tests.support.slack_steps import rows, submit


async def _report_as(h: Harness, *, user: str, team: dict[str, Any] | None, **extra: Any) -> None:
    payload = message_shortcut(h.fake.response_url)
    payload["team"] = team
    payload["user"] = {"id": user, "username": user.lower(), "name": user.lower()}
    payload.update(extra)
    resp = await h.interact(payload)
    assert resp.status == 200
    await h.settle()
    call = h.fake.named("views.open")[-1]
    view = {**call.json_arg("view"), "id": call.response["view"]["id"]}
    await submit(h, view, user=user)


async def test_a_shared_channel_message_reported_from_both_sides_is_one_incident(
    harness: Harness,
) -> None:
    await _report_as(harness, user="U0REPORTER", team={"id": "T0ACME", "domain": "acme"})
    await _report_as(harness, user="U0PARTNER", team={"id": "T0PARTNER", "domain": "partner"})

    [incident] = await rows(harness, Incident)
    assert incident.source_key == "slack:C0CLIENTA:1700000000.000100"
    assert {r.reporter for r in await rows(harness, IncidentReporter)} == {
        "slack:U0REPORTER",
        "slack:U0PARTNER",
    }


async def test_an_edit_arriving_with_the_other_teams_id_is_recorded(harness: Harness) -> None:
    await _report_as(harness, user="U0REPORTER", team={"id": "T0ACME", "domain": "acme"})
    edit = message_changed(text="Q3 revenue was £3.9m.")
    edit["team_id"] = "T0PARTNER"

    resp = await harness.event(edit)
    await harness.settle()

    assert resp.status == 200
    [change] = await rows(harness, EvidenceChange)
    assert change.kind == "edited"


async def test_an_org_wide_enterprise_install_report_and_edit_join_one_incident(
    harness: Harness,
) -> None:
    await _report_as(
        harness,
        user="U0REPORTER",
        team=None,
        is_enterprise_install=True,
        enterprise={"id": "E0GRID", "name": "Acme Grid"},
    )
    await _report_as(harness, user="U0PARTNER", team={"id": "T0ACME", "domain": "acme"})
    edit = message_changed(text="Q3 revenue was £3.9m.")
    edit.pop("team_id")
    edit["enterprise_id"] = "E0GRID"
    edit["is_enterprise_install"] = True

    await harness.event(edit)
    await harness.settle()

    [incident] = await rows(harness, Incident)
    assert incident.source_key == "slack:C0CLIENTA:1700000000.000100"
    assert len(await rows(harness, IncidentReporter)) == 2
    [evidence] = await rows(harness, Evidence)
    assert evidence.content["team_id"] is None
    assert len(await rows(harness, EvidenceChange)) == 1
