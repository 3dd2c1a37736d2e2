"""Benchmarks: report path and outbox delivery, each as a ratio against a baseline in the same run.

Run with `make bench` (SQLite) or `BENCH_DATABASE_URL=postgresql+psycopg://…/postgres make bench`
(PostgreSQL: a throwaway database is created on that server and dropped afterwards).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import uuid

from sqlalchemy import create_engine, text

from bot.audit import trail
from bot.core import build_core
from bot.delivery.outbox import OutboundMessage, OutboxDispatcher, enqueue
from bot.delivery.payloads import DirectMessage
from bot.domain import Actor, PersonalData, Platform, Reach, ReportInput
from bot.incidents.context import DeskContext
from bot.settings import DeskConfig
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Base

N_REPORTS = int(os.environ.get("BENCH_REPORTS", "300"))
N_MESSAGES = int(os.environ.get("BENCH_MESSAGES", "1000"))
FORM = ReportInput(
    description="bench", failure_type="other", reach=Reach.CAUGHT, personal_data=PersonalData.NO
)


class Sink:
    platforms = frozenset({Platform.SLACK})

    def __init__(self, latency: float) -> None:
        self.latency = latency

    async def deliver(self, message: OutboundMessage) -> None:
        await asyncio.sleep(self.latency)  # stands in for one Slack Web API round trip


async def reset(db: Database) -> None:
    async with db.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            await conn.execute(text(f'DELETE FROM "{table.name}"'))


async def bench_report(db: Database) -> tuple[float, float]:
    """Seconds per report through Intake.report, and per bare audit-row insert (the baseline)."""
    config = DeskConfig()
    ctx = DeskContext(
        db, config, admins=frozenset({"U1", "U2"}), platforms=frozenset({Platform.SLACK})
    )
    core = build_core(ctx, config.load_regimes())
    actor = Actor(platform=Platform.SLACK, user_id="U9")
    start = time.perf_counter()
    for i in range(N_REPORTS):
        await core.intake.report(
            actor=actor,
            form=FORM,
            platform=Platform.SLACK,
            source_key=f"slack:T:C:{i}",
            evidence={"message": {"text": "x" * 500}},
        )
    per_report = (time.perf_counter() - start) / N_REPORTS
    start = time.perf_counter()
    for _ in range(N_REPORTS):
        async with db.transaction() as session:
            await session.execute(
                text(
                    "INSERT INTO audit_events (occurred_at, actor, platform, action) "
                    "VALUES (CURRENT_TIMESTAMP, 'b', 'cli', 'bench')"
                )
            )
    per_insert = (time.perf_counter() - start) / N_REPORTS
    return per_report, per_insert


async def bench_outbox(url: str, workers: int, latency: float) -> float:
    """Messages per second delivered by `workers` dispatchers sharing one database."""
    db = Database(url)
    await reset(db)
    async with db.transaction() as session:
        for i in range(N_MESSAGES):
            enqueue(
                session, platform=Platform.SLACK, payload=DirectMessage(target=f"U{i}", text="x")
            )
    dispatchers = [OutboxDispatcher(Database(url), Sink(latency)) for _ in range(workers)]

    async def run(d: OutboxDispatcher) -> None:
        while await d.run_once():
            pass

    start = time.perf_counter()
    await asyncio.gather(*(run(d) for d in dispatchers))
    elapsed = time.perf_counter() - start
    for d in dispatchers:
        await d.db.dispose()
    await db.dispose()
    return N_MESSAGES / elapsed


def throwaway_database(server_url: str | None) -> tuple[str, str | None]:
    """A fresh database (and its name on PostgreSQL), so a benchmark never touches real data."""
    if not server_url:
        return f"sqlite+aiosqlite:///{tempfile.mkdtemp()}/bench.db", None
    name = f"incident_desk_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}", name


def drop_database(server_url: str, name: str) -> None:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


async def main() -> None:
    server = os.environ.get("BENCH_DATABASE_URL")
    url, name = throwaway_database(server)
    try:
        await run_all(url)
    finally:
        if server and name:
            drop_database(server, name)


async def run_all(url: str) -> None:
    upgrade(url)
    # The report path includes sealing its audit event into the hash chain.
    db = Database(url, session_info=trail.session_info(secrets.token_bytes(32)))
    await reset(db)
    per_report, per_insert = await bench_report(db)
    await db.dispose()
    print(f"database: {url.split('@')[-1]}")
    print(
        f"report: {per_report * 1000:.2f} ms per report; baseline one-row insert "
        f"{per_insert * 1000:.2f} ms; ratio {per_report / per_insert:.1f}x"
    )
    one = await bench_outbox(url, 1, 0.002)
    two = await bench_outbox(url, 2, 0.002)
    print(
        f"outbox (2 ms per send): 1 dispatcher {one:.0f} msg/s; 2 dispatchers {two:.0f} msg/s; "
        f"ratio {two / one:.2f}x"
    )


if __name__ == "__main__":
    asyncio.run(main())
