"""SQLAlchemy 2.0 typed models: the tables, and nothing else."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import UTCDateTime


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Counter(Base):
    """Named gap-free counters; the incident key number comes from here."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    severity: Mapped[str | None] = mapped_column(String(8))
    description: Mapped[str] = mapped_column(Text)
    failure_type: Mapped[str] = mapped_column(String(60))
    reach: Mapped[str] = mapped_column(String(20))
    personal_data: Mapped[str] = mapped_column(String(10))
    platform: Mapped[str] = mapped_column(String(10))
    # One incident per source message: the unique constraint, not a lookup, prevents duplicates.
    source_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    # Teams conversation ids run past 100 characters; Slack's are 11.
    channel_id: Mapped[str | None] = mapped_column(String(512))
    created_by: Mapped[str] = mapped_column(String(128))
    created_by_name: Mapped[str | None] = mapped_column(String(255))
    assignee: Mapped[str | None] = mapped_column(String(128))
    assignee_name: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(128))
    outcome: Mapped[str | None] = mapped_column(String(20))
    rationale: Mapped[str | None] = mapped_column(Text)
    root_cause: Mapped[str | None] = mapped_column(Text)
    lessons: Mapped[str | None] = mapped_column(Text)
    # What the AI should have said or done, recorded at close; it makes the regression eval case.
    correction: Mapped[str | None] = mapped_column(Text)
    # Classification and containment (the regulatory clocks start from aware_at).
    ai_tool: Mapped[str | None] = mapped_column(String(60))
    failure_point: Mapped[str | None] = mapped_column(String(60))
    aware_at: Mapped[datetime | None]
    classified_at: Mapped[datetime | None]
    classification: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    containment_paged_at: Mapped[datetime | None]
    contained_at: Mapped[datetime | None]
    contained_by: Mapped[str | None] = mapped_column(String(128))

    reporters: Mapped[list[IncidentReporter]] = relationship(
        back_populates="incident", order_by="IncidentReporter.id", lazy="selectin"
    )
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="incident", order_by="Evidence.id", lazy="selectin"
    )
    obligations: Mapped[list[Obligation]] = relationship(
        order_by="(Obligation.due_at, Obligation.id)", lazy="selectin", viewonly=True
    )
    # The AI tool's own state (in service, contained, re-enabled), shown on every card of the tool.
    tool_state: Mapped[AiToolState | None] = relationship(
        primaryjoin="foreign(Incident.ai_tool) == AiToolState.tool_id",
        lazy="selectin",
        viewonly=True,
        uselist=False,
    )


