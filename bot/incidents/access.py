"""The access policy: who may triage, who may see an incident, and the audited refusal."""

from __future__ import annotations

import logging

from bot.audit import trail
from bot.audit.actions import AuditAction
from bot.delivery.outbox import enqueue
from bot.delivery.payloads import Notice
from bot.domain import Actor
from bot.errors import NotAuthorized
from bot.incidents.context import DeskContext

log = logging.getLogger(__name__)

REFUSAL_TEXT = (
    "Only incident admins can triage incidents. Your click was not applied and has been "
    "logged. Ask an admin listed in INCIDENT_ADMINS if you think this is wrong."
)


class AccessPolicy:
    def __init__(self, ctx: DeskContext) -> None:
        self.ctx = ctx

    def is_admin(self, actor: Actor) -> bool:
        return actor.user_id in self.ctx.admins

    def may_see(self, actor: Actor, reporters: set[str]) -> bool:
        """Admins see every incident; others the ones they reported."""
        return self.is_admin(actor) or actor.ref in reporters

    async def refuse(
        self,
        *,
        actor: Actor,
        action: AuditAction,
        incident_id: int | None,
        channel_id: str | None = None,
        notify: bool = True,
    ) -> NotAuthorized:
        """Audit a non-admin's attempt, tell them why, and return the error."""
        async with self.ctx.db.transaction() as session:
            await trail.record(
                session,
                actor=actor,
                action=AuditAction.REFUSED,
                incident_id=incident_id,
                after={"attempted": action},
            )
            if notify:
                enqueue(
                    session,
                    platform=actor.platform,
                    payload=Notice(
                        target=actor.user_id,
                        incident_id=incident_id,
                        channel_id=channel_id,
                        text=REFUSAL_TEXT,
                    ),
                )
        self.ctx.notify_committed()
        log.warning("refused %s by non-admin %s on incident %s", action, actor.ref, incident_id)
        return NotAuthorized(REFUSAL_TEXT)
