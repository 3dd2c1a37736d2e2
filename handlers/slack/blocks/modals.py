"""The report and close modals."""

from __future__ import annotations

from typing import Any

from bot.domain import OUTCOME_LABELS, Outcome, PersonalData, Reach
from bot.settings import DeskConfig
from handlers.slack.blocks.elements import (
    context,
    modal,
    radio_input,
    section,
    static_select_input,
    text_input,
)
from handlers.slack.ids import BlockId, CallbackId

REACH_OPTIONS = [
    (Reach.REACHED_CLIENT.value, "It reached a client (or someone outside the firm)"),
    (Reach.CAUGHT.value, "It was caught before it reached anyone (near miss)"),
]
PERSONAL_DATA_OPTIONS = [
    (PersonalData.YES.value, "Yes"),
    (PersonalData.NO.value, "No"),
    (PersonalData.UNSURE.value, "Unsure"),
]


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
        quoted = "\n".join(f"> {line}" for line in (excerpt or "(no text)").splitlines()[:8])
        blocks.append(section(f"*Message from {author or 'unknown author'}*\n{quoted}"))
        blocks.append(context("A copy of this message and its thread is kept as evidence."))
    blocks += [
        text_input(
            BlockId.DESCRIPTION,
            "What went wrong?",
            initial=initial_text,
            placeholder="e.g. The summary quotes revenue figures from another client's engagement",
        ),
        static_select_input(
            BlockId.FAILURE_TYPE,
            "Failure type",
            [(t.id, t.label) for t in config.failure_types],
        ),
        radio_input(BlockId.REACH, "Did it reach a client?", REACH_OPTIONS),
        radio_input(BlockId.PERSONAL_DATA, "Is personal data involved?", PERSONAL_DATA_OPTIONS),
    ]
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


def close_modal(
    *, incident_key: str, private_metadata: str, outcome: Outcome | None = None
) -> dict[str, Any]:
    """Closing always records an outcome, a rationale, the root cause and the lessons."""
    options = [(o.value, OUTCOME_LABELS[o]) for o in Outcome]
    fp = outcome == Outcome.FALSE_POSITIVE
    blocks = [
        section(f"Close *{incident_key}* with a recorded outcome."),
        radio_input(
            BlockId.OUTCOME,
            "Outcome",
            options,
            initial=outcome.value if outcome else None,
        ),
        text_input(
            BlockId.RATIONALE,
            "Rationale",
            placeholder="What was done, or why nothing was needed",
        ),
        text_input(BlockId.ROOT_CAUSE, "Root cause", optional=fp),
        text_input(BlockId.LESSONS, "Lessons learned", optional=fp),
        text_input(
            BlockId.CORRECTION,
            "What should the AI have said or done?",
            optional=True,
            placeholder="The correct answer; it becomes a regression eval case",
        ),
    ]
    return modal(
        CallbackId.CLOSE_MODAL,
        f"Close {incident_key}",
        blocks,
        submit="Close incident",
        private_metadata=private_metadata,
    )
