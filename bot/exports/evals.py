"""Regression eval cases from closed incidents: the context the AI saw, its bad output, what it
should have done instead, and why it failed; as JSONL and as a promptfoo test suite."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import yaml
from pydantic import BaseModel
from sqlalchemy import select

from bot.domain import Outcome, Status
from bot.evidence.lifecycle import ChangeKind
from bot.settings import DeskConfig
from storage.db import Database
from storage.models import Evidence, Incident

RUBRIC_EXCERPT = 400


class EvalCase(BaseModel):
    """One regression case; `input.context` is the conversation before the bad output."""

    id: str
    description: str
    input: dict[str, Any]
    bad_output: str
    expected_behaviour: str
    correction_source: str
    failure_type: str
    failure_type_label: str
    tags: list[str]
    metadata: dict[str, Any]


def _ts(message: dict[str, Any]) -> float:
    try:
        return float(message.get("ts") or 0)
    except (TypeError, ValueError):
        return 0.0


def _author(message: dict[str, Any]) -> str:
    profile = message.get("bot_profile") or {}
    return str(profile.get("name") or message.get("username") or message.get("user") or "unknown")


def _context(content: dict[str, Any]) -> list[dict[str, str]]:
    """The captured thread messages that came before the bad output."""
    before = _ts(content)
    thread = (content.get("thread") or {}).get("messages") or []
    return [
        {"author": _author(m), "text": str(m.get("text") or "")}
        for m in thread
        if isinstance(m, dict) and 0 < _ts(m) < before
    ]


def _correction(incident: Incident, first: Evidence) -> tuple[str, str] | None:
    if incident.correction:
        return incident.correction, "recorded when the incident was closed"
    edits = [c for c in first.changes if c.kind == ChangeKind.EDITED and c.content]
    if edits and (edits[-1].content or {}).get("text"):
        return str((edits[-1].content or {})["text"]), "the source message was corrected in place"
    return None


def case_for(incident: Incident, config: DeskConfig) -> EvalCase | str:
    """The case, or why this closed incident gives none."""
    if incident.outcome == Outcome.FALSE_POSITIVE:
        return "a false positive"
    if not incident.evidence:
        return "no captured message"
    first = incident.evidence[0]
    message = first.content.get("message")
    if first.redacted_at is not None or not isinstance(message, dict):
        return "its evidence was redacted or never captured"
    correction = _correction(incident, first)
    if correction is None:
        return "no correction was recorded (add one in the close form)"
    author = first.content.get("author") or {}
    tags = [
        incident.failure_type,
        incident.kind,
        f"reach:{incident.reach}",
        f"personal_data:{incident.personal_data}",
        *([incident.severity.lower()] if incident.severity else []),
        *([f"ai_app:{author['app_id']}"] if author.get("app_id") else []),
    ]
    return EvalCase(
        id=incident.key,
        description=incident.description,
        input={
            "context": _context(first.content),
            "channel": first.content.get("channel_id"),
            "ai_app": author.get("display_name") or author.get("app_id"),
        },
        bad_output=str(message.get("text") or ""),
        expected_behaviour=correction[0],
        correction_source=correction[1],
        failure_type=incident.failure_type,
        failure_type_label=config.failure_type_label(incident.failure_type),
        tags=tags,
        metadata={
            "incident": incident.key,
            "severity": incident.severity,
            "outcome": incident.outcome,
            "closed_at": incident.closed_at.isoformat() if incident.closed_at else None,
            "root_cause": incident.root_cause,
            "evidence_sha256": first.sha256,
        },
    )


async def build_cases(db: Database, config: DeskConfig) -> tuple[list[EvalCase], list[str]]:
    """One case per eligible closed incident, and a line for each closed one skipped."""
    cases: list[EvalCase] = []
    skipped: list[str] = []
    async with db.transaction() as session:
        closed = await session.execute(
            select(Incident).where(Incident.status == Status.CLOSED.value).order_by(Incident.id)
        )
        for incident in closed.scalars():
            made = case_for(incident, config)
            if isinstance(made, EvalCase):
                cases.append(made)
            else:
                skipped.append(f"{incident.key}: skipped, {made}")
    return cases, skipped


def to_jsonl(cases: list[EvalCase]) -> str:
    return "".join(json.dumps(c.model_dump(), ensure_ascii=False) + "\n" for c in cases)


def transcript(case: EvalCase) -> str:
    lines = [f"{m['author']}: {m['text']}" for m in case.input["context"]]
    return "\n".join(lines) or "(no earlier messages were captured)"


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= RUBRIC_EXCERPT else flat[: RUBRIC_EXCERPT - 1] + "…"


PROMPTFOO_HEADER = """\
# promptfoo test suite generated by AI Incident Desk (`incident-desk evals --format promptfoo`).
# One test per closed incident with a correction. Replace the `echo` provider with the model or
# app that produced these answers, then run: npx promptfoo@latest eval -c this-file.yaml
"""


def to_promptfoo(cases: list[EvalCase], *, now: datetime | None = None) -> str:
    suite: dict[str, Any] = {
        "description": f"AI Incident Desk regression cases ({len(cases)}), "
        f"generated {(now or datetime.now(UTC)):%Y-%m-%d}",
        "prompts": ["{{context}}"],
        "providers": ["echo"],
        "tests": [
            {
                "description": f"{c.id}: {c.failure_type_label}",
                "vars": {
                    "context": transcript(c),
                    "bad_output": c.bad_output,
                    "expected": c.expected_behaviour,
                },
                "assert": [
                    {
                        "type": "llm-rubric",
                        "value": (
                            f"The answer does what was expected: {_excerpt(c.expected_behaviour)}"
                            f" It must not repeat this failure ({c.failure_type_label}), as in: "
                            f"{_excerpt(c.bad_output)}"
                        ),
                    }
                ],
                "metadata": c.metadata | {"tags": c.tags},
            }
            for c in cases
        ],
    }
    return PROMPTFOO_HEADER + yaml.safe_dump(suite, sort_keys=False, allow_unicode=True, width=100)
