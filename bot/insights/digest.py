"""The weekly digest: the week's incidents and near misses, what is still open, the coming
week's deadlines, a chart, and the audit-chain head, sent once per week whatever restarts."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel

from bot.delivery.outbox import enqueue
from bot.delivery.payloads import WeeklyDigestPost
from bot.domain import IncidentView, Kind, Outcome
from bot.incidents.context import DeskContext
from bot.incidents.views import to_view
from bot.insights.charts import weekly_chart
from bot.insights.dashboard import DeadlineLine
from bot.insights.stats import compute, weekly_series
from bot.insights.stats_source import incident_row, load_rows, obligation_row
from bot.screening.intake import digest_targets
from storage import insight_queries as q

log = logging.getLogger(__name__)

JOB_ID = "weekly-digest"
WEEK = timedelta(days=7)
# A digest missed while the process was down still goes out if it is less late than this.
CATCH_UP_WITHIN = timedelta(hours=24)
CHART_WEEKS = 12


class DigestData(BaseModel):
    """What one weekly digest says."""

    period_start: datetime
    period_end: datetime
    generated_at: datetime
    new_incidents: list[IncidentView]
    new_near_misses: list[IncidentView]
    new_suspected: list[IncidentView]
    false_positives: int
    still_open: list[IncidentView]
    deadlines: list[DeadlineLine]
    audit_head: str | None
    contained: int
    median_to_containment: timedelta | None
    on_time_percent: float | None


class WeeklyDigest:
    """Queues the digest for each scheduled week once, and composes it at delivery."""

    def __init__(
        self,
        ctx: DeskContext,
        *,
        triage_channel: str | None,
        teams_triage_channel: str | None = None,
    ) -> None:
        self.ctx = ctx
        self.schedule = ctx.config.weekly_digest
        self.triage_channel = triage_channel
        self.teams_triage_channel = teams_triage_channel

    async def run(self, now: datetime | None = None) -> bool:
        """The cron job: queue the digest for the latest scheduled time, unless already sent."""
        if not self.schedule.enabled:
            return False
        return await self._queue(self.schedule.last_occurrence(now or datetime.now(UTC)))

    async def catch_up(self, now: datetime | None = None) -> bool:
        """Queue a digest the cron missed (process down), if it is not too late to be useful."""
        now = now or datetime.now(UTC)
        occurrence = self.schedule.last_occurrence(now)
        if not self.schedule.enabled or now - occurrence > CATCH_UP_WITHIN:
            return False
        return await self._queue(occurrence)

    async def _queue(self, period_end: datetime) -> bool:
        targets = digest_targets(self.ctx, self.triage_channel, self.teams_triage_channel)
        if not targets:
            log.warning(
                "weekly digest skipped: no TRIAGE_CHANNEL, no Slack admin to DM and no "
                "TEAMS_TRIAGE_CHANNEL"
            )
            return False
        now = datetime.now(UTC)
        async with self.ctx.db.transaction() as session:
            if not await q.claim_job_run(
                session, job_id=JOB_ID, period=period_end.isoformat(), now=now
            ):
                return False
            for platform, target in targets:
                enqueue(
                    session,
                    platform=platform,
                    payload=WeeklyDigestPost(target=target, period_end=period_end),
                )
        self.ctx.notify_committed()
        log.info("weekly digest for the week to %s queued", period_end.isoformat())
        return True

    async def compose(self, period_end: datetime, now: datetime | None = None) -> DigestData:
        now = now or datetime.now(UTC)
        start = period_end - WEEK
        config = self.ctx.config
        async with self.ctx.db.transaction() as session:
            week = await q.incidents_created_since(session, since=start, until=period_end)
            views = [to_view(i, config) for i in week]
            still_open = [to_view(i, config) for i in await q.open_incidents(session)]
            deadlines = [
                DeadlineLine(
                    incident_id=iid,
                    incident_key=key,
                    regime=o.regime_name,
                    stage=o.stage_name,
                    due_at=o.due_at,
                    immediate=o.immediate,
                )
                for o, key, iid in await q.open_obligations(session, due_before=now + WEEK)
            ]
            obligations = await q.obligations_of(session, incident_ids=[i.id for i in week])
            head = await q.audit_chain_head(session)
        stats = compute(
            [incident_row(i) for i in week],
            [obligation_row(o, k) for o, k in obligations],
            now=period_end,
            since=start,
        )
        live = [v for v in views if v.outcome != Outcome.FALSE_POSITIVE]
        return DigestData(
            period_start=start,
            period_end=period_end,
            generated_at=now,
            new_incidents=[v for v in live if v.kind == Kind.INCIDENT],
            new_near_misses=[v for v in live if v.kind == Kind.NEAR_MISS],
            new_suspected=[v for v in live if v.kind == Kind.SUSPECTED],
            false_positives=len(views) - len(live),
            still_open=still_open,
            deadlines=deadlines,
            audit_head=head,
            contained=stats.contained,
            median_to_containment=stats.median_to_containment,
            on_time_percent=stats.on_time_percent,
        )

    async def chart(self, period_end: datetime) -> bytes:
        """The 12-week chart as PNG; drawn off the event loop."""
        rows, _ = await load_rows(self.ctx.db, since=period_end - WEEK * (CHART_WEEKS + 1))
        series = weekly_series(rows, now=period_end - timedelta(seconds=1), weeks=CHART_WEEKS)
        return await asyncio.to_thread(weekly_chart, series, self.ctx.config.failure_type_label)


def cron_trigger(ctx: DeskContext) -> CronTrigger:
    """The APScheduler trigger for the configured day and local time."""
    schedule = ctx.config.weekly_digest
    return CronTrigger(
        day_of_week=schedule.day,
        hour=schedule.hour,
        minute=schedule.minute,
        timezone=schedule.zone,
    )
