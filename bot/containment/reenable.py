"""Re-enable an AI tool only on sign-off: every "safe enough" item of its runbook ticked with a
note or link, by the approvers the runbook names (two different ones where it asks), and never
while a SEV1 of the tool is open. It flips the state, calls the kill switch and tells the owners."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import trail
from bot.audit.actions import AuditAction
from bot.containment.switch import queue_switch
from bot.containment.tool_state import ToolState, ToolStatus, status_of
from bot.delivery.outbox import enqueue
from bot.delivery.payloads import DirectMessage
from bot.domain import Actor
from bot.errors import InvalidInput, InvalidTransition, NotAuthorized, NotFound
from bot.incidents.cards import CardFanout, platform_of
from bot.incidents.context import DeskContext
from bot.notes import note, person, strong
from bot.settings import ReenableSignOff, RunbookTool
from storage import repository as repo
from storage.models import AiToolState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tick:
    """One checklist item as the approver answered it."""

    done: bool
    note: str = ""


def criterion_field(index: int) -> str:
    """The field name an item's answer and its error travel under, on every platform."""
    return f"criterion_{index}"


class ToolLife:
    """Each runbook tool's state, and its re-enable sign-off."""

    def __init__(self, ctx: DeskContext, cards: CardFanout) -> None:
        self.ctx = ctx
        self.cards = cards

    async def statuses(self) -> list[ToolStatus]:
        """Every runbook tool, in runbook order, with its state."""
        async with self.ctx.db.transaction() as session:
            rows = await repo.tool_states(session)
        return [status_of(tool, rows.get(tool.id)) for tool in self.ctx.config.runbook]

    def tool(self, tool_ref: str) -> RunbookTool:
        """A runbook tool by id or name, or NotFound saying where the list is."""
        wanted = tool_ref.strip().lower()
        for tool in self.ctx.config.runbook:
            if wanted in {tool.id, tool.name.lower()}:
                return tool
        raise NotFound(
            f"No AI tool called {tool_ref!r} in the runbook: `/incident tools` lists them by id."
        )

    async def checklist(self, actor: Actor, tool_ref: str) -> tuple[RunbookTool, ReenableSignOff]:
        """The form's questions for an approver; refuses anyone else, or a tool in service,
        before anyone fills it in (sign_off checks it all again)."""
        tool = self.tool(tool_ref)
        signoff = _signoff(tool)
        if actor.user_id not in signoff.approvers:
            await self._refuse(actor, tool)
            raise NotAuthorized(_not_an_approver(tool, signoff))
        async with self.ctx.db.transaction() as session:
            row = await session.get(AiToolState, tool.id)
        if row is None or row.state != ToolState.CONTAINED:
            raise InvalidTransition(f"{tool.name} is in service: there is nothing to re-enable.")
        return tool, signoff

    async def sign_off(self, *, actor: Actor, tool_ref: str, ticks: dict[int, Tick]) -> ToolStatus:
        """Record one approver's sign-off; the last one needed re-enables the tool."""
        tool = self.tool(tool_ref)
        signoff = _signoff(tool)
        if actor.user_id not in signoff.approvers:
            await self._refuse(actor, tool)
            raise NotAuthorized(_not_an_approver(tool, signoff))
        missing = _unticked(signoff, ticks)
        if missing:
            raise InvalidInput(missing)
        async with self.ctx.db.transaction() as session:
            row = await repo.lock_tool_state(session, tool_id=tool.id)
            if row is None or row.state != ToolState.CONTAINED:
                raise InvalidTransition(
                    f"{tool.name} is in service: there is nothing to re-enable."
                )
            blocking = await repo.open_sev1_keys(session, tool_id=tool.id)
            if blocking:
                raise InvalidTransition(
                    f"{tool.name} cannot be re-enabled while {', '.join(blocking)} (SEV1) is "
                    "open: close it, or lower its severity once the harm is understood."
                )
            now = datetime.now(UTC)
            approval = {
                "by": actor.ref,
                "at": now.isoformat(),
                "notes": {signoff.criteria[i]: ticks[i].note.strip() for i in ticks},
            }
            earlier = [a for a in row.approvals or [] if a["by"] != actor.ref]
            if len(earlier) < len(row.approvals or []):
                raise InvalidTransition(
                    f"You already approved re-enabling {tool.name}; a second, different approver "
                    f"from the runbook must sign off too."
                )
            approvals = [*earlier, approval]
            needed = 2 if signoff.two_approvers else 1
            if len(approvals) < needed:
                row.approvals = approvals
                await trail.record(
                    session,
                    actor=actor,
                    action=AuditAction.TOOL_REENABLE_APPROVED,
                    incident_id=row.incident_id,
                    before={"tool": tool.id, "approvals": []},
                    after={"tool": tool.id, "approval": approval},
                )
                status = status_of(tool, row)
            else:
                status = await self._reenable(session, tool, row, actor, approvals, now)
        self.ctx.notify_committed()
        return status

    async def _reenable(
        self,
        session: AsyncSession,
        tool: RunbookTool,
        row: AiToolState,
        actor: Actor,
        approvals: list[dict[str, object]],
        now: datetime,
    ) -> ToolStatus:
        before = {"tool": tool.id, "state": row.state, "mode": row.mode}
        approvers = [str(a["by"]) for a in approvals]
        row.state = ToolState.IN_SERVICE.value
        row.changed_at = now
        row.changed_by = actor.ref
        row.reenabled_at = now
        row.reenabled_by = approvers
        row.approvals = []
        await trail.record(
            session,
            actor=actor,
            action=AuditAction.TOOL_REENABLED,
            incident_id=row.incident_id,
            before=before,
            after={"tool": tool.id, "state": row.state, "approvals": approvals},
        )
        queue_switch(
            session,
            tool,
            event="enable",
            at=now,
            incident_id=row.incident_id,
            details={"approved_by": approvers},
        )
        # Every open card of the tool, and the one that contained it, shows the new state.
        for incident in await repo.incidents_to_refresh(
            session, tool_id=tool.id, also=row.incident_id
        ):
            self.cards.refresh(session, incident)
        told = note(strong(tool.name), " was re-enabled after sign-off by ")
        for i, ref in enumerate(approvers):
            told = note(told, " and " if i else "", person(ref))
        told = note(told, ". Every item of its runbook's re-enable checklist was ticked.")
        for owner in dict.fromkeys([*tool.owners, *(o.split(":", 1)[1] for o in approvers)]):
            platform = platform_of(owner)
            if platform in self.ctx.platforms:
                enqueue(
                    session,
                    platform=platform,
                    payload=DirectMessage(
                        target=owner, incident_id=row.incident_id, text=told.plain, note=told
                    ),
                )
        log.info("tool %s re-enabled by %s", tool.id, ", ".join(approvers))
        return status_of(tool, row)

    async def _refuse(self, actor: Actor, tool: RunbookTool) -> None:
        async with self.ctx.db.transaction() as session:
            row = await session.get(AiToolState, tool.id)
            await trail.record(
                session,
                actor=actor,
                action=AuditAction.REFUSED,
                incident_id=row.incident_id if row else None,
                after={"attempted": AuditAction.TOOL_REENABLED, "tool": tool.id},
            )
        log.warning("refused re-enable of %s by non-approver %s", tool.id, actor.ref)


def _signoff(tool: RunbookTool) -> ReenableSignOff:
    # Fails closed: a tool without criteria stays contained until the runbook says what safe is.
    if tool.reenable is None:
        raise InvalidTransition(
            f"The runbook has no re-enable criteria for {tool.name}: add `reenable` (criteria and "
            "approvers) to its entry in the config (docs/CONTAINMENT.md). It stays contained."
        )
    return tool.reenable


def _not_an_approver(tool: RunbookTool, signoff: ReenableSignOff) -> str:
    return (
        f"Only the approvers the runbook names for {tool.name} can re-enable it "
        f"({', '.join(signoff.approvers)}); ask one of them."
    )


def _unticked(signoff: ReenableSignOff, ticks: dict[int, Tick]) -> dict[str, str]:
    missing: dict[str, str] = {}
    for i, _criterion in enumerate(signoff.criteria):
        tick = ticks.get(i)
        if tick is None or not tick.done:
            missing[criterion_field(i)] = "Tick this item once it is true."
        elif not tick.note.strip():
            missing[criterion_field(i)] = "Add a note or a link saying how it was checked."
    return missing
