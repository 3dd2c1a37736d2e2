"""Triage of suspected incidents: Confirm incident, and every decision kept against the rules
that fired, so `/incident stats rules` can show each rule's precision."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit.actions import AuditAction
from bot.domain import Actor, IncidentView, Kind, Outcome, Reach, Status
from bot.incidents.triage import Triage
from bot.screening.scoring import RuleSettings, rule_precision
from storage import insight_queries as q
from storage.db import Database
from storage.models import Incident


class Decision(StrEnum):
    CONFIRMED = "confirmed"  # an incident
    NEAR_MISS = "near_miss"  # a real risk, caught in time
    FALSE_POSITIVE = "false_positive"


def decision_for(*, kind: str, status: str, outcome: str | None) -> Decision | None:
    """What triage decided about a screened message, read from the incident's state."""
    if outcome == Outcome.FALSE_POSITIVE:
        return Decision.FALSE_POSITIVE
    if kind == Kind.NEAR_MISS:
        return Decision.NEAR_MISS
    if kind == Kind.INCIDENT:
        return Decision.CONFIRMED
    if status == Status.CLOSED:
        # Closed as remediated or no action without a kind change: the signal was real.
        return Decision.CONFIRMED
    return None


class RuleStat(BaseModel):
    """One rule's record: how often it fired and how often triage agreed."""

    rule_id: str
    label: str
    enabled: bool
    score: float
    fired: int
    confirmed: int
    near_misses: int
    false_positives: int
    pending: int
    capped: int
    precision: float | None

    @property
    def decided(self) -> int:
        return self.confirmed + self.near_misses + self.false_positives


def rule_table(
    rules: Iterable[RuleSettings],
    hits: Sequence[tuple[str, str | None]],
    capped: Mapping[str, int],
) -> list[RuleStat]:
    """Per rule: hits on suspected incidents by decision, precision over decided hits.

    A near miss counts as a correct hit: the rule found a real risk that was caught in time."""
    by_decision = Counter(hits)
    precision = rule_precision(
        [(rule_id, decision != Decision.FALSE_POSITIVE) for rule_id, decision in hits if decision]
    )
    table = []
    for rule in rules:

        def count(decision: str | None, rule_id: str = rule.id) -> int:
            return by_decision[(rule_id, decision)]

        table.append(
            RuleStat(
                rule_id=rule.id,
                label=rule.label,
                enabled=rule.enabled,
                score=rule.score,
                fired=sum(n for (rid, _), n in by_decision.items() if rid == rule.id),
                confirmed=count(Decision.CONFIRMED),
                near_misses=count(Decision.NEAR_MISS),
                false_positives=count(Decision.FALSE_POSITIVE),
                pending=count(None),
                capped=capped.get(rule.id, 0),
                precision=precision[rule.id].precision if rule.id in precision else None,
            )
        )
    return table


async def load_rule_table(db: Database, rules: Iterable[RuleSettings]) -> list[RuleStat]:
    async with db.transaction() as session:
        hits = await q.hit_decisions(session)
        capped = Counter(str(r) for ids in await q.overflow_rule_ids(session) for r in ids)
    return rule_table(rules, hits, capped)


class SuspectedTriage:
    """Confirm incident, plus the hook that keeps screening_hits in step with triage."""

    def __init__(self, triage: Triage) -> None:
        self.triage = triage

    async def confirm(
        self, *, actor: Actor, incident_id: int, channel_id: str | None = None
    ) -> IncidentView:
        """A suspected incident is real and reached a client: it becomes an incident."""

        def change(incident: Incident) -> None:
            incident.kind = Kind.INCIDENT.value
            incident.reach = Reach.REACHED_CLIENT.value
            if incident.status == Status.REPORTED:
                incident.status = Status.TRIAGING.value

        return await self.triage.admin_change(
            actor=actor,
            incident_id=incident_id,
            action=AuditAction.CONFIRMED,
            channel_id=channel_id,
            fields=("kind", "reach", "status"),
            change=change,
        )

    async def keep_decision(
        self, session: AsyncSession, incident: Incident, action: AuditAction
    ) -> None:
        decision = decision_for(
            kind=incident.kind, status=incident.status, outcome=incident.outcome
        )
        now = datetime.now(UTC)
        for hit in await q.hits_for(session, incident_id=incident.id):
            if hit.decision != (decision.value if decision else None):
                hit.decision = decision.value if decision else None
                hit.decided_at = now if decision else None
