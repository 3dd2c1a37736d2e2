"""Addresses: where the bot can reach a user or channel proactively, on a platform that cannot
message someone by id alone.

Teams is that platform: a bot may message only conversations it already knows, so its handlers
record an address from every inbound activity (table `teams_conversations`), and the dispatcher
looks the target's address up before each delivery. Slack needs none."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from pydantic import BaseModel

from bot.domain import Platform
from storage import repository as repo
from storage.db import Database
from storage.models import TeamsConversation

log = logging.getLogger(__name__)

PERSONAL = "personal"
CHANNEL = "channel"
# Outbox rows that failed with this reason are sent again once the user is reachable.
NO_REFERENCE = "no Teams conversation reference"


class Address(BaseModel):
    """A 1:1 chat with a user (`scope` personal, `key` their directory id) or a channel."""

    scope: str
    key: str
    user_id: str | None = None  # the platform's own id for the user
    user_name: str | None = None
    # Empty for a user seen only in a channel, until the bot opens a 1:1 chat with them.
    conversation_id: str | None = None
    service_url: str
    tenant_id: str | None = None
    bot_id: str
    captured_at: datetime


def _row(address: Address) -> TeamsConversation:
    return TeamsConversation(**address.model_dump())


def _address(row: TeamsConversation | None) -> Address | None:
    if row is None:
        return None
    return Address(
        scope=row.scope,
        key=row.key,
        user_id=row.user_id,
        user_name=row.user_name,
        conversation_id=row.conversation_id,
        service_url=row.service_url,
        tenant_id=row.tenant_id,
        bot_id=row.bot_id,
        captured_at=row.captured_at,
    )


class AddressBook:
    """Reads and writes the stored addresses of one platform."""

    def __init__(
        self,
        db: Database,
        *,
        platform: Platform = Platform.TEAMS,
        on_requeue: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.platform = platform
        self._on_requeue = on_requeue or (lambda: None)

    async def remember(self, addresses: Sequence[Address]) -> None:
        """Store what an inbound activity showed; messages that failed only because a user was
        unreachable are queued again."""
        if not addresses:
            return
        now = datetime.now(UTC)
        async with self.db.transaction() as session:
            for address in addresses:
                await repo.upsert_teams_conversation(session, row=_row(address))
            requeued = 0
            for address in addresses:
                if address.scope == PERSONAL:
                    requeued += await repo.requeue_failed(
                        session,
                        platform=self.platform.value,
                        target=address.key,
                        error_prefix=NO_REFERENCE,
                        now=now,
                    )
        if requeued:
            log.info("%s message(s) to a newly reachable Teams user queued again", requeued)
            self._on_requeue()

    async def user(self, key: str) -> Address | None:
        async with self.db.transaction() as session:
            row = await repo.get_teams_conversation(session, scope=PERSONAL, key=key)
            return _address(row)

    async def channel(self, key: str) -> Address | None:
        async with self.db.transaction() as session:
            row = await repo.get_teams_conversation(session, scope=CHANNEL, key=key)
            return _address(row)

    async def save(self, address: Address) -> None:
        async with self.db.transaction() as session:
            await repo.upsert_teams_conversation(session, row=_row(address))
