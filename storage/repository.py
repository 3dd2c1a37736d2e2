"""Queries the core runs; each takes the caller's session so it joins the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AiToolState,
    AuditEvent,
    CardPost,
    Counter,
    Evidence,
    EvidenceDraft,
    Incident,
    IncidentReporter,
    OutboxMessage,
    ReportSubmission,
    TeamsConversation,
)


async def next_number(session: AsyncSession, *, name: str) -> int:
    """Increment and return a named counter; the row lock serialises concurrent callers."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(Counter).values(name=name, value=0).on_conflict_do_nothing(index_elements=["name"])
    )
    result = await session.execute(
        update(Counter)
        .where(Counter.name == name)
        .values(value=Counter.value + 1)
        .returning(Counter.value)
    )
    return int(result.scalar_one())


async def get_incident(session: AsyncSession, *, incident_id: int) -> Incident | None:
    return await session.get(Incident, incident_id)


async def get_incident_by_key(session: AsyncSession, *, key: str) -> Incident | None:
    result = await session.execute(select(Incident).where(Incident.key == key.upper()))
    return result.scalar_one_or_none()


async def get_incident_by_source(session: AsyncSession, *, source_key: str) -> Incident | None:
    result = await session.execute(select(Incident).where(Incident.source_key == source_key))
    return result.scalar_one_or_none()


