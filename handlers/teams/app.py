"""Builds the Teams side (adapter, bot, messenger, route) from settings; nothing runs at import."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from botbuilder.integration.aiohttp import CloudAdapter

from bot.core import Core
from bot.server import Handler
from bot.settings import Settings
from handlers.teams.adapter import build_adapter
from handlers.teams.bot import DeskTeamsBot
from handlers.teams.messenger import TeamsMessenger
from handlers.teams.references import ConversationBook
from handlers.teams.route import messages_route


@dataclass(frozen=True)
class TeamsApp:
    adapter: CloudAdapter
    bot: DeskTeamsBot
    messenger: TeamsMessenger
    route: Handler


def build_teams(
    settings: Settings,
    core: Core,
    kick: Callable[[], None],
) -> TeamsApp:
    adapter = build_adapter(settings)
    book = ConversationBook(core.ctx.db, on_requeue=kick)
    bot = DeskTeamsBot(core, book)
    messenger = TeamsMessenger(adapter, core, core.clocks, book, settings.microsoft_app_id or "")
    return TeamsApp(adapter, bot, messenger, messages_route(adapter, bot))
