"""Replicas started together on an empty database both come up: the migration is taken in turn."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from storage.migrate import sync_url
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
    # Separate processes, as replicas are: each runs `upgrade` the moment it starts.
    script = "import sys; from storage.migrate import upgrade; upgrade(sys.argv[1])"
    replicas = [
        subprocess.Popen(
            [sys.executable, "-c", script, empty_database],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(3)
    ]
    outcomes = [(r.wait(timeout=120), r.communicate()[0]) for r in replicas]

    assert [code for code, _ in outcomes] == [0, 0, 0], [out for _, out in outcomes]
    engine = create_engine(sync_url(empty_database))
    with engine.connect() as conn:
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    engine.dispose()
    assert len(versions) == 1
