"""The incident report as one self-contained, printable HTML page (no scripts, no fetches)."""

from __future__ import annotations

import json
from html import escape
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
    decision_fields,
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

STYLE = """
body { font: 14px/1.45 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color: #1d1c1d; margin: 2rem auto; max-width: 60rem; padding: 0 1.5rem; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; } h2 { border-bottom: 2px solid #3b1f5c;
     padding-bottom: .2rem; margin-top: 2rem; } h3 { margin-bottom: .3rem; }
.firm { font-size: 1.1rem; font-weight: 600; margin: 0; }
.meta { color: #555; } table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
th, td { border: 1px solid #ccc; padding: .3rem .5rem; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; }
#timeline { table-layout: fixed; } #timeline td:nth-child(2) { white-space: nowrap; }
#obligations { table-layout: fixed; } #obligations td:nth-child(4) { white-space: nowrap; }
#obligations td { overflow-wrap: break-word; } table.decision { margin: 0; }
table.decision td { border: 0; border-bottom: 1px solid #eee; padding: .1rem .3rem; }
table.decision td.k { width: 40%; }
th { background: #f3f0f7; } td.k { width: 14rem; font-weight: 600; background: #faf9fc; }
code, .hash { font-family: "SFMono-Regular", Consolas, "Liberation Mono", monospace;
              font-size: .85em; word-break: break-all; }
.chain { padding: .7rem 1rem; border-radius: 6px; font-weight: 600; }
.chain.ok { background: #e6f4ea; border: 1px solid #1e7e34; }
.chain.bad { background: #fdecea; border: 1px solid #b00020; }
.note { background: #fff4e5; border-left: 4px solid #e8912d; padding: .3rem .6rem;
        margin: .3rem 0; }
blockquote { border-left: 4px solid #bbb; margin: .5rem 0; padding: .2rem .8rem; color: #333;
             white-space: pre-wrap; }
.evidence { border: 1px solid #ddd; border-radius: 6px; padding: .2rem 1rem .8rem; margin: 1rem 0; }
pre { background: #f6f6f6; padding: .6rem; overflow-x: auto; white-space: pre-wrap; }
@media print { body { margin: 0; max-width: none; font-size: 11px; }
  .evidence, tr { break-inside: avoid; } h2 { break-after: avoid; } a { color: inherit; } }
"""


def e(text: Any) -> str:
    return escape(neutral(str(text)), quote=True)


def rows(pairs: list[tuple[str, str]], css: str = "") -> str:
    body = "".join(f'<tr><td class="k">{e(k)}</td><td>{e(v)}</td></tr>' for k, v in pairs)
    return f'<table class="{css}">{body}</table>' if css else f"<table>{body}</table>"


def structured(title: str, data: Any) -> str:
    if data in (None, [], {}):
        return f"<h2>{e(title)}</h2><p>Not recorded.</p>"
    text = json.dumps(data, indent=2, default=str, ensure_ascii=False)
    return f"<h2>{e(title)}</h2><pre>{e(text)}</pre>"


def classification(report: IncidentReport) -> str:
    pairs = classification_rows(report.classification)
    if pairs is None:
        return structured("Classification", report.classification)
    return f"<h2>Classification</h2>{rows(pairs)}"


def obligations(report: IncidentReport) -> str:
    lines = obligation_rows(report.obligations)
    if not lines:
        return structured("Obligations and decisions", report.obligations)
    head = "".join(f"<th>{e(h)}</th>" for h in OBLIGATION_HEADER)
    decisions = [
        decision_fields(o.get("decision")) if isinstance(o, dict) else []
        for o in report.obligations or []
    ]
    body = "".join(
        "<tr>"
        + "".join(f"<td>{e(c)}</td>" for c in line[:-1])
        + f"<td>{rows(fields, 'decision') if fields else e(line[-1])}</td>"
        + "</tr>"
        for line, fields in zip(lines, decisions, strict=False)
    )
    return (
        f'<h2>Obligations and decisions</h2><table id="obligations">{OBLIGATION_COLUMNS}'
        f"<tr>{head}</tr>{body}</table>"
    )


