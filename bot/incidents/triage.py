"""The lifecycle service: the one place where incident state changes."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import trail
from bot.delivery.outbox import enqueue
from bot.delivery.payloads import DirectMessage, Notice, RefreshCards
from bot.domain import (
    MAX_RATIONALE,
    OUTCOME_LABELS,
    Actor,
    CloseInput,
    IncidentView,
    Kind,
    ObligationLine,
    Outcome,
    PersonalData,
    Platform,
    Reach,
    ScreeningSummary,
    Severity,
    Status,
)
from bot.errors import InvalidInput, InvalidTransition, NotAuthorized, NotFound
from bot.evidence.canonical import excerpt
from bot.evidence.lifecycle import EvidenceDesk, evidence_notes
from bot.incidents.intake import Reporting
from bot.settings import DeskConfig
from storage import repository as repo
from storage.db import Database
from storage.models import Incident

log = logging.getLogger(__name__)

REFUSAL_TEXT = (
    "Only incident admins can triage incidents. Your click was not applied and has been "
    "logged. Ask an admin listed in INCIDENT_ADMINS if you think this is wrong."
)


ChangeHook = Callable[[AsyncSession, Incident, str], Awaitable[None]]


def to_view(incident: Incident, config: DeskConfig) -> IncidentView:
    """Flatten the row and its first evidence into what cards and exports render."""
    first = incident.evidence[0].content if incident.evidence else {}
    message = first.get("message", {}) if isinstance(first, dict) else {}
    author = first.get("author", {}) if isinstance(first, dict) else {}
    # A screened message is shown masked: its matches never appear in full in a card.
    screening = first.get("screening") if isinstance(first, dict) else None
    text = screening.get("masked_text") if screening else message.get("text")
    return IncidentView(
        id=incident.id,
        key=incident.key,
        kind=Kind(incident.kind),
        status=Status(incident.status),
        severity=Severity(incident.severity) if incident.severity else None,
        description=incident.description,
        failure_type=incident.failure_type,
        failure_type_label=config.failure_type_label(incident.failure_type),
        personal_data=PersonalData(incident.personal_data),
        reach=Reach(incident.reach),
        platform=Platform(incident.platform),
        reported_by=incident.created_by,
        reporters=[r.reporter for r in incident.reporters],
        assignee=incident.assignee,
        created_at=incident.created_at,
        closed_at=incident.closed_at,
        outcome=Outcome(incident.outcome) if incident.outcome else None,
        rationale=incident.rationale,
        root_cause=incident.root_cause,
        lessons=incident.lessons,
        excerpt=excerpt(text) if message else None,
        author=author.get("display_name") or author.get("id") if author else None,
        permalink=first.get("permalink") if isinstance(first, dict) else None,
        channel_id=incident.channel_id,
        evidence_count=len(incident.evidence),
        evidence_notes=evidence_notes(incident.evidence),
        correction=incident.correction,
        ai_tool=incident.ai_tool,
        ai_tool_name=tool.name if (tool := config.tool(incident.ai_tool)) else incident.ai_tool,
        failure_point=incident.failure_point,
        aware_at=incident.aware_at,
        classified_at=incident.classified_at,
        contained_at=incident.contained_at,
        contained_by=incident.contained_by,
        runbook=tool.model_dump() if tool else None,
        obligations=[
            ObligationLine(
                id=o.id,
                regime_id=o.regime_id,
                name=o.regime_name,
                stage=o.stage_name,
                informational=o.informational,
                immediate=o.immediate,
                due_at=o.due_at,
                status=o.status,
                decided_by=o.decided_by,
                decided_at=o.decided_at,
                reference=(o.decision or {}).get("reference"),
            )
            for o in incident.obligations
            if o.status != "withdrawn"
        ],
        assignee_name=incident.assignee_name,
        reported_by_name=incident.created_by_name,
        screening=ScreeningSummary.model_validate(screening) if screening else None,
    )


def _snapshot(incident: Incident, fields: Iterable[str]) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime) else value

    return {f: plain(getattr(incident, f)) for f in fields}


class Desk(Reporting):
    """Every incident state change goes through here, each in one transaction with its audit
    event and outbox rows."""

    def __init__(
        self,
        db: Database,
        config: DeskConfig,
        *,
        admins: frozenset[str],
        platforms: frozenset[Platform],
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.config = config
        self.admins = admins
        self.platforms = platforms
        self._on_commit = on_commit or (lambda: None)
        self.evidence = EvidenceDesk(self, on_commit=self._on_commit)
        # Run inside the transaction of every admin change; raising aborts the change.
        self.change_hooks: list[ChangeHook] = []
        # Extra outbox rows for a new incident (e.g. the triage channel's copy of the card).
        self.report_hooks: list[Callable[[AsyncSession, Incident], Awaitable[None]]] = []
        # Run wherever an incident's cards are refreshed, i.e. whenever it changed.
        self.refresh_hooks: list[Callable[[AsyncSession, Incident], None]] = []

    def is_admin(self, actor: Actor) -> bool:
        return actor.user_id in self.admins

    # ---- triage ----------------------------------------------------------------------------

    async def refuse(
        self,
        *,
        actor: Actor,
        action: str,
        incident_id: int | None,
        channel_id: str | None = None,
        notify: bool = True,
    ) -> NotAuthorized:
        """Audit a non-admin's attempt, tell them why, and return the error."""
        async with self.db.transaction() as session:
            await trail.record(
                session,
                actor=actor,
                action="triage.refused",
                incident_id=incident_id,
                after={"attempted": action},
            )
            if notify:
                enqueue(
                    session,
                    platform=actor.platform,
                    payload=Notice(
                        target=actor.user_id,
                        incident_id=incident_id,
                        channel_id=channel_id,
                        text=REFUSAL_TEXT,
                    ),
                )
        self._on_commit()
        log.warning("refused %s by non-admin %s on incident %s", action, actor.ref, incident_id)
        return NotAuthorized(REFUSAL_TEXT)

    async def admin_change(
        self,
        *,
        actor: Actor,
        incident_id: int,
        action: str,
        fields: tuple[str, ...],
        change: Callable[[Incident], None],
        also: Callable[[AsyncSession, Incident], Awaitable[None]] | None = None,
        allow_closed: bool = False,
        channel_id: str | None = None,
        notify_refusal: bool = True,
    ) -> IncidentView:
        if not self.is_admin(actor):
            raise await self.refuse(
                actor=actor,
                action=action,
                incident_id=incident_id,
                channel_id=channel_id,
                notify=notify_refusal,
            )
        async with self.db.transaction() as session:
            incident = await repo.lock_incident(session, incident_id=incident_id)
            if incident is None:
                raise NotFound(f"Incident {incident_id} does not exist.")
            if incident.status == Status.CLOSED and not allow_closed:
                raise InvalidTransition(
                    f"{incident.key} is closed ({incident.outcome}); nothing was changed."
                )
            before = _snapshot(incident, fields)
            change(incident)
            after = _snapshot(incident, fields)
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
                for hook in self.change_hooks:
                    await hook(session, incident, action)
                self.refresh_cards(session, incident)
            await session.refresh(incident, ["reporters", "evidence", "obligations"])
            view = to_view(incident, self.config)
        self._on_commit()
        return view

    def notify_committed(self) -> None:
        """Tell the outbox new rows were committed outside Desk's own methods."""
        self._on_commit()

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
            action="incident.assigned",
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
            action="incident.severity_changed",
            channel_id=channel_id,
            fields=("severity", "status"),
            change=change,
        )

    async def mark_near_miss(
        self, *, actor: Actor, incident_id: int, channel_id: str | None = None
    ) -> IncidentView:
        def change(incident: Incident) -> None:
            incident.kind = Kind.NEAR_MISS.value
            self._start_triage(incident)

        return await self.admin_change(
            actor=actor,
            incident_id=incident_id,
            action="incident.marked_near_miss",
            channel_id=channel_id,
            fields=("kind", "status"),
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
                        text=f"*{incident.key}*, which you reported, was closed: "
                        f"{OUTCOME_LABELS[form.outcome]}. {form.rationale.strip()}",
                    ),
                )

        return await self.admin_change(
            actor=actor,
            incident_id=incident_id,
            action="incident.closed",
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

    def refresh_cards(self, session: AsyncSession, incident: Incident) -> None:
        for platform in sorted(self.platforms):
            enqueue(session, platform=platform, payload=RefreshCards(incident_id=incident.id))
        for hook in self.refresh_hooks:
            hook(session, incident)

    # ---- reading ---------------------------------------------------------------------------

    async def view(self, *, incident_id: int) -> IncidentView:
        async with self.db.transaction() as session:
            incident = await repo.get_incident(session, incident_id=incident_id)
            if incident is None:
                raise NotFound(f"Incident {incident_id} does not exist.")
            return to_view(incident, self.config)

    async def list_open(self, *, actor: Actor) -> tuple[list[IncidentView], bool]:
        """Open incidents the actor may see, and whether that is all of them (admin)."""
        admin = self.is_admin(actor)
        async with self.db.transaction() as session:
            rows = await repo.list_open_incidents(session, reporter=None if admin else actor.ref)
            return [to_view(r, self.config) for r in rows], admin

    async def show(self, *, actor: Actor, key: str) -> IncidentView:
        """One incident, for admins and its reporters only."""
        async with self.db.transaction() as session:
            incident = await repo.get_incident_by_key(session, key=key)
            visible = incident is not None and (
                self.is_admin(actor) or actor.ref in {r.reporter for r in incident.reporters}
            )
            if incident is None or not visible:
                raise NotFound(
                    f"No incident {key.upper()} that you can see. Admins see every incident; "
                    "others see the ones they reported."
                )
            return to_view(incident, self.config)
