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
from handlers.slack.blocks.elements import Block, button, context, fields, header, option, section
from handlers.slack.blocks.obligations import labelled_decision_buttons, obligations_blocks
from handlers.slack.blocks.screening import screening_blocks, suspected_actions
from handlers.slack.blocks.text import (
    Mrkdwn,
    captured,
    joined,
    link,
    md,
    mention,
    mrkdwn_of,
    slack_date,
)
from handlers.slack.blocks.tools import contain_select
from handlers.slack.ids import ActionId, BlockId
from handlers.slack.metadata import CardRef


def summary_fields(view: IncidentView) -> Block:
    reporters = joined(", ", (mention(r) for r in view.reporters)) or mention(view.reported_by)
    facts = summary_facts(view, assignee=mention(view.assignee), reporters=reporters)
    return fields([md("*{}*\n{}", k, v) for k, v in facts])


def evidence_lines(view: IncidentView) -> Mrkdwn | None:
    if view.excerpt is None and not view.permalink:
        return evidence_notes(view)
    parts = []
    if view.excerpt is not None:
        # Only the first line is quoted by "> "; the rest is escaped text under it.
        parts.append(md("> {}", captured(view.excerpt) if view.excerpt else "(no text)"))
    source = md("— {}", view.author or "unknown author")
    if view.permalink:
        source += md(" · {}", link("View message", view.permalink))
    parts.append(source)
    notes = evidence_notes(view)
    return joined("\n", [*parts, notes] if notes else parts)


def evidence_notes(view: IncidentView) -> Mrkdwn | None:
    """ ":warning: source edited after capture" and the like, and how many messages are kept."""
    parts = [md(":warning: {}", note) for note in view.evidence_notes]
    if view.evidence_count > 1:
        parts.append(md(":paperclip: {} messages kept as evidence", str(view.evidence_count)))
    return joined(" · ", parts) or None


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
            return [context(md(":warning: {}", mrkdwn_of(MISSING_RUNBOOK)))]
        return []
    book = view.runbook
    owners = joined(", ", (mention(f"slack:{o}") for o in book.get("owners", [])))
    lines = [
        md("*Runbook: {}*", str(book["name"])),
        md("Can switch it off: {}", owners or Mrkdwn("_none listed_")),
    ]
    lines += [md("{}: {}", label, value) for label, value in runbook_facts(book)]
    if view.tool_state is not None:
        lines.append(md("State: {}", mrkdwn_of(view.tool_state)))
    return [section(joined("\n", lines))]


def triage_card(view: IncidentView) -> list[Block]:
    """The card every admin gets; rebuilt from the stored incident on each update."""
    blocks: list[Block] = [
        header(f"{view.key} · {KIND_LABEL[view.kind]}"),
        summary_fields(view),
        section(md("*What went wrong*\n{}", view.description[:1500])),
    ]
    evidence = evidence_lines(view)
    if evidence:
        blocks.append(section(evidence))
    blocks += screening_blocks(view)
    blocks += runbook_blocks(view)
    blocks += obligations_blocks(view)
    if view.status == Status.CLOSED:
        blocks.append(section(md("*Closed: {}*\n{}", outcome_label(view), view.rationale or "")))
    elif view.kind == Kind.SUSPECTED:
        blocks.append(suspected_actions(view))
    else:
        open_lines = [o for o in view.obligations if o.open and not o.informational]
        for line in open_lines[:10]:
            blocks += labelled_decision_buttons(line)
        ref = CardRef(incident_id=view.id).model_dump_json()
        blocks.append(
            {
                "type": "actions",
                "block_id": f"{BlockId.TRIAGE_ACTIONS}:{view.id}",
                "elements": [
                    button(ActionId.ASSIGN_ME, "Assign to me", ref, "primary"),
                    severity_select(view),
                    button(ActionId.CLASSIFY, "Classify…", ref),
                    *([] if view.contained_at else [contain_select()]),
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
    blocks.append(context(md("Reported {}", slack_date(view.created_at))))
    return blocks


def containment_message(view: IncidentView) -> tuple[str, list[Block]]:
    """Asks a kill-switch owner to switch the AI tool off, with the runbook and how it was."""
    blocks: list[Block] = [
        section(md(":rotating_light: {}", mrkdwn_of(containment_ask(view)))),
        section(md("*What went wrong*\n{}", view.description[:1000])),
        *runbook_blocks(view),
        {
            "type": "actions",
            "block_id": f"{BlockId.TRIAGE_ACTIONS}:{view.id}",
            "elements": [contain_select()],
        },
    ]
    return containment_summary(view), blocks


def card_text(view: IncidentView) -> str:
    """Notification fallback text for the card."""
    return card_summary(view)


def list_text(answer: OpenList) -> Mrkdwn:
    lines = [mrkdwn_of(answer.title)]
    lines += [md("• {}", mrkdwn_of(line)) for line in answer.lines()]
    return joined("\n", lines)


def show_blocks(view: IncidentView) -> list[Block]:
    blocks: list[Block] = [
        header(f"{view.key} · {KIND_LABEL[view.kind]}"),
        summary_fields(view),
        section(md("*What went wrong*\n{}", view.description[:1500])),
    ]
    evidence = evidence_lines(view)
    if evidence:
        blocks.append(section(evidence))
    blocks += screening_blocks(view)
    blocks += runbook_blocks(view)
    blocks += obligations_blocks(view)
    if closing := closing_facts(view):
        lines = (md("*{}:* {}", name, value) for name, value in closing)
        blocks.append(section(joined("\n", lines)))
    return blocks


HELP_TEXT = Mrkdwn(
    "*AI Incident Desk* — `/incident` commands:\n"
    "• `/incident report [what went wrong]` — report an AI incident (opens a form)\n"
    "• `/incident list` — open incidents (admins see all, others their own reports)\n"
    "• `/incident show INC-0001` — one incident (admins and its reporters)\n"
    "• `/incident show INC-0001 --timeline` — its audit events (admins)\n"
    "• `/incident export INC-0001 [bundle|html|md|json]` — DMs you the report (admins)\n"
    "• `/incident stats [30d|90d|all]` — weak points: failure types, tools, channels, timings "
    "(admins)\n"
    "• `/incident stats rules` — each screening rule's hits and precision (admins)\n"
    "• `/incident tools` — each AI tool: in service, contained (and how) or re-enabled\n"
    "• `/incident reenable <tool>` — sign a contained tool back on against its runbook "
    "checklist (its approvers)\n"
    "• `/incident help` — this help\n"
    "To report a specific AI reply, use ⋮ *More actions → Report as AI incident* on the message; "
    "*Add to incident…* attaches another message to an incident you reported."
)
