"""Fixtures for the attack suite: the Teams harness as tests/handlers/teams builds it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.settings import DeskConfig
from handlers.wiring import create_app
from tests.support.fakes.bot_connector import FakeBotConnector
from tests.support.harness import serve
from tests.support.teams_harness import TeamsHarness, teams_settings


@pytest.fixture
async def connector() -> AsyncIterator[FakeBotConnector]:
    fake = FakeBotConnector()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
def teams_overrides() -> dict[str, Any]:
    return {}


@pytest.fixture
async def teams(
    database_url: str, connector: FakeBotConnector, teams_overrides: dict[str, Any]
) -> AsyncIterator[TeamsHarness]:
    app = create_app(teams_settings(database_url, **teams_overrides), DeskConfig())
    async with serve(app) as (client, tasks):
        h = TeamsHarness(app, client, connector)
        h.tasks = tasks
        yield h
