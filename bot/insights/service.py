"""Bundles screening intake, suspected-incident triage, dashboards, stats and the digest."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from apscheduler.triggers.cron import CronTrigger

from bot.domain import Actor
from bot.errors import NotAuthorized
from bot.incidents.access import AccessPolicy
from bot.incidents.context import DeskContext
from bot.insights.dashboard import Dashboard
from bot.insights.digest import JOB_ID as DIGEST_JOB_ID
from bot.insights.digest import WeeklyDigest, cron_trigger
from bot.insights.stats import WeakPoints
from bot.insights.stats_source import weak_points
from bot.screening.intake import Screener
from bot.screening.suspected import RuleStat, SuspectedTriage, load_rule_table

STATS_REFUSAL = "Only incident admins can see the stats. Ask an admin listed in INCIDENT_ADMINS."

Job = Callable[[], Awaitable[object]]


@dataclass
class Insights:
    """Screening intake, suspected-incident triage, dashboards, stats and the weekly digest."""

    ctx: DeskContext
    access: AccessPolicy
    screener: Screener
    suspected: SuspectedTriage
    dashboard: Dashboard
    digest: WeeklyDigest

    def check_admin(self, actor: Actor) -> None:
        if not self.access.is_admin(actor):
            raise NotAuthorized(STATS_REFUSAL)

    async def stats(self, *, actor: Actor, period: timedelta | None) -> WeakPoints:
        self.check_admin(actor)
        return await weak_points(self.ctx.db, period=period)

    async def rule_stats(self, *, actor: Actor) -> list[RuleStat]:
        self.check_admin(actor)
        return await load_rule_table(self.ctx.db, self.screener.config.effective_rules)

    def interval_jobs(self) -> dict[str, tuple[Job, timedelta]]:
        minutes = self.screener.config.overflow_digest_minutes
        return {
            "screening-overflow-digest": (
                self.screener.send_overflow_digest,
                timedelta(minutes=minutes),
            ),
            # Sends a digest missed while the process was down (idempotent per week).
            "weekly-digest-catch-up": (self.digest.catch_up, timedelta(hours=1)),
        }

    def cron_jobs(self) -> dict[str, tuple[Job, CronTrigger]]:
        if not self.ctx.config.weekly_digest.enabled:
            return {}
        return {DIGEST_JOB_ID: (self.digest.run, cron_trigger(self.ctx))}
