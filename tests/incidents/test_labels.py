"""How an incident is named on every card, whichever platform shows it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot.domain import IncidentView, Kind, Outcome, PersonalData, Reach, Severity, Status
from bot.incidents.labels import (
    KIND_LABEL,
    OUTCOME_OPTIONS,
    PERSONAL_DATA_OPTIONS,
    REACH_OPTIONS,
    SEVERITY_OPTIONS,
    STATUS_LABEL,
    card_summary,
    closing_facts,
    outcome_label,
    reach_label,
    summary_facts,
)


def view(**fields: Any) -> IncidentView:
    values: dict[str, Any] = {
        "id": 1,
        "key": "INC-0001",
        "kind": "incident",
        "status": "reported",
        "severity": None,
        "description": "Wrong figures",
        "failure_type": "contamination",
        "failure_type_label": "Context loss or cross-client contamination",
        "personal_data": "unsure",
        "reach": "reached_client",
        "platform": "slack",
        "reported_by": "slack:U1",
        "reporters": ["slack:U1"],
        "assignee": None,
        "created_at": datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
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
    return IncidentView(**{**values, **fields})


def test_every_kind_and_status_has_a_label() -> None:
    assert set(KIND_LABEL) == set(Kind)
    assert set(STATUS_LABEL) == set(Status)


def test_option_lists_offer_every_value_once_in_enum_order() -> None:
    assert [v for v, _ in REACH_OPTIONS] == [r.value for r in Reach]
    assert [v for v, _ in PERSONAL_DATA_OPTIONS] == [p.value for p in PersonalData]
    assert [v for v, _ in OUTCOME_OPTIONS] == [o.value for o in Outcome]
    assert SEVERITY_OPTIONS[0] == ("SEV1", "SEV1: likely notifiable or client harm")
    assert [v for v, _ in SEVERITY_OPTIONS] == [s.value for s in Severity]


@pytest.mark.parametrize(
    ("kind", "reach", "label"),
    [
        ("incident", "reached_client", "yes"),
        ("near_miss", "caught", "no, caught"),
        ("suspected", "caught", "not yet known"),
    ],
)
def test_reach_label_says_not_yet_known_until_a_suspicion_is_triaged(
    kind: str, reach: str, label: str
) -> None:
    assert reach_label(view(kind=kind, reach=reach)) == label


def test_outcome_label_falls_back_to_closed() -> None:
    assert outcome_label(view(outcome="no_action")) == "No action needed"
    assert outcome_label(view()) == "closed"


def test_closing_facts_show_only_once_closed_with_dashes_for_blanks() -> None:
    assert closing_facts(view()) == []
    closed = view(status="closed", outcome="remediated", rationale="Resent", lessons="Check")

    assert closing_facts(closed) == [
        ("Outcome", "Remediated"),
        ("Rationale", "Resent"),
        ("Root cause", "—"),
        ("Lessons", "Check"),
    ]


def test_summary_facts_lead_every_card_in_one_order() -> None:
    facts = summary_facts(
        view(kind="near_miss", severity="SEV3", status="triaging", reach="caught"),
        assignee="Ada",
        reporters="Bob and 1 more",
    )

    assert facts == [
        ("Kind", "Near miss"),
        ("Severity", "SEV3"),
        ("Status", "Triaging"),
        ("Assignee", "Ada"),
        ("Reported by", "Bob and 1 more"),
        ("Failure type", "Context loss or cross-client contamination"),
        ("Reached a client", "no, caught"),
        ("Personal data", "unsure"),
    ]
    assert dict(summary_facts(view(), assignee="", reporters=""))["Severity"] == "not set"


def test_card_summary_names_key_kind_and_failure_type() -> None:
    assert card_summary(view(kind="suspected")) == (
        "INC-0001: Suspected reported — Context loss or cross-client contamination"
    )
