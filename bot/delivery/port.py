"""The port the core delivers outbound messages through; Slack and Teams implement it."""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel

from bot.domain import Platform


class OutboundMessage(BaseModel):
    """One claimed outbox row, as a messenger sees it."""

    id: int
    platform: Platform
    kind: str
    target: str | None
    incident_id: int | None
    payload: dict[str, Any]
    attempts: int


class DeliveryError(Exception):
    """Delivery failed. `retry_after` honours a platform's rate limit; `permanent` stops retries."""

    def __init__(
        self, reason: str, *, retry_after: float | None = None, permanent: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.permanent = permanent


class Messenger(Protocol):
    platform: Platform

    async def deliver(self, message: OutboundMessage) -> None:
        """Send one message or raise DeliveryError."""
        ...
