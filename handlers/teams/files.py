"""Files to a Teams chat the Teams way: the port offers a file consent card; when the admin
accepts, Teams gives an upload URL in their OneDrive, the export is built again and uploaded
there, and a file card links it in the chat. Declining sends nothing."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from botbuilder.core import MessageFactory, TurnContext
from botbuilder.schema import Attachment
from botbuilder.schema.teams import FileConsentCardResponse

from bot.audit.actions import AuditAction
from bot.core import Core
from bot.delivery.port import OutgoingFile
from bot.errors import DeskError
from bot.exports.files import ExportFormat, render
from handlers.teams.references import actor_of

log = logging.getLogger(__name__)

CONSENT_TYPE = "application/vnd.microsoft.teams.card.file.consent"
INFO_TYPE = "application/vnd.microsoft.teams.card.file.info"
UPLOAD_TIMEOUT = aiohttp.ClientTimeout(total=120)


def consent_card(file: OutgoingFile) -> Attachment:
    """The offer: Teams shows the name and size with Allow / Decline."""
    context = {"key": file.key, "format": file.format}
    return Attachment(
        content_type=CONSENT_TYPE,
        name=file.filename,
        content={
            "description": file.title,
            "sizeInBytes": len(file.data),
            "acceptContext": context,
            "declineContext": context,
        },
    )


def _context(response: FileConsentCardResponse) -> tuple[str, ExportFormat] | None:
    raw: Any = response.context
    if not isinstance(raw, dict):
        return None
    key, fmt = raw.get("key"), raw.get("format")
    if not isinstance(key, str) or fmt not in {f.value for f in ExportFormat}:
        return None
    return key, ExportFormat(fmt)


async def upload(url: str, data: bytes) -> None:
    """One PUT of the whole file to the upload session Teams opened in the user's OneDrive."""
    headers = {
        "Content-Length": str(len(data)),
        "Content-Range": f"bytes 0-{len(data) - 1}/{len(data)}",
    }
    async with (
        aiohttp.ClientSession(timeout=UPLOAD_TIMEOUT) as session,
        session.put(url, data=data, headers=headers) as resp,
    ):
        if resp.status >= 300:
            raise OSError(f"upload answered HTTP {resp.status}")


async def on_accept(core: Core, context: TurnContext, response: FileConsentCardResponse) -> None:
    actor = actor_of(context.activity)
    wanted = _context(response)
    info = response.upload_info
    if wanted is None or info is None or not info.upload_url:
        await context.send_activity("That file offer is not one of ours; nothing was sent.")
        return
    key, fmt = wanted
    if not core.access.is_admin(actor):
        refusal = await core.access.refuse(
            actor=actor, action=AuditAction.EXPORT, incident_id=None, notify=False
        )
        await context.send_activity(refusal.message)
        return
    try:
        built = await render(
            core.ctx.db,
            core.ctx.config,
            core.evidence.store,
            key=key,
            fmt=fmt,
            generated_by=actor.ref,
        )
        await upload(info.upload_url, built.data)
    except DeskError as exc:
        await context.send_activity(exc.message)
        return
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        log.warning("export %s for %s not uploaded: %s", key, actor.ref, exc)
        await context.send_activity(
            f"The {fmt.value} export of {key} could not be uploaded to your OneDrive "
            f"({exc}). Nothing is lost: type `export {key} {fmt.value}` to try again."
        )
        return
    card = Attachment(
        content_type=INFO_TYPE,
        name=info.name or built.filename,
        content_url=info.content_url,
        content={"uniqueId": info.unique_id, "fileType": info.file_type},
    )
    await context.send_activity(MessageFactory.attachment(card))
    log.info("export %s (%s) uploaded for %s", key, fmt.value, actor.ref)


async def on_decline(context: TurnContext, response: FileConsentCardResponse) -> None:
    wanted = _context(response)
    example = f"export {wanted[0]} {wanted[1].value}" if wanted else "export INC-0001"
    await context.send_activity(f"Not sent. Type `{example}` whenever you want it.")
