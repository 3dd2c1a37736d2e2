"""Card copies are refreshed in the core, once for both platforms: a copy that cannot be updated
(a deleted DM, a channel the bot left) is noted, and every other copy is still updated."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from botbuilder.schema import Activity
from sqlalchemy import select

from bot.domain import Actor, PersonalData, Platform, Reach, ReportInput
from handlers.wiring import DeskApp, create_app
from storage.models import CardPost, OutboxMessage
from tests.support import teams_activities as act
from tests.support.fakes.bot_connector import FakeBotConnector
from tests.support.harness import Harness, serve
from tests.support.teams_harness import teams_settings

FORM = ReportInput(
    description="wrong client named",
    failure_type="contamination",
    reach=Reach.REACHED_CLIENT,
    personal_data=PersonalData.NO,
)
SLACK_ADMIN = Actor(platform=Platform.SLACK, user_id="U0ADMIN1", name="ada")
TRIAGE_CHANNEL = "C0TRIAGE"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"TRIAGE_CHANNEL": TRIAGE_CHANNEL}


async def rows(app: DeskApp, model: Any) -> list[Any]:
    async with app.db.sessions() as s:
        return list((await s.execute(select(model).order_by(model.id))).scalars())


async def slack_incident_with_three_copies(harness: Harness) -> int:
    """Reported from Slack: a copy in each admin's DM and one in the triage channel."""
    result = await harness.app.core.intake.report(
        actor=Actor(platform=Platform.SLACK, user_id="U0REPORTER"),
        form=FORM,
        platform=Platform.SLACK,
    )
    await harness.settle()
    posts = await rows(harness.app, CardPost)
    # Copies to different conversations are posted side by side, in no fixed order.
    assert sorted(p.recipient for p in posts) == sorted(["U0ADMIN1", "U0ADMIN2", TRIAGE_CHANNEL])
    [incident_id] = {p.incident_id for p in posts}
    assert result.incident_key == "INC-0001"
    return int(incident_id)


def updated_channels(harness: Harness) -> list[str]:
    return [
        str(c.args["channel"]) for c in harness.fake.named("chat.update") if c.response.get("ok")
    ]


async def test_a_slack_copy_that_is_gone_does_not_stop_the_other_copies_updating(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    incident_id = await slack_incident_with_three_copies(harness)
    harness.fake.fail("chat.update", error="message_not_found")  # the first copy: a deleted DM

    await harness.app.core.triage.assign_to_me(actor=SLACK_ADMIN, incident_id=incident_id)
    await harness.settle()

    assert len(harness.fake.named("chat.update")) == 3
    # The copies were posted side by side; the first one recorded is the first updated.
    gone, *others = await rows(harness.app, CardPost)
    assert sorted(updated_channels(harness)) == sorted(p.channel for p in others)
    for call in harness.fake.named("chat.update")[1:]:
        assert "<@U0ADMIN1>" in str(call.json_arg("blocks"))  # the new assignee
    assert gone.last_error == "Slack error: message_not_found" and gone.failed_at is not None
    assert [(p.last_error, p.failed_at) for p in others] == [(None, None), (None, None)]
    [refresh] = [r for r in await rows(harness.app, OutboxMessage) if r.kind == "refresh_cards"]
    assert refresh.status == "failed" and refresh.last_error == "Slack error: message_not_found"
    assert any(
        gone.recipient in r.getMessage() and "INC-0001" in r.getMessage() for r in caplog.records
    )


async def test_a_copy_that_updates_again_loses_its_failure_note(harness: Harness) -> None:
    incident_id = await slack_incident_with_three_copies(harness)
    harness.fake.fail("chat.update", error="message_not_found")
    await harness.app.core.triage.assign_to_me(actor=SLACK_ADMIN, incident_id=incident_id)
    await harness.settle()

    await harness.app.core.triage.mark_near_miss(actor=SLACK_ADMIN, incident_id=incident_id)
    await harness.settle()

    assert [(p.last_error, p.failed_at) for p in await rows(harness.app, CardPost)] == [
        (None, None)
    ] * 3
    assert len(updated_channels(harness)) == 2 + 3


# ---- Teams -----------------------------------------------------------------------------------

TEAMS_ADMINS = (act.ADMIN_1, act.ADMIN_2, act.REPORTER)


@pytest.fixture
async def teams_app(database_url: str) -> AsyncIterator[tuple[Harness, FakeBotConnector]]:
    connector = FakeBotConnector()
    await connector.start()
    app = create_app(teams_settings(database_url, INCIDENT_ADMINS=",".join(TEAMS_ADMINS)))
    async with serve(app) as (client, tasks):
        h = Harness(app, client, fake=None)
        h.tasks = tasks
        for admin in TEAMS_ADMINS:
            activity = Activity().deserialize(act.install(connector.service_url, admin))
            await app.teams.bot.book.remember(activity)
        yield h, connector
    await connector.close()


async def test_a_teams_copy_that_is_gone_does_not_stop_the_other_copies_updating(
    teams_app: tuple[Harness, FakeBotConnector],
) -> None:
    harness, connector = teams_app
    teams_admin = Actor(platform=Platform.TEAMS, user_id=act.ADMIN_1, name="Ada Admin")
    await harness.app.core.intake.report(actor=teams_admin, form=FORM, platform=Platform.TEAMS)
    await harness.settle()
    posts = await rows(harness.app, CardPost)
    assert sorted(p.recipient for p in posts) == sorted(TEAMS_ADMINS)
    connector.fail("update", status=404)  # the first copy's chat is gone

    await harness.app.core.triage.assign_to_me(actor=teams_admin, incident_id=posts[0].incident_id)
    await harness.settle()

    gone, *others = await rows(harness.app, CardPost)
    updated = [str(c.conversation_id) for c in connector.named("update")]
    assert sorted(updated) == sorted(act.personal_chat(p.recipient) for p in others)
    assert gone.last_error is not None
    assert gone.last_error.startswith("Teams answered HTTP 404 while updating the card of")
    assert [p.last_error for p in others] == [None, None]
    [refresh] = [r for r in await rows(harness.app, OutboxMessage) if r.kind == "refresh_cards"]
    assert refresh.status == "failed" and "HTTP 404" in (refresh.last_error or "")
