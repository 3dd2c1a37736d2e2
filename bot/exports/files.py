"""Exports as files, and the audited request for one: who exported which incident is itself
an audit event, committed with the outbox row that delivers the file."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.audit import trail
from bot.audit.actions import AuditAction
from bot.delivery.outbox import enqueue
from bot.delivery.payloads import Export
from bot.domain import Actor
from bot.errors import NotAuthorized, NotFound
from bot.evidence.store import EvidenceStore
from bot.exports import bundle as export_bundle
from bot.exports import html as export_html
from bot.exports import markdown as export_markdown
from bot.exports.pdf import NO_CHROMIUM, PdfUnavailable, find_chromium, html_to_pdf
from bot.exports.report import build_report
from bot.exports.wording import chain_verdict, when
from bot.settings import DeskConfig
from storage import repository as repo
from storage.db import Database

if TYPE_CHECKING:
    from bot.incidents.access import AccessPolicy

EXPORT_DENIED = "Exports are for incident admins only. Nothing was exported."


class ExportFormat(StrEnum):
    MARKDOWN = "md"
    HTML = "html"
    JSON = "json"
    BUNDLE = "bundle"
    PDF = "pdf"


SUFFIX = {
    ExportFormat.MARKDOWN: "report.md",
    ExportFormat.HTML: "report.html",
    ExportFormat.JSON: "report.json",
    ExportFormat.BUNDLE: "evidence.zip",
    ExportFormat.PDF: "report.pdf",
}


@dataclass(frozen=True)
class ExportFile:
    filename: str
    data: bytes
    title: str
    verdict: str


async def render(
    db: Database,
    config: DeskConfig,
    store: EvidenceStore,
    *,
    key: str,
    fmt: ExportFormat,
    generated_by: str,
) -> ExportFile:
    """Build the export now (verifying the chain); NotFound when there is no such incident."""
    report = await build_report(db, config, key=key, generated_by=generated_by)
    if report is None:
        raise NotFound(f"No incident {key.upper()}.")
    firm = config.firm.name
    if fmt == ExportFormat.MARKDOWN:
        data = export_markdown.render(report).encode("utf-8")
    elif fmt == ExportFormat.HTML:
        data = export_html.render(report, firm=firm).encode("utf-8")
    elif fmt == ExportFormat.PDF:
        data = await html_to_pdf(
            export_html.render(report, firm=firm, for_print=True),
            firm=firm,
            generated=f"Generated {when(report.generated_at)} by {report.generated_by}",
            chain_head=f"seq {report.chain.checked} {report.chain.head}",
        )
    elif fmt == ExportFormat.JSON:
        data = report.model_dump_json(indent=2).encode("utf-8") + b"\n"
    else:
        data = await export_bundle.build(report, store)
    key = report.incident["key"]
    return ExportFile(
        filename=f"{key}-{SUFFIX[fmt]}",
        data=data,
        title=f"{key} {'evidence bundle' if fmt == ExportFormat.BUNDLE else 'incident report'}",
        verdict=chain_verdict(report),
    )


async def record_export(
    db: Database, *, actor: Actor, key: str, fmt: ExportFormat, deliver: bool, platform_ok: bool
) -> str:
    """Audit the export (and queue its delivery to the actor's DM when `deliver`)."""
    if fmt == ExportFormat.PDF and find_chromium() is None:
        # Checked before recording: an export that cannot be made is not an export.
        raise PdfUnavailable(NO_CHROMIUM)
    async with db.transaction() as session:
        incident = await repo.get_incident_by_key(session, key=key)
        if incident is None:
            raise NotFound(f"No incident {key.upper()}.")
        await trail.record(
            session,
            actor=actor,
            action=AuditAction.EXPORTED,
            incident_id=incident.id,
            after={"format": fmt.value, "to": "direct message" if deliver else "file"},
        )
        if deliver and platform_ok:
            enqueue(
                session,
                platform=actor.platform,
                payload=Export(
                    target=actor.user_id,
                    incident_id=incident.id,
                    key=incident.key,
                    format=fmt.value,
                ),
            )
        return incident.key


async def request_export(access: AccessPolicy, *, actor: Actor, key: str, fmt: ExportFormat) -> str:
    """An admin asked for an export in chat: audit it and DM the file through the outbox."""
    if not access.is_admin(actor):
        await access.refuse(actor=actor, action=AuditAction.EXPORT, incident_id=None, notify=False)
        raise NotAuthorized(EXPORT_DENIED)
    found = await record_export(
        access.ctx.db,
        actor=actor,
        key=key,
        fmt=fmt,
        deliver=True,
        platform_ok=actor.platform in access.ctx.platforms,
    )
    access.ctx.notify_committed()
    return found
