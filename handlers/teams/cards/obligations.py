"""Containment, runbook and regulatory clocks on Teams cards; the nudge and the containment page.

Deadlines are written with `{{DATE()}}`/`{{TIME()}}` so Teams shows them in each reader's zone;
"time left" is computed when the card is built, like on Slack. The words are the core's
(bot/clocks/wording.py, bot/containment/wording.py); the icons and colours are Teams'."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.clocks.decisions import ObligationStatus, button_title, decisions_for
from bot.clocks.wording import (
    NO_OBLIGATIONS,
    NOT_CLASSIFIED,
    LineState,
    awaits_classification,
    clocks_heading,
    decided_note,
    line_note,
    line_state,
    nudge_note,
    nudge_overdue,
    nudge_stage_note,
    row_label,
)
from bot.clocks.wording import nudge_summary as nudge_summary  # the nudge's notification text
from bot.containment.wording import (
    MISSING_RUNBOOK,
    contained_note,
    containment_ask,
    runbook_facts,
    runbook_missing,
)
from bot.containment.wording import containment_summary as containment_summary  # the page's
from bot.domain import IncidentView, ObligationLine
from bot.notes import note, strong
from handlers.teams.cards.elements import (
    Element,
    Markdown,
    action_set,
    card,
    execute,
    facts,
    markdown_of,
    md,
    text,
)
from handlers.teams.cards.tools import contain_picker
from handlers.teams.ids import Origin, Verb

# Each decision's button: its verb and style.
DECISION_VERBS: dict[ObligationStatus, tuple[Verb, str | None]] = {
    ObligationStatus.NOTIFIED: (Verb.NOTIFIED, "positive"),
    ObligationStatus.NOT_REQUIRED: (Verb.NOT_REQUIRED, None),
    ObligationStatus.LATE: (Verb.NOTIFIED_LATE, "destructive"),
}
DECISION_OF_VERB = {verb: decision.value for decision, (verb, _) in DECISION_VERBS.items()}
# (icon, colour, subtle) of each stage's line.
LINE_LOOKS: dict[LineState, tuple[str, str | None, bool]] = {
    LineState.DECIDED: ("✅", "Good", False),
    LineState.INFORMATIONAL: ("ℹ️", None, True),
    LineState.OVERDUE: ("🔴", "Attention", False),
    LineState.DUE: ("⏳", None, False),
}
MAX_DECISION_ROWS = 10  # keeps the card well under Teams' 28 KB limit


def obligation_line(line: ObligationLine, now: datetime) -> Element:
    """One stage: decided, informational, OVERDUE, or due with the time left."""
    icon, color, subtle = LINE_LOOKS[line_state(line, now)]
    return text(md("{} {}", icon, markdown_of(line_note(line, now))), color=color, subtle=subtle)


def decision_actions(line: ObligationLine, origin: Origin) -> Element:
    """The stage's decision buttons; a record-only stage offers only Not required…."""
    data = {"obligation_id": line.id, "origin": origin.value}
    return action_set(
        [
            execute(DECISION_VERBS[d][0], button_title(d), data, style=DECISION_VERBS[d][1])
            for d in decisions_for(record_only=line.record_only)
        ]
    )


def containment_line(view: IncidentView) -> Element | None:
    contained = contained_note(view)
    return None if contained is None else text(md("🔒 {}", markdown_of(contained)))


def runbook_body(view: IncidentView) -> list[Element]:
    """The AI tool's runbook entry: who switches it off, where logs are, when it is safe."""
    book = view.runbook
    if not book:
        if runbook_missing(view):
            return [text(md("⚠️ {}", markdown_of(MISSING_RUNBOOK)), color="Warning")]
        return []
    owners = ", ".join(book.get("owners") or []) or "none listed"
    pairs = [("Can switch it off", owners), *runbook_facts(book)]
    if view.tool_state is not None:
        pairs.append(("State", markdown_of(view.tool_state)))
    return [text(md("**Runbook: {}**", str(book["name"]))), facts(pairs)]


def clocks_body(
    view: IncidentView, *, with_actions: bool, now: datetime | None = None
) -> list[Element]:
    """Containment, then each obligation stage; open binding ones get the decision buttons."""
    now = now or datetime.now(UTC)
    body: list[Element] = []
    contained = containment_line(view)
    if contained is not None:
        body.append(contained)
    if view.classified_at is None:
        if awaits_classification(view):
            body.append(text(markdown_of(NOT_CLASSIFIED), subtle=True))
        return body
    if not view.obligations:
        body.append(text(markdown_of(NO_OBLIGATIONS), subtle=True))
        return body
    body.append(text(markdown_of(clocks_heading(view))))
    rows = 0
    for line in view.obligations:
        body.append(obligation_line(line, now))
        if with_actions and line.open and not line.informational and rows < MAX_DECISION_ROWS:
            body.append(text(markdown_of(row_label(line)), subtle=True))
            body.append(decision_actions(line, Origin.TRIAGE))
            rows += 1
    return body


def nudge_card(view: IncidentView, line: ObligationLine, now: datetime | None = None) -> Element:
    """The reminder: incident, regime, deadline, time left, and the three decision buttons."""
    now = now or datetime.now(UTC)
    marker = "🔴" if nudge_overdue(line, now) else "⏰"
    body = [
        text(md("{} {}", marker, markdown_of(nudge_note(view, line, now)))),
        text(markdown_of(nudge_stage_note(line))),
        text(f"{view.key}: {view.description[:200]}", subtle=True),
    ]
    if not line.open:
        decided = note(strong(line.name), " for ", strong(view.key), ": ", decided_note(line), ".")
        body[0] = text(md("✅ {}", markdown_of(decided)))
        return card(body)
    if view.closed_at is not None:
        return card(body)
    return card(body, decision_actions(line, Origin.NUDGE)["actions"])


def containment_card(view: IncidentView) -> Element:
    """Asks a kill-switch owner to switch the AI tool off, with the runbook and a button."""
    body: list[Element] = [
        text(md("🚨 {}", markdown_of(containment_ask(view)))),
        text(Markdown("**What went wrong**")),
        text(view.description[:1000]),
        *runbook_body(view),
    ]
    contained = containment_line(view)
    if contained is not None:
        return card([*body, contained])
    return card([*body, *contain_picker(view.id, Origin.PAGE)])
