"""The classification form (which clocks start) and the decision forms (which stop them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.clocks.classification import FLAG_OPTIONS, RISK_OPTIONS, SERIOUS_OPTIONS, scope_options
from bot.domain import IncidentView, ObligationLine
from bot.settings import DeskConfig
from handlers.slack.blocks.elements import (
    Block,
    context,
    modal,
    option,
    plain,
    radio_input,
    section,
    static_select_input,
    text_input,
)
from handlers.slack.blocks.modals import PERSONAL_DATA_OPTIONS
from handlers.slack.blocks.text import slack_date
from handlers.slack.ids import BlockId, CallbackId


def checkboxes(
    block_id: str, label: str, options: list[tuple[str, str]], selected: set[str]
) -> Block:
    element: dict[str, Any] = {
        "type": "checkboxes",
        "action_id": block_id,
        "options": [option(v, lbl) for v, lbl in options],
    }
    chosen = [option(v, lbl) for v, lbl in options if v in selected]
    if chosen:
        element["initial_options"] = chosen
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": element,
        "optional": True,
    }


def datetime_input(block_id: str, label: str, initial: datetime, hint: str) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "hint": plain(hint),
        "element": {
            "type": "datetimepicker",
            "action_id": block_id,
            "initial_date_time": int(initial.timestamp()),
        },
    }


def loading_modal(callback_id: str, title: str) -> dict[str, Any]:
    """Opened at once (the trigger id expires in 3 s), then replaced by the real form."""
    return modal(callback_id, title, [section(":hourglass: Loading…")], submit=None)


def classify_modal(
    view: IncidentView, config: DeskConfig, *, private_metadata: str, previous: dict[str, Any]
) -> dict[str, Any]:
    flags = {name for name, _ in FLAG_OPTIONS if previous.get(name)}
    blocks: list[Block] = [
        section(
            f"Classify *{view.key}*. The answers decide which regulatory clocks start; you can "
            "revise them later and the deadlines follow."
        ),
        datetime_input(
            BlockId.AWARE_AT,
            "When did the firm become aware?",
            view.aware_at or view.created_at,
            "The clocks (e.g. ICO 72 h) start here. Defaults to the report time.",
        ),
        radio_input(
            BlockId.PERSONAL_DATA,
            "Was personal data involved?",
            PERSONAL_DATA_OPTIONS,
            initial=previous.get("personal_data") or view.personal_data.value,
        ),
        {
            **radio_input(
                BlockId.RISK,
                "Risk to individuals' rights and freedoms",
                RISK_OPTIONS,
                initial=previous.get("risk_to_individuals"),
            ),
            "optional": True,
        },
        checkboxes(BlockId.FLAGS, "What happened (tick all that apply)", FLAG_OPTIONS, flags),
        static_select_input(
            BlockId.SERIOUS,
            "EU AI Act serious-incident condition",
            SERIOUS_OPTIONS,
            initial=previous.get("serious_incident_condition") or "none",
        ),
    ]
    scope = scope_options(config)
    if scope:
        chosen = {k for k, _ in scope if previous.get(k)}
        blocks.append(checkboxes(BlockId.SCOPE, "NIS2 / DORA", scope, chosen))
    blocks.append(
        static_select_input(
            BlockId.FAILURE_TYPE,
            "Failure type",
            [(t.id, t.label) for t in config.failure_types],
            initial=view.failure_type,
        )
    )
    point = static_select_input(
        BlockId.FAILURE_POINT,
        "Failure point",
        [(p.id, p.label) for p in config.failure_points],
        initial=view.failure_point,
    )
    blocks.append({**point, "optional": True})
    if config.runbook:
        tool = static_select_input(
            BlockId.AI_TOOL,
            "AI tool",
            [(t.id, t.name) for t in config.runbook],
            initial=view.ai_tool if config.tool(view.ai_tool) else None,
        )
        blocks.append({**tool, "optional": True})
    return modal(
        CallbackId.CLASSIFY_MODAL,
        f"Classify {view.key}",
        blocks,
        submit="Save",
        private_metadata=private_metadata,
    )


def decision_modal(
    view: IncidentView,
    line: ObligationLine,
    decision: str,
    *,
    private_metadata: str,
    must_record: list[dict[str, str]],
    now: datetime,
) -> dict[str, Any]:
    titles = {"notified": "Notified", "not_required": "Not required", "late": "Notified late"}
    blocks: list[Block] = [
        section(
            f"*{line.name}* — {line.stage} for *{view.key}*\nDeadline {slack_date(line.due_at)}"
        ),
    ]
    if decision in ("notified", "late"):
        blocks.append(
            text_input(BlockId.REFERENCE, "Authority's reference", multiline=False, max_length=200)
        )
        blocks.append(
            datetime_input(
                BlockId.NOTIFIED_AT,
                "When was it notified?",
                now,
                "The time the notification was made.",
            )
        )
        for field in must_record:
            blocks.append(
                text_input(
                    f"{BlockId.DETAIL_PREFIX}{field['id']}", field["label"][:150], optional=True
                )
            )
        if must_record:
            blocks.append(context("Information may follow in phases (Art. 33(4))."))
    if decision == "late":
        blocks.append(
            text_input(
                BlockId.REASONS,
                "Reasons for the delay",
                placeholder="Required: Art. 33(1) asks for the reasons",
            )
        )
    if decision == "not_required":
        blocks.append(
            text_input(
                BlockId.RATIONALE,
                "Why no notification is needed",
                placeholder="Required: every breach is documented (Art. 33(5))",
            )
        )
    return modal(
        CallbackId.DECISION_MODAL,
        titles[decision],
        blocks,
        submit="Record",
        private_metadata=private_metadata,
    )
