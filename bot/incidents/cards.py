"""Card fan-out: a new incident's triage card to every admin, and a refresh of every posted copy
whenever the incident changes. Both are outbox rows in the caller's transaction."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.outbox import enqueue
from bot.delivery.payloads import RefreshCards, TriageCard
from bot.domain import Platform
from bot.incidents.context import DeskContext
from bot.incidents.hooks import IncidentHooks
from storage.models import Incident


def platform_of(user_id: str) -> Platform:
    """Which platform an INCIDENT_ADMINS entry belongs to: Slack user ids look like U012AB3CD or
    W012AB3CD; anything else is a Teams AAD object id."""
    if user_id[:1] in {"U", "W"} and user_id.isalnum() and user_id.upper() == user_id:
        return Platform.SLACK
    return Platform.TEAMS


class CardFanout:
    def __init__(self, ctx: DeskContext, hooks: IncidentHooks) -> None:
        self.ctx = ctx
        self.hooks = hooks

    def admins_on(self, platform: Platform) -> list[str]:
        """The admins this platform reaches, in a stable order."""
        return [a for a in sorted(self.ctx.admins) if platform_of(a) == platform]

    def deal(self, session: AsyncSession, incident: Incident) -> None:
        """Queue the triage card for each admin on a platform this process serves."""
        for admin in sorted(self.ctx.admins):
            platform = platform_of(admin)
            if platform in self.ctx.platforms:
                enqueue(
                    session,
                    platform=platform,
                    payload=TriageCard(target=admin, incident_id=incident.id),
                )

    def refresh(self, session: AsyncSession, incident: Incident) -> None:
        """Queue an update of every posted copy, then let dashboards and the like follow."""
        for platform in sorted(self.ctx.platforms):
            enqueue(session, platform=platform, payload=RefreshCards(incident_id=incident.id))
        self.hooks.run_refreshed(session, incident)
