"""Containment first: page the AI tool's kill-switch owners for SEV1/SEV2 and record `Contained`."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import trail
from bot.delivery.outbox import enqueue
from bot.delivery.payloads import ContainmentPage, Webhook
from bot.domain import Actor, IncidentView, Platform, Severity, Status
from bot.errors import InvalidTransition, NotFound
from bot.incidents.intake import platform_of
from bot.incidents.triage import Desk, to_view
from storage import repository as repo
from storage.models import Incident

log = logging.getLogger(__name__)

PAGED_SEVERITIES = frozenset({Severity.SEV1.value, Severity.SEV2.value})


class Containment:
    """Pages owners once per incident when it becomes SEV1/SEV2 with a known AI tool."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        desk.change_hooks.append(self._on_change)

    async def _on_change(self, session: AsyncSession, incident: Incident, action: str) -> None:
        if action in {"incident.severity_changed", "incident.classified"}:
            self.page_if_needed(session, incident)

    def page_if_needed(self, session: AsyncSession, incident: Incident) -> bool:
        """Queue the owners' DMs and the kill-switch webhook in the caller's transaction."""
        if incident.severity not in PAGED_SEVERITIES or incident.containment_paged_at:
            return False
        if incident.contained_at or incident.status == Status.CLOSED:
            return False
        tool = self.desk.config.tool(incident.ai_tool)
        if tool is None:
            return False
        incident.containment_paged_at = datetime.now(UTC)
        for owner in tool.owners:
            platform = platform_of(owner)
            if platform in self.desk.platforms:
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
        tool = self.desk.config.tool(incident.ai_tool)
        return self.desk.is_admin(actor) or bool(tool and actor.user_id in tool.owners)

    async def contain(
        self, *, actor: Actor, incident_id: int, channel_id: str | None = None
    ) -> IncidentView:
        """Record when the tool was switched off and who said so (an owner or an admin)."""
        async with self.desk.db.transaction() as session:
            incident = await repo.lock_incident(session, incident_id=incident_id)
            if incident is None:
                raise NotFound(f"Incident {incident_id} does not exist.")
            allowed = self.may_contain(actor, incident)
        if not allowed:
            raise await self.desk.refuse(
                actor=actor,
                action="incident.contained",
                incident_id=incident_id,
                channel_id=channel_id,
            )
        async with self.desk.db.transaction() as session:
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
                action="incident.contained",
                incident_id=incident.id,
                before=before,
                after={
                    "status": incident.status,
                    "contained_at": incident.contained_at.isoformat(),
                },
            )
            self.desk.refresh_cards(session, incident)
            await session.refresh(incident, ["reporters", "evidence", "obligations"])
            view = to_view(incident, self.desk.config)
        self.desk.notify_committed()
        return view
