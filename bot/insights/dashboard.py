"""The dashboard (Slack's App Home): what each person sees, and refreshing it on change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clocks.regimes import format_time_left
from bot.containment.tool_state import status_of
from bot.delivery.outbox import enqueue
from bot.delivery.payloads import OutboxKind, RefreshDashboard
from bot.domain import Actor, IncidentView, Kind, Platform, Severity
from bot.incidents.access import AccessPolicy
from bot.incidents.cards import platform_of
from bot.incidents.context import DeskContext
from bot.incidents.views import to_view
from bot.insights.stats import WeakPoints
from bot.insights.stats_source import weak_points
from bot.notes import Note
from storage import insight_queries as q
from storage import repository as repo
from storage.models import Incident

# Platforms with a dashboard surface; others never get refresh rows.
DASHBOARD_PLATFORMS = frozenset({Platform.SLACK})
NEAR_MISS_WINDOW = timedelta(days=30)
WEAK_POINTS_WINDOW = timedelta(days=30)
LIST_LIMIT = 8
UNSET = "not set"


class DeadlineLine(BaseModel):
    """One open obligation stage with its incident."""

    incident_id: int
    incident_key: str
    regime: str
    stage: str
    due_at: datetime
    immediate: bool = False  # "without undue delay": due now, never overdue by a fixed clock

    @property
    def label(self) -> str:
        """`NIS2 — Early warning`, or just the regime when the stage only repeats it."""
        if self.stage.lower() in self.regime.lower():
            return self.regime
        return f"{self.regime} — {self.stage}"

    def overdue(self, now: datetime) -> bool:
        return not self.immediate and now > self.due_at

    def time_left(self, now: datetime) -> str:
        if self.immediate:
            return "due now, without undue delay"
        return format_time_left(self.due_at - now)


class HomeData(BaseModel):
    """Everything one person's dashboard shows; admin sections are empty for others."""

    user_ref: str
    admin: bool
    now: datetime
    open_by_severity: dict[str, list[IncidentView]] = {}
    open_near_misses: list[IncidentView] = []
    suspected: list[IncidentView] = []
    overdue: list[DeadlineLine] = []
    upcoming: list[DeadlineLine] = []
    unassigned: list[IncidentView] = []
    recent_near_misses: list[IncidentView] = []
    my_assignments: list[IncidentView] = []
    my_reports: list[IncidentView] = []
    weak_points: WeakPoints | None = None
    tools: list[Note] = []  # each runbook AI tool's state line

    @property
    def open_incident_count(self) -> int:
        return sum(len(v) for v in self.open_by_severity.values())


class Dashboard:
    """Builds dashboards and queues a refresh whenever an incident changes."""

    def __init__(self, ctx: DeskContext, access: AccessPolicy) -> None:
        self.ctx = ctx
        self.access = access

    def queue_refresh(self, session: AsyncSession, incident: Incident) -> None:
        """Rendered at delivery from the then-current state, so one row covers many changes."""
        for platform in sorted(DASHBOARD_PLATFORMS & self.ctx.platforms):
            enqueue(session, platform=platform, payload=RefreshDashboard(incident_id=incident.id))

    async def on_report(self, session: AsyncSession, incident: Incident) -> None:
        self.queue_refresh(session, incident)

    async def audience(self, *, platform: Platform, incident_id: int, row_id: int) -> list[str]:
        """User ids whose dashboard shows this incident: admins, its reporters, its assignee.

        A refresh queued later covers this one: for everyone if it is for the same incident,
        for admins (who see every incident) whatever incident it is for."""
        kind = OutboxKind.REFRESH_DASHBOARD
        async with self.ctx.db.transaction() as session:
            if await q.later_outbox_row_exists(
                session, kind=kind, after_id=row_id, incident_id=incident_id
            ):
                return []
            incident = await session.get(Incident, incident_id)
            if incident is None:
                return []
            refs: set[str] = set()
            if not await q.later_outbox_row_exists(session, kind=kind, after_id=row_id):
                refs = {f"{platform_of(a).value}:{a}" for a in self.ctx.admins}
            refs |= {r.reporter for r in incident.reporters}
            refs |= {ref for ref in (incident.assignee, incident.created_by) if ref}
        prefix = f"{platform.value}:"
        return sorted(ref.removeprefix(prefix) for ref in refs if ref.startswith(prefix))

    async def home(self, *, actor: Actor, now: datetime | None = None) -> HomeData:
        now = now or datetime.now(UTC)
        admin = self.access.is_admin(actor)
        config = self.ctx.config
        data = HomeData(user_ref=actor.ref, admin=admin, now=now)
        async with self.ctx.db.transaction() as session:
            data.my_reports = [
                to_view(i, config)
                for i in await q.reported_by(session, reporter=actor.ref, limit=LIST_LIMIT)
            ]
            if not admin:
                return data
            views = [to_view(i, config) for i in await q.open_incidents(session)]
            deadlines = [
                DeadlineLine(
                    incident_id=iid,
                    incident_key=key,
                    regime=o.regime_name,
                    stage=o.stage_name,
                    due_at=o.due_at,
                    immediate=o.immediate,
                )
                for o, key, iid in await q.open_obligations(session)
            ]
            near = await q.recent_of_kind(
                session, kind=Kind.NEAR_MISS.value, since=now - NEAR_MISS_WINDOW, limit=5
            )
            data.recent_near_misses = [to_view(i, config) for i in near]
            states = await repo.tool_states(session)
            data.tools = [status_of(t, states.get(t.id)).line for t in config.runbook]
        for severity in [*(s.value for s in Severity), UNSET]:
            matching = [
                v
                for v in views
                if v.kind == Kind.INCIDENT
                and (v.severity.value if v.severity else UNSET) == severity
            ]
            if matching:
                data.open_by_severity[severity] = matching
        data.open_near_misses = [v for v in views if v.kind == Kind.NEAR_MISS]
        data.suspected = [v for v in views if v.kind == Kind.SUSPECTED]
        data.unassigned = [v for v in views if v.assignee is None]
        data.my_assignments = [v for v in views if v.assignee == actor.ref]
        data.overdue = [d for d in deadlines if d.overdue(now)]
        data.upcoming = [d for d in deadlines if not d.overdue(now)][:5]
        data.weak_points = await weak_points(self.ctx.db, period=WEAK_POINTS_WINDOW, now=now)
        return data
