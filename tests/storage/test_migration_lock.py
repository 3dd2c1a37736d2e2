"""Replicas started together on an empty database both come up: the migration is taken in turn."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from storage.migrate import sync_url, upgrade
from tests.support.databases import empty_postgres_database
from tests.support.harness import DB_BACKENDS


@pytest.fixture(params=DB_BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
        return
    with empty_postgres_database() as url:
        yield url


def test_replicas_migrating_an_empty_database_at_once_both_succeed(empty_database: str) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def replica() -> None:
        start.wait()
        try:
            upgrade(empty_database)
        except BaseException as exc:  # the assertion below shows which one failed and how
            errors.append(exc)

    replicas = [threading.Thread(target=replica) for _ in range(3)]
    for thread in replicas:
        thread.start()
    for thread in replicas:
        thread.join(timeout=120)

    assert errors == []
    engine = create_engine(sync_url(empty_database))
    with engine.connect() as conn:
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    engine.dispose()
    assert len(versions) == 1
