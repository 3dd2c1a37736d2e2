"""The clock parts of the Teams cards, built from an IncidentView (pure functions)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.domain import IncidentView, ObligationLine
from handlers.teams.cards.obligations import clocks_body, nudge_card
from handlers.teams.cards.triage import triage_card
from tests.support.teams_clock_steps import buttons, elements

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
AWARE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def line(n: int, **fields: Any) -> ObligationLine:
    values: dict[str, Any] = {
        "id": n,
        "regime_id": f"regime_{n}",
        "name": f"Regime {n}",
        "stage": f"Stage {n}",
        "informational": False,
        "immediate": False,
        "due_at": AWARE + timedelta(hours=72),
        "status": "open",
    }
    return ObligationLine(**{**values, **fields})


def view(**fields: Any) -> IncidentView:
    values: dict[str, Any] = {
        "id": 7,
        "key": "INC-0007",
        "kind": "incident",
        "status": "triaging",
        "severity": None,
        "description": "Wrong client's figures",
        "failure_type": "contamination",
        "failure_type_label": "Contamination",
        "personal_data": "yes",
        "reach": "reached_client",
        "platform": "teams",
        "reported_by": "teams:someone",
        "reporters": ["teams:someone"],
        "assignee": None,
        "created_at": AWARE,
        "closed_at": None,
        "outcome": None,
        "rationale": None,
        "root_cause": None,
        "lessons": None,
        "excerpt": None,
        "author": None,
        "permalink": "https://teams.microsoft.com/l/message/x",
        "channel_id": None,
        "aware_at": AWARE,
        "classified_at": AWARE,
        "obligations": [
            line(1),
            line(2, due_at=NOW - timedelta(hours=3)),
            line(3, informational=True),
            line(4, status="notified", decided_by="teams:ada", reference="ICO-9"),
            line(5, immediate=True, due_at=AWARE),
        ],
    }
    return IncidentView(**{**values, **fields})


def texts(card: Any) -> list[str]:
    return [e["text"] for e in elements(card) if e.get("type") == "TextBlock"]


def decided_for(card: Any) -> list[int]:
    return [b["data"]["obligation_id"] for b in buttons(card, "obligation.notified")]


def test_each_stage_says_where_it_stands_and_only_open_binding_ones_get_buttons() -> None:
    every = texts(clocks_body(view(), with_actions=True, now=NOW))
    lines = [t for t in every if not t.startswith("For ")]

    assert lines[0].startswith("**Regulatory clocks** (from awareness {{DATE(2026-11-23T09")
    assert lines[1] == (
        "⏳ **Regime 1** — Stage 1: due {{DATE(2026-11-26T09:00:00Z, SHORT)}} "
        "{{TIME(2026-11-26T09:00:00Z)}} (1 d left)"
    )
    assert lines[2].startswith("🔴 **Regime 2** — Stage 2: **OVERDUE** — was due")
    assert lines[2].endswith("(overdue by 3 h)")
    assert lines[3] == (
        "ℹ️ **Regime 3** — Stage 3: informational only, not yet in force on this date"
    )
    assert lines[4] == "✅ **Regime 4** — Stage 4: notified (ref ICO-9) by ada"
    assert lines[5] == "⏳ **Regime 5** — Stage 5: due now, without undue delay"
    # Each row of buttons says which regulator and stage it decides (defect 11).
    assert [t for t in every if t.startswith("For ")] == [
        "For **Regime 1** — Stage 1:",
        "For **Regime 2** — Stage 2:",
        "For **Regime 5** — Stage 5:",
    ]
    assert decided_for(clocks_body(view(), with_actions=True, now=NOW)) == [1, 2, 5]
    assert decided_for(clocks_body(view(), with_actions=False, now=NOW)) == []


def test_unclassified_and_untriggered_incidents_say_so() -> None:
    assert (
        "Not classified yet" in texts(clocks_body(view(classified_at=None), with_actions=True))[0]
    )
    [said] = texts(clocks_body(view(obligations=[]), with_actions=True))
    assert said.startswith("Classified: with these answers none of the desk's regime rules")
    assert "still for a person to judge" in said and "Not legal advice" in said


def test_no_row_of_buttons_is_longer_than_teams_shows() -> None:
    card = triage_card(view())
    rows = [card["actions"]] + [
        e["actions"] for e in elements(card) if e.get("type") == "ActionSet"
    ]
    assert max(len(r) for r in rows) <= 6
    assert len(json.dumps(card)) < 28_000


def test_contained_hides_the_button_and_a_closed_card_has_no_decisions() -> None:
    contained = triage_card(
        view(contained_at=AWARE + timedelta(minutes=40), contained_by="teams:bo")
    )
    assert not buttons(contained, "triage.contained") and buttons(contained, "triage.classify")
    assert "🔒 Contained 40 m after awareness by bo" in texts(contained)

    closed = triage_card(view(status="closed", outcome="remediated", closed_at=NOW))
    assert not [e for e in elements(closed) if e.get("type") == "Action.Execute"]


def test_a_severe_incident_without_a_runbook_entry_asks_for_the_tool() -> None:
    card = triage_card(view(severity="SEV1"))
    assert any("No runbook entry for this AI tool" in t for t in texts(card))


def test_a_decided_nudge_shows_the_decision_without_buttons() -> None:
    decided = view().obligations[3]
    card = nudge_card(view(), decided, NOW)
    assert "actions" not in card
    assert texts(card)[0] == "✅ **Regime 4** for **INC-0007**: notified (ref ICO-9) by ada."
