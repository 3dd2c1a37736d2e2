"""What listeners need from the core, carried in Bolt's context by one middleware."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext

from bot.clocks.service import Clocks
from bot.containment.service import Containment
from bot.domain import Actor, Platform
from bot.incidents.triage import Desk
from bot.insights.service import Insights

DEPS_KEY = "incident_desk"


@dataclass(frozen=True)
class SlackDeps:
    desk: Desk
    clocks: Clocks
    containment: Containment
    insights: Insights | None = None


def deps(context: AsyncBoltContext) -> SlackDeps:
    value = context[DEPS_KEY]
    assert isinstance(value, SlackDeps)
    return value


def insights(context: AsyncBoltContext) -> Insights:
    """Screening, dashboards, stats and digests (always built by create_app)."""
    value = deps(context).insights
    assert value is not None, "create_app builds Insights before the Bolt app"
    return value


def inject(
    value: SlackDeps,
) -> Callable[[AsyncBoltContext, Callable[[], Awaitable[Any]]], Awaitable[Any]]:
    async def middleware(context: AsyncBoltContext, next: Callable[[], Awaitable[Any]]) -> Any:
        context[DEPS_KEY] = value
        return await next()

    return middleware


def actor_from(body: dict[str, Any]) -> Actor:
    """The Slack user behind an interaction or a slash command."""
    user = body.get("user") or {}
    user_id = user.get("id") or body.get("user_id")
    name = user.get("username") or user.get("name") or body.get("user_name")
    if not user_id:
        raise ValueError("payload has no user")
    return Actor(platform=Platform.SLACK, user_id=str(user_id), name=name)
