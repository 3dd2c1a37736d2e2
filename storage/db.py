"""Engine and session factory: SQLite (WAL, immediate write locks) or PostgreSQL, with deadlines
on connecting, on waiting for a pooled connection, and on every transaction."""

from __future__ import annotations

import asyncio
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

# A transaction, from asking for a connection to its commit, that takes longer than this fails
# with StorageUnavailable: a database that accepts connections but never answers must not hold
# a request, a delivery round or a scheduler job for minutes.
TRANSACTION_TIMEOUT = 15.0
CONNECT_TIMEOUT = 5
POOL_TIMEOUT = 5.0
# An execution option: this connection only reads, so on SQLite it begins a deferred
# transaction that does not queue behind a writer's lock.
READ_ONLY = "desk_read_only"


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create the async engine; on SQLite turn on WAL and take the write lock at BEGIN."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_timeout", POOL_TIMEOUT)
    connect_args = {
        "connect_timeout": CONNECT_TIMEOUT,
        # Server-side limits; the client-side deadline in transaction() covers a server that
        # stops answering altogether.
        "options": "-c statement_timeout=10000 -c lock_timeout=10000"
        " -c idle_in_transaction_session_timeout=60000",
        **kwargs.pop("connect_args", {}),
    }
    return create_async_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        # Switching to WAL needs the write lock and fails at once while a writer holds it, so
        # a connection opened during a long write only asks when the file is not WAL yet.
        cursor.execute("PRAGMA journal_mode")
        if str(cursor.fetchone()[0]).lower() != "wal":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(READ_ONLY):
            # WAL readers see the last commit without waiting for a writer.
            conn.exec_driver_sql("BEGIN")
            return
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

    def __init__(
        self,
        url: str,
        *,
        session_info: dict[str, Any] | None = None,
        timeout: float = TRANSACTION_TIMEOUT,
        **kwargs: Any,
    ):
        self.url = url
        self.timeout = timeout
        self.engine = create_engine(url, **kwargs)
        self.sessions = session_factory(self.engine, session_info)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits on success, rolls back on any error or past the deadline."""
        async with self._unit(read_only=False) as session:
            yield session

    @asynccontextmanager
    async def reading(self, deadline: float | None = None) -> AsyncIterator[AsyncSession]:
        """A transaction that only reads: on SQLite it never waits for a writer's lock."""
        async with self._unit(read_only=True, deadline=deadline) as session:
            yield session

    @asynccontextmanager
    async def _unit(
        self, *, read_only: bool, deadline: float | None = None
    ) -> AsyncIterator[AsyncSession]:
        limit = deadline or self.timeout
        try:
            # The outer deadline bounds the rollback and close after the inner one fired: a
            # server that stopped answering does not answer a rollback either.
            async with (
                asyncio.timeout(2 * limit),
                asyncio.timeout(limit),
                self.sessions() as session,
                session.begin(),
            ):
                if read_only:
                    await session.connection(execution_options={READ_ONLY: True})
                yield session
        except IntegrityError:
            raise
        except (OperationalError, InterfaceError, OSError, TimeoutError) as exc:
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
