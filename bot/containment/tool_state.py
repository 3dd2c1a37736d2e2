"""An AI tool's own state: in service, contained (and how), or re-enabled on a date by named
approvers; the modes of containment and how each state is worded, once for every platform."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.notes import Note, Span, note, person, strong
from bot.settings import RunbookTool
from storage.models import AiToolState


class ContainMode(StrEnum):
    SWITCHED_OFF = "switched_off"
    KEY_REVOKED = "key_revoked"
    HUMAN_ONLY = "human_only"
    THROTTLED = "throttled"


MODE_LABEL = {
    ContainMode.SWITCHED_OFF: "switched off",
    ContainMode.KEY_REVOKED: "API key revoked",
    ContainMode.HUMAN_ONLY: "human-only processing",
    ContainMode.THROTTLED: "throttled",
}

# The "Contained…" question's choices, in the order a form shows them.
MODE_OPTIONS = [(m.value, MODE_LABEL[m][:1].upper() + MODE_LABEL[m][1:]) for m in ContainMode]
CONTAIN_QUESTION = "Contained… how?"


def parse_mode(value: object) -> ContainMode:
    """A mode from a form or button; a press without one means the tool was switched off."""
    try:
        return ContainMode(str(value)) if value else ContainMode.SWITCHED_OFF
    except ValueError:
        return ContainMode.SWITCHED_OFF


class ToolState(StrEnum):
    IN_SERVICE = "in_service"
    CONTAINED = "contained"


@dataclass(frozen=True)
class ToolStatus:
    """What one runbook tool's state line says, and whether it can be re-enabled now."""

    tool_id: str
    name: str
    state: ToolState
    mode: ContainMode | None = None
    since: datetime | None = None
    by: str | None = None
    reenabled_at: datetime | None = None
    reenabled_by: tuple[str, ...] = ()
    approvals_so_far: tuple[str, ...] = ()

    @property
    def line(self) -> Note:
        """`DraftBot: contained (API key revoked) since 2026-11-23 10:12 UTC by @owner`."""
        head: list[Span | str] = [strong(self.name), ": "]
        if self.state == ToolState.CONTAINED:
            mode = MODE_LABEL[self.mode or ContainMode.SWITCHED_OFF]
            since = f" since {self.since:%Y-%m-%d %H:%M} UTC" if self.since else ""
            waiting: list[Span | str] = (
                [" · re-enable approved by ", *_people(self.approvals_so_far), ", one more needed"]
                if self.approvals_so_far
                else []
            )
            return note(*head, f"contained ({mode}){since} by ", person(self.by), *waiting)
        if self.reenabled_at is not None:
            return note(
                *head,
                f"re-enabled on {self.reenabled_at:%Y-%m-%d} by ",
                *_people(self.reenabled_by),
            )
        return note(*head, "in service")


def _people(refs: tuple[str, ...]) -> list[Span | str]:
    parts: list[Span | str] = []
    for i, ref in enumerate(refs):
        if i:
            parts.append(" and ")
        parts.append(person(ref))
    return parts


def status_of(tool: RunbookTool, row: AiToolState | None) -> ToolStatus:
    """The tool's state from its row; no row means it was never contained."""
    if row is None:
        return ToolStatus(tool_id=tool.id, name=tool.name, state=ToolState.IN_SERVICE)
    return ToolStatus(
        tool_id=tool.id,
        name=tool.name,
        state=ToolState(row.state),
        mode=ContainMode(row.mode) if row.mode else None,
        since=row.changed_at,
        by=row.changed_by,
        reenabled_at=row.reenabled_at,
        reenabled_by=tuple(row.reenabled_by or ()),
        approvals_so_far=tuple(a["by"] for a in row.approvals or ()),
    )
