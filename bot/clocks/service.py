"""Regulatory clocks: classification → obligations → nudges, and the decisions that stop them."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import trail
from bot.audit.actions import AuditAction
from bot.clocks.decisions import (
    DECIDED_LABEL,
    DecisionInput,
    ObligationStatus,
    records_notification,
    validate_decision,
)
from bot.clocks.near_miss import KIND_CHANGES, starts_clocks
from bot.clocks.regimes import (
    OVERDUE_EVERY,
    ClassificationAnswers,
    DecisionForm,
    DerivedStage,
    Regime,
    evaluate,
    next_overdue_nudge,
)
from bot.delivery.outbox import enqueue
from bot.delivery.payloads import DeadlineNudge, TriageCard
from bot.domain import SYSTEM_ACTOR, Actor, IncidentView, ObligationLine, Platform, Reach, Status
from bot.errors import InvalidInput, InvalidTransition, NotFound
from bot.incidents.cards import platform_of
from bot.incidents.context import DeskContext
from bot.incidents.triage import Triage
from bot.incidents.views import to_view
from storage.models import Incident, Nudge, Obligation

log = logging.getLogger(__name__)


class NudgeKind(StrEnum):
    BEFORE = "before"
    OVERDUE = "overdue"


class NudgeStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    SUPERSEDED = "superseded"  # a later nudge for the same stage was due too: only that one went
    CANCELLED = "cancelled"


def with_major_at(
    answers: ClassificationAnswers, previous: dict[str, Any], now: datetime
) -> ClassificationAnswers:
    """Stamp "classified as major at" the first time DORA's major answer is yes; keep it after."""
    if not answers.dora_major:
        return answers.model_copy(update={"dora_major_at": None})
    if answers.dora_major_at is not None:
        return answers
    earlier = previous.get("dora_major_at") if previous.get("dora_major") else None
    at = datetime.fromisoformat(earlier) if isinstance(earlier, str) else now
    return answers.model_copy(update={"dora_major_at": at})


def submissions(rows: list[Obligation] | Any) -> dict[tuple[str, str], datetime]:
    """When each decided stage was actually submitted: follow-on stages run from these."""
    found: dict[tuple[str, str], datetime] = {}
    for row in rows:
        at = (row.decision or {}).get("notified_at")
        if isinstance(at, str) and row.status in (ObligationStatus.NOTIFIED, ObligationStatus.LATE):
            found[(row.regime_id, row.stage_id)] = datetime.fromisoformat(at)
    return found


def first_overdue_at(stage: DerivedStage) -> datetime:
    """Overdue reminders start at the deadline, or 12 h after the last planned nudge."""
    return (
        stage.due_at
        if not stage.nudge_times
        else stage.repeat_from
        + (OVERDUE_EVERY if stage.repeat_from > stage.due_at else timedelta(0))
    )


