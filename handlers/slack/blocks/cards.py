"""The triage card and the text views of `/incident list` and `/incident show`."""

from __future__ import annotations

from typing import Any

from bot.containment.wording import (
    MISSING_RUNBOOK,
    containment_ask,
    containment_summary,
    runbook_facts,
    runbook_missing,
)
from bot.domain import IncidentView, Kind, Severity, Status
from bot.incidents.commands import OpenList
from bot.incidents.labels import (
    KIND_LABEL,
    SEVERITY_OPTIONS,
    card_summary,
    closing_facts,
    outcome_label,
    summary_facts,
)
from handlers.slack.blocks.elements import Block, button, context, header, option, section
from handlers.slack.blocks.obligations import decision_buttons, obligations_blocks
from handlers.slack.blocks.screening import screening_blocks, suspected_actions
from handlers.slack.blocks.text import mention, mrkdwn_of, slack_date
from handlers.slack.ids import ActionId, BlockId
from handlers.slack.metadata import CardRef


def summary_fields(view: IncidentView) -> list[dict[str, Any]]:
    reporters = ", ".join(mention(r) for r in view.reporters) or mention(view.reported_by)
    fields = summary_facts(view, assignee=mention(view.assignee), reporters=reporters)
    return [{"type": "mrkdwn", "text": f"*{k}*\n{v}"} for k, v in fields]


def evidence_lines(view: IncidentView) -> str | None:
    if view.excerpt is None and not view.permalink:
        return evidence_notes(view)
    parts = []
    if view.excerpt is not None:
        parts.append(f"> {view.excerpt or '(no text)'}")
    source = f"— {view.author or 'unknown author'}"
    if view.permalink:
        source += f" · <{view.permalink}|View message>"
    parts.append(source)
    notes = evidence_notes(view)
    return "\n".join([*parts, notes] if notes else parts)


def evidence_notes(view: IncidentView) -> str | None:
    """ ":warning: source edited after capture" and the like, and how many messages are kept."""
    parts = [f":warning: {note}" for note in view.evidence_notes]
    if view.evidence_count > 1:
        parts.append(f":paperclip: {view.evidence_count} messages kept as evidence")
    return " · ".join(parts) or None


def severity_select(view: IncidentView) -> dict[str, Any]:
    options = [option(value, label) for value, label in SEVERITY_OPTIONS]
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": ActionId.SEVERITY,
        "placeholder": {"type": "plain_text", "text": "Severity"},
        "options": options,
    }
    if view.severity:
        element["initial_option"] = options[list(Severity).index(view.severity)]
    return element


def runbook_blocks(view: IncidentView) -> list[Block]:
    """The AI tool's runbook entry: who switches it off, where logs are, when it is safe."""
    if not view.runbook:
        if runbook_missing(view):
            return [context(f":warning: {mrkdwn_of(MISSING_RUNBOOK)}")]
        return []
    book = view.runbook
    owners = ", ".join(mention(f"slack:{o}") for o in book.get("owners", [])) or "_none listed_"
    lines = [f"*Runbook: {book['name']}*", f"Can switch it off: {owners}"]
    lines += [f"{label}: {value}" for label, value in runbook_facts(book)]
    return [section("\n".join(lines))]


def triage_card(view: IncidentView) -> list[Block]:
    """The card every admin gets; rebuilt from the stored incident on each update."""
    blocks: list[Block] = [
        header(f"{view.key} · {KIND_LABEL[view.kind]}"),
        {"type": "section", "fields": summary_fields(view)},
        section(f"*What went wrong*\n{view.description[:1500]}"),
    ]
    evidence = evidence_lines(view)
    if evidence:
        blocks.append(section(evidence))
    blocks += screening_blocks(view)
    blocks += runbook_blocks(view)
    blocks += obligations_blocks(view)
    if view.status == Status.CLOSED:
        blocks.append(section(f"*Closed: {outcome_label(view)}*\n{view.rationale or ''}"))
    elif view.kind == Kind.SUSPECTED:
        blocks.append(suspected_actions(view))
    else:
        blocks += [
            decision_buttons(o.id) for o in view.obligations if o.open and not o.informational
        ][:10]
        ref = CardRef(incident_id=view.id).model_dump_json()
        blocks.append(
            {
                "type": "actions",
                "block_id": f"{BlockId.TRIAGE_ACTIONS}:{view.id}",
                "elements": [
                    button(ActionId.ASSIGN_ME, "Assign to me", ref, "primary"),
                    severity_select(view),
                    button(ActionId.CLASSIFY, "Classify…", ref),
                    *([] if view.contained_at else [button(ActionId.CONTAINED, "Contained", ref)]),
                    *(
                        []
                        if view.kind == Kind.NEAR_MISS
                        else [button(ActionId.NEAR_MISS, "Near miss", ref)]
                    ),
                    button(ActionId.FALSE_POSITIVE, "False positive", ref),
                    button(ActionId.CLOSE, "Close…", ref, "danger"),
                ],
            }
        )
    blocks.append(context(f"Reported {slack_date(view.created_at)}"))
    return blocks


def containment_message(view: IncidentView) -> tuple[str, list[Block]]:
    """Asks a kill-switch owner to switch the AI tool off, with the runbook and a button."""
    ref = CardRef(incident_id=view.id).model_dump_json()
    blocks: list[Block] = [
        section(f":rotating_light: {mrkdwn_of(containment_ask(view))}"),
        section(f"*What went wrong*\n{view.description[:1000]}"),
        *runbook_blocks(view),
        {
            "type": "actions",
            "block_id": f"{BlockId.TRIAGE_ACTIONS}:{view.id}",
            "elements": [button(ActionId.CONTAINED, "Contained", ref, "primary")],
        },
    ]
    return containment_summary(view), blocks


def card_text(view: IncidentView) -> str:
    """Notification fallback text for the card."""
    return card_summary(view)


def list_text(answer: OpenList) -> str:
    lines = [mrkdwn_of(answer.title)]
    lines += [f"• {mrkdwn_of(line)}" for line in answer.lines()]
    return "\n".join(lines)


def show_blocks(view: IncidentView) -> list[Block]:
    blocks: list[Block] = [
        header(f"{view.key} · {KIND_LABEL[view.kind]}"),
        {"type": "section", "fields": summary_fields(view)},
        section(f"*What went wrong*\n{view.description[:1500]}"),
    ]
    evidence = evidence_lines(view)
    if evidence:
        blocks.append(section(evidence))
    blocks += screening_blocks(view)
    blocks += runbook_blocks(view)
    blocks += obligations_blocks(view)
    if closing := closing_facts(view):
        blocks.append(section("\n".join(f"*{name}:* {value}" for name, value in closing)))
    return blocks


HELP_TEXT = (
    "*AI Incident Desk* — `/incident` commands:\n"
    "• `/incident report [what went wrong]` — report an AI incident (opens a form)\n"
    "• `/incident list` — open incidents (admins see all, others their own reports)\n"
    "• `/incident show INC-0001` — one incident (admins and its reporters)\n"
    "• `/incident show INC-0001 --timeline` — its audit events (admins)\n"
    "• `/incident export INC-0001 [bundle|html|md|json]` — DMs you the report (admins)\n"
    "• `/incident stats [30d|90d|all]` — weak points: failure types, tools, channels, timings "
    "(admins)\n"
    "• `/incident stats rules` — each screening rule's hits and precision (admins)\n"
    "• `/incident help` — this help\n"
    "To report a specific AI reply, use ⋮ *More actions → Report as AI incident* on the message; "
    "*Add to incident…* attaches another message to an incident you reported."
)