async def lock_incident(session: AsyncSession, *, incident_id: int) -> Incident | None:
    """Load an incident for update, so two admins acting at once apply one after the other."""
    result = await session.execute(
        select(Incident)
        .where(Incident.id == incident_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


async def lock_tool_state(
    session: AsyncSession, *, tool_id: str, create: bool = False
) -> AiToolState | None:
    """Load an AI tool's state for update, so two sign-offs or containments apply in turn;
    `create` first inserts an in-service row if there is none (two first containments race)."""
    if create:
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        await session.execute(
            insert(AiToolState)
            .values(
                tool_id=tool_id,
                state="in_service",
                changed_at=datetime.now(UTC),
                changed_by="system:incident-desk",
                approvals=[],
            )
            .on_conflict_do_nothing(index_elements=["tool_id"])
        )
    result = await session.execute(
        select(AiToolState)
        .where(AiToolState.tool_id == tool_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


async def tool_states(session: AsyncSession) -> dict[str, AiToolState]:
    """Every AI tool's stored state by tool id (a tool without one is in service)."""
    return {r.tool_id: r for r in (await session.scalars(select(AiToolState))).all()}


async def open_sev1_keys(session: AsyncSession, *, tool_id: str) -> list[str]:
    """The keys of the tool's open SEV1 incidents, oldest first."""
    keys = await session.scalars(
        select(Incident.key)
        .where(
            Incident.ai_tool == tool_id,
            Incident.severity == "SEV1",
            Incident.status != "closed",
        )
        .order_by(Incident.id)
    )
    return list(keys.all())


async def incidents_to_refresh(
    session: AsyncSession, *, tool_id: str, also: int | None
) -> list[Incident]:
    """The tool's open incidents and incident `also`, whose cards show the tool's state."""
    wanted = (Incident.ai_tool == tool_id) & (Incident.status != "closed")
    if also is not None:
        wanted = wanted | (Incident.id == also)
    result = await session.scalars(select(Incident).where(wanted).order_by(Incident.id))
    return list(result.all())


async def list_open_incidents(
    session: AsyncSession, *, reporter: str | None = None, limit: int = 50
) -> Sequence[Incident]:
    """Open incidents, newest first; only those `reporter` reported when given."""
    stmt = select(Incident).where(Incident.status != "closed")
    if reporter is not None:
        stmt = stmt.where(
            Incident.id.in_(
                select(IncidentReporter.incident_id).where(IncidentReporter.reporter == reporter)
            )
        )
    result = await session.execute(stmt.order_by(Incident.id.desc()).limit(limit))
    return result.scalars().all()


async def find_reporter(
    session: AsyncSession, *, incident_id: int, reporter: str
) -> IncidentReporter | None:
    result = await session.execute(
        select(IncidentReporter).where(
            IncidentReporter.incident_id == incident_id, IncidentReporter.reporter == reporter
        )
    )
    return result.scalar_one_or_none()


async def audit_events_for(session: AsyncSession, *, incident_id: int) -> Sequence[AuditEvent]:
    result = await session.execute(
        select(AuditEvent).where(AuditEvent.incident_id == incident_id).order_by(AuditEvent.id)
    )
    return result.scalars().all()


async def evidence_for(session: AsyncSession, *, incident_id: int) -> Sequence[Evidence]:
    result = await session.execute(
        select(Evidence).where(Evidence.incident_id == incident_id).order_by(Evidence.id)
    )
    return result.scalars().all()


async def card_posts_for(
    session: AsyncSession, *, incident_id: int, platform: str
) -> Sequence[CardPost]:
    result = await session.execute(
        select(CardPost)
        .where(CardPost.incident_id == incident_id, CardPost.platform == platform)
        .order_by(CardPost.id)
    )
    return result.scalars().all()


async def get_card_post(
    session: AsyncSession, *, incident_id: int, platform: str, recipient: str
) -> CardPost | None:
    result = await session.execute(
        select(CardPost).where(
            CardPost.incident_id == incident_id,
            CardPost.platform == platform,
            CardPost.recipient == recipient,
        )
    )
    return result.scalar_one_or_none()


def add_card_post(
    session: AsyncSession,
    *,
    incident_id: int,
    platform: str,
    recipient: str,
    channel: str,
    message_id: str,
    at: datetime,
) -> CardPost:
    post = CardPost(
        incident_id=incident_id,
        platform=platform,
        recipient=recipient,
        channel=channel,
        message_id=message_id,
        created_at=at,
    )
    session.add(post)
    return post


async def note_card_update(
    session: AsyncSession, *, card_post_id: int, error: str | None, at: datetime
) -> None:
    """Record why updating one card copy failed, or (error None) that it updates again."""
    await session.execute(
        update(CardPost)
        .where(CardPost.id == card_post_id)
        .values(last_error=error, failed_at=at if error is not None else None)
    )


async def save_draft(session: AsyncSession, *, draft: EvidenceDraft) -> None:
    await session.merge(draft)


async def pop_draft(session: AsyncSession, *, form_id: str) -> EvidenceDraft | None:
    draft = await session.get(EvidenceDraft, form_id)
    if draft is not None:
        await session.delete(draft)
    return draft


async def lock_draft(session: AsyncSession, *, form_id: str) -> EvidenceDraft | None:
    """Load a draft for update, so a submit and a late capture of one form apply in turn."""
    result = await session.execute(
        select(EvidenceDraft)
        .where(EvidenceDraft.form_id == form_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


async def purge_drafts(session: AsyncSession, *, older_than: datetime) -> int:
    """Drop drafts of forms that were never submitted; a draft a saved incident still waits
    for is kept."""
    result = await session.execute(
        delete(EvidenceDraft).where(
            EvidenceDraft.created_at < older_than, EvidenceDraft.incident_id.is_(None)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def get_submission(
    session: AsyncSession, *, submission_key: str
) -> tuple[ReportSubmission, str] | None:
    """The submission already recorded under this key, with its incident's key."""
    row = (
        await session.execute(
            select(ReportSubmission, Incident.key)
            .join(Incident, Incident.id == ReportSubmission.incident_id)
            .where(ReportSubmission.submission_key == submission_key)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def add_submission(session: AsyncSession, *, submission: ReportSubmission) -> None:
    """Record a submission; a concurrent one under the same key fails here (IntegrityError)."""
    session.add(submission)
    await session.flush()


async def outbox_counts(session: AsyncSession) -> dict[str, int]:
    from sqlalchemy import func

    result = await session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    )
    return {status: int(count) for status, count in result.all()}


async def upsert_teams_conversation(session: AsyncSession, *, row: TeamsConversation) -> None:
    """Insert or refresh a Teams reference; an empty conversation id never erases a known one."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = {c.name: getattr(row, c.name) for c in TeamsConversation.__table__.columns}
    values.pop("id")
    stmt = insert(TeamsConversation).values(**values)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["scope", "key"],
            set_={
                "user_id": func.coalesce(stmt.excluded.user_id, TeamsConversation.user_id),
                "user_name": func.coalesce(stmt.excluded.user_name, TeamsConversation.user_name),
                "conversation_id": func.coalesce(
                    stmt.excluded.conversation_id, TeamsConversation.conversation_id
                ),
                "service_url": stmt.excluded.service_url,
                "tenant_id": func.coalesce(stmt.excluded.tenant_id, TeamsConversation.tenant_id),
                "bot_id": stmt.excluded.bot_id,
                "captured_at": stmt.excluded.captured_at,
            },
        )
    )


async def get_teams_conversation(
    session: AsyncSession, *, scope: str, key: str
) -> TeamsConversation | None:
    result = await session.execute(
        select(TeamsConversation).where(
            TeamsConversation.scope == scope, TeamsConversation.key == key
        )
    )
    return result.scalar_one_or_none()


async def teams_conversation_keys(session: AsyncSession, *, scope: str) -> set[str]:
    result = await session.execute(
        select(TeamsConversation.key).where(TeamsConversation.scope == scope)
    )
    return set(result.scalars().all())


async def requeue_failed(
    session: AsyncSession, *, platform: str, target: str, error_prefix: str, now: datetime
) -> int:
    """Send again the messages that failed only because `target` could not be reached yet."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.platform == platform,
            OutboxMessage.target == target,
            OutboxMessage.status == "failed",
            OutboxMessage.last_error.startswith(error_prefix, autoescape=True),
        )
        .values(status="pending", attempts=0, next_attempt_at=now, claimed_by=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def failed_outbox(session: AsyncSession, *, limit: int = 20) -> Sequence[OutboxMessage]:
    """The most recent messages that failed for good, newest first."""
    result = await session.execute(
        select(OutboxMessage)
        .where(OutboxMessage.status == "failed")
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    return result.scalars().all()
