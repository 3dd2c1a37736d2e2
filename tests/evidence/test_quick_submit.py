"""A report submitted before the background capture finishes keeps the message, and the full
capture is attached to the incident whenever it lands."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine

from bot.domain import Actor, PersonalData, Platform, Reach, ReportInput
from bot.evidence.canonical import sha256_hex
from handlers.slack.capture import seed_capture
from storage.models import AuditEvent, Evidence, EvidenceDraft, Incident
from tests.support.harness import Harness
from tests.support.slack_payloads import message_shortcut, report_values, view_submission
from tests.support.slack_steps import rows


async def _open_with_slow_thread(h: Harness) -> tuple[dict[str, Any], asyncio.Event]:
    release = asyncio.Event()

    async def slow_replies(args: dict[str, Any]) -> dict[str, Any]:
        await release.wait()
        return {"messages": [{"type": "message", "ts": args["ts"], "text": "parent"}]}

    h.fake.handlers["conversations.replies"] = slow_replies
    resp = await h.interact(message_shortcut(h.fake.response_url))
    assert resp.status == 200
    for _ in range(100):
        if h.fake.named("views.open") and await rows(h, EvidenceDraft):
            break
        await asyncio.sleep(0.01)
    call = h.fake.named("views.open")[-1]
    return {**call.json_arg("view"), "id": call.response["view"]["id"]}, release


async def _submit_now(h: Harness, view: dict[str, Any]) -> dict[str, Any]:
    resp = await h.interact(
        view_submission(
            view_id=view["id"],
            callback_id=view["callback_id"],
            private_metadata=view["private_metadata"],
            values=report_values(),
        )
    )
    assert resp.status == 200
    answer: dict[str, Any] = json.loads(await resp.text())
    return answer


async def test_quick_submit_keeps_the_message_from_the_shortcut_payload(harness: Harness) -> None:
    view, release = await _open_with_slow_thread(harness)

    answer = await _submit_now(harness, view)

    assert "INC-0001" in json.dumps(answer["view"])
    [seed] = await rows(harness, Evidence)
    assert seed.content["capture"] == "seed"
    assert seed.content["message"]["text"].startswith("Q3 revenue")
    assert seed.content["message"]["files"][0]["name"] == "q3-summary.pdf"
    assert seed.content["author"]["app_id"] == "A0DRAFTER"
    assert seed.content["snapshot_sha256"] == sha256_hex(seed.content["message"])
    assert seed.sha256 == sha256_hex(seed.content)
    assert "capture_incomplete" not in seed.content
    release.set()
    await harness.settle()


async def test_capture_finishing_after_submit_is_attached_and_audited(harness: Harness) -> None:
    view, release = await _open_with_slow_thread(harness)
    await _submit_now(harness, view)
    [claimed] = await rows(harness, EvidenceDraft)
    [incident] = await rows(harness, Incident)
    assert claimed.incident_id == incident.id

    release.set()
    await harness.settle()

    seed, full = await rows(harness, Evidence)
    assert full.incident_id == incident.id and full.content["capture"] == "full"
    assert [m["text"] for m in full.content["thread"]["messages"]] == ["parent"]
    assert full.content["permalink"]
    assert full.content["snapshot_sha256"] == seed.content["snapshot_sha256"]
    assert await rows(harness, EvidenceDraft) == []
    attached = [
        e for e in await rows(harness, AuditEvent) if e.action == "evidence.capture_attached"
    ]
    assert attached and attached[0].after is not None
    assert attached[0].after["sha256"] == full.sha256


async def test_capture_finishing_before_submit_is_the_one_evidence(harness: Harness) -> None:
    view, release = await _open_with_slow_thread(harness)
    release.set()
    await harness.settle()

    await _submit_now(harness, view)
    await harness.settle()

    [evidence] = await rows(harness, Evidence)
    assert evidence.content["capture"] == "full"
    assert await rows(harness, EvidenceDraft) == []


async def test_purge_never_drops_a_draft_a_saved_incident_waits_for(harness: Harness) -> None:
    view, release = await _open_with_slow_thread(harness)
    await _submit_now(harness, view)

    with time_machine.travel(datetime.now(UTC) + timedelta(days=3)):
        await harness.app.core.intake.purge_drafts()
    assert len(await rows(harness, EvidenceDraft)) == 1
    release.set()
    await harness.settle()
    assert len(await rows(harness, Evidence)) == 2


async def test_legacy_integration_message_is_recorded_as_a_named_integration(
    harness: Harness,
) -> None:
    resp = await harness.interact(
        message_shortcut(
            harness.fake.response_url,
            subtype="bot_message",
            bot_id=None,
            bot_profile=None,
            app_id=None,
            user=None,
            username="Old Webhook",
            icons={"emoji": ":robot_face:"},
        )
    )
    assert resp.status == 200
    await harness.settle()
    [draft] = await rows(harness, EvidenceDraft)
    author = draft.content["author"]
    assert author["type"] == "integration"
    assert author["display_name"] == "Old Webhook" and author["icon"] == ":robot_face:"


async def test_submit_and_capture_racing_never_lose_the_full_capture(harness: Harness) -> None:
    intake = harness.app.core.intake
    reporter = Actor(platform=Platform.SLACK, user_id="U0REPORTER", name="Rita")
    form = ReportInput(
        description="Wrong client figures",
        failure_type="contamination",
        reach=Reach.REACHED_CLIENT,
        personal_data=PersonalData.NO,
    )
    for n in range(8):
        ts = f"1700000{n:03d}.000100"
        message = {"type": "message", "ts": ts, "text": f"draft {n}", "user": "U0BOT"}
        seed = seed_capture(team_id="T0ACME", channel_id="C0RACE", message=message, reporter="r")
        full = {**seed, "capture": "full", "thread": {"available": True, "messages": []}}
        await intake.save_evidence_draft(form_id=f"V{n}", platform=Platform.SLACK, content=seed)

        await asyncio.gather(
            intake.report(
                actor=reporter,
                form=form,
                platform=Platform.SLACK,
                source_key=f"slack:C0RACE:{ts}",
                draft_form_id=f"V{n}",
            ),
            intake.save_evidence_draft(form_id=f"V{n}", platform=Platform.SLACK, content=full),
        )

    await harness.settle()
    evidence = await rows(harness, Evidence)
    by_incident: dict[int, list[str]] = {}
    for row in evidence:
        by_incident.setdefault(row.incident_id, []).append(row.content["capture"])
    assert len(by_incident) == 8
    assert all(kinds in (["full"], ["seed", "full"]) for kinds in by_incident.values())
    assert await rows(harness, EvidenceDraft) == []
