"""Two schedulers on one database send each nudge exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from bot.audit import trail
from bot.clocks.regimes import ClassificationAnswers, RiskLevel
from bot.core import Core, build_core
from bot.domain import Actor, PersonalData, Platform, Reach, ReportInput
from bot.incidents.context import DeskContext
from bot.settings import DeskConfig
from storage.db import Database
from storage.models import Nudge, OutboxMessage
from tests.support.harness import AUDIT_KEY

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ADMIN = Actor(platform=Platform.SLACK, user_id="U0ADMIN1")


def make_core(url: str) -> Core:
    config = DeskConfig()
    ctx = DeskContext(
        Database(url, session_info=trail.session_info(AUDIT_KEY)),
        config,
        admins=frozenset({"U0ADMIN1", "U0ADMIN2"}),
        platforms=frozenset({Platform.SLACK}),
    )
    return build_core(ctx, config.load_regimes(), triage_channel="C0TRIAGE")


async def seed(core: Core, count: int) -> None:
    form = ReportInput(
        description="d",
        failure_type="data_exposure",
        reach=Reach.REACHED_CLIENT,
        personal_data=PersonalData.YES,
    )
    for i in range(count):
        result = await core.intake.report(
            actor=ADMIN, form=form, platform=Platform.SLACK, source_key=f"slack:T:C:{i}"
        )
        incident_id = int(result.incident_key.removeprefix("INC-"))
        answers = ClassificationAnswers(
            personal_data=PersonalData.YES, risk_to_individuals=RiskLevel.HIGH_RISK, aware_at=START
        )
        await core.clocks.classify(actor=ADMIN, incident_id=incident_id, answers=answers)


async def test_two_schedulers_never_send_a_nudge_twice(database_url: str) -> None:
    workers = [make_core(database_url), make_core(database_url)]
    with time_machine.travel(START, tick=False) as clock:
        await seed(workers[0], 12)
        for hours in (24, 48, 60, 71, 72, 84, 96):
            clock.move_to(START + timedelta(hours=hours))

            async def run(c: Core) -> int:
                total = 0
                while sent := await c.clocks.deliver_due_nudges(limit=3):
                    total += sent
                return total

            await asyncio.gather(*(run(w) for w in workers))

    db = workers[0].ctx.db
    async with db.sessions() as session:
        outbox = (
            (await session.execute(select(OutboxMessage).where(OutboxMessage.kind == "nudge")))
            .scalars()
            .all()
        )
        nudges = (await session.execute(select(Nudge))).scalars().all()
    sends = Counter((m.payload["nudge_id"], m.target) for m in outbox)
    assert sends and max(sends.values()) == 1
    sent = [n for n in nudges if n.status == "sent"]
    assert len({m.payload["nudge_id"] for m in outbox}) == len(sent)
    # Per incident, whichever worker sent them: ICO at 48, 24, 12 and 1 h left (the 4 h one was
    # superseded by the 1 h one in the same tick), then overdue at 72, 84 and 96 h = 7;
    # Art. 34 (immediate) at 24 h, then overdue at 36 (sent at 48), 60, 72, 84, 96 h = 6.
    per_obligation = Counter(n.obligation_id for n in sent)
    assert sorted(per_obligation.values()) == [6] * 12 + [7] * 12
    for w in workers:
        await w.ctx.db.dispose()
