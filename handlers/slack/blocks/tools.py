"""The AI tools' surfaces in Slack: the "Contained…" choice, `/incident tools`, the re-enable
sign-off modal. The wording is the core's (bot/containment/tool_state.py)."""

from __future__ import annotations

from typing import Any

from bot.containment.reenable import criterion_field
from bot.containment.tool_state import MODE_OPTIONS, ToolStatus
from bot.settings import ReenableSignOff, RunbookTool
from handlers.slack.blocks.elements import Block, context, option, plain, section
from handlers.slack.blocks.text import mrkdwn_of
from handlers.slack.ids import ActionId, CallbackId

DONE = "done"


def contain_select() -> dict[str, Any]:
    """One pick records containment and how (its block id names the incident)."""
    return {
        "type": "static_select",
        "action_id": ActionId.CONTAINED,
        "placeholder": plain("Contained…"),
        "options": [option(value, label) for value, label in MODE_OPTIONS],
    }


def tools_text(statuses: list[ToolStatus]) -> str:
    if not statuses:
        return "No AI tools are in the runbook yet: add them under `runbook:` in the config."
    return "*AI tools*\n" + "\n".join(f"• {mrkdwn_of(s.line)}" for s in statuses)


def tools_blocks(statuses: list[ToolStatus]) -> list[Block]:
    return [section(tools_text(statuses))]


def reenable_modal(tool: RunbookTool, signoff: ReenableSignOff) -> dict[str, Any]:
    """Every "safe enough" item as a tick and a note or link; submitted as one sign-off."""
    blocks: list[Block] = [
        section(
            f"Re-enable *{tool.name}* only when every item below is true. Tick each one and say "
            "how it was checked (a note or a link)."
            + (" Two different approvers must each sign off." if signoff.two_approvers else "")
        )
    ]
    for i, criterion in enumerate(signoff.criteria):
        field = criterion_field(i)
        blocks.append(
            {
                "type": "input",
                "block_id": f"{field}_tick",
                "label": plain(criterion[:2000]),
                "optional": True,
                "element": {
                    "type": "checkboxes",
                    "action_id": "tick",
                    "options": [option(DONE, "Done")],
                },
            }
        )
        blocks.append(
            {
                "type": "input",
                "block_id": field,
                "label": plain("How it was checked"),
                "optional": True,
                "element": {
                    "type": "plain_text_input",
                    "action_id": "note",
                    "max_length": 1000,
                    "placeholder": plain("A note, or a link to the eval run, ticket or log"),
                },
            }
        )
    blocks.append(context("The sign-off is recorded in the audit log with your notes."))
    return {
        "type": "modal",
        "callback_id": CallbackId.REENABLE_MODAL,
        "private_metadata": tool.id,
        "title": plain("Re-enable AI tool"),
        "submit": plain("Sign off"),
        "close": plain("Cancel"),
        "blocks": blocks,
    }
