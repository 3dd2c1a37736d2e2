"""How an incident is named to people: kind and status labels, the answers forms offer, and the
facts every card leads with. Slack and Teams render these; neither writes its own."""

from __future__ import annotations

from bot.domain import (
    OUTCOME_LABELS,
    SEVERITY_MEANING,
    IncidentView,
    Kind,
    Outcome,
    PersonalData,
    Reach,
    Severity,
    Status,
)

Options = list[tuple[str, str]]  # (value, label), in the order a form shows them

KIND_LABEL: dict[Kind, str] = {
    Kind.INCIDENT: "Incident",
    Kind.NEAR_MISS: "Near miss",
    Kind.SUSPECTED: "Suspected",
}
STATUS_LABEL: dict[Status, str] = {
    Status.REPORTED: "Reported",
    Status.TRIAGING: "Triaging",
    Status.CONTAINED: "Contained",
    Status.REMEDIATING: "Remediating",
    Status.CLOSED: "Closed",
}

REACH_OPTIONS: Options = [
    (Reach.REACHED_CLIENT.value, "It reached a client (or someone outside the firm)"),
    (Reach.CAUGHT.value, "It was caught before it reached anyone (near miss)"),
]
PERSONAL_DATA_OPTIONS: Options = [
    (PersonalData.YES.value, "Yes"),
    (PersonalData.NO.value, "No"),
    (PersonalData.UNSURE.value, "Unsure"),
]
OUTCOME_OPTIONS: Options = [(o.value, OUTCOME_LABELS[o]) for o in Outcome]
SEVERITY_OPTIONS: Options = [(s.value, f"{s.value}: {SEVERITY_MEANING[s]}") for s in Severity]


def severity_label(view: IncidentView) -> str:
    return view.severity.value if view.severity else "not set"


def reach_label(view: IncidentView) -> str:
    """Screening cannot know whether a suspected message reached anyone: triage says."""
    if view.kind == Kind.SUSPECTED:
        return "not yet known"
    return "yes" if view.reach == Reach.REACHED_CLIENT else "no, caught"


def outcome_label(view: IncidentView) -> str:
    return OUTCOME_LABELS[view.outcome] if view.outcome else "closed"


def closing_facts(view: IncidentView) -> list[tuple[str, str]]:
    """How a closed incident ended, in order; empty while it is open."""
    if view.status != Status.CLOSED:
        return []
    return [
        ("Outcome", outcome_label(view)),
        ("Rationale", view.rationale or "—"),
        ("Root cause", view.root_cause or "—"),
        ("Lessons", view.lessons or "—"),
    ]


def summary_facts(view: IncidentView, *, assignee: str, reporters: str) -> list[tuple[str, str]]:
    """The facts a card leads with, in order; each platform names the people its own way."""
    return [
        ("Kind", KIND_LABEL[view.kind]),
        ("Severity", severity_label(view)),
        ("Status", STATUS_LABEL[view.status]),
        ("Assignee", assignee),
        ("Reported by", reporters),
        ("Failure type", view.failure_type_label),
        ("Reached a client", reach_label(view)),
        ("Personal data", view.personal_data.value),
    ]


def card_summary(view: IncidentView) -> str:
    """The notification text that travels with a triage card."""
    return f"{view.key}: {KIND_LABEL[view.kind]} reported — {view.failure_type_label}"
