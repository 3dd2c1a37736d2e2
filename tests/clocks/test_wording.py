"""How clocks are told to people, as notes (shown here as plain text; each platform adds its
own markup and icons)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.clocks.wording import (
    LineState,
    line_note,
    line_state,
    nudge_note,
    nudge_overdue,
    nudge_summary,
)
from bot.domain import IncidentView, ObligationLine

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
DUE = NOW + timedelta(hours=5)


def line(**fields: Any) -> ObligationLine:
    values: dict[str, Any] = {
        "id": 1,
        "regime_id": "uk_gdpr_ico",
        "name": "ICO",
        "stage": "Initial report",
        "informational": False,
        "immediate": False,
        "due_at": DUE,
        "status": "open",
    }
    return ObligationLine(**{**values, **fields})


def view() -> IncidentView:
    return IncidentView.model_validate(
        {
            "id": 1,
            "key": "INC-0001",
            "kind": "incident",
            "status": "triaging",
            "severity": None,
            "description": "x",
            "failure_type": "other",
            "failure_type_label": "Other",
            "personal_data": "yes",
            "reach": "reached_client",
            "platform": "slack",
            "reported_by": "slack:U1",
            "reporters": [],
            "assignee": None,
            "created_at": NOW,
            "closed_at": None,
            "outcome": None,
            "rationale": None,
            "root_cause": None,
            "lessons": None,
            "excerpt": None,
            "author": None,
            "permalink": None,
            "channel_id": None,
        }
    )


def test_each_stage_reads_where_it_stands() -> None:
    decided = line(status="notified", reference="ICO-9", decided_by="slack:U2")
    cases = [
        (decided, LineState.DECIDED, "ICO — Initial report: notified (ref ICO-9) by U2"),
        (
            line(informational=True),
            LineState.INFORMATIONAL,
            "ICO — Initial report: informational only, not yet in force on this date",
        ),
        (
            line(due_at=NOW - timedelta(hours=3)),
            LineState.OVERDUE,
            "ICO — Initial report: OVERDUE — was due Wed 25 Nov 2026 06:00 UTC (overdue by 3 h)",
        ),
        (line(), LineState.DUE, "ICO — Initial report: due Wed 25 Nov 2026 14:00 UTC (5 h left)"),
        (
            line(immediate=True, due_at=NOW - timedelta(hours=1)),
            LineState.DUE,
            "ICO — Initial report: due now, without undue delay",
        ),
        (
            line(
                immediate=True, due_at=NOW - timedelta(hours=30), target_at=NOW - timedelta(hours=6)
            ),
            LineState.DUE,  # never OVERDUE: a passed target is not a missed legal deadline
            "ICO — Initial report: due now, without undue delay · passed target "
            "Wed 25 Nov 2026 03:00 UTC (the firm's target, not a legal deadline)",
        ),
    ]
    for stage, state, words in cases:
        assert line_state(stage, NOW) == state
        assert line_note(stage, NOW).plain == words


def test_a_nudge_says_overdue_only_while_undecided_past_the_deadline() -> None:
    late = line(due_at=NOW - timedelta(hours=3))

    assert nudge_overdue(late, NOW) and not nudge_overdue(line(), NOW)
    assert not nudge_overdue(line(due_at=late.due_at, status="notified"), NOW)
    assert nudge_note(view(), late, NOW).plain == (
        "OVERDUE ICO for INC-0001 deadline passed 3 h ago."
    )
    assert nudge_summary(view(), line(), NOW) == "ICO for INC-0001 closes in 5 h"
