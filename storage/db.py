"""Engine and session factory: SQLite (WAL, immediate write locks) or PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.errors import StorageRejected, StorageUnavailable

log = logging.getLogger(__name__)

UNAVAILABLE = (
    "The database is unavailable, so nothing was recorded. Please try again in a minute; if it "
    "keeps failing, tell your AI Incident Desk administrator."
)
REJECTED = (
    "The database could not store what was entered, so nothing was recorded. Trying again "
    "unchanged will not help: remove any unusual characters and try again, or tell your AI "
    "Incident Desk administrator (the error is in the desk's log)."
)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create the async engine; on SQLite turn on WAL and take the write lock at BEGIN."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE avoids SQLITE_BUSY when two writers upgrade read locks at once.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(
    engine: AsyncEngine, info: dict[str, Any] | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions that each start with a copy of `info` (the audit key travels there)."""
    return async_sessionmaker(engine, expire_on_commit=False, info=info)


class Database:
    """The engine plus a `transaction()` helper that maps driver failures to a domain error.

    `session_info` is copied into every session's `info`; bot/audit/trail.py reads its key there."""

    def __init__(self, url: str, *, session_info: dict[str, Any] | None = None, **kwargs: Any):
        self.url = url
        self.engine = create_engine(url, **kwargs)
        self.sessions = session_factory(self.engine, session_info)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits on success, rolls back on any error."""
        try:
            async with self.sessions() as session, session.begin():
                yield session
        except IntegrityError:
            raise
        except (OperationalError, InterfaceError, OSError) as exc:
            log.warning("database unavailable: %s", type(exc.__cause__ or exc).__name__)
            raise StorageUnavailable(UNAVAILABLE) from exc
        except DBAPIError as exc:
            if exc.connection_invalidated:
                log.warning("database connection lost: %s", type(exc.orig).__name__)
                raise StorageUnavailable(UNAVAILABLE) from exc
            # Bad data or a bug (DataError, ProgrammingError…): an outage message would send
            # people to retry forever, so say what it is. The log names the error and its
            # SQLSTATE but not the driver's text, which can quote the value (evidence, text).
            log.error(
                "database refused a write: %s (SQLSTATE %s)",
                type(exc.orig).__name__,
                getattr(exc.orig, "sqlstate", None) or "-",
            )
            raise StorageRejected(REJECTED) from exc

    async def dispose(self) -> None:
        await self.engine.dispose()
