"""Platform-neutral domain types: vocabularies, actors, report input, incident views."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.notes import Note

# The largest id a table row can have (PostgreSQL `integer`); a larger one in a crafted button
# or form would otherwise reach the database and fail there instead of being refused here.
MAX_ROW_ID = 2**31 - 1


def is_row_id(value: object) -> bool:
    """A plausible row id: digits only, at least 1, within the column's range."""
    text = str(value)
    return text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_ROW_ID


class Platform(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"
    CLI = "cli"
    SYSTEM = "system"
    WEBHOOK = "webhook"


class Kind(StrEnum):
    INCIDENT = "incident"
    NEAR_MISS = "near_miss"
    SUSPECTED = "suspected"


class Status(StrEnum):
    REPORTED = "reported"
    TRIAGING = "triaging"
    CONTAINED = "contained"
    REMEDIATING = "remediating"
    CLOSED = "closed"


class Severity(StrEnum):
    SEV1 = "SEV1"
    SEV2 = "SEV2"
    SEV3 = "SEV3"
    SEV4 = "SEV4"


SEVERITY_MEANING: dict[Severity, str] = {
    Severity.SEV1: "likely notifiable or client harm",
    Severity.SEV2: "client-facing error, contained",
    Severity.SEV3: "internal only",
    Severity.SEV4: "near miss / cosmetic",
}


class Outcome(StrEnum):
    REMEDIATED = "remediated"
    NO_ACTION = "no_action"
    FALSE_POSITIVE = "false_positive"


OUTCOME_LABELS: dict[Outcome, str] = {
    Outcome.REMEDIATED: "Remediated",
    Outcome.NO_ACTION: "No action needed",
    Outcome.FALSE_POSITIVE: "False positive",
}


class Reach(StrEnum):
    """Whether the output reached a client; `caught` makes the report a near miss."""

    REACHED_CLIENT = "reached_client"
    CAUGHT = "caught"


class PersonalData(StrEnum):
    YES = "yes"
    NO = "no"
    UNSURE = "unsure"


class VocabItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9_]{1,60}$")
    label: str = Field(min_length=1, max_length=75)


DEFAULT_FAILURE_TYPES: tuple[VocabItem, ...] = tuple(
    VocabItem(id=i, label=label)
    for i, label in [
        ("fabrication", "Fabricated content or citation"),
        ("factual_error", "Factual, legal or numerical error"),
        ("stale_source", "Stale or wrong source"),
        ("wrong_recipient", "Wrong recipient or misdirected output"),
        ("data_exposure", "Confidential or personal data exposure"),
        ("contamination", "Context loss or cross-client contamination"),
        ("goal_drift", "Goal drift or acting beyond instructions"),
        ("cascading_error", "Cascading or integration error"),
        ("bias", "Bias or unfair treatment"),
        ("security", "Manipulation or security (prompt injection)"),
        ("other", "Other"),
    ]
)

DEFAULT_FAILURE_POINTS: tuple[VocabItem, ...] = tuple(
    VocabItem(id=i, label=label)
    for i, label in [
        ("outbound_communication", "Outbound communication"),
        ("client_document", "Client-facing document"),
        ("integration", "Integration or automated action"),
        ("automated_decision", "Automated decision about people"),
        ("internal_drafting", "Internal drafting and research"),
    ]
)


class Actor(BaseModel):
    """Who did something: a platform user id, with a display name when known."""

    model_config = ConfigDict(frozen=True)
    platform: Platform
    user_id: str
    name: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.platform.value}:{self.user_id}"


SYSTEM_ACTOR = Actor(platform=Platform.SYSTEM, user_id="incident-desk", name="AI Incident Desk")


class ReportInput(BaseModel):
    """What a reporter typed into the report form."""

    description: str
    failure_type: str
    reach: Reach
    personal_data: PersonalData


class ReportContext(BaseModel):
    """Where the report was made, so the confirmation can reach the reporter."""

    channel_id: str | None = None
    source_key: str | None = None
    evidence: dict[str, Any] | None = None


class ReportResult(BaseModel):
    incident_key: str
    created: bool
    reporter_added: bool


MAX_DESCRIPTION = 3000
MAX_RATIONALE = 3000


class CloseInput(BaseModel):
    outcome: Outcome
    rationale: str
    root_cause: str
    lessons: str
    correction: str = ""  # what the AI should have said or done; feeds the eval case


class ObligationLine(BaseModel):
    """One stage of a regulatory obligation as a card shows it."""

    id: int
    regime_id: str
    name: str
    stage: str
    informational: bool
    immediate: bool
    due_at: datetime
    status: str
    decided_by: str | None = None
    decided_at: datetime | None = None
    reference: str | None = None
    record_only: bool = False
    target_at: datetime | None = None  # an immediate stage's "expected within", not a deadline
    decision_form: dict[str, Any] = {}

    @property
    def open(self) -> bool:
        return self.status == "open"


class SignalLine(BaseModel):
    """One screening signal as a card shows it: the excerpt is always masked."""

    rule_id: str
    label: str
    excerpt: str


class ScreeningSummary(BaseModel):
    """Why automatic screening raised an incident (kept with its evidence)."""

    score: float
    threshold: float
    signals: list[SignalLine] = []
    rule_ids: list[str] = []


class IncidentView(BaseModel):
    """A read-only snapshot of an incident, as cards and exports render it."""

    id: int
    key: str
    kind: Kind
    status: Status
    severity: Severity | None
    description: str
    failure_type: str
    failure_type_label: str
    personal_data: PersonalData
    reach: Reach
    platform: Platform
    reported_by: str
    reporters: list[str]
    assignee: str | None
    created_at: datetime
    closed_at: datetime | None
    outcome: Outcome | None
    rationale: str | None
    root_cause: str | None
    lessons: str | None
    excerpt: str | None
    author: str | None
    permalink: str | None
    channel_id: str | None
    evidence_count: int = 0
    evidence_notes: list[str] = Field(default_factory=list)
    correction: str | None = None
    ai_tool: str | None = None
    ai_tool_name: str | None = None
    failure_point: str | None = None
    aware_at: datetime | None = None
    classified_at: datetime | None = None
    contained_at: datetime | None = None
    contained_by: str | None = None
    obligations: list[ObligationLine] = []
    runbook: dict[str, Any] | None = None
    # The AI tool's own state line (in service, contained and how, re-enabled by whom).
    tool_state: Note | None = None
    assignee_name: str | None = None
    reported_by_name: str | None = None
    screening: ScreeningSummary | None = None
