"""The Teams harness: settings with Teams on, and a driver that posts activities the way the Bot
Connector does."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import inspect, select

from bot.settings import Settings
from handlers.wiring import DeskApp
from storage.models import Base
from tests.support import teams_activities as act
from tests.support.fakes.bot_connector import ConnectorCall, FakeBotConnector
from tests.support.harness import Harness

TEAMS_ADMINS = (act.ADMIN_1, act.ADMIN_2)

Row = TypeVar("Row", bound=Base)


def teams_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "TEAMS_ENABLED": "true",
        "INCIDENT_ADMINS": ",".join(TEAMS_ADMINS),
        "OUTBOX_INTERVAL_SECONDS": 60,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


class TeamsHarness(Harness):
    """Posts activities the way the Bot Connector does and waits for what follows."""

    def __init__(
        self,
        app: DeskApp,
        client: TestClient[web.Request, web.Application],
        connector: FakeBotConnector,
    ) -> None:
        super().__init__(app, client, fake=None)
        self.connector = connector

    @property
    def service_url(self) -> str:
        return self.connector.service_url

    async def post(self, activity: dict[str, Any], **headers: str) -> tuple[int, Any]:
        resp = await self.client.post("/api/messages", json=activity, headers=headers)
        body = await resp.text()
        await self.settle()
        return resp.status, json.loads(body) if body else None

    async def install(self, *users: str) -> None:
        for user in users:
            status, _ = await self.post(act.install(self.service_url, user))
            assert status == 201

    async def click_raw(self, verb: str, *, user: str, **data: Any) -> tuple[int, Any]:
        return await self.post(act.card_action(self.service_url, verb, user=user, data=data))

    async def click(self, verb: str, *, user: str, **data: Any) -> dict[str, Any]:
        status, body = await self.click_raw(verb, user=user, **data)
        assert status == 200, body
        return dict(body)

    def cards_to(self, user: str) -> list[ConnectorCall]:
        return [c for c in self.connector.sent_to(act.personal_chat(user)) if c.card]

    def texts_to(self, user: str) -> list[str]:
        return [
            str(c.body.get("text"))
            for c in self.connector.sent_to(act.personal_chat(user))
            if c.body.get("text")
        ]

    async def rows(self, model: type[Row]) -> list[Row]:
        """Every row of the table, in primary-key order."""
        query = select(model).order_by(*inspect(model).primary_key)
        async with self.app.db.sessions() as s:
            return list((await s.execute(query)).scalars().all())
