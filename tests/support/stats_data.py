"""A hand-counted set of incidents and obligations for the weak-point stats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.insights.stats import IncidentRow, ObligationRow
from storage.db import Database
from storage.models import Incident, Obligation

NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)  # a Tuesday


def at(day: int, hour: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def inc(key: str, kind: str, ftype: str, point: str | None, tool: str | None,
        channel: str | None, created: datetime, **kw: Any) -> IncidentRow:  # fmt: skip
    return IncidentRow(key, kind, kw.pop("status", "triaging"), ftype, point, tool, channel,
                       created, **kw)  # fmt: skip


INCIDENTS = [
    # contained 2 h after awareness, closed 3 d after the report
    inc("INC-0001", "incident", "contamination", "client_document", "draftbot", "C1", at(2, 9),
        aware_at=at(2, 9), contained_at=at(2, 11), closed_at=at(5, 9), outcome="remediated",
        status="closed"),
    # awareness corrected to 2 h before the report: contained 6 h after awareness
    inc("INC-0002", "incident", "contamination", "client_document", "draftbot", "C1", at(10, 10),
        aware_at=at(10, 8), contained_at=at(10, 14)),
    # closed 1 d after the report
    inc("INC-0003", "near_miss", "fabrication", "internal_drafting", "researchbot", "C2",
        at(12), closed_at=at(13), outcome="no_action", status="closed"),
    inc("INC-0004", "near_miss", "contamination", "client_document", "draftbot", "C1", at(20)),
    # no point, tool or channel; contained after 1 h, closed after 2 d
    inc("INC-0005", "incident", "data_exposure", None, None, None, at(25), aware_at=at(25),
        contained_at=at(25, 1), closed_at=at(27), outcome="remediated", status="closed"),
    inc("INC-0006", "suspected", "other", None, None, "C1", at(26)),
    inc("INC-0007", "suspected", "other", None, None, "C1", at(26, 1), closed_at=at(26, 2),
        outcome="false_positive", status="closed"),
    inc("INC-0008", "incident", "fabrication", None, "draftbot", "C1", at(27),
        closed_at=at(28), outcome="false_positive", status="closed"),
    # outside the last 30 days
    inc("INC-0009", "incident", "contamination", "client_document", "draftbot", "C1",
        at(1, 0, month=2)),
    inc("INC-0010", "near_miss", "fabrication", "internal_drafting", "researchbot", "C2", at(30)),
]  # fmt: skip


OBLIGATIONS = [
    ObligationRow("INC-0001", "notified", at(5, 9), decided_at=at(4), notified_at=at(4)),  # met
    ObligationRow("INC-0001", "notified", at(5, 9), decided_at=at(6), notified_at=at(6)),  # late
    ObligationRow("INC-0002", "open", at(13, 8)),  # open past its deadline: missed
    ObligationRow("INC-0005", "late", at(28), decided_at=at(29)),  # missed
    ObligationRow("INC-0005", "open", at(2, 0, month=4)),  # not yet due: pending
    ObligationRow("INC-0005", "open", at(26), informational=True),  # not counted
    ObligationRow("INC-0005", "withdrawn", at(26)),  # not counted
    ObligationRow("INC-0005", "not_required", at(25, 4), decided_at=at(25, 2)),  # met
    ObligationRow("INC-0009", "notified", at(3, 0, 2), notified_at=at(2, 0, 2)),  # outside
]


async def seed(db: Database) -> None:
    """The same dataset, stored as the app stores it."""
    ids: dict[str, int] = {}
    async with db.transaction() as session:
        for row in INCIDENTS:
            incident = Incident(
                key=row.key, kind=row.kind, status=row.status, description="seeded",
                failure_type=row.failure_type, failure_point=row.failure_point,
                ai_tool=row.ai_tool, channel_id=row.channel_id, reach="caught",
                personal_data="no", platform="slack", created_by="slack:U0SEED",
                created_at=row.created_at, updated_at=row.created_at, aware_at=row.aware_at,
                contained_at=row.contained_at, closed_at=row.closed_at, outcome=row.outcome,
            )  # fmt: skip
            session.add(incident)
            await session.flush()
            ids[row.key] = incident.id
        for n, o in enumerate(OBLIGATIONS):
            decision = {"notified_at": o.notified_at.isoformat()} if o.notified_at else None
            session.add(
                Obligation(
                    incident_id=ids[o.incident_key], regime_id=f"r{n}", regime_name="Regime",
                    stage_id="s", stage_name="Stage", informational=o.informational,
                    immediate=False, clock_started_at=o.due_at - timedelta(hours=72),
                    due_at=o.due_at, status=o.status, must_record=[], source="test",
                    decided_at=o.decided_at, decision=decision, created_at=NOW, updated_at=NOW,
                )
            )  # fmt: skip
