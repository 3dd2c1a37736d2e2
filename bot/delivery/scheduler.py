"""APScheduler is only the clock: it wakes the outbox dispatcher; the rows are the truth."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

OUTBOX_JOB_ID = "outbox-dispatch"


def build_scheduler(
    *,
    deliver_outbox: Callable[[], Awaitable[object]],
    outbox_interval: timedelta,
    extra_jobs: dict[str, tuple[Callable[[], Awaitable[object]], timedelta]] | None = None,
    cron_jobs: dict[str, tuple[Callable[[], Awaitable[object]], CronTrigger]] | None = None,
) -> AsyncIOScheduler:
    """Create (not start) the scheduler; jobs have fixed ids so re-adding replaces them."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    jobs = {OUTBOX_JOB_ID: (deliver_outbox, outbox_interval), **(extra_jobs or {})}
    for job_id, (func, every) in jobs.items():
        scheduler.add_job(
            func,
            "interval",
            seconds=every.total_seconds(),
            id=job_id,
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
    for job_id, (func, trigger) in (cron_jobs or {}).items():
        # A run missed by up to an hour (busy loop, slow start) still happens, once.
        scheduler.add_job(
            func,
            trigger,
            id=job_id,
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=3600,
        )
    return scheduler
