"""Fixtures: a real database (SQLite always, PostgreSQL when TEST_DATABASE_URL is set), a fake
Slack Web API, and the app driven through signed HTTP requests."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from bot.settings import DeskConfig
from handlers.wiring import create_app
from storage.migrate import sync_url, upgrade
from storage.models import Base
from tests.support.fakes.slack_api import FakeSlack
from tests.support.harness import (
    DB_BACKENDS,
    DEAD_SLACK_API,
    PG_URL,
    Harness,
    make_settings,
    serve,
)
from tests.support.requires import check as check_requirements


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Before any fixture is built: a test whose tool is missing fails and says what to install."""
    check_requirements(item)


@pytest.fixture(autouse=True)
def desk_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own INCIDENT_DESK_HOME: no key file or evidence lands in $HOME."""
    home = tmp_path / "desk-home"
    monkeypatch.setenv("INCIDENT_DESK_HOME", str(home))
    monkeypatch.delenv("AUDIT_HMAC_KEY", raising=False)
    return home


@pytest.fixture(autouse=True)
def _never_reach_real_slack(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach the internet: an app built without the fake gets a refused port."""
    monkeypatch.setenv("SLACK_API_URL", DEAD_SLACK_API)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str | None]:
    """A throwaway database per test session, so parallel runs never share tables."""
    if not PG_URL:
        yield None
        return
    name = f"incident_desk_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(sync_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=DB_BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, pg_database: str | None
) -> str:
    if request.param == "sqlite":
        path = tmp_path / "core.ctx.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"
    assert pg_database is not None
    engine = create_engine(pg_database)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return pg_database


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
def desk_config() -> DeskConfig:
    return DeskConfig()


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Extra env settings for the harness; a test module overrides this fixture."""
    return {}


@pytest.fixture
async def harness(
    database_url: str,
    fake_slack: FakeSlack,
    desk_config: DeskConfig,
    settings_overrides: dict[str, Any],
) -> AsyncIterator[Harness]:
    app = create_app(make_settings(database_url, fake_slack, **settings_overrides), desk_config)
    async with serve(app) as (client, tasks):
        h = Harness(app, client, fake_slack)
        h.tasks = tasks
        yield h
