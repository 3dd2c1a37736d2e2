"""The report and close modals."""

from __future__ import annotations

from typing import Any

from bot.domain import Outcome
from bot.incidents.forms import close_questions, report_questions
from bot.settings import DeskConfig
from handlers.slack.blocks.elements import context, modal, plain_section, section
from handlers.slack.blocks.evidence import quoted
from handlers.slack.blocks.questions import question_blocks
from handlers.slack.ids import CallbackId


def report_modal(
    config: DeskConfig,
    *,
    private_metadata: str,
    excerpt: str | None = None,
    author: str | None = None,
    initial_text: str | None = None,
) -> dict[str, Any]:
    """The form a reporter fills in; shows the flagged message when there is one."""
    blocks: list[dict[str, Any]] = []
    if excerpt is not None:
        blocks.append(quoted(excerpt, author))
        blocks.append(context("A copy of this message and its thread is kept as evidence."))
    blocks += question_blocks(report_questions(config), {"description": initial_text})
    return modal(
        CallbackId.REPORT_MODAL,
        "Report AI incident",
        blocks,
        submit="Report",
        private_metadata=private_metadata,
    )


def reported_modal(text: str) -> dict[str, Any]:
    """Replaces the form after a successful submit."""
    return modal(
        CallbackId.REPORT_MODAL, "Report AI incident", [section(text)], submit=None, close="Done"
    )


def saving_modal() -> dict[str, Any]:
    """Shown when the save takes longer than Slack waits; replaced by the answer when done."""
    return modal(
        CallbackId.REPORT_MODAL,
        "Report AI incident",
        [
            section(
                ":hourglass_flowing_sand: Saving your report… This can take a few seconds. "
                "You will get a message with the incident key as soon as it is recorded; you "
                "can close this window."
            )
        ],
        submit=None,
        close="Close",
    )


def not_saved_modal(description: str) -> dict[str, Any]:
    """The save failed after "saving…" was shown: say so, and give the text back to copy."""
    return modal(
        CallbackId.REPORT_MODAL,
        "Report AI incident",
        [
            section(
                ":warning: Your report could not be saved: nothing was recorded. Please report "
                "it again in a minute; your text is below to copy. If it keeps failing, tell "
                "your AI Incident Desk administrator."
            ),
            plain_section(description),
        ],
        submit=None,
        close="Close",
    )


def close_modal(
    *, incident_key: str, private_metadata: str, outcome: Outcome | None = None
) -> dict[str, Any]:
    """The core's close questions (bot/incidents/forms.py), under one line naming the incident."""
    blocks = [
        section(f"Close *{incident_key}* with a recorded outcome."),
        *question_blocks(close_questions(outcome), {"outcome": outcome.value if outcome else None}),
    ]
    return modal(
        CallbackId.CLOSE_MODAL,
        f"Close {incident_key}",
        blocks,
        submit="Close incident",
        private_metadata=private_metadata,
    )
