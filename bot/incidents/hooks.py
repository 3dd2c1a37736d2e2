"""The points where other domains join an incident's transaction. Subscriptions are made in
`bot.core.build_core`, in the order written there; a hook that raises aborts the change."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit.actions import AuditAction
from storage.models import Incident

ChangeHook = Callable[[AsyncSession, Incident, AuditAction], Awaitable[None]]
ReportHook = Callable[[AsyncSession, Incident], Awaitable[None]]
RefreshHook = Callable[[AsyncSession, Incident], None]


@dataclass
class IncidentHooks:
    changed: list[ChangeHook] = field(default_factory=list)
    reported: list[ReportHook] = field(default_factory=list)
    refreshed: list[RefreshHook] = field(default_factory=list)

    async def run_changed(
        self, session: AsyncSession, incident: Incident, action: AuditAction
    ) -> None:
        """After an admin's change to an incident, inside its transaction."""
        for hook in self.changed:
            await hook(session, incident, action)

    async def run_reported(self, session: AsyncSession, incident: Incident) -> None:
        """After a new incident is stored, inside its transaction."""
        for hook in self.reported:
            await hook(session, incident)

    def run_refreshed(self, session: AsyncSession, incident: Incident) -> None:
        """Wherever an incident's cards are refreshed, i.e. whenever it changed."""
        for hook in self.refreshed:
            hook(session, incident)
