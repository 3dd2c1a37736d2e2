"""The breach register (UK GDPR Art. 33(5)): every incident involving personal data."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from sqlalchemy import select

from storage.db import Database
from storage.models import Incident

COLUMNS = [
    "key",
    "kind",
    "status",
    "reported_at",
    "aware_at",
    "classified_at",
    "personal_data",
    "risk_to_individuals",
    "wrong_recipient",
    "client_received",
    "client_acted",
    "downstream_actions",
    "facts",
    "failure_type",
    "contained_at",
    "notification_regime",
    "decision",
    "decided_at",
    "decided_by",
    "reference",
    "notified_at",
    "rationale_or_reasons",
    "remedial_action",
    "outcome",
    "closed_at",
]


def _time(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def register_rows(incidents: list[Incident]) -> list[dict[str, Any]]:
    """One row per notification decision (or one undecided row), for each personal-data incident."""
    rows: list[dict[str, Any]] = []
    for incident in incidents:
        answers = incident.classification or {}
        involved = (answers.get("personal_data") or incident.personal_data) in {"yes", "unsure"}
        if not involved:
            continue
        base = {
            "key": incident.key,
            "kind": incident.kind,
            "status": incident.status,
            "reported_at": _time(incident.created_at),
            "aware_at": _time(incident.aware_at),
            "classified_at": _time(incident.classified_at),
            "personal_data": answers.get("personal_data") or incident.personal_data,
            "risk_to_individuals": answers.get("risk_to_individuals") or "",
            **{
                k: "yes" if answers.get(k) else "no"
                for k in (
                    "wrong_recipient",
                    "client_received",
                    "client_acted",
                    "downstream_actions",
                )
            },
            "facts": incident.description,
            "failure_type": incident.failure_type,
            "contained_at": _time(incident.contained_at),
            "remedial_action": incident.rationale or "",
            "outcome": incident.outcome or "",
            "closed_at": _time(incident.closed_at),
        }
        stages = [o for o in incident.obligations if o.status != "withdrawn"]
        if not stages:
            rows.append(
                {
                    **base,
                    "decision": "no notification triggered"
                    if incident.classified_at
                    else "not classified yet",
                }
            )
        for o in stages:
            decision = o.decision or {}
            rows.append(
                {
                    **base,
                    "notification_regime": f"{o.regime_name} — {o.stage_name}",
                    "decision": o.status if not o.informational else f"{o.status} (informational)",
                    "decided_at": _time(o.decided_at),
                    "decided_by": o.decided_by or "",
                    "reference": decision.get("reference", ""),
                    "notified_at": decision.get("notified_at") or "",
                    "rationale_or_reasons": decision.get("rationale")
                    or decision.get("reasons")
                    or "",
                }
            )
    return rows


async def breach_register_csv(db: Database) -> str:
    async with db.transaction() as session:
        incidents = list(
            (await session.execute(select(Incident).order_by(Incident.id))).scalars().all()
        )
        rows = register_rows(incidents)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, restval="")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
