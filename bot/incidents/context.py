"""What every core service shares: the database, the config, who the admins are, and the
platforms this process talks to. Services receive this, never each other as a service locator."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.domain import Platform
from bot.settings import DeskConfig
from storage.db import Database


def _nothing() -> None:
    return None


@dataclass
class DeskContext:
    db: Database
    config: DeskConfig
    admins: frozenset[str] = frozenset()
    platforms: frozenset[Platform] = frozenset()
    # Called after a transaction that queued outbox rows commits: wakes the dispatcher.
    on_commit: Callable[[], None] = field(default=_nothing)

    def notify_committed(self) -> None:
        """Tell the outbox that new rows were committed."""
        self.on_commit()
