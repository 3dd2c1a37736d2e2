"""The incident report as Markdown."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.clocks.wording import NOT_LEGAL_ADVICE
from bot.exports.report import EvidenceEntry, IncidentReport
from bot.exports.wording import (
    OBLIGATION_HEADER,
    OUTCOME_FIELDS,
    SUMMARY_FIELDS,
    actor,
    chain_verdict,
    change_line,
    classification_rows,
    containment_rows,
    event_sentence,
    file_size,
    message_facts,
    message_text,
    neutral,
    obligation_rows,
    redaction_line,
    value,
    when,
)


def safe(text: str) -> str:
    """Text shown, never obeyed: raw HTML becomes entities and bidi overrides visible markers."""
    return neutral(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cell(text: str) -> str:
    return safe(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")


def table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return lines


def quote(text: str) -> list[str]:
    return [f"> {safe(line)}" if line else ">" for line in (text or "(no text)").splitlines()]


def structured(title: str, data: Any) -> list[str]:
    if data in (None, [], {}):
        return [f"## {title}", "", "Not recorded.", ""]
    body = json.dumps(data, indent=2, default=str, ensure_ascii=False)
    return [f"## {title}", "", "```json", body, "```", ""]


def classification(report: IncidentReport) -> list[str]:
    rows = classification_rows(report.classification)
    if rows is None:
        return structured("Classification", report.classification)
    return ["## Classification", "", *table(("question", "answer"), rows), ""]


def obligations(report: IncidentReport) -> list[str]:
    rows = obligation_rows(report.obligations)
    if not rows:
        return structured("Obligations and decisions", report.obligations)
    return ["## Obligations and decisions", "", *table(OBLIGATION_HEADER, rows), ""]


def evidence(entry: EvidenceEntry) -> list[str]:
    lines = [
        f"### Evidence #{entry.number} — {entry.kind}, captured {when(entry.captured_at)} "
        f"by {safe(entry.captured_by)}",
        "",
        f"- SHA-256 `{entry.sha256}`: {entry.integrity}",
    ]
    redacted = redaction_line(entry)
    if redacted:
        lines.append(f"- **{safe(redacted)}**")
    lines += [f"- {name}: {safe(text)}" for name, text in message_facts(entry)]
    for change in entry.changes:
        line = change_line(change.kind, change.occurred_at, change.changed_by, change.text)
        lines.append(f"- **{safe(line)}**")
    text = message_text(entry)
    if text is not None:
        lines += ["", *quote(text)]
    if entry.files:
        lines += ["", "Files (hash manifest):", ""]
        lines += table(
            ("#", "name", "status", "size", "SHA-256", "note"),
            [
                (
                    str(f.position),
                    f.name or "—",
                    f.status,
                    file_size(f.size),
                    f.sha256 or "—",
                    f.note or "",
                )
                for f in entry.files
            ],
        )
    return [*lines, ""]


def render(report: IncidentReport) -> str:
    """The whole report; readable as plain text too."""
    inc = report.incident
    lines = [
        f"# {inc['key']} — AI incident report",
        "",
        f"Generated {when(report.generated_at)} by {safe(report.generated_by)}.",
        "",
        f"**{chain_verdict(report)}**",
        "",
        "## Summary",
        "",
        *table(("", ""), [(label, value(inc.get(name))) for label, name in SUMMARY_FIELDS]),
        "",
        "**What went wrong.** " + safe(value(inc.get("description"))),
        "",
        *classification(report),
        *obligations(report),
        "## Containment and outcome",
        "",
        *table(
            ("", ""),
            [*containment_rows(report)]
            + [(label, value(inc.get(name))) for label, name in OUTCOME_FIELDS],
        ),
        "",
        "## Evidence",
        "",
    ]
    for entry in report.evidence:
        lines += evidence(entry)
    if not report.evidence:
        lines += ["No evidence was captured.", ""]
    lines += ["## Timeline (audit events, in chain order)", ""]
    lines += table(
        ("seq", "time", "who", "what happened"),
        [
            (
                str(t.seq) if t.seq is not None else "pre-chain",
                when(t.at),
                actor(t.actor, t.actor_name),
                event_sentence(t),
            )
            for t in report.timeline
        ],
    )
    lines += [
        "",
        "## Audit chain",
        "",
        report.chain.message,
        "",
        f"Chain head at export: seq {report.chain.checked}, `{report.chain.head}`. Compare it with "
        "a head published earlier (`incident-desk audit verify --published-head HASH`).",
        "",
        f"_{NOT_LEGAL_ADVICE}_",
        "",
    ]
    return "\n".join(lines)
