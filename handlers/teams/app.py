"""Builds the Teams side (adapter, bot, delivery port, route) from settings; nothing runs at
import."""

from __future__ import annotations

from dataclasses import dataclass

from botbuilder.integration.aiohttp import CloudAdapter

from bot.core import Core
from bot.delivery.addresses import AddressBook
from bot.server import Handler
from bot.settings import Settings
from handlers.teams.adapter import build_adapter
from handlers.teams.bot import DeskTeamsBot
from handlers.teams.port import TeamsPort
from handlers.teams.references import ConversationBook
from handlers.teams.route import messages_route


@dataclass(frozen=True)
class TeamsApp:
    adapter: CloudAdapter
    bot: DeskTeamsBot
    port: TeamsPort
    route: Handler


def build_teams(
    settings: Settings,
    core: Core,
    addresses: AddressBook,
) -> TeamsApp:
    adapter = build_adapter(settings)
    bot = DeskTeamsBot(core, ConversationBook(addresses))
    port = TeamsPort(adapter, settings.microsoft_app_id or "")
    return TeamsApp(adapter, bot, port, messages_route(adapter, bot))
