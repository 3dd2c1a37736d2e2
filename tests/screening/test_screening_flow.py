"""Automatic screening end to end: signed `message` events from an AI bot become suspected
incidents with masked signals, once per message, within the flood cap."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
import yaml

from bot.settings import DeskConfig
from storage.models import AuditEvent, Evidence, Incident, ScreeningHit, ScreeningOverflow
from tests.support.harness import ADMINS, Harness
from tests.support.manifests import MANIFEST
from tests.support.screening_data import LEAKY, screening_config
from tests.support.slack_payloads import message_event, message_shortcut, slash_command
from tests.support.slack_steps import click, close_form, rows, submit, submit_close

TRIAGE = "C0TRIAGE"
# Names another client (Globex) in Acme's channel, quotes Globex's figure, and leaks contacts.
RAW = ["jane.doe@globex.com", "7946 0958", "1,250,000", "Globex Corporation"]


@pytest.fixture
def desk_config(request: pytest.FixtureRequest) -> DeskConfig:
    return screening_config(**getattr(request, "param", {}))


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"TRIAGE_CHANNEL": TRIAGE}


async def post(h: Harness, payload: dict[str, Any], **headers: str) -> None:
    resp = await h.event(payload, **headers)
    assert resp.status == 200
    await h.settle()


def dm_payloads(h: Harness) -> str:
    """Everything the bot sent or updated in a DM, as one string."""
    calls = [
        c
        for c in h.fake.named("chat.postMessage") + h.fake.named("chat.update")
        if str(c.args.get("channel", "")).startswith("D")
    ]
    return json.dumps([c.args for c in calls], ensure_ascii=False)


async def test_ai_message_with_risk_signals_becomes_suspected_incident(harness: Harness) -> None:
    await post(harness, message_event(LEAKY))

    [incident] = await rows(harness, Incident)
    assert (incident.key, incident.kind, incident.status) == ("INC-0001", "suspected", "reported")
    assert incident.source_key == "slack:C0CLIENTA:1700000400.000100"
    assert incident.created_by == "system:incident-desk"
    assert incident.failure_type == "contamination"
    assert incident.personal_data == "unsure"
    [evidence] = await rows(harness, Evidence)
    assert evidence.content["message"]["text"] == LEAKY  # the evidence keeps the original
    screening = evidence.content["screening"]
    assert screening["rule_ids"] == ["cross_client", "email", "phone"]
    assert "j***@globex.com" in screening["masked_text"]
    assert not any(raw in json.dumps(screening, ensure_ascii=False) for raw in RAW)
    hits = await rows(harness, ScreeningHit)
    assert [(h.rule_id, h.decision) for h in hits] == [
        ("cross_client", None),
        ("email", None),
        ("phone", None),
    ]
    assert "incident.suspected" in [e.action for e in await rows(harness, AuditEvent)]


async def test_admin_card_shows_masked_signals_and_the_three_decisions(harness: Harness) -> None:
    await post(harness, message_event(LEAKY))

    for admin in ADMINS:
        [card] = harness.fake.dms_to(admin)
        blocks = card.json_arg("blocks")
        shown = json.dumps(blocks, ensure_ascii=False)
        assert "INC-0001 · Suspected" in shown and "Screening signals" in shown
        assert "Email address: `j***@globex.com`" in shown
        assert "Names another client (globex)" in shown
        actions = next(b for b in blocks if b["type"] == "actions")
        assert [e["text"]["text"] for e in actions["elements"]] == [
            "Confirm incident",
            "Near miss",
            "False positive",
        ]
    sent = dm_payloads(harness)
    assert [raw for raw in RAW if raw in sent] == []


async def test_screening_runs_after_the_ack(harness: Harness) -> None:
    release = asyncio.Event()

    async def slow_permalink(args: dict[str, Any]) -> dict[str, Any]:
        await release.wait()
        return {"permalink": "https://acme.slack.com/archives/C0CLIENTA/p1700000400000100"}

    harness.fake.handlers["chat.getPermalink"] = slow_permalink
    resp = await harness.event(message_event(LEAKY))

    assert resp.status == 200  # answered while evidence capture is still waiting on Slack
    assert await rows(harness, Incident) == []
    release.set()
    await harness.settle()
    assert len(await rows(harness, Incident)) == 1


async def test_retried_event_makes_nothing_new(harness: Harness) -> None:
    payload = message_event(LEAKY)
    await post(harness, payload)
    calls_before = len(harness.fake.calls)

    await post(harness, payload, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "timeout"})
    await post(harness, payload, **{"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "timeout"})

    assert len(await rows(harness, Incident)) == 1
    assert len(await rows(harness, Evidence)) == 1
    assert await rows(harness, ScreeningOverflow) == []
    assert len(harness.fake.calls) == calls_before  # no capture, no cards, no DMs


async def test_concurrent_deliveries_of_one_message_make_one_incident(harness: Harness) -> None:
    payload = message_event(LEAKY)
    await asyncio.gather(*(harness.event(payload) for _ in range(3)))
    await harness.settle()
    assert len(await rows(harness, Incident)) == 1
    for admin in ADMINS:
        assert len(harness.fake.dms_to(admin)) == 1


async def test_flood_cap_holds_and_extras_go_into_one_digest(harness: Harness) -> None:
    for n in range(5):
        await post(harness, message_event(LEAKY, ts=f"1700000400.00010{n}"))

    assert [i.key for i in await rows(harness, Incident)] == ["INC-0001", "INC-0002"]
    assert len(await rows(harness, ScreeningOverflow)) == 3
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    await post(harness, message_event(LEAKY, ts="1700000400.000104"), **retry)
    assert len(await rows(harness, ScreeningOverflow)) == 3  # a retried capped message, too

    def digests() -> list[Any]:
        return [
            c
            for c in harness.fake.named("chat.postMessage")
            if c.args["channel"] == TRIAGE and "more suspicious AI messages" in c.args["text"]
        ]

    assert digests() == []

    assert await harness.app.core.insights.screener.send_overflow_digest() == 3
    await harness.settle()
    assert await harness.app.core.insights.screener.send_overflow_digest() == 0
    await harness.settle()

    [digest] = digests()
    assert "3 more suspicious AI messages in <#C0CLIENTA>" in digest.args["text"]
    shown = json.dumps(digest.json_arg("blocks"), ensure_ascii=False)
    assert shown.count("j***@globex.com") == 3 and "cap of 2" in shown
    assert "archives/C0CLIENTA/p1700000400000104" in shown  # links to each held-back message
    assert [raw for raw in RAW if raw in shown] == []


async def test_flood_window_is_per_channel_and_per_hour(harness: Harness) -> None:
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as clock:
        for n in range(3):
            await post(harness, message_event(LEAKY, ts=f"1700000400.00020{n}"))
        await post(
            harness,
            message_event("Globex is on the line", ts="1700000400.000300", channel="C0CLIENTA"),
        )
        await post(
            harness,
            message_event("Acme asked for this", ts="1700000400.000301", channel="C0CLIENTB"),
        )
        clock.shift(timedelta(minutes=61))
        await post(harness, message_event(LEAKY, ts="1700000400.000400"))

    kinds = [(i.channel_id, i.kind) for i in await rows(harness, Incident)]
    assert kinds == [("C0CLIENTA", "suspected")] * 2 + [
        ("C0CLIENTB", "suspected"),
        ("C0CLIENTA", "suspected"),
    ]
    assert len(await rows(harness, ScreeningOverflow)) == 2


async def test_human_message_is_not_screened_by_default(harness: Harness) -> None:
    await post(harness, message_event(LEAKY, bot_id=None, user="U0HUMAN"))
    assert await rows(harness, Incident) == []


@pytest.mark.parametrize("desk_config", [{"screen_all_messages": True}], indirect=True)
async def test_human_message_is_screened_when_configured(harness: Harness) -> None:
    text = "Pay to GB82 WEST 1234 5698 7654 32 today"
    await post(harness, message_event(text, bot_id=None, user="U0HUMAN", channel="C0OTHER"))
    [incident] = await rows(harness, Incident)
    assert incident.kind == "suspected" and incident.channel_id == "C0OTHER"
    [hit] = await rows(harness, ScreeningHit)
    assert hit.rule_id == "iban"


async def test_unmonitored_channel_clean_text_own_messages_and_edits_are_ignored(
    harness: Harness,
) -> None:
    await post(harness, message_event(LEAKY, channel="C0RANDOM"))
    await post(harness, message_event("Here is the summary you asked for.", ts="1.000001"))
    await post(harness, message_event(LEAKY, ts="1.000002", bot_id="BDESK"))
    edited = message_event(LEAKY, ts="1.000003", subtype="message_changed")
    edited["event"]["message"] = {"text": LEAKY, "ts": "1.000003", "bot_id": "B0DRAFTER"}
    await post(harness, edited)
    deleted = message_event("", ts="1.000004", subtype="message_deleted")
    await post(harness, deleted)

    assert await rows(harness, Incident) == []


async def test_person_reporting_the_flagged_message_joins_the_suspected_incident(
    harness: Harness,
) -> None:
    await post(harness, message_event(LEAKY))
    resp = await harness.interact(
        message_shortcut(harness.fake.response_url, ts="1700000400.000100", text=LEAKY)
    )
    assert resp.status == 200
    await harness.settle()
    call = harness.fake.named("views.open")[-1]
    view = {**call.json_arg("view"), "id": call.response["view"]["id"]}

    answer = await submit(harness, view)

    assert "already reported as *INC-0001*" in json.dumps(answer["view"])
    [incident] = await rows(harness, Incident)
    assert [r.reporter for r in incident.reporters] == ["slack:U0REPORTER"]


async def decisions(h: Harness) -> list[tuple[int, str, str | None]]:
    return [(x.incident_id, x.rule_id, x.decision) for x in await rows(h, ScreeningHit)]


async def test_confirm_near_miss_and_false_positive_are_kept_against_the_rules(
    harness: Harness,
) -> None:
    await post(harness, message_event(LEAKY))
    boilerplate = "As an AI language model, I suggest you email ops@example.org"
    await post(harness, message_event(boilerplate, ts="1.000010", channel="C0CLIENTB"))
    await post(harness, message_event("Globex fee is £1,250,000", ts="1.000011"))
    first, second, third = await rows(harness, Incident)

    await click(harness, "U0ADMIN1", "triage_confirm", first.id)
    await click(harness, "U0ADMIN2", "triage_near_miss", third.id)
    view = await close_form(harness, second)
    assert await submit_close(harness, view, outcome="false_positive", rationale="Test bot") == {}

    kinds = [(i.kind, i.reach, i.status, i.outcome) for i in await rows(harness, Incident)]
    assert kinds == [
        ("incident", "reached_client", "triaging", None),
        ("suspected", "caught", "closed", "false_positive"),
        ("near_miss", "caught", "triaging", None),
    ]
    assert await decisions(harness) == [
        (first.id, "cross_client", "confirmed"),
        (first.id, "email", "confirmed"),
        (first.id, "phone", "confirmed"),
        (second.id, "email", "false_positive"),
        (second.id, "ai_boilerplate", "false_positive"),
        (third.id, "cross_client", "near_miss"),
    ]
    [*_, latest] = [
        c.json_arg("blocks")
        for c in harness.fake.named("chat.update")
        if "INC-0001 · Incident" in json.dumps(c.json_arg("blocks"), ensure_ascii=False)
    ]
    actions = [b for b in latest if b["type"] == "actions"]
    labels = [e.get("text", {}).get("text") for b in actions for e in b["elements"]]
    assert "Assign to me" in labels and "Confirm incident" not in labels


async def test_stats_rules_shows_each_rules_hits_and_precision(harness: Harness) -> None:
    await post(harness, message_event(LEAKY))
    await post(harness, message_event("Globex fee is £1,250,000", ts="1.000011"))
    await post(harness, message_event(LEAKY, ts="1.000012"))  # over the cap of 2: held back
    first, second = await rows(harness, Incident)
    await click(harness, "U0ADMIN1", "triage_confirm", first.id)
    view = await close_form(harness, second)
    await submit_close(harness, view, outcome="false_positive", rationale="Globex is public")

    resp = await harness.command(
        slash_command("stats rules", user="U0ADMIN1", response_url=harness.fake.response_url)
    )
    assert resp.status == 200
    await harness.settle()

    table = harness.fake.responses[-1]["blocks"][1]["text"]["text"]
    lines = {line[:30].strip(): line[30:].split() for line in table.splitlines()[2:-1]}
    # score fired incidents near-misses false-positives open capped precision
    assert lines["Another client's data"] == ["1", "2", "1", "0", "1", "0", "1", "50%"]
    assert lines["Email address"] == ["0.4", "1", "1", "0", "0", "0", "1", "100%"]
    assert lines["IBAN"] == ["1", "0", "0", "0", "0", "0", "0", "—"]


async def test_non_admin_cannot_confirm(harness: Harness) -> None:
    await post(harness, message_event(LEAKY))
    [incident] = await rows(harness, Incident)

    await click(harness, "U0MALLORY", "triage_confirm", incident.id)

    [row] = await rows(harness, Incident)
    assert row.kind == "suspected"
    assert [e.after for e in await rows(harness, AuditEvent) if e.action == "triage.refused"] == [
        {"attempted": "incident.confirmed"}
    ]


def test_manifest_subscribes_to_channel_messages_and_can_upload_the_chart() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_home_opened", "message.channels", "message.groups"} <= set(events)
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert {"channels:history", "groups:history", "files:write"} <= set(scopes)
