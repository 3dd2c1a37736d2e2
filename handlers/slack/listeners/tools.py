"""AI tools: `/incident tools`, `/incident reenable <tool>` and its sign-off modal."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.containment.reenable import Tick, criterion_field
from bot.containment.tool_state import ToolState
from bot.errors import DeskError, InvalidInput
from handlers.slack.api_errors import error_code
from handlers.slack.blocks.elements import plain, section
from handlers.slack.blocks.text import mrkdwn_of
from handlers.slack.blocks.tools import DONE, reenable_modal
from handlers.slack.deps import actor_from, deps
from handlers.slack.ids import CallbackId
from handlers.slack.listeners.clocks import inline_errors

log = logging.getLogger(__name__)


async def reenable_command(
    client: AsyncWebClient,
    context: AsyncBoltContext,
    body: dict[str, Any],
    tool_ref: str,
    respond: AsyncRespond,
) -> None:
    """Open the sign-off modal for an approver; anyone else is told why not, before typing."""
    if not tool_ref:
        await respond(response_type="ephemeral", text="Usage: `/incident reenable <tool id>`")
        return
    try:
        tool, signoff = await deps(context).tools.checklist(actor_from(body), tool_ref)
    except DeskError as exc:
        await respond(response_type="ephemeral", text=exc.message)
        return
    try:
        await client.views_open(trigger_id=body["trigger_id"], view=reenable_modal(tool, signoff))
    except SlackApiError as exc:
        log.warning("views.open failed: %s", error_code(exc))
        await respond(
            response_type="ephemeral",
            text="Slack did not open the form; run the command again.",
        )


def ticks_from(values: dict[str, Any], count: int) -> dict[int, Tick]:
    """Each item's tick and note from the modal's state values."""
    ticks: dict[int, Tick] = {}
    for i in range(count):
        field = criterion_field(i)
        picked = (values.get(f"{field}_tick") or {}).get("tick") or {}
        done = any(o.get("value") == DONE for o in picked.get("selected_options") or [])
        text = ((values.get(field) or {}).get("note") or {}).get("value") or ""
        ticks[i] = Tick(done=done, note=text)
    return ticks


async def submit_reenable(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    core = deps(context)
    values = view.get("state", {}).get("values", {})
    tool_ref = str(view.get("private_metadata") or "")
    try:
        tool = core.tools.tool(tool_ref)
        count = len(tool.reenable.criteria) if tool.reenable else 0
        status = await core.tools.sign_off(
            actor=actor_from(body), tool_ref=tool_ref, ticks=ticks_from(values, count)
        )
    except InvalidInput as exc:
        errors = {}
        for field, problem in exc.fields.items():
            errors[f"{field}_tick" if "Tick" in problem else field] = problem
        await ack(response_action="errors", errors=inline_errors(view, errors))
        return
    except DeskError as exc:
        await ack(response_action="errors", errors=inline_errors(view, {"": exc.message}))
        return
    done = status.state == ToolState.IN_SERVICE
    await ack(
        response_action="update",
        view={
            "type": "modal",
            "title": plain("Re-enable AI tool"),
            "close": plain("Done"),
            "blocks": [
                section(
                    (
                        ":white_check_mark: Signed off and re-enabled; its owners are told.\n"
                        if done
                        else ":hourglass_flowing_sand: Your sign-off is recorded; a second, "
                        "different approver must sign off before the tool is re-enabled.\n"
                    )
                    + mrkdwn_of(status.line)
                )
            ],
        },
    )


def register(app: AsyncApp) -> None:
    app.view(CallbackId.REENABLE_MODAL.value)(submit_reenable)
