"""Triage: every admin's change to an incident (assign, severity, near miss, close, and the
changes other domains make through `admin_change`), each in one transaction with its audit event,
its hooks and its card refresh."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import trail
from bot.audit.actions import AuditAction
from bot.delivery.outbox import enqueue
from bot.delivery.payloads import DirectMessage
from bot.domain import (
    MAX_RATIONALE,
    OUTCOME_LABELS,
    Actor,
    CloseInput,
    IncidentView,
    Kind,
    Outcome,
    Platform,
    Reach,
    Severity,
    Status,
)
from bot.errors import InvalidInput, InvalidTransition, NotFound
from bot.incidents import notices
from bot.incidents.access import AccessPolicy
from bot.incidents.cards import CardFanout
from bot.incidents.context import DeskContext
from bot.incidents.hooks import IncidentHooks
from bot.incidents.views import snapshot, to_view
from storage import repository as repo
from storage.models import Incident


class Triage:
    def __init__(
        self, ctx: DeskContext, access: AccessPolicy, hooks: IncidentHooks, cards: CardFanout
    ) -> None:
        self.ctx = ctx
        self.access = access
        self.hooks = hooks
        self.cards = cards

    async def admin_change(
        self,
        *,
        actor: Actor,
        incident_id: int,
        action: AuditAction,
        fields: tuple[str, ...],
        change: Callable[[Incident], None],
        also: Callable[[AsyncSession, Incident], Awaitable[None]] | None = None,
        allow_closed: bool = False,
        channel_id: str | None = None,
        notify_refusal: bool = True,
    ) -> IncidentView:
        """Apply `change` for an admin, audit what it changed, run the hooks and refresh cards."""
        if not self.access.is_admin(actor):
            raise await self.access.refuse(
                actor=actor,
                action=action,
                incident_id=incident_id,
                channel_id=channel_id,
                notify=notify_refusal,
            )
        async with self.ctx.db.transaction() as session:
            incident = await repo.lock_incident(session, incident_id=incident_id)
            if incident is None:
                raise NotFound(f"Incident {incident_id} does not exist.")
            if incident.status == Status.CLOSED and not allow_closed:
                raise InvalidTransition(
                    f"{incident.key} is closed ({incident.outcome}); nothing was changed."
                )
            before = snapshot(incident, fields)
            change(incident)
            after = snapshot(incident, fields)
            changed = before != after
            if changed:
                incident.updated_at = datetime.now(UTC)
                await trail.record(
                    session,
                    actor=actor,
                    action=action,
                    incident_id=incident.id,
                    before=before,
                    after=after,
                )
            if also is not None:
                await also(session, incident)
                changed = True
            if changed:
                await self.hooks.run_changed(session, incident, action)
                self.cards.refresh(session, incident)
            await session.refresh(incident, ["reporters", "evidence", "obligations"])
            view = to_view(incident, self.ctx.config)
        self.ctx.notify_committed()
        return view

    def _start_triage(self, incident: Incident) -> None:
        if incident.status == Status.REPORTED:
            incident.status = Status.TRIAGING.value

    async def assign_to_me(
        self, *, actor: Actor, incident_id: int, channel_id: str | None = None
    ) -> IncidentView:
        def change(incident: Incident) -> None:
            incident.assignee = actor.ref
            incident.assignee_name = actor.name
            self._start_triage(incident)

        return await self.admin_change(
            actor=actor,
            incident_id=incident_id,
            action=AuditAction.ASSIGNED,
            channel_id=channel_id,
            fields=("assignee", "status"),
            change=change,
        )

    async def set_severity(
        self,
        *,
        actor: Actor,
        incident_id: int,
        severity: Severity,
        channel_id: str | None = None,
    ) -> IncidentView:
        def change(incident: Incident) -> None:
            incident.severity = severity.value
            self._start_triage(incident)

        return await self.admin_change(
            actor=actor,
            incident_id=incident_id,
            action=AuditAction.SEVERITY_CHANGED,
            channel_id=channel_id,
            fields=("severity", "status"),
            change=change,
        )

    async def mark_near_miss(
        self, *, actor: Actor, incident_id: int, channel_id: str | None = None
    ) -> IncidentView:
        def change(incident: Incident) -> None:
            incident.kind = Kind.NEAR_MISS.value
            # One fact: a near miss did not reach a client, unless the classification records
            # that one received it (then the clocks it started keep running: fail closed).
            if not (incident.classification or {}).get("client_received"):
                incident.reach = Reach.CAUGHT.value
            self._start_triage(incident)

        return await self.admin_change(
            actor=actor,
            incident_id=incident_id,
            action=AuditAction.MARKED_NEAR_MISS,
            channel_id=channel_id,
            fields=("kind", "status", "reach"),
            change=change,
        )

    def validate_close(self, form: CloseInput) -> None:
        errors: dict[str, str] = {}
        required = ["rationale"]
        if form.outcome != Outcome.FALSE_POSITIVE:
            required += ["root_cause", "lessons"]
        for name in ("rationale", "root_cause", "lessons", "correction"):
            value = getattr(form, name).strip()
            if name in required and not value:
                errors[name] = "Required to close the incident."
            elif len(value) > MAX_RATIONALE:
                errors[name] = f"Keep it under {MAX_RATIONALE} characters (this is {len(value)})."
        if errors:
            raise InvalidInput(errors)

    async def close(self, *, actor: Actor, incident_id: int, form: CloseInput) -> IncidentView:
        """Close with a recorded outcome; reporters are told how it ended."""
        self.validate_close(form)
        now = datetime.now(UTC)

        def change(incident: Incident) -> None:
            incident.status = Status.CLOSED.value
            incident.outcome = form.outcome.value
            incident.rationale = form.rationale.strip()
            incident.root_cause = form.root_cause.strip() or None
            incident.lessons = form.lessons.strip() or None
            incident.correction = form.correction.strip() or None
            incident.closed_at = now
            incident.closed_by = actor.ref

        async def tell_reporters(session: AsyncSession, incident: Incident) -> None:
            told = notices.closed(
                incident.key, OUTCOME_LABELS[form.outcome], form.rationale.strip()
            )
            for reporter in incident.reporters:
                if reporter.reporter == actor.ref:
                    continue
                platform_name, _, user_id = reporter.reporter.partition(":")
                enqueue(
                    session,
                    platform=Platform(platform_name),
                    payload=DirectMessage(
                        target=user_id,
                        incident_id=incident.id,
                        text=told.plain,
                        note=told,
                    ),
                )

        return await self.admin_change(
            actor=actor,
            incident_id=incident_id,
            action=AuditAction.CLOSED,
            notify_refusal=False,
            fields=(
                "status",
                "outcome",
                "rationale",
                "root_cause",
                "lessons",
                "correction",
                "closed_at",
            ),
            change=change,
            also=tell_reporters,
        )