class Clocks:
    """Owns obligations and nudges; its hooks follow closes, containment and new incidents."""

    def __init__(
        self,
        ctx: DeskContext,
        triage: Triage,
        regimes: list[Regime],
        *,
        triage_channel: str | None,
        teams_triage_channel: str | None = None,
    ) -> None:
        self.ctx = ctx
        self.triage = triage
        self.regimes = regimes
        self.triage_channel = triage_channel
        self.teams_triage_channel = teams_triage_channel

    async def post_to_triage_channel(self, session: AsyncSession, incident: Incident) -> None:
        """The channel's copy of the card is the root of the incident's nudge thread; each
        platform's triage channel gets one, refreshed with the admins' copies."""
        if self.triage_channel:
            enqueue(
                session,
                platform=Platform.SLACK,
                payload=TriageCard(target=self.triage_channel, incident_id=incident.id),
            )
        if self.teams_triage_channel and Platform.TEAMS in self.ctx.platforms:
            enqueue(
                session,
                platform=Platform.TEAMS,
                payload=TriageCard(target=self.teams_triage_channel, incident_id=incident.id),
            )

    # ---- classification ----------------------------------------------------------------------

    async def classify(
        self,
        *,
        actor: Actor,
        incident_id: int,
        answers: ClassificationAnswers,
        channel_id: str | None = None,
    ) -> IncidentView:
        """Record (or revise) the answers and re-derive the obligations, in one transaction."""
        now = datetime.now(UTC)
        if answers.aware_at > now + timedelta(minutes=5):
            raise InvalidInput({"aware_at": "Awareness cannot be in the future."})
        revised = answers

        def change(incident: Incident) -> None:
            nonlocal revised
            revised = with_major_at(answers, incident.classification or {}, now)
            incident.classification = revised.model_dump(mode="json")
            incident.aware_at = answers.aware_at
            incident.classified_at = incident.classified_at or now
            incident.personal_data = answers.personal_data.value
            incident.failure_type = answers.failure_type or incident.failure_type
            incident.failure_point = answers.failure_point
            incident.ai_tool = answers.ai_tool or incident.ai_tool
            # The one "reached a client" fact: the report set it, Classify revises it.
            incident.reach = (
                Reach.REACHED_CLIENT if answers.client_received else Reach.CAUGHT
            ).value
            if incident.status == Status.REPORTED:
                incident.status = Status.TRIAGING.value

        async def derive(session: AsyncSession, incident: Incident) -> None:
            await self._derive(session, incident, revised, actor, now)

        return await self.triage.admin_change(
            actor=actor,
            incident_id=incident_id,
            action=AuditAction.CLASSIFIED,
            fields=(
                "classification",
                "aware_at",
                "personal_data",
                "failure_type",
                "failure_point",
                "ai_tool",
                "reach",
                "status",
            ),
            change=change,
            also=derive,
            channel_id=channel_id,
        )

    async def _derive(
        self,
        session: AsyncSession,
        incident: Incident,
        answers: ClassificationAnswers,
        actor: Actor,
        now: datetime,
        only: set[tuple[str, str]] | None = None,
    ) -> None:
        """Re-derive the obligations (`only`: just these stages, e.g. after a submission)."""
        rows = (
            (await session.execute(select(Obligation).where(Obligation.incident_id == incident.id)))
            .scalars()
            .all()
        )
        existing = {(o.regime_id, o.stage_id): o for o in rows}
        derived = (
            evaluate(
                self.regimes,
                answers,
                classified_at=incident.classified_at or now,
                submitted=submissions(rows),
            )
            if starts_clocks(incident.kind, answers)
            else []
        )
        wanted = {
            (d.regime_id, s.id): (d, s)
            for d in derived
            for s in d.stages
            if only is None or (d.regime_id, s.id) in only
        }
        for key, stale in existing.items():
            if only is None and stale.status == ObligationStatus.OPEN and key not in wanted:
                stale.status = ObligationStatus.WITHDRAWN.value
                stale.updated_at = now
                await self._cancel_nudges(session, stale.id)
        changes: list[dict[str, Any]] = []
        for key, (obligation, stage) in wanted.items():
            row = existing.get(key)
            if row is not None and row.status not in (
                ObligationStatus.OPEN,
                ObligationStatus.WITHDRAWN,
            ):
                continue  # a recorded decision stands; revising answers never undoes it
            if row is None:
                row = Obligation(
                    incident_id=incident.id,
                    regime_id=obligation.regime_id,
                    stage_id=stage.id,
                    created_at=now,
                )
                session.add(row)
            row.regime_name = obligation.name
            row.stage_name = stage.name
            row.recipient = obligation.recipient
            row.informational = obligation.informational
            row.immediate = stage.immediate
            row.record_only = obligation.record_only
            row.clock_started_at = obligation.clock_started_at
            row.due_at = stage.due_at
            row.target_at = stage.target_at
            row.decision_form = obligation.decision_form.model_dump()
            row.status = ObligationStatus.OPEN.value
            row.must_record = [f.model_dump() for f in obligation.must_record]
            row.source = obligation.source
            row.updated_at = now
            await session.flush()
            await self._cancel_nudges(session, row.id)
            if not obligation.informational:
                times = [(t, NudgeKind.BEFORE) for t in stage.nudge_times]
                times.append((first_overdue_at(stage), NudgeKind.OVERDUE))
                for due, kind in times:
                    session.add(
                        Nudge(
                            obligation_id=row.id,
                            due_at=due,
                            kind=kind.value,
                            status=NudgeStatus.PENDING.value,
                            created_at=now,
                        )
                    )
            changes.append(
                {
                    "regime": row.regime_id,
                    "stage": row.stage_id,
                    "due_at": row.due_at.isoformat(),
                    "informational": row.informational,
                }
            )
        await trail.record(
            session,
            actor=actor,
            action=AuditAction.OBLIGATIONS_DERIVED,
            incident_id=incident.id,
            after={"obligations": changes},
        )

    async def _cancel_nudges(self, session: AsyncSession, obligation_id: int) -> None:
        await session.execute(
            update(Nudge)
            .where(Nudge.obligation_id == obligation_id, Nudge.status == NudgeStatus.PENDING)
            .values(status=NudgeStatus.CANCELLED.value)
        )

    # ---- decisions ---------------------------------------------------------------------------

    async def decide(
        self,
        *,
        actor: Actor,
        obligation_id: int,
        form: DecisionInput,
        channel_id: str | None = None,
    ) -> IncidentView:
        """Record notified / not required / late; no further nudge for that stage is sent."""
        async with self.ctx.db.transaction() as session:
            obligation = await session.get(Obligation, obligation_id)
            if obligation is None:
                raise NotFound(f"Obligation {obligation_id} does not exist.")
            incident_id = obligation.incident_id
            due_at = obligation.due_at
            immediate, record_only = obligation.immediate, obligation.record_only
            wording = DecisionForm.model_validate(obligation.decision_form or {})
        record = validate_decision(
            form,
            due_at=due_at,
            now=datetime.now(UTC),
            immediate=immediate,
            record_only=record_only,
            wording=wording,
        )

        def change(incident: Incident) -> None:
            incident.updated_at = datetime.now(UTC)

        async def apply(session: AsyncSession, incident: Incident) -> None:
            row = (
                await session.execute(
                    select(Obligation).where(Obligation.id == obligation_id).with_for_update()
                )
            ).scalar_one()
            if row.status != ObligationStatus.OPEN:
                raise InvalidTransition(
                    f"{row.regime_name} on {incident.key} is already recorded as "
                    f"{DECIDED_LABEL.get(ObligationStatus(row.status), row.status)}."
                )
            row.status = form.decision.value
            row.decided_by = actor.ref
            row.decided_at = datetime.now(UTC)
            row.decision = record
            row.updated_at = row.decided_at
            await self._cancel_nudges(session, row.id)
            followers = self._followers(row.regime_id, row.stage_id)
            if followers and incident.classification and records_notification(row.status):
                # The next stages now run from this submission, not from its deadline.
                await session.flush()
                answers = ClassificationAnswers.model_validate(incident.classification)
                now = datetime.now(UTC)
                await self._derive(session, incident, answers, actor, now, only=followers)
            await trail.record(
                session,
                actor=actor,
                action=AuditAction.OBLIGATION_DECIDED,
                incident_id=incident.id,
                before={"obligation": row.id, "status": "open"},
                after={
                    "obligation": row.id,
                    "regime": row.regime_id,
                    "stage": row.stage_id,
                    "status": row.status,
                    **record,
                },
            )

        return await self.triage.admin_change(
            actor=actor,
            incident_id=incident_id,
            action=AuditAction.OBLIGATION_DECIDED,
            fields=(),
            change=change,
            also=apply,
            channel_id=channel_id,
        )

    def _followers(self, regime_id: str, stage_id: str) -> set[tuple[str, str]]:
        """The stages of the regime that run from this stage's submission."""
        regime = next((r for r in self.regimes if r.id == regime_id), None)
        stages = regime.stages if regime else []
        return {(regime_id, s.id) for s in stages if s.after == stage_id}

    async def obligation_view(
        self, obligation_id: int
    ) -> tuple[IncidentView, ObligationLine, list[dict[str, str]]]:
        """The incident, the stage as cards show it, and what its notification must record."""
        async with self.ctx.db.transaction() as session:
            row = await session.get(Obligation, obligation_id)
            if row is None:
                raise NotFound(f"Obligation {obligation_id} does not exist.")
            incident = await session.get(Incident, row.incident_id)
            assert incident is not None
            view = to_view(incident, self.ctx.config)
        line = next(o for o in view.obligations if o.id == obligation_id)
        return view, line, list(row.must_record)

    async def classification(self, incident_id: int) -> tuple[IncidentView, dict[str, Any]]:
        """The incident and its current answers (empty before the first classification)."""
        async with self.ctx.db.transaction() as session:
            incident = await session.get(Incident, incident_id)
            if incident is None:
                raise NotFound(f"Incident {incident_id} does not exist.")
            return to_view(incident, self.ctx.config), dict(incident.classification or {})

    async def undecided(self, session: AsyncSession, incident_id: int) -> list[Obligation]:
        """Applicable (binding) obligations still waiting for a decision."""
        rows = await session.execute(
            select(Obligation)
            .where(
                Obligation.incident_id == incident_id,
                Obligation.status == ObligationStatus.OPEN,
                Obligation.informational.is_(False),
            )
            .order_by(Obligation.due_at)
        )
        return list(rows.scalars())

    async def on_change(
        self, session: AsyncSession, incident: Incident, action: AuditAction
    ) -> None:
        if action in KIND_CHANGES and incident.classification:
            # Becoming a near miss withdraws clocks; becoming an incident again restores them.
            answers = ClassificationAnswers.model_validate(incident.classification)
            await self._derive(session, incident, answers, SYSTEM_ACTOR, datetime.now(UTC))
        if action != AuditAction.CLOSED:
            return
        waiting = await self.undecided(session, incident.id)
        if waiting:
            names = "; ".join(f"{o.regime_name} ({o.stage_name})" for o in waiting)
            raise InvalidTransition(
                f"{incident.key} cannot be closed until a decision is recorded for: {names}. "
                "Use the Notified… / Not required… / Notified late… buttons first."
            )
        for row in incident.obligations:
            await self._cancel_nudges(session, row.id)

    # ---- nudges ------------------------------------------------------------------------------

    async def deliver_due_nudges(self, *, limit: int = 100, now: datetime | None = None) -> int:
        """Send each due stage's latest nudge once; earlier ones that also came due are skipped.

        An explicit `now` (the demo's accelerated clock) is also the moment the nudge speaks of."""
        as_of = now
        now = now or datetime.now(UTC)
        sent = 0
        async with self.ctx.db.transaction() as session:
            due_obligations = (
                (
                    await session.execute(
                        select(Nudge.obligation_id)
                        .where(Nudge.status == NudgeStatus.PENDING, Nudge.due_at <= now)
                        .group_by(Nudge.obligation_id)
                        .order_by(Nudge.obligation_id)
                        .limit(limit)
                    )
                )
                .scalars()
                .all()
            )
            for obligation_id in due_obligations:
                # Locking the obligation (not single nudges) makes a whole stage one replica's job.
                obligation = (
                    await session.execute(
                        select(Obligation)
                        .where(Obligation.id == obligation_id)
                        .with_for_update(skip_locked=True)
                    )
                ).scalar_one_or_none()
                if obligation is not None and await self._send_stage(
                    session, obligation, now, as_of=as_of
                ):
                    sent += 1
        if sent:
            self.ctx.notify_committed()
        return sent

    async def _send_stage(
        self,
        session: AsyncSession,
        obligation: Obligation,
        now: datetime,
        *,
        as_of: datetime | None = None,
    ) -> bool:
        due = (
            (
                await session.execute(
                    select(Nudge)
                    .where(
                        Nudge.obligation_id == obligation.id,
                        Nudge.status == NudgeStatus.PENDING,
                        Nudge.due_at <= now,
                    )
                    .order_by(Nudge.due_at, Nudge.id)
                )
            )
            .scalars()
            .all()
        )
        if not due:
            return False
        incident = await session.get(Incident, obligation.incident_id)
        if (
            obligation.status != ObligationStatus.OPEN
            or incident is None
            or incident.status == Status.CLOSED
        ):
            for nudge in due:
                nudge.status = NudgeStatus.CANCELLED.value
            return False
        *earlier, latest = due
        for nudge in earlier:
            nudge.status = NudgeStatus.SUPERSEDED.value
        latest.status = NudgeStatus.SENT.value
        latest.sent_at = now
        # An immediate stage is never overdue; past its target it goes to every admin, like one.
        overdue = not obligation.immediate and now >= obligation.due_at
        escalate = overdue or (obligation.target_at is not None and now >= obligation.target_at)
        for platform, target in self._nudge_targets(incident, escalate):
            enqueue(
                session,
                platform=platform,
                payload=DeadlineNudge(
                    target=target,
                    incident_id=incident.id,
                    obligation_id=obligation.id,
                    nudge_id=latest.id,
                    overdue=overdue,
                    as_of=as_of,
                ),
            )
        if latest.kind == NudgeKind.OVERDUE:
            session.add(
                Nudge(
                    obligation_id=obligation.id,
                    due_at=next_overdue_nudge(latest.due_at, now),
                    kind=NudgeKind.OVERDUE.value,
                    status=NudgeStatus.PENDING.value,
                    created_at=now,
                )
            )
        log.info(
            "nudge %s for %s %s (%s)",
            latest.id,
            incident.key,
            obligation.regime_id,
            "overdue" if overdue else "before deadline",
        )
        return True

    def _nudge_targets(self, incident: Incident, overdue: bool) -> list[tuple[Platform, str]]:
        targets: list[tuple[Platform, str]] = []
        if self.triage_channel:
            targets.append((Platform.SLACK, self.triage_channel))
        if self.teams_triage_channel and Platform.TEAMS in self.ctx.platforms:
            targets.append((Platform.TEAMS, self.teams_triage_channel))
        if incident.assignee and not overdue:
            people = [incident.assignee.partition(":")[2]]
        else:
            people = sorted(self.ctx.admins)
        for person in people:
            platform = platform_of(person)
            if platform in self.ctx.platforms:
                targets.append((platform, person))
        return targets
