"""The kill-switch calls a tool's state change queues: a signed `disable` when it is contained,
`enable` when it is re-enabled (the outbox delivers them; bot/containment/webhook.py signs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.outbox import enqueue
from bot.delivery.payloads import Webhook
from bot.domain import Platform
from bot.settings import RunbookTool


def queue_switch(
    session: AsyncSession,
    tool: RunbookTool,
    *,
    event: str,
    at: datetime,
    incident_id: int | None,
    details: dict[str, Any],
) -> None:
    """Queue the signed call in the caller's transaction; a tool without a URL gets none."""
    if not tool.kill_switch_url:
        return
    enqueue(
        session,
        platform=Platform.WEBHOOK,
        payload=Webhook(
            target=tool.kill_switch_url,
            incident_id=incident_id,
            secret_env=tool.kill_switch_secret_env,
            body={
                "event": event,
                "tool": tool.id,
                "tool_name": tool.name,
                "at": at.isoformat(),
                **details,
            },
        ),
    )
