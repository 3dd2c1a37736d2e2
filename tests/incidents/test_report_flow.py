"""Shortcut → modal → submit → incident, evidence and hash, then DMs to every admin."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from bot.evidence.canonical import sha256_hex
from storage.models import AuditEvent, Evidence, Incident, IncidentReporter
from tests.support.harness import ADMINS, Harness
from tests.support.slack_steps import open_report, rows, submit


async def test_message_shortcut_opens_modal_with_excerpt_and_author(harness: Harness) -> None:
    view = await open_report(harness)

    assert view["callback_id"] == "report_incident_modal"
    shown = json.dumps(view["blocks"])
    assert "DraftBot" in shown and "Q3 revenue for Client A" in shown
    # ack first: views.open is the first Web API call after auth
    methods = [c.method for c in harness.fake.calls if c.method != "auth.test"]
    assert methods[0] == "views.open"


async def test_report_stores_incident_evidence_and_dms_every_admin(harness: Harness) -> None:
    harness.fake.threads[("C0CLIENTA", "1700000000.000100")] = [
        {"type": "message", "ts": "1700000000.000100", "text": "parent"},
        {"type": "message", "ts": "1700000001.000100", "text": "reply", "user": "U0X"},
    ]
    view = await open_report(harness)

    answer = await submit(harness, view)

    assert answer["response_action"] == "update"
    assert "INC-0001" in json.dumps(answer["view"])
    [incident] = await rows(harness, Incident)
    assert (incident.key, incident.kind, incident.status) == ("INC-0001", "incident", "reported")
    assert incident.source_key == "slack:C0CLIENTA:1700000000.000100"
    [evidence] = await rows(harness, Evidence)
    content = evidence.content
    assert evidence.sha256 == sha256_hex(content)
    assert content["message"]["text"].startswith("Q3 revenue")
    assert content["message"]["files"][0]["name"] == "q3-summary.pdf"
    assert content["message"]["files"][0]["url_private"].startswith("https://files.slack.com/")
    assert content["author"]["is_bot"] is True
    assert content["author"]["app_id"] == "A0DRAFTER"
    assert content["author"]["display_name"] == "DraftBot"
    assert content["permalink"].endswith("/C0CLIENTA/p1700000000000100")
    assert content["thread"]["available"] is True
    assert [m["text"] for m in content["thread"]["messages"]] == ["parent", "reply"]
    assert content["reporter"] == "slack:U0REPORTER"
    assert content["captured_at"]
    for admin in ADMINS:
        [dm] = harness.fake.dms_to(admin)
        card = json.dumps(dm.json_arg("blocks"))
        assert "INC-0001" in card and "Assign to me" in card and "Close" in card
        assert "Context loss or cross-client contamination" in card
    [confirm] = harness.fake.named("chat.postEphemeral")
    assert confirm.args["user"] == "U0REPORTER" and "INC-0001" in confirm.args["text"]
    event, files = await rows(harness, AuditEvent)
    assert (event.action, event.actor) == ("incident.reported", "slack:U0REPORTER")
    assert event.after is not None and files.after is not None
    assert event.after["evidence_sha256"] == evidence.sha256
    # The sample's file lives on files.slack.com, which a test never calls: recorded, not fetched.
    assert files.action == "evidence.files_fetched"
    assert files.after["files"][0]["status"] == "unreadable"


async def test_caught_before_reaching_client_is_a_near_miss(harness: Harness) -> None:
    view = await open_report(harness)
    await submit(harness, view, reach="caught")
    [incident] = await rows(harness, Incident)
    assert incident.kind == "near_miss"


async def test_unreadable_thread_is_noted_and_report_still_succeeds(harness: Harness) -> None:
    harness.fake.threads[("C0CLIENTA", "1700000000.000100")] = "not_in_channel"
    view = await open_report(harness)
    await submit(harness, view)
    [evidence] = await rows(harness, Evidence)
    assert evidence.content["thread"]["available"] is False
    assert "not_in_channel" in evidence.content["thread"]["note"]


async def test_second_report_of_same_message_joins_existing_incident(harness: Harness) -> None:
    first = await open_report(harness)
    await submit(harness, first)
    second = await open_report(harness, user="U0OTHER")
    payload_user = "U0SECOND"

    answer = await submit(harness, second, user=payload_user)

    assert "already reported as *INC-0001*; you were added" in json.dumps(answer["view"])
    assert len(await rows(harness, Incident)) == 1
    reporters = [r.reporter for r in await rows(harness, IncidentReporter)]
    assert reporters == ["slack:U0REPORTER", "slack:U0SECOND"]
    notices = [c.args["text"] for c in harness.fake.named("chat.postEphemeral")]
    assert any(
        "already reported as *INC-0001*, you were added" in t or "you were added" in t
        for t in notices
    )


async def test_concurrent_reports_of_one_message_make_one_incident(harness: Harness) -> None:
    import asyncio

    from bot.domain import Actor, PersonalData, Platform, Reach, ReportInput

    form = ReportInput(
        description="wrong figures",
        failure_type="contamination",
        reach=Reach.REACHED_CLIENT,
        personal_data=PersonalData.NO,
    )
    results = await asyncio.gather(
        *[
            harness.app.core.intake.report(
                actor=Actor(platform=Platform.SLACK, user_id=f"U0R{i}"),
                form=form,
                platform=Platform.SLACK,
                source_key="slack:C0CLIENTA:1700000000.000999",
                channel_id="C0CLIENTA",
            )
            for i in range(6)
        ]
    )
    assert sum(r.created for r in results) == 1
    assert {r.incident_key for r in results} == {"INC-0001"}
    async with harness.app.db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(Incident)) == 1
        assert await s.scalar(select(func.count()).select_from(IncidentReporter)) == 6
    # The next new incident gets the next key: the losing inserts left no gap.
    other = await harness.app.core.intake.report(
        actor=Actor(platform=Platform.SLACK, user_id="U0R9"),
        form=form,
        platform=Platform.SLACK,
        source_key="slack:C0CLIENTA:1700000000.000777",
    )
    assert other.incident_key == "INC-0002"


async def test_reporter_gets_a_dm_when_ephemeral_is_impossible(harness: Harness) -> None:
    harness.fake.fail("chat.postEphemeral", error="channel_not_found")
    await submit(harness, await open_report(harness))
    [dm] = harness.fake.dms_to("U0REPORTER")
    assert "Reported as *INC-0001*" in dm.args["text"] or "INC-0001" in dm.args["text"]
