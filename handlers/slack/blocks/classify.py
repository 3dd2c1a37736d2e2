"""The classification form (which clocks start) and the decision forms (which stop them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.clocks.classification import classify_prefill, classify_questions
from bot.clocks.decisions import DECISION_TITLES, ObligationStatus, decision_questions
from bot.clocks.wording import nudge_stage_note
from bot.domain import IncidentView, ObligationLine
from bot.settings import DeskConfig
from handlers.slack.blocks.elements import (
    Block,
    modal,
    section,
)
from handlers.slack.blocks.questions import question_blocks
from handlers.slack.blocks.text import Mrkdwn, md, mrkdwn_of, slack_date
from handlers.slack.ids import CallbackId


def loading_modal(callback_id: str, title: str) -> dict[str, Any]:
    """Opened at once (the trigger id expires in 3 s), then replaced by the real form."""
    return modal(callback_id, title, [section(":hourglass: Loading…")], submit=None)


def classify_modal(
    view: IncidentView, config: DeskConfig, *, private_metadata: str, previous: dict[str, Any]
) -> dict[str, Any]:
    """The core's classification questions (bot/clocks/classification.py), pre-filled."""
    blocks: list[Block] = [
        section(
            md(
                "Classify *{}*. The answers decide which regulatory clocks start; you can "
                "revise them later and the deadlines follow.",
                view.key,
            )
        ),
        *question_blocks(classify_questions(config), classify_prefill(view, config, previous)),
    ]
    return modal(
        CallbackId.CLASSIFY_MODAL,
        f"Classify {view.key}",
        blocks,
        submit="Save",
        private_metadata=private_metadata,
    )


def deadline_text(line: ObligationLine) -> Mrkdwn:
    if line.immediate:
        return mrkdwn_of(nudge_stage_note(line))
    return md("Deadline {}", slack_date(line.due_at))


def decision_modal(
    view: IncidentView,
    line: ObligationLine,
    decision: str,
    *,
    private_metadata: str,
    must_record: list[dict[str, str]],
    now: datetime,
) -> dict[str, Any]:
    """The core's questions for this decision (bot/clocks/decisions.py)."""
    blocks: list[Block] = [
        section(
            md(
                "*{}* — {} for *{}*\n{}",
                line.name,
                line.stage,
                view.key,
                deadline_text(line),
            )
        ),
        *question_blocks(
            decision_questions(decision, must_record, line.decision_form), {"notified_at": now}
        ),
    ]
    return modal(
        CallbackId.DECISION_MODAL,
        DECISION_TITLES[ObligationStatus(decision)],
        blocks,
        submit="Record",
        private_metadata=private_metadata,
    )
