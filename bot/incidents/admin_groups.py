"""Admins by group: INCIDENT_ADMINS may name a Slack user group (S…), whose members become
admins without a restart. The groups are resolved now and then; a change is audited.

Fails closed: a group that cannot be resolved keeps its last known members (none before the
first success), so an outage never hands triage rights to anyone new."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import select

from bot.audit import trail
from bot.audit.actions import AuditAction
from bot.domain import SYSTEM_ACTOR
from bot.incidents.context import DeskContext
from storage import repository as repo
from storage.models import AuditEvent

log = logging.getLogger(__name__)

# A group's members' user ids; raises when the platform cannot say.
GroupMembers = Callable[[str], Awaitable[set[str]]]


class AdminGroups:
    """Keeps `ctx.admins` = the listed people plus the current members of the listed groups."""

    def __init__(
        self,
        ctx: DeskContext,
        *,
        people: frozenset[str],
        groups: frozenset[str],
        members_of: GroupMembers | None,
    ) -> None:
        self.ctx = ctx
        self.people = people
        self.groups = groups
        self.members_of = members_of
        self.known: dict[str, set[str]] = {}

    async def refresh(self) -> bool:
        """Resolve every group; True when the admins changed (and the change was audited)."""
        if not self.groups:
            return False
        for group in sorted(self.groups):
            if self.members_of is None:
                log.warning("admin group %s named but Slack is not configured", group)
                continue
            try:
                self.known[group] = await self.members_of(group)
            except Exception as exc:
                log.warning(
                    "admin group %s not resolved (%s); keeping its last known members",
                    group,
                    type(exc).__name__,
                )
        admins = frozenset(self.people.union(*self.known.values()))
        if admins == self.ctx.admins:
            return False
        before = sorted(self.ctx.admins)
        async with self.ctx.db.transaction() as session:
            # The counter row's lock makes replicas record one change at a time, and the last
            # recorded set tells a replica whether another one already recorded this change.
            await repo.next_number(session, name="admin-groups")
            last = (
                await session.execute(
                    select(AuditEvent.after)
                    .where(AuditEvent.action == AuditAction.ADMINS_CHANGED.value)
                    .order_by(AuditEvent.id.desc())
                    .limit(1)
                )
            ).scalar_one_or_none()
            if (last or {}).get("admins") != sorted(admins):
                await trail.record(
                    session,
                    actor=SYSTEM_ACTOR,
                    action=AuditAction.ADMINS_CHANGED,
                    before={"admins": before},
                    after={"admins": sorted(admins), "groups": sorted(self.groups)},
                )
        self.ctx.admins = admins
        log.info("admins now %s (from %s groups)", len(admins), len(self.groups))
        return True
