"""A Teams reply that is only an Adaptive Card is shown by its TextBlocks in the form, the
triage card and the export, never "(no text)"."""

from __future__ import annotations

import json
from typing import Any

from bot.exports.files import ExportFormat, render
from tests.support import teams_activities as act
from tests.support.no_text_messages import CARD
from tests.support.teams_harness import TEAMS_ADMINS, TeamsHarness
from tests.support.teams_steps import form_of

MESSAGE: dict[str, Any] = {"body": {"contentType": "html", "content": ""}, "attachments": [CARD]}


async def test_teams_card_only_message_shows_its_text_in_form_card_and_export(
    teams: TeamsHarness,
) -> None:
    await teams.install(*TEAMS_ADMINS)

    status, answer = await teams.post(act.fetch_task(teams.service_url, **MESSAGE))
    await teams.post(act.submit_action(teams.service_url, message=MESSAGE))

    assert status == 200
    shown = json.dumps(form_of(answer), ensure_ascii=False)
    assert "Revenue was £4.2m (per Client B file)" in shown and "(no text)" not in shown
    cards = json.dumps([c.card for c in teams.cards_to(TEAMS_ADMINS[0])], ensure_ascii=False)
    assert "Revenue was £4.2m (per Client B file)" in cards
    report = await render(
        teams.app.db,
        teams.app.core.ctx.config,
        teams.app.core.evidence.store,
        key="INC-0001",
        fmt=ExportFormat.MARKDOWN,
        generated_by="test",
    )
    md = report.data.decode()
    assert "> Client A — Q3 summary" in md and "(no text)" not in md
