"""`/incident` sub-commands, the global shortcut and App Home."""

from __future__ import annotations

import json
from typing import Any

from bot.domain import Actor, PersonalData, Platform, Reach, ReportInput
from tests.support.harness import Harness, sign
from tests.support.slack_payloads import load, slash_command
from tests.support.slack_steps import open_report, submit


async def run(
    h: Harness, text: str, user: str = "U0REPORTER"
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    before = len(h.fake.responses)
    resp = await h.command(slash_command(text, user=user, response_url=h.fake.response_url))
    assert resp.status == 200
    body = await resp.text()
    await h.settle()
    # Bolt answers ack(text=...) as a plain-text body, which Slack shows ephemerally.
    ack = json.loads(body) if body.startswith("{") else {"text": body}
    return ack, h.fake.responses[before:]


async def test_help_and_unknown_subcommands_show_help(harness: Harness) -> None:
    for text in ["", "help", "frobnicate"]:
        ack, _ = await run(harness, text)
        assert "/incident report" in ack["text"] and "/incident show INC-0001" in ack["text"]


async def test_report_subcommand_opens_modal_prefilled(harness: Harness) -> None:
    await run(harness, "report the bot invented a case citation")
    view = harness.fake.named("views.open")[-1].json_arg("view")
    description = next(b for b in view["blocks"] if b.get("block_id") == "description")
    assert description["element"]["initial_value"] == "the bot invented a case citation"
    assert json.loads(view["private_metadata"]) == {
        "team_id": None,
        "channel_id": None,
        "message_ts": None,
    }


async def test_global_shortcut_opens_same_modal_without_message(harness: Harness) -> None:
    payload = load("message_action")
    for key in ("message", "message_ts", "channel"):
        payload.pop(key)
    payload.update(type="shortcut", callback_id="report_incident_global")
    await harness.interact(payload)
    await harness.settle()
    view = harness.fake.named("views.open")[-1].json_arg("view")
    assert view["callback_id"] == "report_incident_modal"
    assert not any("Message from" in json.dumps(b) for b in view["blocks"])


async def test_list_shows_all_for_admins_and_own_for_others(harness: Harness) -> None:
    await submit(harness, await open_report(harness))
    await harness.app.core.intake.report(
        actor=Actor(platform=Platform.SLACK, user_id="U0SOMEONE"),
        form=ReportInput(
            description="other",
            failure_type="other",
            reach=Reach.CAUGHT,
            personal_data=PersonalData.NO,
        ),
        platform=Platform.SLACK,
    )

    _, [admin_view] = await run(harness, "list", user="U0ADMIN1")
    _, [own_view] = await run(harness, "list", user="U0REPORTER")
    _, [stranger_view] = await run(harness, "list", user="U0NOBODY")

    assert "INC-0001" in admin_view["text"] and "INC-0002" in admin_view["text"]
    assert "INC-0001" in own_view["text"] and "INC-0002" not in own_view["text"]
    assert stranger_view["text"] == "You have no open reports."


async def test_show_is_for_admins_and_reporters_only(harness: Harness) -> None:
    await submit(harness, await open_report(harness))

    _, [reporter_view] = await run(harness, "show inc-0001", user="U0REPORTER")
    _, [admin_view] = await run(harness, "show INC-0001", user="U0ADMIN2")
    _, [stranger_view] = await run(harness, "show INC-0001", user="U0NOBODY")
    _, [missing] = await run(harness, "show INC-0099", user="U0ADMIN2")

    assert "INC-0001" in json.dumps(reporter_view["blocks"])
    assert "Q3 revenue" in json.dumps(admin_view["blocks"])
    assert "No incident INC-0001 that you can see" in stranger_view["text"]
    assert "No incident INC-0099" in missing["text"]


async def test_app_home_publishes_report_button_and_own_reports(harness: Harness) -> None:
    await submit(harness, await open_report(harness))
    event = {
        "token": "t",
        "team_id": "T0ACME",
        "api_app_id": "A0DESK",
        "type": "event_callback",
        "event_id": "Ev01",
        "event_time": 1700000000,
        "event": {
            "type": "app_home_opened",
            "user": "U0REPORTER",
            "channel": "D0HOME",
            "tab": "home",
        },
    }
    body = json.dumps(event)
    resp = await harness.client.post(
        "/slack/events", data=body, headers={"Content-Type": "application/json", **sign(body)}
    )
    assert resp.status == 200
    await harness.settle()
    # The report already refreshed the reporter's Home; opening it publishes it once more.
    publish = harness.fake.named("views.publish")[-1]
    view = publish.json_arg("view")
    assert publish.args["user_id"] == "U0REPORTER"
    assert "Report an AI incident" in json.dumps(view) and "INC-0001" in json.dumps(view)
