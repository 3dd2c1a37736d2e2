"""Teams fixtures: the app with Teams on (auth off, as offline), driven by real-shaped Activities
posted to /api/messages, with a fake Bot Connector receiving everything the bot sends."""

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
def teams_config() -> DeskConfig:
    """The YAML config for the Teams harness; a test module overrides this fixture."""
    return DeskConfig()


@pytest.fixture
def teams_overrides() -> dict[str, Any]:
    """Extra env settings for the Teams harness; a test module overrides this fixture."""
    return {}


@pytest.fixture
async def teams(
    database_url: str,
    connector: FakeBotConnector,
    teams_config: DeskConfig,
    teams_overrides: dict[str, Any],
) -> AsyncIterator[TeamsHarness]:
    app = create_app(teams_settings(database_url, **teams_overrides), teams_config)
    async with serve(app) as (client, tasks):
        h = TeamsHarness(app, client, connector)
        h.tasks = tasks
        yield h
