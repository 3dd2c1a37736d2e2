"""Delivers an export outbox row: builds the file at delivery time and DMs it with
files_upload_v2, so a rate limit or outage retries the upload instead of losing it."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.core import Core
from bot.delivery.port import OutboundMessage
from bot.exports.files import ExportFormat, render


async def send_export(client: AsyncWebClient, core: Core, message: OutboundMessage) -> None:
    assert message.target
    fmt = ExportFormat(message.payload.get("format", ExportFormat.BUNDLE.value))
    export = await render(
        core.ctx.db,
        core.ctx.config,
        core.evidence.store,
        key=str(message.payload["key"]),
        fmt=fmt,
        generated_by=f"slack:{message.target}",
    )
    channel = (await client.conversations_open(users=message.target))["channel"]["id"]
    await client.files_upload_v2(
        channel=channel,
        content=export.data,
        filename=export.filename,
        title=export.title,
        initial_comment=f"Here is the {export.title} you asked for.\n{export.verdict}",
    )
