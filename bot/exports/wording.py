"""Wording shared by the Markdown and HTML reports, so both say the same thing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.audit.timeline import TimelineEntry, summarize
from bot.evidence.text import shown_text
from bot.exports.report import EvidenceEntry, IncidentReport

SUMMARY_FIELDS = (
    ("Kind", "kind"),
    ("Status", "status"),
    ("Severity", "severity"),
    ("Failure type", "failure_type_label"),
    ("Reached a client", "reach"),
    ("Personal data", "personal_data"),
    ("Reported via", "platform"),
    ("Channel", "channel_named"),
    ("Reported by", "reporters_named"),
    ("Assignee", "assignee_named"),
    ("Reported at", "created_at"),
    ("Closed at", "closed_at"),
)
OUTCOME_FIELDS = (
    ("Outcome", "outcome"),
    ("Rationale", "rationale"),
    ("Root cause", "root_cause"),
    ("Lessons learned", "lessons"),
    ("Expected behaviour (correction)", "correction"),
)


# Bidirectional controls can make "evil.exe‮fdp.txt" read as a PDF name; a report shows them
# as visible markers instead of obeying them.
BIDI_CONTROLS = {
    ch: f"[U+{ord(ch):04X}]"
    for ch in "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
}
BIDI_TABLE = str.maketrans(BIDI_CONTROLS)


def neutral(text: str) -> str:
    """`text` with every bidi override or isolate replaced by a visible `[U+202E]` marker."""
    return text.translate(BIDI_TABLE)


def when(moment: datetime | None) -> str:
    return "—" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


READABLE = {
    "reached_client": "yes",
    "caught": "no, caught before it reached anyone",
    "near_miss": "near miss",
    "no_action": "no action needed",
    "false_positive": "false positive",
}


def value(raw: Any) -> str:
    if raw is None or raw == "" or raw == []:
        return "—"
    if isinstance(raw, str) and raw in READABLE:
        return READABLE[raw]
    if isinstance(raw, datetime):
        return when(raw)
    if isinstance(raw, list):
        return ", ".join(str(v) for v in raw)
    return str(raw)


def actor(ref: str, name: str | None) -> str:
    return f"{name} ({ref})" if name else ref


def chain_verdict(report: IncidentReport) -> str:
    chain = report.chain
    state = "" if chain.ok else "BROKEN: "
    return (
        f"Audit chain checked at {when(chain.verified_at)}: {state}{chain.message}; "
        f"head seq {chain.checked} {chain.head}"
    )


def containment_rows(report: IncidentReport) -> list[tuple[str, str]]:
    c = report.containment
    return [
        ("Aware at", when(c.aware_at)),
        ("Contained at", when(c.contained_at) if c.contained_at else "not recorded"),
        ("Time to containment", c.time_to_containment or "—"),
    ]


def message_facts(entry: EvidenceEntry) -> list[tuple[str, str]]:
    """Author, channel, time and link of a captured message (nothing when redacted)."""
    content = entry.content or {}
    author = content.get("author") or {}
    facts = []
    if author:
        kind = {"integration": "integration", "bot": "AI app / bot"}.get(
            str(author.get("type")), "AI app / bot" if author.get("is_bot") else "person"
        )
        name = author.get("display_name") or author.get("id")
        facts.append(("Author", f"{name} ({kind}, {author.get('app_id') or author.get('id')})"))
    if content.get("channel_id"):
        channel = str(content["channel_id"])
        name = content.get("channel_name")
        facts.append(("Channel", f"#{name} ({channel})" if name else channel))
    if content.get("permalink"):
        facts.append(("Link", str(content["permalink"])))
    if content.get("capture_incomplete"):
        facts.append(("Capture", str(content.get("note") or "incomplete")))
    thread = content.get("thread") or {}
    if thread.get("available") is False:
        facts.append(("Thread", str(thread.get("note") or "not captured")))
    elif thread.get("messages"):
        facts.append(("Thread", f"{len(thread['messages'])} messages captured"))
    return facts


def message_text(entry: EvidenceEntry) -> str | None:
    message = (entry.content or {}).get("message")
    return shown_text(message) if isinstance(message, dict) else None


def change_line(kind: str, at: datetime, by: str | None, text: str | None) -> str:
    who = f" by {by}" if by else ""
    if kind == "deleted":
        return f"Source deleted{who}, seen {when(at)}"
    new = f': "{text}"' if text is not None else " (new text not kept: evidence redacted)"
    return f"Source edited after capture{who} at {when(at)}{new}"


def redaction_line(entry: EvidenceEntry) -> str | None:
    r = entry.redaction
    if r is None:
        return None
    return f"Redacted on {when(r.at)} by {r.by} because {r.reason}"


def file_size(size: int | None) -> str:
    return "—" if size is None else f"{size:,} bytes"


CLASSIFICATION_LABELS = {
    "personal_data": "Personal data involved",
    "wrong_recipient": "Sent to the wrong person",
    "risk_to_individuals": "Risk to individuals",
    "client_received": "A client received it",
    "client_acted": "A client acted on it",
    "downstream_actions": "Triggered actions in other systems",
    "fca_regulated": "Regulated financial services (FCA)",
    "high_risk_ai_system": "High-risk AI system (EU AI Act)",
    "serious_incident_condition": "Serious incident condition",
    "nis2_in_scope": "In scope of NIS2",
    "dora_in_scope": "In scope of DORA",
    "dora_major": "Major under DORA",
    "failure_type": "Failure type",
    "failure_point": "Failure point",
    "ai_tool": "AI tool",
    "aware_at": "Aware at",
}
OBLIGATION_HEADER = ("obligation", "recipient", "due", "status", "decided", "record")


CODE_LABELS = {
    "sha256": "SHA-256",
    "evidence_sha256": "Evidence SHA-256",
    "snapshot_sha256": "Snapshot SHA-256",
    "source_key": "Source",
    "ai_tool": "AI tool",
}


def field_label(name: str) -> str:
    """`personal_data` → `Personal data`; known names from the classification's labels."""
    if name in CLASSIFICATION_LABELS:
        return CLASSIFICATION_LABELS[name]
    if name in CODE_LABELS:
        return CODE_LABELS[name]
    return name.replace("_", " ").strip().capitalize()


