"""Prometheus metrics: one registry per process (no module-level state), counters bumped where
things happen, and database gauges read at scrape time from indexed, bounded queries.

A scrape never counts a whole table: the outbox gauges read pending rows through the
`ix_outbox_due` index, and the database figures are cached for `GAUGE_TTL`, so a scraper
polling every second costs one round of queries per TTL."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from sqlalchemy import func, select

from bot.audit.actions import AuditAction
from bot.delivery.outbox import OutboundMessage
from storage.db import Database
from storage.models import Incident, Obligation, OutboxMessage

log = logging.getLogger(__name__)

GAUGE_TTL = 15.0
PENDING = "pending"
OPEN = "open"
T = TypeVar("T")

__all__ = ["CONTENT_TYPE", "DeskMetrics"]


class DeskMetrics:
    """Every metric the desk exports, on its own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.reports = Counter(
            "incident_desk_reports", "Incidents raised", ["platform", "kind"], registry=r
        )
        self.triage_actions = Counter(
            "incident_desk_triage_actions", "Admin changes to incidents", ["action"], registry=r
        )
        self.nudges_sent = Counter(
            "incident_desk_nudges_sent", "Deadline nudge rounds sent", registry=r
        )
        self.delivery_retries = Counter(
            "incident_desk_delivery_retries",
            "Outbound messages to be retried",
            ["kind"],
            registry=r,
        )
        self.delivery_failures = Counter(
            "incident_desk_delivery_failures",
            "Outbound messages that failed for good",
            ["kind"],
            registry=r,
        )
        self.api_errors = Counter(
            "incident_desk_platform_api_errors",
            "Slack and Teams API calls that failed",
            ["platform", "method"],
            registry=r,
        )
        self.request_seconds = Histogram(
            "incident_desk_request_seconds", "HTTP request latency", ["route"], registry=r
        )
        self.tick_seconds = Histogram(
            "incident_desk_scheduler_tick_seconds", "Scheduler job run time", ["job"], registry=r
        )
        self.outbox_depth = Gauge(
            "incident_desk_outbox_pending", "Outbound messages waiting to be sent", registry=r
        )
        self.oldest_due_age = Gauge(
            "incident_desk_outbox_oldest_due_age_seconds",
            "How long the oldest due outbound message has waited (0 when none)",
            registry=r,
        )
        self.overdue_obligations = Gauge(
            "incident_desk_obligations_overdue",
            "Open regulatory obligations past their deadline",
            registry=r,
        )
        self.database_up = Gauge(
            "incident_desk_database_up",
            "1 when the last scrape could read the database",
            registry=r,
        )
        self._read_at = 0.0

    async def on_report(self, _: object, incident: Incident) -> None:
        """An IncidentHooks.reported subscriber."""
        self.reports.labels(platform=incident.platform, kind=incident.kind).inc()

    async def on_change(self, _: object, __: Incident, action: AuditAction) -> None:
        """An IncidentHooks.changed subscriber."""
        self.triage_actions.labels(action=action.value).inc()

    def on_delivery_failed(self, message: OutboundMessage, final: bool) -> None:
        """The outbox dispatcher's failure callback: a platform error, retried or final."""
        (self.delivery_failures if final else self.delivery_retries).labels(kind=message.kind).inc()
        self.api_errors.labels(platform=message.platform.value, method=message.kind).inc()

    def timed_job(self, job_id: str, job: Callable[[], Awaitable[T]]) -> Callable[[], Awaitable[T]]:
        """`job`, timing each run into the scheduler tick histogram."""

        async def run() -> T:
            with self.tick_seconds.labels(job=job_id).time():
                return await job()

        return run

    async def refresh(self, db: Database, *, now: datetime | None = None) -> None:
        """Read the database gauges, at most once per GAUGE_TTL; an outage sets database_up 0."""
        if time.monotonic() - self._read_at < GAUGE_TTL:
            return
        now = now or datetime.now(UTC)
        try:
            async with db.sessions() as session:
                depth, oldest = (
                    await session.execute(
                        select(func.count(), func.min(OutboxMessage.next_attempt_at)).where(
                            OutboxMessage.status == PENDING
                        )
                    )
                ).one()
                overdue = await session.scalar(
                    select(func.count()).where(Obligation.status == OPEN, Obligation.due_at < now)
                )
        except Exception as exc:
            # One line, no traceback: the scraper sees database_up 0 and alerts on that.
            log.warning("metrics: database unavailable (%s)", type(exc).__name__)
            self.database_up.set(0)
            return
        self.database_up.set(1)
        self.outbox_depth.set(depth)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        self.oldest_due_age.set(max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
        self.overdue_obligations.set(overdue or 0)
        self._read_at = time.monotonic()

    def exposition(self) -> bytes:
        """The registry in the Prometheus text format."""
        return generate_latest(self.registry)
