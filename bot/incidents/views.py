"""An incident as cards, commands and exports see it: the row flattened into an IncidentView."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.containment.tool_state import status_of
from bot.domain import (
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
from bot.evidence.canonical import excerpt
from bot.evidence.lifecycle import evidence_notes
from bot.evidence.text import shown_text
from bot.settings import DeskConfig
from storage.models import Incident


def to_view(incident: Incident, config: DeskConfig) -> IncidentView:
    """Flatten the row and its first evidence into what cards and exports render."""
    first = incident.evidence[0].content if incident.evidence else {}
    message = first.get("message", {}) if isinstance(first, dict) else {}
    author = first.get("author", {}) if isinstance(first, dict) else {}
    # A screened message is shown masked: its matches never appear in full in a card.
    screening = first.get("screening") if isinstance(first, dict) else None
    text = screening.get("masked_text") if screening else shown_text(message)
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
        tool_state=status_of(tool, incident.tool_state).line if tool else None,
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
                record_only=o.record_only,
                target_at=o.target_at,
                decision_form=o.decision_form or {},
            )
            for o in incident.obligations
            if o.status != "withdrawn"
        ],
        assignee_name=incident.assignee_name,
        reported_by_name=incident.created_by_name,
        screening=ScreeningSummary.model_validate(screening) if screening else None,
    )


def snapshot(incident: Incident, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields as plain JSON values, for an audit event's before/after."""

    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime) else value

    return {f: plain(getattr(incident, f)) for f in fields}
