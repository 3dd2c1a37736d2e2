"""Containment first: page the AI tool's kill-switch owners for SEV1/SEV2 and record `Contained`."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import trail
from bot.audit.actions import AuditAction
from bot.containment.switch import queue_switch
from bot.containment.tool_state import ContainMode, ToolState
from bot.containment.wording import PAGED
from bot.delivery.outbox import enqueue
from bot.delivery.payloads import ContainmentPage, Webhook
from bot.domain import Actor, IncidentView, Platform, Status
from bot.errors import InvalidTransition, NotFound
from bot.incidents.access import AccessPolicy
from bot.incidents.cards import CardFanout, platform_of
from bot.incidents.context import DeskContext
from bot.incidents.views import to_view
from storage import repository as repo
from storage.models import Incident

log = logging.getLogger(__name__)


class Containment:
    """Pages owners once per incident when it becomes SEV1/SEV2 with a known AI tool."""

    def __init__(self, ctx: DeskContext, access: AccessPolicy, cards: CardFanout) -> None:
        self.ctx = ctx
        self.access = access
        self.cards = cards

    async def on_change(
        self, session: AsyncSession, incident: Incident, action: AuditAction
    ) -> None:
        if action in {AuditAction.SEVERITY_CHANGED, AuditAction.CLASSIFIED}:
            self.page_if_needed(session, incident)

    def page_if_needed(self, session: AsyncSession, incident: Incident) -> bool:
        """Queue the owners' DMs and the kill-switch webhook in the caller's transaction."""
        if incident.severity not in PAGED or incident.containment_paged_at:
            return False
        if incident.contained_at or incident.status == Status.CLOSED:
            return False
        tool = self.ctx.config.tool(incident.ai_tool)
        if tool is None:
            return False
        incident.containment_paged_at = datetime.now(UTC)
        for owner in tool.owners:
            platform = platform_of(owner)
            if platform in self.ctx.platforms:
                enqueue(
                    session,
                    platform=platform,
                    payload=ContainmentPage(target=owner, incident_id=incident.id, tool=tool.id),
                )
        if tool.kill_switch_url:
            enqueue(
                session,
                platform=Platform.WEBHOOK,
                payload=Webhook(
                    target=tool.kill_switch_url,
                    incident_id=incident.id,
                    secret_env=tool.kill_switch_secret_env,
                    body={
                        "event": "contain",
                        "incident": incident.key,
                        "severity": incident.severity,
                        "tool": tool.id,
                        "tool_name": tool.name,
                        "paged_at": incident.containment_paged_at.isoformat(),
                    },
                ),
            )
        log.info(
            "containment paged for %s (%s, %s owners)", incident.key, tool.id, len(tool.owners)
        )
        return True

    def may_contain(self, actor: Actor, incident: Incident) -> bool:
        tool = self.ctx.config.tool(incident.ai_tool)
        return self.access.is_admin(actor) or bool(tool and actor.user_id in tool.owners)

    async def contain(
        self,
        *,
        actor: Actor,
        incident_id: int,
        mode: ContainMode = ContainMode.SWITCHED_OFF,
        channel_id: str | None = None,
    ) -> IncidentView:
        """Record when and how the tool was contained and who said so (an owner or an admin)."""
        async with self.ctx.db.transaction() as session:
            incident = await repo.lock_incident(session, incident_id=incident_id)
            if incident is None:
                raise NotFound(f"Incident {incident_id} does not exist.")
            allowed = self.may_contain(actor, incident)
        if not allowed:
            raise await self.access.refuse(
                actor=actor,
                action=AuditAction.CONTAINED,
                incident_id=incident_id,
                channel_id=channel_id,
            )
        async with self.ctx.db.transaction() as session:
            incident = await repo.lock_incident(session, incident_id=incident_id)
            assert incident is not None
            if incident.contained_at is not None:
                raise InvalidTransition(
                    f"{incident.key} was already recorded as contained by "
                    f"{incident.contained_by} at {incident.contained_at:%Y-%m-%d %H:%M} UTC."
                )
            if incident.status == Status.CLOSED:
                raise InvalidTransition(f"{incident.key} is closed; nothing was changed.")
            before = {"status": incident.status, "contained_at": None}
            incident.contained_at = datetime.now(UTC)
            incident.contained_by = actor.ref
            if incident.status in (Status.REPORTED, Status.TRIAGING):
                incident.status = Status.CONTAINED.value
            incident.updated_at = incident.contained_at
            await trail.record(
                session,
                actor=actor,
                action=AuditAction.CONTAINED,
                incident_id=incident.id,
                before=before,
                after={
                    "status": incident.status,
                    "contained_at": incident.contained_at.isoformat(),
                    "mode": mode.value,
                },
            )
            await self._contain_tool(session, incident, actor, mode)
            self.cards.refresh(session, incident)
            await session.refresh(incident, ["reporters", "evidence", "obligations", "tool_state"])
            view = to_view(incident, self.ctx.config)
        self.ctx.notify_committed()
        return view

    async def _contain_tool(
        self, session: AsyncSession, incident: Incident, actor: Actor, mode: ContainMode
    ) -> None:
        """Mark the incident's tool contained and queue its signed `disable`; a tool another
        incident already contained stays as it was."""
        tool = self.ctx.config.tool(incident.ai_tool)
        if tool is None:
            return
        row = await repo.lock_tool_state(session, tool_id=tool.id, create=True)
        assert row is not None
        if row.state == ToolState.CONTAINED:
            return
        at = incident.contained_at or datetime.now(UTC)
        row.state = ToolState.CONTAINED.value
        row.mode = mode.value
        row.changed_at = at
        row.changed_by = actor.ref
        row.incident_id = incident.id
        row.approvals = []
        await session.flush()
        # The tool's other open incidents show its new state too.
        for other in await repo.incidents_to_refresh(session, tool_id=tool.id, also=None):
            if other.id != incident.id:
                self.cards.refresh(session, other)
        queue_switch(
            session,
            tool,
            event="disable",
            at=at,
            incident_id=incident.id,
            details={"mode": mode.value, "incident": incident.key, "by": actor.ref},
        )
