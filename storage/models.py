"""SQLAlchemy 2.0 typed models: the tables, and nothing else."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
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
    channel_id: Mapped[str | None] = mapped_column(String(64))
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
    """A captured source, frozen at capture: `content` and `sha256` are never updated."""

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

    incident: Mapped[Incident] = relationship(back_populates="evidence")


class EvidenceDraft(Base):
    """Evidence captured while the reporter fills in the form, keyed by the form's id."""

    __tablename__ = "evidence_drafts"

    form_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    platform: Mapped[str] = mapped_column(String(10))
    content: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(index=True)


class AuditEvent(Base):
    """Append-only log of every state change and refusal."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(128))
    actor_name: Mapped[str | None] = mapped_column(String(255))
    platform: Mapped[str] = mapped_column(String(10))
    action: Mapped[str] = mapped_column(String(60), index=True)
    incident_id: Mapped[int | None] = mapped_column(Integer, index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class OutboxMessage(Base):
    """An outbound message, written in the same transaction as the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

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
    channel: Mapped[str] = mapped_column(String(128))
    message_id: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime]


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
    clock_started_at: Mapped[datetime]
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))
    must_record: Mapped[list[Any]] = mapped_column(JSON)
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
