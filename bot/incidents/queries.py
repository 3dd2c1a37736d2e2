"""Reading incidents: one by id, one by key for the people allowed to see it, and the open list."""

from __future__ import annotations

from bot.domain import Actor, IncidentView
from bot.errors import NotFound
from bot.incidents.access import AccessPolicy
from bot.incidents.context import DeskContext
from bot.incidents.views import to_view
from storage import repository as repo


class Queries:
    def __init__(self, ctx: DeskContext, access: AccessPolicy) -> None:
        self.ctx = ctx
        self.access = access

    async def view(self, *, incident_id: int) -> IncidentView:
        """The current view of one incident, whoever asks (delivery and hooks)."""
        async with self.ctx.db.transaction() as session:
            incident = await repo.get_incident(session, incident_id=incident_id)
            if incident is None:
                raise NotFound(f"Incident {incident_id} does not exist.")
            return to_view(incident, self.ctx.config)

    async def list_open(self, *, actor: Actor) -> tuple[list[IncidentView], bool]:
        """Open incidents the actor may see, and whether that is all of them (admin)."""
        admin = self.access.is_admin(actor)
        async with self.ctx.db.transaction() as session:
            rows = await repo.list_open_incidents(session, reporter=None if admin else actor.ref)
            return [to_view(r, self.ctx.config) for r in rows], admin

    async def show(self, *, actor: Actor, key: str) -> IncidentView:
        """One incident, for admins and its reporters only."""
        async with self.ctx.db.transaction() as session:
            incident = await repo.get_incident_by_key(session, key=key)
            visible = incident is not None and self.access.may_see(
                actor, {r.reporter for r in incident.reporters}
            )
            if incident is None or not visible:
                raise NotFound(
                    f"No incident {key.upper()} that you can see. Admins see every incident; "
                    "others see the ones they reported."
                )
            return to_view(incident, self.ctx.config)
