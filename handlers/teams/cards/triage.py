"""The admin triage card: rebuilt from the stored incident every time it is shown or updated."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.domain import IncidentView, Kind, Status
from bot.incidents.labels import KIND_LABEL, SEVERITY_OPTIONS, outcome_label, summary_facts
from bot.incidents.labels import card_summary as card_summary  # the card's notification text
from handlers.teams.cards.elements import (
    Element,
    Markdown,
    action_set,
    card,
    choice_input,
    execute,
    facts,
    heading,
    local_time,
    md,
    open_url,
    text,
    who,
)
from handlers.teams.cards.obligations import clocks_body, runbook_body
from handlers.teams.cards.screening import screening_body, suspected_actions
from handlers.teams.cards.tools import contain_picker
from handlers.teams.ids import InputId, Origin, Verb


@dataclass(frozen=True)
class TriageButton:
    verb: Verb
    title: str
    style: str | None = None
    shown: Callable[[IncidentView], bool] | None = None  # None: always


def not_near_miss(view: IncidentView) -> bool:
    return view.kind != Kind.NEAR_MISS


# The card's buttons, in order (Teams shows at most six in a row). A new triage step is one line
# here plus its handler in handlers/teams/card_actions.py.
TRIAGE_BUTTONS: tuple[TriageButton, ...] = (
    TriageButton(Verb.ASSIGN_ME, "Assign to me", "positive"),
    TriageButton(Verb.CLASSIFY, "Classify…"),
    TriageButton(Verb.NEAR_MISS, "Near miss", shown=not_near_miss),
    TriageButton(Verb.FALSE_POSITIVE, "False positive"),
    TriageButton(Verb.CLOSE, "Close…", "destructive"),
)


def summary(view: IncidentView) -> Element:
    reporters = who(view.reported_by, view.reported_by_name)
    if len(view.reporters) > 1:
        reporters += f" and {len(view.reporters) - 1} more"
    assignee = who(view.assignee, view.assignee_name)
    return facts(summary_facts(view, assignee=assignee, reporters=reporters))


def incident_body(view: IncidentView) -> list[Element]:
    """What every card about an incident shows: summary, description and the flagged message."""
    body = [
        heading(f"{view.key} · {KIND_LABEL[view.kind]}"),
        summary(view),
        text(Markdown("**What went wrong**")),
        text(view.description[:1500]),
    ]
    if view.excerpt is not None:
        body.append(text(f"“{view.excerpt or '(no text)'}” — {view.author or 'unknown author'}"))
    notes = evidence_notes(view)
    if notes:
        body.append(text(notes, size="Small", color="Warning"))
    if view.permalink:
        # In the body, not the card's actions: those are the six triage buttons.
        body.append(action_set([open_url("View message", view.permalink)]))
    return body + screening_body(view)


def evidence_notes(view: IncidentView) -> str | None:
    """ "⚠ source edited after capture" and the like, and how many messages are kept."""
    parts = [f"⚠ {note}" for note in view.evidence_notes]
    if view.evidence_count > 1:
        parts.append(f"{view.evidence_count} messages kept as evidence")
    return " · ".join(parts) or None


def severity_picker(view: IncidentView) -> list[Element]:
    picker = choice_input(
        InputId.SEVERITY,
        "Severity",
        SEVERITY_OPTIONS,
        value=view.severity.value if view.severity else None,
        required=False,
    )
    ref = {"incident_id": view.id}
    return [picker, action_set([execute(Verb.SEVERITY, "Set severity", ref, with_inputs=True)])]


def triage_card(view: IncidentView) -> Element:
    """The card every admin gets; closed incidents show their outcome instead of buttons."""
    body = incident_body(view) + runbook_body(view)
    closed = view.status == Status.CLOSED
    body += clocks_body(view, with_actions=not closed)
    actions: list[Element] = []
    if closed:
        body.append(text(md("**Closed: {}**", outcome_label(view))))
        body.append(text(view.rationale or ""))
    elif view.kind == Kind.SUSPECTED:
        actions = suspected_actions(view)
    else:
        body += severity_picker(view)
        if view.contained_at is None:
            body += contain_picker(view.id, Origin.TRIAGE)
        ref = {"incident_id": view.id}
        actions = [
            execute(b.verb, b.title, ref, style=b.style)
            for b in TRIAGE_BUTTONS
            if b.shown is None or b.shown(view)
        ]
    body.append(text(md("Reported {}", local_time(view.created_at)), size="Small", subtle=True))
    return card(body, actions)
