"""Builds the Bot Framework CloudAdapter from settings; nothing here runs at import."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication

from bot.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BotFrameworkConfig:
    """The attribute names ConfigurationBotFrameworkAuthentication reads."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str


def bot_framework_config(settings: Settings) -> BotFrameworkConfig:
    """With no MicrosoftAppId, authentication is off: only the Emulator and tests talk to us."""
    if not settings.microsoft_app_id:
        return BotFrameworkConfig(
            APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID=""
        )
    return BotFrameworkConfig(
        APP_ID=settings.microsoft_app_id,
        APP_PASSWORD=settings.microsoft_app_password or "",
        APP_TYPE=settings.microsoft_app_type,
        APP_TENANTID=settings.microsoft_app_tenant_id or "",
    )


def build_adapter(settings: Settings) -> CloudAdapter:
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(bot_framework_config(settings)))

    async def on_error(context: TurnContext, error: Exception) -> None:
        activity = context.activity
        log.error(
            "Teams turn failed (%s %s in conversation %s): %s",
            activity.type,
            activity.name or "",
            activity.conversation.id if activity.conversation else "-",
            error,
            exc_info=error,
        )
        if activity.type == "message":
            await context.send_activity(
                "Sorry, something went wrong on our side and nothing was changed. "
                "Please try again in a minute."
            )

    adapter.on_turn_error = on_error
    return adapter


def without_sdk_retries(context: TurnContext) -> None:
    """The outbox retries with backoff and honours Retry-After; the connector's own urllib3
    retries would resend PUTs and sleep in a worker thread, so turn them off."""
    client = context.turn_state.get(CloudAdapter.BOT_CONNECTOR_CLIENT_KEY)
    policy = getattr(getattr(client, "config", None), "retry_policy", None)
    if policy is not None:
        policy.retries = 0
        policy.policy.status_forcelist = None
        policy.policy.respect_retry_after_header = False
