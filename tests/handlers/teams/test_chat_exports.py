"""Exports, timeline, stats and the dashboard from the Teams chat: the file arrives the Teams
way (a file consent card, then an upload to the admin's OneDrive and a file card)."""

from __future__ import annotations

import json
from typing import Any

from storage.models import AuditEvent, Incident
from tests.support import teams_activities as act
from tests.support.teams_harness import TEAMS_ADMINS, TeamsHarness

CONSENT = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO = "application/vnd.microsoft.teams.card.file.info"


async def say(h: TeamsHarness, text: str, user: str = act.ADMIN_1) -> list[dict[str, Any]]:
    before = len(h.connector.calls)
    await h.post(act.message(h.service_url, text, user=user))
    chat = act.personal_chat(user)
    return [c.body for c in h.connector.calls[before:] if c.conversation_id == chat]


async def reported(h: TeamsHarness) -> Incident:
    await h.install(*TEAMS_ADMINS, act.REPORTER)
    await h.post(act.submit_action(h.service_url))
    [incident] = await h.rows(Incident)
    return incident


def attachment(body: dict[str, Any], content_type: str) -> dict[str, Any] | None:
    for item in body.get("attachments") or []:
        if item.get("contentType") == content_type:
            return dict(item)
    return None


async def test_export_offers_the_file_and_uploads_it_when_accepted(teams: TeamsHarness) -> None:
    await reported(teams)

    replies = await say(teams, "export INC-0001 md")

    assert "Preparing the md export of **INC-0001**" in replies[0]["text"]
    offers = [b for b in replies if attachment(b, CONSENT)]
    [offer] = offers
    consent = attachment(offer, CONSENT) or {}
    assert consent["name"] == "INC-0001-report.md"
    assert consent["content"]["sizeInBytes"] > 0
    assert "audit" in offer["text"].lower()
    exported = [e for e in await teams.rows(AuditEvent) if e.action == "incident.exported"]
    assert len(exported) == 1

    accepted = await teams.post(
        act.file_consent(
            teams.service_url,
            user=act.ADMIN_1,
            action="accept",
            context=consent["content"]["acceptContext"],
            upload_url=teams.connector.upload_url("INC-0001-report.md"),
            name="INC-0001-report.md",
        )
    )

    assert accepted[0] == 200
    uploaded = teams.connector.uploads["INC-0001-report.md"].decode()
    assert "INC-0001" in uploaded and "contamination" in uploaded.lower()
    cards = [attachment(c.body, FILE_INFO) for c in teams.connector.named("send")]
    [info] = [c for c in cards if c]
    assert info["name"] == "INC-0001-report.md"
    assert info["contentUrl"].endswith("/INC-0001-report.md")


async def test_declined_export_sends_nothing_and_says_how_to_ask_again(
    teams: TeamsHarness,
) -> None:
    await reported(teams)
    replies = await say(teams, "export INC-0001 html")
    consent = next(a for b in replies if (a := attachment(b, CONSENT)))

    await teams.post(
        act.file_consent(
            teams.service_url,
            user=act.ADMIN_1,
            action="decline",
            context=consent["content"]["declineContext"],
            upload_url=teams.connector.upload_url("x"),
            name="INC-0001-report.html",
        )
    )

    assert teams.connector.uploads == {}
    assert "Not sent. Type `export INC-0001 html`" in teams.texts_to(act.ADMIN_1)[-1]


async def test_export_is_for_admins_only(teams: TeamsHarness) -> None:
    await reported(teams)

    [reply] = await say(teams, "export INC-0001", user=act.REPORTER)

    assert "Exports are for incident admins only" in reply["text"]
    assert not [c for c in teams.connector.named("send") if attachment(c.body, CONSENT)]


async def test_show_timeline_lists_the_audit_events(teams: TeamsHarness) -> None:
    await reported(teams)

    [reply] = await say(teams, "show INC-0001 timeline")

    assert "**INC-0001 · audit timeline**" in reply["text"]
    assert "Reported" in reply["text"]


async def test_stats_is_a_card_for_admins(teams: TeamsHarness) -> None:
    await reported(teams)

    [reply] = await say(teams, "stats 30d")
    [refused] = await say(teams, "stats", user=act.REPORTER)
    [usage] = await say(teams, "stats lots")

    shown = json.dumps(reply["attachments"][0]["content"], ensure_ascii=False)
    assert "Weak points · the last 30 days" in shown and "1 incident" in shown
    assert "admin" in refused["text"].lower()
    assert usage["text"].startswith("Usage: `stats [30d|90d|all]`")


async def test_home_card_shows_the_dashboard_and_refreshes_after_triage(
    teams: TeamsHarness,
) -> None:
    incident = await reported(teams)

    [reply] = await say(teams, "home")

    card = reply["attachments"][0]["content"]
    shown = json.dumps(card, ensure_ascii=False)
    assert "Dashboard" in shown and "**Open incidents:** 1 (not set: 1)" in shown
    assert "Unassigned" in shown and "INC-0001" in shown
    assert card["refresh"]["action"]["verb"] == "home.refresh"
    assert card["refresh"]["userIds"] == [reply["recipient"]["id"]]

    await teams.click("triage.severity", user=act.ADMIN_2, incident_id=incident.id, severity="SEV2")
    await teams.click("triage.assign_me", user=act.ADMIN_2, incident_id=incident.id)
    refreshed = await teams.click("home.refresh", user=act.ADMIN_1)

    now = json.dumps(refreshed["value"], ensure_ascii=False)
    assert "**Open incidents:** 1 (SEV2: 1)" in now
    assert "Every open incident has an assignee." in now


async def test_a_reporter_home_shows_their_reports_only(teams: TeamsHarness) -> None:
    await reported(teams)

    [reply] = await say(teams, "home", user=act.REPORTER)

    shown = json.dumps(reply["attachments"][0]["content"], ensure_ascii=False)
    assert "Your reports" in shown and "INC-0001" in shown
    assert "Dashboard" not in shown
