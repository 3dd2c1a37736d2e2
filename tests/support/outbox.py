"""Outbox helpers: rows as stored, and a courier that only counts what it was handed."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.delivery.outbox import OutboundMessage
from bot.domain import Platform
from storage.db import Database
from storage.models import OutboxMessage


async def outbox_rows(db: Database) -> list[OutboxMessage]:
    async with db.reading() as s:
        return list((await s.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars())


class CountingCourier:
    """Delivers by remembering the row id; every id it saw, in the order it saw them."""

    platforms = frozenset({Platform.SLACK})

    def __init__(self) -> None:
        self.delivered: list[int] = []

    async def deliver(self, message: OutboundMessage) -> None:
        await asyncio.sleep(0)
        self.delivered.append(message.id)
