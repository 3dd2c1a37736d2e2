"""The re-enable sign-off form's submit on Teams; the core checks the approver, every item, and
that no SEV1 of the tool is open, and audits the sign-off."""

from __future__ import annotations

from typing import Any

from bot.containment.reenable import Tick, criterion_field
from bot.containment.tool_state import ToolState
from bot.core import Core
from bot.domain import Actor
from bot.errors import DeskError, InvalidInput
from handlers.teams.cards.elements import Element
from handlers.teams.cards.tools import TICKED, reenable_form, signed_off_card


def ticks_from(data: dict[str, Any], count: int) -> dict[int, Tick]:
    """Each item's toggle and note from the submitted inputs."""
    return {
        i: Tick(
            done=str(data.get(f"{criterion_field(i)}_tick")) == TICKED,
            note=str(data.get(criterion_field(i)) or ""),
        )
        for i in range(count)
    }


async def submit_reenable(core: Core, actor: Actor, data: dict[str, Any]) -> Element | str:
    """The card that replaces the form: signed off, or the form again with what is missing; a
    refusal that no edit of the form can fix comes back as a message."""
    tool_ref = str(data.get("tool") or "")
    try:
        tool = core.tools.tool(tool_ref)
        count = len(tool.reenable.criteria) if tool.reenable else 0
        status = await core.tools.sign_off(
            actor=actor, tool_ref=tool_ref, ticks=ticks_from(data, count)
        )
    except InvalidInput as exc:
        assert tool.reenable is not None
        # Each item's error sits under its note, whether the tick or the note is missing.
        return reenable_form(tool, tool.reenable, values=data, errors=exc.fields)
    except DeskError as exc:
        return exc.message
    return signed_off_card(status, reenabled=status.state == ToolState.IN_SERVICE)