class IncidentReporter(Base):
    __tablename__ = "incident_reporters"
    __table_args__ = (UniqueConstraint("incident_id", "reporter", name="uq_reporter_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    reporter: Mapped[str] = mapped_column(String(128), index=True)
    reporter_name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    reported_at: Mapped[datetime]

    incident: Mapped[Incident] = relationship(back_populates="reporters")


class Evidence(Base):
    """A captured source, frozen at capture: `sha256` is never updated, and `content` only ever
    becomes a redaction tombstone (redaction or retention)."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    source_key: Mapped[str | None] = mapped_column(String(255), index=True)
    content: Mapped[dict[str, Any]]
    sha256: Mapped[str] = mapped_column(String(64))
    captured_at: Mapped[datetime]
    captured_by: Mapped[str] = mapped_column(String(128))
    redacted_at: Mapped[datetime | None]
    redacted_by: Mapped[str | None] = mapped_column(String(128))
    redaction_reason: Mapped[str | None] = mapped_column(Text)

    incident: Mapped[Incident] = relationship(back_populates="evidence")
    changes: Mapped[list[EvidenceChange]] = relationship(
        back_populates="evidence", order_by="EvidenceChange.id", lazy="selectin"
    )
    files: Mapped[list[EvidenceFile]] = relationship(
        back_populates="evidence", order_by="EvidenceFile.position", lazy="selectin"
    )


class EvidenceChange(Base):
    """An edit or deletion of a captured source seen after capture; the capture itself stays."""

    __tablename__ = "evidence_changes"
    __table_args__ = (UniqueConstraint("evidence_id", "change_id", name="uq_evidence_change_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(
        ForeignKey("evidence.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    # The platform's id of this change (an edit's timestamp), so a redelivered event is ignored.
    change_id: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    changed_by: Mapped[str | None] = mapped_column(String(128))
    content: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    sha256: Mapped[str | None] = mapped_column(String(64))

    evidence: Mapped[Evidence] = relationship(back_populates="changes")


class EvidenceFile(Base):
    """A file attached to a captured message: pending, stored (with its SHA-256), oversize,
    unreadable or redacted."""

    __tablename__ = "evidence_files"
    __table_args__ = (
        UniqueConstraint("evidence_id", "position", name="uq_evidence_file_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(
        ForeignKey("evidence.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    file_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(255))
    mimetype: Mapped[str | None] = mapped_column(String(255))
    declared_size: Mapped[int | None] = mapped_column(BigInteger)
    source_url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    storage_ref: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime | None]

    evidence: Mapped[Evidence] = relationship(back_populates="files")


class EvidenceDraft(Base):
    """Evidence captured while the reporter fills in the form, keyed by the form's id."""

    __tablename__ = "evidence_drafts"

    form_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    platform: Mapped[str] = mapped_column(String(10))
    content: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(index=True)
    # Set when the form was submitted before the capture finished: the capture, whenever it
    # lands, is attached to this incident, and the purge leaves the row alone until then.
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE", name="fk_evidence_drafts_incident")
    )


class ReportSubmission(Base):
    """One submitted report form (a Slack view id, a Teams activity id) and the incident it
    became: a form delivered or pressed twice makes one incident, not two."""

    __tablename__ = "report_submissions"

    submission_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    created: Mapped[bool]
    reporter_added: Mapped[bool]
    submitted_at: Mapped[datetime]


class AuditEvent(Base):
    """Append-only, hash-chained log of every state change and refusal (bot/audit/trail.py appends).

    `seq` is gap-free and assigned under the head lock, never an autoincrement. Rows recorded
    before the chain existed have no seq and are sealed by the first chained event."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_seq", "seq", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int | None] = mapped_column(Integer)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    occurred_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(128))
    actor_name: Mapped[str | None] = mapped_column(String(255))
    platform: Mapped[str] = mapped_column(String(10))
    action: Mapped[str] = mapped_column(String(60), index=True)
    incident_id: Mapped[int | None] = mapped_column(Integer, index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Digests of the incident's record as this event's transaction left it (bot/audit/state.py);
    # hashed with the event when present, so `audit verify` sees rows changed outside the desk.
    state: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class AuditHead(Base):
    """The chain head, one row: appends lock it, so concurrent writers never fork the chain."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class OutboxMessage(Base):
    """An outbound message, written in the same transaction as the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        # Delivery keeps each conversation in order by looking for an earlier row to its target.
        Index("ix_outbox_lane", "platform", "target", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(String(255))
    incident_id: Mapped[int | None] = mapped_column(Integer, index=True)
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class CardPost(Base):
    """Where a copy of an incident's triage card was posted, so every copy can be updated."""

    __tablename__ = "card_posts"
    __table_args__ = (
        UniqueConstraint("incident_id", "platform", "recipient", name="uq_card_per_recipient"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(512))
    message_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]
    # Why the last update of this copy failed (e.g. a deleted DM); cleared when one succeeds.
    last_error: Mapped[str | None] = mapped_column(Text)
    failed_at: Mapped[datetime | None]


class Obligation(Base):
    """One stage of a triggered regime on an incident; open until someone records a decision."""

    __tablename__ = "obligations"
    __table_args__ = (
        UniqueConstraint("incident_id", "regime_id", "stage_id", name="uq_obligation_stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    regime_id: Mapped[str] = mapped_column(String(60))
    regime_name: Mapped[str] = mapped_column(String(255))
    stage_id: Mapped[str] = mapped_column(String(60))
    stage_name: Mapped[str] = mapped_column(String(255))
    recipient: Mapped[str | None] = mapped_column(String(255))
    informational: Mapped[bool]
    immediate: Mapped[bool]
    # A decision to record (Art. 33(5)), not a notification: only "not required" is offered.
    record_only: Mapped[bool] = mapped_column(default=False, server_default=false())
    clock_started_at: Mapped[datetime]
    due_at: Mapped[datetime]
    # An immediate stage's "expected within" target: shown, never treated as a legal deadline.
    target_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20))
    must_record: Mapped[list[Any]] = mapped_column(JSON)
    # What the decision forms ask and cite for this regime (regimes.DecisionForm).
    decision_form: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_at: Mapped[datetime | None]
    decision: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Nudge(Base):
    """A reminder that an obligation is due; the scheduler sends each pending row at most once."""

    __tablename__ = "nudges"
    __table_args__ = (Index("ix_nudges_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    obligation_id: Mapped[int] = mapped_column(
        ForeignKey("obligations.id", ondelete="CASCADE"), index=True
    )
    due_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12))
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class TeamsConversation(Base):
    """Where the bot can reach a Teams user (1:1 chat) or channel proactively.

    Captured from every inbound activity; `conversation_id` is empty for a user seen only in a
    channel, until the bot opens a 1:1 chat with them."""

    __tablename__ = "teams_conversations"
    __table_args__ = (UniqueConstraint("scope", "key", name="uq_teams_conversation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(20))  # "personal" (key: AAD id) or "channel"
    key: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str | None] = mapped_column(String(255))  # the Teams id, 29:…
    user_name: Mapped[str | None] = mapped_column(String(255))
    conversation_id: Mapped[str | None] = mapped_column(String(512))
    service_url: Mapped[str] = mapped_column(String(512))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    bot_id: Mapped[str] = mapped_column(String(255))
    captured_at: Mapped[datetime]


class ScreeningHit(Base):
    """A screening rule that fired on a suspected incident, and what triage decided about it."""

    __tablename__ = "screening_hits"
    __table_args__ = (UniqueConstraint("incident_id", "rule_id", name="uq_screening_hit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    rule_id: Mapped[str] = mapped_column(String(60), index=True)
    score: Mapped[float] = mapped_column(Float)
    # confirmed / near_miss / false_positive; empty until an admin decides.
    decision: Mapped[str | None] = mapped_column(String(20))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class ScreeningOverflow(Base):
    """A suspicious message over the flood cap: listed in the next digest, not an incident."""

    __tablename__ = "screening_overflow"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_key: Mapped[str] = mapped_column(String(255), unique=True)
    platform: Mapped[str] = mapped_column(String(10))
    channel_id: Mapped[str] = mapped_column(String(512))
    message_ts: Mapped[str | None] = mapped_column(String(64))
    author: Mapped[str | None] = mapped_column(String(255))
    score: Mapped[float] = mapped_column(Float)
    signals: Mapped[list[Any]] = mapped_column(JSON)  # masked, as cards show them
    rule_ids: Mapped[list[Any]] = mapped_column(JSON)
    detected_at: Mapped[datetime]
    digested_at: Mapped[datetime | None] = mapped_column(index=True)


class JobRun(Base):
    """One run of a scheduled job per period, so replicas and restarts never send it twice."""

    __tablename__ = "job_runs"

    job_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    period: Mapped[str] = mapped_column(String(40), primary_key=True)
    ran_at: Mapped[datetime]


class AiToolState(Base):
    """One runbook tool's life: contained (and how) or back in service after a sign-off.

    A tool with no row has never been contained: it is in service."""

    __tablename__ = "ai_tool_states"
    tool_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    state: Mapped[str] = mapped_column(String(20))  # in_service | contained
    mode: Mapped[str | None] = mapped_column(String(20))  # how it was contained
    changed_at: Mapped[datetime]
    changed_by: Mapped[str] = mapped_column(String(128))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    # Re-enable: the approvals collected so far ([{by, at, notes}]) and who signed it back on.
    approvals: Mapped[list[Any]] = mapped_column(JSON, default=list)
    reenabled_at: Mapped[datetime | None]
    reenabled_by: Mapped[list[Any] | None] = mapped_column(JSON)
