"""Binds every Slack listener; registration is an explicit call, never an import side effect."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from handlers.slack.listeners import (
    actions,
    clocks,
    commands,
    events,
    screening,
    shortcuts,
    tools,
    views,
)


def register_listeners(app: AsyncApp) -> None:
    shortcuts.register(app)
    commands.register(app)
    actions.register(app)
    views.register(app)
    screening.register(app)  # before events: its `message` listener must match first
    events.register(app)
    clocks.register(app)
    tools.register(app)
    screening.register_fallback(app)
