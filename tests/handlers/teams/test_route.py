"""POST /api/messages: authentication, malformed requests, and the 4.17 invoke workaround."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from handlers.wiring import DeskApp, create_app
from storage.models import Incident, TeamsConversation
from tests.support import teams_activities as act
from tests.support.fakes.bot_connector import FakeBotConnector
from tests.support.teams_harness import TeamsHarness, teams_settings

APP_ID = "0b7e4b4a-5c0f-4d8e-9a55-3f1f2c9d8e71"
TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"


async def test_invoke_answers_carry_their_body(teams: TeamsHarness) -> None:
    """Fails if the route goes back to CloudAdapter.process(): every invoke would be a 500."""
    fetch_status, fetch = await teams.post(act.fetch_task(teams.service_url))
    submit_status, submit = await teams.post(act.submit_action(teams.service_url))
    [incident] = await teams.rows(Incident)
    click_status, click = await teams.click_raw(
        "triage.assign_me", user=act.MALLORY, incident_id=incident.id
    )

    assert (fetch_status, submit_status, click_status) == (200, 200, 200)
    assert fetch["task"]["type"] == "continue"
    assert submit["task"]["type"] == "message"
    assert click["type"] == "application/vnd.microsoft.activity.message"


async def test_sdk_process_still_serialises_invoke_bodies_twice(teams: TeamsHarness) -> None:
    """The bug our route works around; when botbuilder fixes it, this test says the workaround
    in handlers/teams/route.py can go."""
    adapter, bot = teams.app.teams.adapter, teams.app.teams.bot

    async def sdk_route(request: web.Request) -> web.StreamResponse:
        response: web.StreamResponse | None = await adapter.process(request, bot)
        assert response is not None
        return response

    app = web.Application()
    app.router.add_post("/api/messages", sdk_route)
    async with TestClient(TestServer(app)) as client:
        resp = await client.post("/api/messages", json=act.fetch_task(teams.service_url))
    assert resp.status == 500


async def test_malformed_requests_are_rejected_and_nothing_is_stored(teams: TeamsHarness) -> None:
    for body, content_type, expected in [
        ("{not json", "application/json", 400),
        ('["a list"]', "application/json", 400),
        ('{"text": "no type"}', "application/json", 400),
        ('{"type": "message"}', "text/plain", 415),
    ]:
        resp = await teams.client.post(
            "/api/messages", data=body, headers={"Content-Type": content_type}
        )
        assert resp.status == expected, body
    assert await teams.rows(Incident) == []
    assert teams.connector.calls == []


@pytest.fixture
async def secured(
    database_url: str, connector: FakeBotConnector
) -> AsyncIterator[tuple[DeskApp, TestClient[web.Request, web.Application]]]:
    settings = teams_settings(
        database_url,
        TEAMS_ENABLED="false",
        MicrosoftAppId=APP_ID,
        MicrosoftAppPassword="not-a-real-secret",
        MicrosoftAppTenantId=TENANT_ID,
    )
    app = create_app(settings)
    async with TestClient(TestServer(app.web)) as client:
        yield app, client
    await app.db.dispose()


async def test_with_an_app_id_a_request_without_a_valid_token_gets_401(
    secured: tuple[DeskApp, TestClient[web.Request, web.Application]], connector: FakeBotConnector
) -> None:
    app, client = secured
    untrusted = jwt.encode(
        {"iss": "https://issuer.invalid", "aud": APP_ID, "exp": int(time.time()) + 600},
        "a-key-nobody-trusts-at-all-32bytes",
        algorithm="HS256",
    )
    activity = act.submit_action(connector.service_url)
    for header in [None, "Bearer not-a-jwt", "Basic dXNlcjpwYXNz", f"Bearer {untrusted}"]:
        headers = {"Authorization": header} if header else {}
        resp = await client.post("/api/messages", json=activity, headers=headers)
        assert resp.status == 401, header
    async with app.db.sessions() as s:
        assert (await s.execute(Incident.__table__.select())).all() == []
        assert (await s.execute(TeamsConversation.__table__.select())).all() == []
    assert connector.calls == []
