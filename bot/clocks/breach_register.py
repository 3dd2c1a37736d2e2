"""The breach register (UK GDPR Art. 33(5)): every incident involving personal data, notified or
not, with its facts, effects, remedial action, the Art. 33(3) details entered with a notification
and the reasoning of every decision not to notify. Codes are written out as words; CSV and HTML."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, datetime
from html import escape
from typing import Any

from sqlalchemy import select

from bot.clocks.classification import FCA_OPTIONS, FLAG_OPTIONS
from bot.clocks.decisions import DECIDED_LABEL, ObligationStatus
from bot.clocks.wording import NOT_LEGAL_ADVICE
from bot.domain import OUTCOME_LABELS, Kind, Outcome, Status
from bot.incidents.labels import KIND_LABEL, STATUS_LABEL
from storage.db import Database
from storage.models import Incident, Obligation

# (column, heading) in the order both forms show them.
COLUMNS: list[tuple[str, str]] = [
    ("key", "Incident"),
    ("kind", "Kind"),
    ("status", "Status"),
    ("reported_at", "Reported"),
    ("aware_at", "Firm aware"),
    ("classified_at", "Classified"),
    ("personal_data", "Personal data"),
    ("breach", "Personal data breach"),
    ("risk_to_individuals", "Risk to individuals"),
    ("facts", "Facts"),
    ("effects", "Effects"),
    ("failure_type", "Failure type"),
    ("remedial_action", "Remedial action"),
    ("notification_regime", "Notification duty"),
    ("decision", "Decision"),
    ("decided_at", "Decided"),
    ("decided_by", "Decided by"),
    ("reference", "Reference"),
    ("notified_at", "Notified"),
    ("nature", "Art. 33(3)(a) nature, categories and approximate numbers"),
    ("dpo_contact", "Art. 33(3)(b) contact point"),
    ("likely_consequences", "Art. 33(3)(c) likely consequences"),
    ("measures", "Art. 33(3)(d) measures taken or proposed"),
    ("reasoning", "Reasoning (why not notified, or why late)"),
    ("outcome", "Outcome"),
    ("closed_at", "Closed"),
]
FIELDS = [name for name, _ in COLUMNS]
ANSWER_WORDS = {"yes": "yes", "no": "no", "unsure": "unsure (treated as yes)"}
RISK_WORDS = {
    value: f"risk to individuals: {word}"
    for value, word in (("unlikely", "unlikely"), ("risk", "likely"), ("high_risk", "high"))
}
DECISION_WORDS = {**{s.value: w for s, w in DECIDED_LABEL.items()}, "open": "not yet decided"}
EFFECT_WORDS = dict(FLAG_OPTIONS + FCA_OPTIONS)
ART_33_3 = ("nature", "dpo_contact", "likely_consequences", "measures")  # the ICO row's fields


def _time(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat() if value else ""


def _effects(answers: dict[str, Any]) -> str:
    said = [words for name, words in EFFECT_WORDS.items() if answers.get(name)]
    return "; ".join(said) if said else "none recorded"


def _remedial(incident: Incident) -> str:
    done: list[str] = []
    if incident.contained_at:
        by = f" by {incident.contained_by}" if incident.contained_by else ""
        done.append(f"AI tool contained {_time(incident.contained_at)}{by}")
    if incident.correction:
        done.append(f"Correction: {incident.correction}")
    if incident.root_cause:
        done.append(f"Root cause: {incident.root_cause}")
    if incident.rationale and incident.closed_at:
        done.append(f"On closing: {incident.rationale}")
    if not done:
        done.append("none recorded yet")
    return "; ".join(done)


def _decision_columns(o: Obligation) -> dict[str, str]:
    decision = o.decision or {}
    details = decision.get("details") or {}
    words = DECISION_WORDS.get(o.status, o.status)
    if o.informational:
        words += " (informational: not yet in force on this date)"
    return {
        "notification_regime": f"{o.regime_name} — {o.stage_name}",
        "decision": words,
        "decided_at": _time(o.decided_at),
        "decided_by": o.decided_by or "",
        "reference": decision.get("reference", ""),
        "notified_at": decision.get("notified_at") or "",
        **{k: details.get(k, "") for k in ART_33_3},
        "reasoning": decision.get("rationale") or decision.get("reasons") or "",
    }


def register_rows(incidents: Iterable[Incident]) -> list[dict[str, str]]:
    """One row per data-protection decision (or one undecided row) per personal-data incident."""
    rows: list[dict[str, str]] = []
    for incident in incidents:
        answers = incident.classification or {}
        personal = answers.get("personal_data") or incident.personal_data
        if personal not in {"yes", "unsure"}:
            continue
        risk = str(answers.get("risk_to_individuals") or "")
        base = {
            "key": incident.key,
            "kind": KIND_LABEL.get(Kind(incident.kind), incident.kind),
            "status": STATUS_LABEL.get(Status(incident.status), incident.status),
            "reported_at": _time(incident.created_at),
            "aware_at": _time(incident.aware_at),
            "classified_at": _time(incident.classified_at),
            "personal_data": ANSWER_WORDS.get(personal, personal),
            "breach": ANSWER_WORDS.get(answers.get("personal_data_breach") or "unsure", "")
            if incident.classification
            else "",
            "risk_to_individuals": RISK_WORDS.get(risk, "risk to individuals: not answered")
            if incident.classification
            else "",
            "facts": incident.description,
            "effects": _effects(answers),
            "failure_type": incident.failure_type,
            "remedial_action": _remedial(incident),
            "outcome": OUTCOME_LABELS.get(Outcome(incident.outcome), incident.outcome)
            if incident.outcome
            else "",
            "closed_at": _time(incident.closed_at),
        }
        stages = [o for o in incident.obligations if o.regime_id.startswith("uk_gdpr")]
        stages = [o for o in stages if o.status != ObligationStatus.WITHDRAWN]
        if not stages:
            waiting = "not classified yet" if not incident.classified_at else "no decision raised"
            rows.append({**base, "decision": waiting})
        rows += [{**base, **_decision_columns(o)} for o in stages]
    return rows


async def _rows(db: Database) -> list[dict[str, str]]:
    async with db.transaction() as session:
        incidents = (await session.execute(select(Incident).order_by(Incident.id))).scalars()
        return register_rows(incidents.all())


def register_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, restval="")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def register_html(rows: list[dict[str, str]], *, generated_at: datetime) -> str:
    """A standalone page (print it to PDF); every value is escaped, never interpreted."""
    head = "".join(f"<th>{escape(title)}</th>" for _, title in COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(row.get(name, ''))}</td>" for name in FIELDS) + "</tr>"
        for row in rows
    )
    empty = (
        "" if rows else f'<tr><td colspan="{len(COLUMNS)}">No personal-data incidents.</td></tr>'
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>Breach register (UK GDPR Art. 33(5))</title><style>"
        "body{font-family:sans-serif;font-size:12px}table{border-collapse:collapse}"
        "th,td{border:1px solid #999;padding:4px;vertical-align:top;text-align:left}"
        "th{background:#eee}</style></head><body>"
        "<h1>Breach register (UK GDPR Art. 33(5))</h1>"
        f"<p>Every incident involving personal data, notified or not. Generated "
        f"{escape(_time(generated_at))}.</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}{empty}</tbody></table>"
        f"<p><em>{escape(NOT_LEGAL_ADVICE)}</em></p></body></html>\n"
    )


async def breach_register_csv(db: Database) -> str:
    return register_csv(await _rows(db))


async def breach_register_html(db: Database) -> str:
    return register_html(await _rows(db), generated_at=datetime.now(UTC))
