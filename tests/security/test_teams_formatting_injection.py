"""Formatting injection on Teams: Adaptive Card markdown shows what people typed, inertly."""

from __future__ import annotations

from storage.models import Incident
from tests.support import teams_activities as act
from tests.support.injection import HOSTILE_TEAMS, card_texts, obeyed_in_teams
from tests.support.teams_harness import TEAMS_ADMINS, TeamsHarness


async def test_a_hostile_report_shows_literally_on_every_admin_card(teams: TeamsHarness) -> None:
    await teams.install(*TEAMS_ADMINS)
    message = {"body": {"contentType": "text", "content": HOSTILE_TEAMS}}
    data = act.report_answers(description=HOSTILE_TEAMS)

    status, _ = await teams.post(act.submit_action(teams.service_url, data=data, message=message))

    assert status == 200
    [incident] = await teams.rows(Incident)
    assert incident.description == HOSTILE_TEAMS
    for admin in TEAMS_ADMINS:
        [card] = [c.card for c in teams.cards_to(admin)]
        texts = list(card_texts(card))
        assert any(r"\[the ICO portal\]\(https://evil.example)" in t for t in texts)
        assert any(r"revenue \< £5m & falling" in t for t in texts)
        for text in texts:
            assert obeyed_in_teams(text) == [], text
        assert any("{{DATE(20" in t for t in texts if t.startswith("Reported "))
        assert "**What went wrong**" in texts


async def test_list_in_the_chat_escapes_what_was_typed(teams: TeamsHarness) -> None:
    await teams.install(*TEAMS_ADMINS)
    await teams.post(
        act.submit_action(teams.service_url, data=act.report_answers(description=HOSTILE_TEAMS))
    )

    status, _ = await teams.post(act.message(teams.service_url, "show INC-0001", user=act.ADMIN_1))

    assert status in {200, 201}
    [card] = [c.card for c in teams.cards_to(act.ADMIN_1)][-1:]
    for text in card_texts(card):
        assert obeyed_in_teams(text) == [], text