def evidence(entry: EvidenceEntry) -> str:
    parts = [
        f'<section class="evidence" id="evidence-{entry.number}">',
        f"<h3>Evidence #{entry.number} — {e(entry.kind)}</h3>",
        f'<p class="meta">Captured {e(when(entry.captured_at))} by {e(entry.captured_by)}</p>',
        f'<p>SHA-256 <span class="hash">{e(entry.sha256)}</span><br>{e(entry.integrity)}</p>',
    ]
    redacted = redaction_line(entry)
    if redacted:
        parts.append(f'<p class="note">{e(redacted)}</p>')
    for change in entry.changes:
        line = change_line(change.kind, change.occurred_at, change.changed_by, change.text)
        parts.append(f'<p class="note">{e(line)}</p>')
    facts = message_facts(entry)
    if facts:
        parts.append(rows(facts))
    text = message_text(entry)
    if text is not None:
        parts.append(f"<blockquote>{e(text or '(no text)')}</blockquote>")
    if entry.files:
        head = "<tr><th>#</th><th>file</th><th>status</th><th>size</th><th>SHA-256</th></tr>"
        body = "".join(
            f"<tr><td>{f.position}</td><td>{e(f.name or '—')}</td>"
            f"<td>{e(f.status)}{'<br>' + e(f.note) if f.note else ''}</td>"
            f"<td>{e(file_size(f.size))}</td><td class='hash'>{e(f.sha256 or '—')}</td></tr>"
            for f in entry.files
        )
        parts.append(f"<h4>Files (hash manifest)</h4><table>{head}{body}</table>")
    parts.append("</section>")
    return "".join(parts)


TIMELINE_COLUMNS = (
    '<colgroup><col style="width:3.2rem"><col style="width:9.6rem"><col style="width:12rem">'
    "<col></colgroup>"
)
# The status and due columns keep their words whole; the decision takes the rest.
OBLIGATION_COLUMNS = (
    '<colgroup><col style="width:24%"><col style="width:12%"><col style="width:14%">'
    '<col style="width:9rem"><col style="width:14%"><col></colgroup>'
)


def timeline(report: IncidentReport) -> str:
    head = TIMELINE_COLUMNS + (
        "<tr><th>seq</th><th>time (UTC)</th><th>who</th><th>what happened</th></tr>"
    )
    body = "".join(
        f"<tr><td>{e(t.seq if t.seq is not None else 'pre-chain')}</td>"
        f"<td>{e(when(t.at).removesuffix(' UTC'))}</td>"
        f"<td>{e(actor(t.actor, t.actor_name))}</td><td>{e(event_sentence(t))}</td></tr>"
        for t in report.timeline
    )
    return f'<table id="timeline">{head}{body}</table>'


PRINT_STYLE = "@page { size: A4; } body { margin: 0; max-width: none; padding: 0; }"


def render(report: IncidentReport, *, firm: str | None = None, for_print: bool = False) -> str:
    """The page; `firm` names the firm under the title; `for_print` drops screen margins (the
    PDF's page margins and running header and footer take their place)."""
    inc = report.incident
    key = e(inc["key"])
    state = "ok" if report.chain.ok else "bad"
    outcome = containment_rows(report) + [(k, value(inc.get(n))) for k, n in OUTCOME_FIELDS]
    evidence_html = "".join(evidence(x) for x in report.evidence) or "<p>No evidence.</p>"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{key} — AI incident report</title><style>{STYLE}{PRINT_STYLE if for_print else ""}</style>
</head>
<body>
<h1 id="incident-key">{key} — AI incident report</h1>
{f'<p class="firm" id="firm">{e(firm)}</p>' if firm else ""}
<p class="meta">Generated {e(when(report.generated_at))} by {e(report.generated_by)}.
This record is not legal advice.</p>
<p class="chain {state}" id="chain">{e(chain_verdict(report))}</p>
<h2>Summary</h2>{rows([(k, value(inc.get(n))) for k, n in SUMMARY_FIELDS])}
<p><strong>What went wrong.</strong> {e(value(inc.get("description")))}</p>
{classification(report)}
{obligations(report)}
<h2>Containment and outcome</h2>{rows(outcome)}
<h2>Evidence</h2>{evidence_html}
<h2>Timeline (audit events, in chain order)</h2>{timeline(report)}
<h2>Audit chain</h2>
<p>{e(report.chain.message)}. Head at export: seq {report.chain.checked},
<span class="hash" id="chain-head">{e(report.chain.head)}</span>.</p>
<p class="meta">{e(NOT_LEGAL_ADVICE)}</p>
</body></html>
"""
