"""The composition root: builds the core, then plugs in each configured platform."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.audit import trail
from bot.audit.daily_head import DailyHead
from bot.audit.redaction import retention_jobs
from bot.containment.webhook import WebhookSender
from bot.core import Core, build_core
from bot.delivery.addresses import AddressBook
from bot.delivery.courier import Courier
from bot.delivery.outbox import OutboxDispatcher
from bot.delivery.port import ChatPort
from bot.delivery.scheduler import build_scheduler
from bot.domain import Platform
from bot.incidents.admin_groups import AdminGroups
from bot.incidents.context import DeskContext
from bot.incidents.spool import ReportSpool
from bot.metrics import DeskMetrics
from bot.server import Handler, build_web_app
from bot.settings import DeskConfig, Settings
from storage.db import Database

log = logging.getLogger(__name__)


@dataclass
class DeskApp:
    """Everything one process runs on one asyncio loop."""

    settings: Settings
    config: DeskConfig
    db: Database
    core: Core
    dispatcher: OutboxDispatcher
    scheduler: AsyncIOScheduler
    web: web.Application
    slack: Any = None  # the Bolt AsyncApp when Slack is configured
    teams: Any = None  # handlers.teams.app.TeamsApp when Teams is configured
    socket_mode: Any = None
    metrics: DeskMetrics = field(default_factory=DeskMetrics)
    admin_groups: AdminGroups | None = None
    _started: bool = field(default=False)

    async def start(self, *, with_scheduler: bool = True) -> None:
        """Start the clock and Socket Mode, and deliver anything left pending before a restart."""
        if with_scheduler:
            self.scheduler.start()
        if self.socket_mode is not None:
            await self.socket_mode.connect_async()
            log.info("Slack Socket Mode connected")
        self._started = True
        if self.admin_groups is not None:
            await self.admin_groups.refresh()
        # Nudges that came due while the process was down go out once, now.
        await self.core.clocks.deliver_due_nudges()
        self.dispatcher.kick()

    async def stop(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self.socket_mode is not None:
            await self.socket_mode.close_async()
        await self.dispatcher.wait_idle()
        await self.db.dispose()


def create_app(settings: Settings, config: DeskConfig | None = None) -> DeskApp:
    """Build (not start) the whole application from settings."""
    config = config or settings.load_config()
    db = trail.open_database(
        settings.normalized_database_url,
        explicit_key=settings.audit_hmac_key,
        home=settings.incident_desk_home,
        anchor=settings.audit_anchor_file,
    )
    platforms: set[Platform] = set()
    if settings.slack_enabled:
        platforms.add(Platform.SLACK)
    if settings.teams_enabled:
        platforms.add(Platform.TEAMS)
    ports: dict[Platform, ChatPort] = {}
    dispatcher_box: list[OutboxDispatcher] = []

    def kick() -> None:
        if dispatcher_box:
            # Without a running loop (CLI use) the scheduler delivers later.
            with contextlib.suppress(RuntimeError):
                dispatcher_box[0].kick()

    core = build_core(
        DeskContext(
            db,
            config,
            admins=settings.admin_people,
            platforms=frozenset(platforms),
            on_commit=kick,
        ),
        config.load_regimes(),
        triage_channel=settings.triage_channel,
        teams_triage_channel=settings.teams_triage_channel,
    )
    metrics = DeskMetrics()
    # Counted last, after the core's own subscribers have run.
    core.hooks.reported.append(metrics.on_report)
    core.hooks.changed.append(metrics.on_change)
    core.intake.spool = ReportSpool(settings.spool_path)
    addresses = AddressBook(db, platform=Platform.TEAMS, on_requeue=kick)
    routes: list[tuple[str, str, Handler]] = []
    slack_app = None
    socket_handler = None
    group_members_of = None
    if settings.slack_enabled:
        from handlers.slack.app import build_bolt_app, build_client, slack_events_route
        from handlers.slack.groups import group_members
        from handlers.slack.port import SlackPort

        client = build_client(settings)
        group_members_of = group_members(client)
        slack_app = build_bolt_app(settings, core, client)
        ports[Platform.SLACK] = SlackPort(client, config)
        if settings.slack_signing_secret:
            routes.append(
                (
                    "POST",
                    "/slack/events",
                    slack_events_route(slack_app, settings.slack_signing_secret),
                )
            )
        if settings.slack_app_token:
            from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

            socket_handler = AsyncSocketModeHandler(slack_app, settings.slack_app_token)
    teams_app = None
    if settings.teams_enabled:
        from handlers.teams.app import build_teams

        teams_app = build_teams(settings, core, addresses)
        ports[Platform.TEAMS] = teams_app.port
        routes.append(("POST", "/api/messages", teams_app.route))
    admin_groups = AdminGroups(
        core.ctx,
        people=settings.admin_people,
        groups=settings.admin_groups,
        members_of=group_members_of,
    )
    courier = Courier(
        db,
        config,
        ports=ports,
        webhook=WebhookSender(),
        addresses=addresses,
        store=core.evidence.store,
        dashboard=core.insights.dashboard,
        digest=core.insights.digest,
    )
    dispatcher = OutboxDispatcher(
        db, courier, on_failed=metrics.on_delivery_failed, worker_id=settings.outbox_worker_id
    )
    dispatcher_box.append(dispatcher)

    async def deliver_due_nudges() -> int:
        sent = await core.clocks.deliver_due_nudges()
        metrics.nudges_sent.inc(sent)
        return sent

    daily_head = DailyHead(
        core.ctx,
        triage_channel=settings.triage_channel,
        teams_triage_channel=settings.teams_triage_channel,
    )
    jobs: dict[str, tuple[Callable[[], Awaitable[object]], timedelta]] = {
        "purge-evidence-drafts": (core.intake.purge_drafts, timedelta(hours=1)),
        "replay-report-spool": (core.intake.replay_spool, timedelta(seconds=30)),
        # Hourly, so a day missed while the process was down is still posted; once per day.
        "post-audit-head": (daily_head.run, timedelta(hours=1)),
        **retention_jobs(core.evidence),
        "deliver-due-nudges": (
            deliver_due_nudges,
            timedelta(seconds=settings.nudge_interval_seconds),
        ),
        **core.insights.interval_jobs(),
    }
    if settings.admin_groups:
        jobs["resolve-admin-groups"] = (admin_groups.refresh, timedelta(minutes=5))
    scheduler = build_scheduler(
        deliver_outbox=metrics.timed_job("deliver-outbox", dispatcher.deliver_due),
        outbox_interval=timedelta(seconds=settings.outbox_interval_seconds),
        extra_jobs={
            job_id: (metrics.timed_job(job_id, job), every) for job_id, (job, every) in jobs.items()
        },
        cron_jobs=core.insights.cron_jobs(),
    )
    return DeskApp(
        settings=settings,
        config=config,
        db=db,
        core=core,
        dispatcher=dispatcher,
        scheduler=scheduler,
        web=build_web_app(
            db,
            routes,
            desk_metrics=metrics,
            metrics_token=settings.metrics_token,
            clock=dispatcher,
        ),
        metrics=metrics,
        admin_groups=admin_groups if settings.admin_groups else None,
        slack=slack_app,
        socket_mode=socket_handler,
        teams=teams_app,
    )
