"""Containment, runbook and regulatory clocks on Teams cards; the nudge and the containment page.

Deadlines are written with `{{DATE()}}`/`{{TIME()}}` so Teams shows them in each reader's zone;
"time left" is computed when the card is built, like on Slack."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.clocks.regimes import format_duration, format_time_left
from bot.domain import IncidentView, ObligationLine, Severity
from handlers.teams.cards.elements import (
    Element,
    action_set,
    card,
    execute,
    facts,
    local_time,
    text,
    who,
)
from handlers.teams.ids import Origin, Verb

DECIDED = {"notified": "notified", "not_required": "not required", "late": "notified late"}
# (verb, button title, style): the three ways to stop a clock, in the order Slack shows them.
DECISIONS: tuple[tuple[Verb, str, str | None], ...] = (
    (Verb.NOTIFIED, "Notified…", "positive"),
    (Verb.NOT_REQUIRED, "Not required…", None),
    (Verb.NOTIFIED_LATE, "Notified late…", "destructive"),
)
DECISION_OF_VERB = {
    Verb.NOTIFIED: "notified",
    Verb.NOT_REQUIRED: "not_required",
    Verb.NOTIFIED_LATE: "late",
}
MAX_DECISION_ROWS = 10  # keeps the card well under Teams' 28 KB limit
PAGED = frozenset({Severity.SEV1, Severity.SEV2})


def decided_text(line: ObligationLine) -> str:
    ref = f" (ref {line.reference})" if line.reference else ""
    by = f" by {who(line.decided_by)}" if line.decided_by else ""
    return f"{DECIDED.get(line.status, line.status)}{ref}{by}"


def obligation_line(line: ObligationLine, now: datetime) -> Element:
    """One stage: decided, informational, OVERDUE, or due with the time left."""
    title = f"**{line.name}** — {line.stage}"
    if not line.open:
        return text(f"✅ {title}: {decided_text(line)}", color="Good")
    if line.informational:
        return text(f"ℹ️ {title}: informational only, not yet in force on this date", subtle=True)
    when = "immediately" if line.immediate else f"due {local_time(line.due_at)}"
    left = line.due_at - now
    if left.total_seconds() < 0 and not line.immediate:
        return text(
            f"🔴 {title}: **OVERDUE** — was {when} ({format_time_left(left)})", color="Attention"
        )
    suffix = "" if line.immediate else f" ({format_time_left(left)} left)"
    return text(f"⏳ {title}: {when}{suffix}")


def decision_actions(obligation_id: int, origin: Origin) -> Element:
    data = {"obligation_id": obligation_id, "origin": origin.value}
    return action_set([execute(verb, title, data, style=style) for verb, title, style in DECISIONS])


def containment_line(view: IncidentView) -> Element | None:
    if view.contained_at is None:
        return None
    took = format_duration(view.contained_at - view.created_at)
    return text(f"🔒 Contained after {took} by {who(view.contained_by)}")


def runbook_body(view: IncidentView) -> list[Element]:
    """The AI tool's runbook entry: who switches it off, where logs are, when it is safe."""
    book = view.runbook
    if not book:
        if view.severity in PAGED and not view.contained_at:
            return [
                text(
                    "⚠️ No runbook entry for this AI tool: pick the tool in **Classify…** so "
                    "its owners are paged to switch it off.",
                    color="Warning",
                )
            ]
        return []
    owners = ", ".join(book.get("owners") or []) or "none listed"
    pairs = [("Can switch it off", owners)]
    for key, label in (
        ("logs", "Logs"),
        ("safe_to_reenable", "Safe to re-enable when"),
        ("reportable", "Reportable when"),
    ):
        if book.get(key):
            pairs.append((label, str(book[key])))
    return [text(f"**Runbook: {book['name']}**"), facts(pairs)]


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
        body.append(
            text("Not classified yet: **Classify…** decides which clocks start.", subtle=True)
        )
        return body
    if not view.obligations:
        body.append(text("Classified: no regulatory notification is triggered.", subtle=True))
        return body
    aware = local_time(view.aware_at or view.created_at)
    body.append(text(f"**Regulatory clocks** (from awareness {aware})"))
    rows = 0
    for line in view.obligations:
        body.append(obligation_line(line, now))
        if with_actions and line.open and not line.informational and rows < MAX_DECISION_ROWS:
            body.append(decision_actions(line.id, Origin.TRIAGE))
            rows += 1
    return body


def nudge_timing(line: ObligationLine, now: datetime) -> str:
    left = line.due_at - now
    if line.immediate:
        return "is due immediately and has no decision recorded"
    if left.total_seconds() <= 0:
        return f"deadline passed {format_time_left(left).removeprefix('overdue by ')} ago"
    return f"closes in {format_time_left(left)}"


def nudge_summary(view: IncidentView, line: ObligationLine, now: datetime) -> str:
    """The notification text that travels with the nudge card."""
    return f"{line.name} for {view.key} {nudge_timing(line, now)}"


def nudge_card(view: IncidentView, line: ObligationLine, now: datetime | None = None) -> Element:
    """The reminder: incident, regime, deadline, time left, and the three decision buttons."""
    now = now or datetime.now(UTC)
    overdue = (line.due_at - now).total_seconds() <= 0
    marker = "🔴 **OVERDUE**" if overdue and line.open else "⏰"
    body = [
        text(f"{marker} **{line.name}** for **{view.key}** {nudge_timing(line, now)}."),
        text(f"Stage: {line.stage} · deadline {local_time(line.due_at)}"),
        text(f"{view.key}: {view.description[:200]}", subtle=True),
    ]
    if not line.open:
        body[0] = text(f"✅ **{line.name}** for **{view.key}**: {decided_text(line)}.")
        return card(body)
    if view.closed_at is not None:
        return card(body)
    return card(body, decision_actions(line.id, Origin.NUDGE)["actions"])


def containment_summary(view: IncidentView) -> str:
    tool = (view.runbook or {}).get("name") or view.ai_tool or "the AI tool"
    severity = view.severity.value if view.severity else "high severity"
    return f"{view.key} is {severity}: please switch off {tool} now"


def containment_card(view: IncidentView) -> Element:
    """Asks a kill-switch owner to switch the AI tool off, with the runbook and a button."""
    tool = (view.runbook or {}).get("name") or view.ai_tool or "the AI tool"
    severity = view.severity.value if view.severity else "high severity"
    body: list[Element] = [
        text(
            f"🚨 **{view.key}** is **{severity}**. Containment comes first: please switch off "
            f"**{tool}** now, then press **Contained**."
        ),
        text("**What went wrong**"),
        text(view.description[:1000]),
        *runbook_body(view),
    ]
    contained = containment_line(view)
    if contained is not None:
        return card([*body, contained])
    data = {"incident_id": view.id, "origin": Origin.PAGE.value}
    return card(body, [execute(Verb.CONTAINED, "Contained", data, style="positive")])
