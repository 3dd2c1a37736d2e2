"""What listeners need from the core (the `Core` services), carried in Bolt's context by one
middleware."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext

from bot.core import Core
from bot.domain import Actor, Platform
from bot.insights.service import Insights

DEPS_KEY = "incident_desk"


def deps(context: AsyncBoltContext) -> Core:
    """The core services, put in Bolt's context by `inject`."""
    value = context[DEPS_KEY]
    if not isinstance(value, Core):
        raise TypeError("the Bolt app was built without inject(core)")
    return value


def insights(context: AsyncBoltContext) -> Insights:
    """Screening, dashboards, stats and digests."""
    return deps(context).insights


def inject(
    value: Core,
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
