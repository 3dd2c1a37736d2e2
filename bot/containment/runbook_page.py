"""The one-page runbook the playbook asks for: per AI tool, who can switch it off, what counts as
reportable, where its logs live, the re-enable criteria and approvers, and the vendor's terms,
with a named person at each decision point; and the gaps `doctor` warns about."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from bot.clocks.regimes import format_duration
from bot.containment.terms import vendor_covers
from bot.settings import DeskConfig, RunbookTool

NOBODY = "NOBODY NAMED — fix the runbook"
NOT_LEGAL_ADVICE = (
    "This runbook is the firm's own operating record, not legal advice: take advice on whether "
    "and when to notify."
)


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    decides: str | None = None  # the named person(s) at this decision point
    missing: bool = False


def tool_rows(tool: RunbookTool, admins: list[str]) -> list[Row]:
    """One tool's entries in the playbook's order: contain, classify, preserve, remediate."""
    owners = ", ".join(tool.owners)
    switch = tool.kill_switch_url and "kill-switch webhook (signed disable / enable)"
    rows = [
        Row(
            "Switch it off",
            switch or "by hand: no kill-switch webhook configured",
            owners or NOBODY,
            missing=not owners or not tool.kill_switch_url,
        ),
        Row(
            "Reportable when",
            tool.reportable or "the regime table decides (docs/CLOCKS.md)",
            ", ".join(admins) or NOBODY,
        ),
        Row("Logs", tool.logs or "not recorded", missing=not tool.logs),
    ]
    if tool.reenable is not None:
        both = " (two different approvers)" if tool.reenable.two_approvers else ""
        rows.append(
            Row(
                "Safe enough to re-enable when",
                "; ".join(tool.reenable.criteria),
                ", ".join(tool.reenable.approvers) + both,
            )
        )
    else:
        rows.append(
            Row(
                "Safe enough to re-enable when",
                tool.safe_to_reenable or "no criteria: the tool cannot be re-enabled in the desk",
                NOBODY,
                missing=True,
            )
        )
    vendor = tool.vendor
    if vendor is not None:
        window = vendor.notice_window
        rows += [
            Row("Vendor", f"{vendor.provider}, contract {vendor.contract}", vendor.contact),
            Row("The vendor covers", vendor_covers(vendor) or "nothing recorded"),
            Row(
                "We tell the vendor",
                f"within {format_duration(window)}" if window else "no contractual notice window",
                ", ".join(admins) or NOBODY,
            ),
        ]
    else:
        rows.append(Row("Vendor", "no vendor terms recorded", missing=True))
    return rows


def runbook_gaps(config: DeskConfig) -> list[str]:
    """What `doctor` warns about: a tool with no owner, kill switch, criteria or vendor terms."""
    gaps = []
    for tool in config.runbook:
        for missing, what in (
            (not tool.owners, "no owner who can switch it off"),
            (not tool.kill_switch_url, "no kill switch (kill_switch_url)"),
            (tool.reenable is None, "no re-enable criteria and approvers (reenable)"),
            (tool.vendor is None, "no vendor terms (vendor)"),
        ):
            if missing:
                gaps.append(f"{tool.id} has {what}")
    return gaps


def runbook_text(config: DeskConfig, admins: list[str], now: datetime) -> str:
    """The page as plain text, for a terminal or a ticket."""
    lines = [f"AI Incident Desk — runbook ({now:%Y-%m-%d})", ""]
    if not config.runbook:
        lines.append("No AI tools in the runbook: add them under `runbook:` in the config.")
    for tool in config.runbook:
        lines.append(f"{tool.name} ({tool.id})")
        for row in tool_rows(tool, admins):
            who = f"  [decides: {row.decides}]" if row.decides else ""
            flag = "  (!)" if row.missing else ""
            lines.append(f"  {row.label}: {row.value}{who}{flag}")
        lines.append("")
    lines.append(NOT_LEGAL_ADVICE)
    return "\n".join(lines) + "\n"


def runbook_html(config: DeskConfig, admins: list[str], now: datetime) -> str:
    """The page as one printable A4 HTML page; every configured text is escaped, never run."""
    sections = []
    for tool in config.runbook:
        rows = "".join(
            f'<tr class="{"missing" if row.missing else ""}"><th>{escape(row.label)}</th>'
            f"<td>{escape(row.value)}</td><td>{escape(row.decides or '')}</td></tr>"
            for row in tool_rows(tool, admins)
        )
        sections.append(
            f"<section><h2>{escape(tool.name)} <small>{escape(tool.id)}</small></h2>"
            f"<table><tr><th></th><th>What</th><th>Named person</th></tr>{rows}</table></section>"
        )
    body = "".join(sections) or "<p>No AI tools in the runbook yet.</p>"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>AI tools runbook</title>
<style>
@page {{ size: A4; margin: 10mm; }}
body {{ font: 7.5pt/1.2 system-ui, sans-serif; color: #111; margin: 0; }}
h1 {{ font-size: 12pt; margin: 0 0 2pt; }}
p {{ margin: 0 0 4pt; }}
h2 {{ font-size: 9pt; margin: 5pt 0 1pt; }}
h2 small {{ color: #666; font-weight: normal; }}
table {{ width: 100%; border-collapse: collapse; }}
th, td {{ text-align: left; vertical-align: top; padding: 1pt 3pt; border-bottom: 1px solid #ddd; }}
th {{ width: 20%; }}
td:last-child {{ width: 25%; }}
section {{ break-inside: avoid; }}
tr.missing td {{ color: #a00; font-weight: bold; }}
footer {{ margin-top: 8pt; color: #444; }}
</style></head>
<body><h1>AI tools runbook</h1>
<p>Contain first, classify, preserve, remediate. Generated {now:%Y-%m-%d %H:%M} UTC from the
desk's configuration.</p>
{body}
<footer>{escape(NOT_LEGAL_ADVICE)}</footer>
</body></html>
"""
