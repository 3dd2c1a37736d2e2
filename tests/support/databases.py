"""Throwaway PostgreSQL databases for tests that need one of their own (empty, or shared by
several processes)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text

from storage.migrate import sync_url
from tests.support.harness import PG_URL


@contextmanager
def empty_postgres_database() -> Iterator[str]:
    """A new, empty database on the test server, dropped afterwards; its async URL."""
    assert PG_URL, "TEST_DATABASE_URL is not set"
    name = f"incident_desk_empty_{uuid.uuid4().hex[:10]}"
    admin = create_engine(sync_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
