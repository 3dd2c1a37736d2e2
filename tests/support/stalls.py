"""A database that stops answering for a while: another connection holds the write lock."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from sqlalchemy.engine import make_url

from storage.migrate import sync_url


def _hold(database_url: str, ready: threading.Event, release: threading.Event) -> None:
    url = make_url(sync_url(database_url))
    if url.get_backend_name() == "sqlite":
        conn = sqlite3.connect(str(url.database), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        ready.set()
        release.wait(10)
        conn.execute("ROLLBACK")
        conn.close()
        return
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as pg:
        # Every report takes the next number from here, so every report waits.
        pg.execute("LOCK TABLE counters IN ACCESS EXCLUSIVE MODE")
        ready.set()
        release.wait(10)
        pg.rollback()


@asynccontextmanager
async def writes_stalled(database_url: str) -> AsyncIterator[None]:
    """Within the block, a write (a report) waits; it goes through once the block ends."""
    ready, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold, args=(database_url, ready, release), daemon=True)
    holder.start()
    await asyncio.to_thread(ready.wait, 10)
    try:
        yield
    finally:
        release.set()
        await asyncio.to_thread(holder.join, 10)


@asynccontextmanager
async def silent_database_server() -> AsyncIterator[str]:
    """A PostgreSQL URL whose server accepts connections and then never answers."""
    held: list[asyncio.StreamWriter] = []

    async def accept(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)  # kept open, never written to

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/stalled"
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()
