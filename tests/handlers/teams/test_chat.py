"""The 1:1 chat: help, list, show and report work like Slack's /incident."""

from __future__ import annotations

import json
from typing import Any

from bot.domain import Actor, PersonalData, Platform, Reach, ReportInput
from storage.models import Incident, TeamsConversation
from tests.support import teams_activities as act
from tests.support.teams_harness import TEAMS_ADMINS, TeamsHarness


async def say(h: TeamsHarness, text: str, user: str = act.REPORTER) -> list[dict[str, Any]]:
    """Send a chat message; returns the bot's replies in that chat."""
    before = len(h.connector.calls)
    status, _ = await h.post(act.message(h.service_url, text, user=user))
    assert status == 201
    chat = act.personal_chat(user)
    return [c.body for c in h.connector.calls[before:] if c.conversation_id == chat]


async def seed(h: TeamsHarness) -> None:
    await h.install(*TEAMS_ADMINS, act.MALLORY)
    await h.post(act.submit_action(h.service_url))  # INC-0001, reported by REPORTER
    await h.app.core.intake.report(
        actor=Actor(platform=Platform.TEAMS, user_id=act.MALLORY),
        form=ReportInput(
            description="other",
            failure_type="other",
            reach=Reach.CAUGHT,
            personal_data=PersonalData.NO,
        ),
        platform=Platform.TEAMS,
    )
    await h.settle()


async def test_help_and_unknown_text_show_the_commands(teams: TeamsHarness) -> None:
    for text in ["help", "hello there", ""]:
        [reply] = await say(teams, text)
        assert "`report [what went wrong]`" in reply["text"]
        assert "`show INC-0001`" in reply["text"]


async def test_any_message_stores_where_the_sender_can_be_reached(teams: TeamsHarness) -> None:
    await say(teams, "help", user=act.ADMIN_2)
    [row] = await teams.rows(TeamsConversation)
    assert (row.key, row.conversation_id) == (act.ADMIN_2, act.personal_chat(act.ADMIN_2))


async def test_list_shows_all_for_admins_and_own_for_others(teams: TeamsHarness) -> None:
    await seed(teams)

    [admin_view] = await say(teams, "list", user=act.ADMIN_1)
    [own_view] = await say(teams, "list", user=act.REPORTER)
    [stranger_view] = await say(teams, "list", user=act.ADMIN_2 + "-not-admin")

    assert "INC-0001" in admin_view["text"] and "INC-0002" in admin_view["text"]
    assert "INC-0001" in own_view["text"] and "INC-0002" not in own_view["text"]
    assert stranger_view["text"] == "You have no open reports."


async def test_show_is_for_admins_and_reporters_only(teams: TeamsHarness) -> None:
    await seed(teams)

    [reporter_view] = await say(teams, "show inc-0001", user=act.REPORTER)
    [admin_view] = await say(teams, "show INC-0001", user=act.ADMIN_2)
    [stranger_view] = await say(teams, "show INC-0001", user=act.MALLORY)
    [usage] = await say(teams, "show", user=act.ADMIN_2)

    card = reporter_view["attachments"][0]["content"]
    assert "INC-0001" in json.dumps(card)
    assert "Q3 revenue" in json.dumps(admin_view["attachments"][0]["content"])
    assert "No incident INC-0001 that you can see" in stranger_view["text"]
    assert usage["text"] == "Usage: `show INC-0001 [--timeline]`"


async def test_show_timeline_lists_audit_events_for_admins_only(teams: TeamsHarness) -> None:
    await seed(teams)

    [admin] = await say(teams, "show INC-0001 --timeline", user=act.ADMIN_2)
    [reporter] = await say(teams, "show INC-0001 --timeline", user=act.REPORTER)

    assert admin["text"].startswith("**INC-0001 · audit timeline**")
    assert "Reported" in admin["text"] and "#1" in admin["text"]
    assert reporter["text"] == "The audit timeline is shown to incident admins only."


async def test_report_posts_a_prefilled_form_that_reports_when_submitted(
    teams: TeamsHarness,
) -> None:
    [reply] = await say(teams, "report the bot invented a case citation")
    form = reply["attachments"][0]["content"]
    description = next(e for e in form["body"] if e.get("id") == "description")
    assert description["value"] == "the bot invented a case citation"
    [button] = form["actions"]
    assert (button["type"], button["verb"]) == ("Action.Execute", "report.submit")

    bad = await teams.click(
        "report.submit", user=act.REPORTER, description="the bot invented a case citation"
    )
    errors = [e["text"] for e in bad["value"]["body"] if e.get("color") == "Attention"]
    assert "Pick a failure type from the list." in errors
    done = await teams.click(
        "report.submit",
        user=act.REPORTER,
        **act.report_answers(description="the bot invented a case citation"),
    )

    assert "Reported as INC-0001" in json.dumps(done["value"])
    [incident] = await teams.rows(Incident)
    assert (incident.description, incident.source_key) == ("the bot invented a case citation", None)


async def test_a_channel_mention_is_read_without_the_mention(teams: TeamsHarness) -> None:
    status, _ = await teams.post(act.channel_mention(teams.service_url, "help"))
    assert status == 201
    [reply] = [c for c in teams.connector.named("send") if "`report" in str(c.body.get("text"))]
    assert reply.conversation_id is not None and reply.conversation_id.startswith(act.CHANNEL)
    scopes = {(r.scope, r.key) for r in await teams.rows(TeamsConversation)}
    assert scopes == {
        ("personal", act.REPORTER),
        ("channel", "19:c1a2b3c4d5e6f708192a3b4c5d6e7f80@thread.tacv2"),
    }
