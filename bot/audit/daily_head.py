"""The chain head, posted once a day to the triage channels: a copy outside the database that
people can paste into `incident-desk audit verify --published-head` later. A truncated log with
its head row rewound, or a deleted head row, then no longer verifies against what they saw."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from bot.audit.anchor import head_line
from bot.audit.chain import iso_utc
from bot.delivery.outbox import enqueue
from bot.delivery.payloads import DirectMessage
from bot.domain import Platform
from bot.incidents.context import DeskContext
from bot.notes import note, strong
from storage import audit_repository as chain_repo
from storage import insight_queries as q

log = logging.getLogger(__name__)

JOB_ID = "post-audit-head"


class DailyHead:
    """Queues today's head for each triage channel, once a day across replicas."""

    def __init__(
        self,
        ctx: DeskContext,
        *,
        triage_channel: str | None,
        teams_triage_channel: str | None = None,
    ) -> None:
        self.ctx = ctx
        self.targets: list[tuple[Platform, str]] = []
        if triage_channel and Platform.SLACK in ctx.platforms:
            self.targets.append((Platform.SLACK, triage_channel))
        if teams_triage_channel and Platform.TEAMS in ctx.platforms:
            self.targets.append((Platform.TEAMS, teams_triage_channel))

    async def run(self, now: datetime | None = None) -> bool:
        """Post today's head unless it was posted already (or nothing is recorded yet)."""
        if not self.targets:
            return False
        now = now or datetime.now(UTC)
        async with self.ctx.db.transaction() as session:
            newest = await chain_repo.newest_chained(session)
            if newest is None:
                return False
            day = now.astimezone(UTC).date().isoformat()
            if not await q.claim_job_run(session, job_id=JOB_ID, period=day, now=now):
                return False
            seq, digest, at = newest
            line = head_line(digest, seq, iso_utc(at))
            told = note(
                strong(f"Audit chain head, {day}"),
                f": {line} — keep a copy; `incident-desk audit verify --published-head` checks "
                "the log against it.",
            )
            for platform, target in self.targets:
                enqueue(
                    session,
                    platform=platform,
                    payload=DirectMessage(target=target, text=told.plain, note=told),
                )
        self.ctx.notify_committed()
        log.info("audit chain head seq %s posted for %s", seq, day)
        return True
