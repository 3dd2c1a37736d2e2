"""Formatting injection: what people and AI tools type is shown, never obeyed, on every surface.

A reporter who types `<!channel>` or a disguised link, or an AI reply that carries them, must not
make the triage-channel card, an admin's DM card or a deadline nudge ping anyone or link anywhere;
ordinary `<` and `&` must read as typed; the desk's own mentions and dates keep working."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from storage.models import Incident
from tests.support.harness import Harness
from tests.support.injection import CAPTURED_AI_TEXT, HOSTILE, foreign_tokens, sent_texts
from tests.support.slack_payloads import block_action, classify_values, view_submission
from tests.support.slack_steps import open_report, rows, submit

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SHOWN_HOSTILE = (
    "&lt;!channel&gt; &lt;https://evil.example|the ICO portal&gt; revenue &lt; £5m &amp; falling"
)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"TRIAGE_CHANNEL": "C0TRIAGE"}


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


async def classify_with_personal_data(h: Harness, incident: Incident) -> None:
    await h.interact(
        block_action(
            user="U0ADMIN1",
            action_id="triage_classify",
            incident_id=incident.id,
            response_url=h.fake.response_url,
        )
    )
    await h.settle()
    call = h.fake.named("views.update")[-1]
    form = call.json_arg("view")
    resp = await h.interact(
        view_submission(
            view_id=call.args["view_id"],
            callback_id=form["callback_id"],
            private_metadata=form["private_metadata"],
            values=classify_values(
                personal_data="yes", risk="risk", aware_at=int(START.timestamp())
            ),
            blocks=form["blocks"],
            user="U0ADMIN1",
        )
    )
    assert resp.status == 200
    await h.settle()


def blocks_json(call: Any) -> str:
    return json.dumps(call.json_arg("blocks"), ensure_ascii=False)


async def test_hostile_report_is_shown_on_every_card_and_nudge_and_pings_nobody(
    harness: Harness, clock: Any
) -> None:
    form = await open_report(harness, text=CAPTURED_AI_TEXT)
    await submit(harness, form, description=HOSTILE)
    [incident] = await rows(harness, Incident)
    assert incident.description == HOSTILE  # stored exactly as typed
    await classify_with_personal_data(harness, incident)
    clock.move_to(START + timedelta(hours=24))
    assert await harness.app.core.clocks.deliver_due_nudges() >= 1
    await harness.settle()

    posts = harness.fake.named("chat.postMessage")
    [channel_card] = [
        c for c in posts if c.args.get("channel") == "C0TRIAGE" and not c.args.get("thread_ts")
    ]
    dm_card = next(c for c in posts if c.args.get("channel") == "DU0ADMIN1" and c.args["blocks"])
    nudges = [c for c in posts if c.args.get("channel") == "C0TRIAGE" and c.args.get("thread_ts")]
    nudge = nudges[0]
    for card in (channel_card, dm_card):
        shown = blocks_json(card)
        assert SHOWN_HOSTILE in shown
        assert "your statement (https://evil.example): revenue &lt; £5m &amp; down" in shown
        assert "<@U0REPORTER>" in shown and "<!date^" in shown  # the desk's own tokens work
    assert SHOWN_HOSTILE[:120] in blocks_json(nudge)
    updated = harness.fake.named("chat.update")[-1]
    assert SHOWN_HOSTILE in blocks_json(updated) and "<!date^" in blocks_json(updated)
    for call in harness.fake.calls:
        for text in sent_texts(call.args):
            assert foreign_tokens(text) == [], (call.method, text)
            assert "<!channel>" not in text and "<!here>" not in text


async def test_the_report_form_shows_the_captured_message_inert(harness: Harness) -> None:
    form = await open_report(harness, text=CAPTURED_AI_TEXT)

    shown = json.dumps(form["blocks"], ensure_ascii=False)
    assert "&gt; &lt;!here&gt;" not in shown and "<!here>" not in shown
    assert "!here see your statement (https://evil.example): revenue &lt; £5m &amp; down" in shown


async def test_list_and_show_escape_what_was_typed(harness: Harness) -> None:
    await submit(harness, await open_report(harness), description=HOSTILE)

    resp = await harness.command(
        {
            "command": "/incident",
            "text": "show INC-0001",
            "user_id": "U0ADMIN1",
            "team_id": "T0ACME",
            "channel_id": "C0GENERAL",
            "trigger_id": "1.2.3",
            "response_url": harness.fake.response_url,
        }
    )
    assert resp.status == 200
    await harness.settle()
    for call in harness.fake.calls:
        for text in sent_texts(call.args):
            assert foreign_tokens(text) == [], (call.method, text)