def readable(raw: Any, limit: int | None = None) -> str:
    """A recorded value as words: codes as labels, times in UTC, nested fields `Label: value`."""
    if isinstance(raw, dict):
        inner = [
            f"{field_label(str(k))}: {readable(v)}" for k, v in raw.items() if v not in (None, "")
        ]
        return "; ".join(inner) or "—"
    if isinstance(raw, list):
        return ", ".join(readable(v) for v in raw) or "—"
    if (
        isinstance(raw, str)
        and raw
        and raw.replace("_", "").isalpha()
        and raw.islower()
        and "_" in raw
    ):
        return READABLE.get(raw, raw.replace("_", " "))
    return _answer(raw)


def event_sentence(item: TimelineEntry) -> str:
    """One audit event as a sentence with its full detail (never cut)."""
    detail = summarize(item.before, item.after, limit=None, show=readable, name_of=field_label)
    return f"{item.label}: {detail}." if detail else f"{item.label}."


def decision_fields(decision: Any) -> list[tuple[str, str]]:
    """A recorded decision as (field, value) rows; nested details become rows of their own."""
    if not isinstance(decision, dict):
        return [] if decision in (None, "") else [("Decision", readable(decision))]
    rows: list[tuple[str, str]] = []
    for name, raw in decision.items():
        if raw in (None, "", [], {}):
            continue
        if isinstance(raw, dict):
            rows += [
                (field_label(str(k)), readable(v)) for k, v in raw.items() if v not in (None, "")
            ]
        else:
            rows.append((field_label(name), readable(raw)))
    return rows


def _answer(raw: Any) -> str:
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    if isinstance(raw, str) and raw[:4].isdigit() and "T" in raw:
        try:
            return when(datetime.fromisoformat(raw))
        except ValueError:
            return raw
    return value(raw)


def classification_rows(data: Any) -> list[tuple[str, str]] | None:
    """The answers as (question, answer) rows; None when they are not the known shape."""
    if not isinstance(data, dict):
        return None
    return [
        (CLASSIFICATION_LABELS.get(name, name.replace("_", " ").capitalize()), _answer(raw))
        for name, raw in data.items()
    ]


def obligation_rows(data: Any) -> list[tuple[str, ...]] | None:
    """One row per regime stage: what, to whom, when due, and the decision recorded."""
    if not isinstance(data, list) or not all(isinstance(o, dict) for o in data):
        return None
    rows: list[tuple[str, ...]] = []
    for o in data:
        record = "; ".join(f"{k}: {v}" for k, v in decision_fields(o.get("decision"))) or "—"
        decided = (
            f"{o.get('decided_by')}, {_answer(o.get('decided_at'))}" if o.get("decided_by") else "—"
        )
        rows.append(
            (
                f"{o.get('regime_name')} — {o.get('stage_name')}",
                value(o.get("recipient")),
                _answer(o.get("due_at")) + (" (informational)" if o.get("informational") else ""),
                readable(o.get("status")),
                decided,
                record,
            )
        )
    return rows
