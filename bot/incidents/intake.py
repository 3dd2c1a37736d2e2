"""Intake: a new incident from a report, or a new reporter on the incident already open; and the
evidence drafts captured while a report form is open."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import trail
from bot.audit.actions import AuditAction
from bot.delivery.outbox import enqueue
from bot.delivery.payloads import Notice
from bot.domain import (
    MAX_DESCRIPTION,
    Actor,
    Kind,
    PersonalData,
    Platform,
    Reach,
    ReportInput,
    ReportResult,
    Status,
)
from bot.errors import InvalidInput, StorageUnavailable
from bot.evidence import drafts
from bot.evidence.lifecycle import insert_evidence
from bot.incidents import notices
from bot.incidents.cards import CardFanout
from bot.incidents.context import DeskContext
from bot.incidents.hooks import IncidentHooks
from bot.incidents.spool import ReportSpool, ReportSpooled, SpooledReport, spooled_now
from storage import repository as repo
from storage.models import EvidenceDraft, Incident, IncidentReporter, ReportSubmission

log = logging.getLogger(__name__)

# A report form left open this long is abandoned; its captured evidence draft goes.
DRAFT_LIFETIME = timedelta(days=1)


def incident_key(number: int) -> str:
    return f"INC-{number:04d}"


class Intake:
    def __init__(self, ctx: DeskContext, hooks: IncidentHooks, cards: CardFanout) -> None:
        self.ctx = ctx
        self.hooks = hooks
        self.cards = cards
        # Set by the composition root: where reports go while the database is down.
        self.spool: ReportSpool | None = None
        self._replaying = asyncio.Lock()

    def parse_report(
        self,
        *,
        description: str | None,
        failure_type: str | None,
        reach: str | None,
        personal_data: str | None,
    ) -> ReportInput:
        """Turn raw form values into a ReportInput, naming every field that is wrong at once."""
        errors: dict[str, str] = {}
        try:
            self.validate_report(
                ReportInput(
                    description=description or "",
                    failure_type=failure_type or "",
                    reach=Reach.CAUGHT,
                    personal_data=PersonalData.UNSURE,
                )
            )
        except InvalidInput as exc:
            errors.update(exc.fields)
        if reach not in {r.value for r in Reach}:
            errors["reach"] = "Say whether it reached a client."
        if personal_data not in {p.value for p in PersonalData}:
            errors["personal_data"] = "Say whether personal data is involved."
        if errors:
            raise InvalidInput(errors)
        return ReportInput(
            description=description or "",
            failure_type=failure_type or "",
            reach=Reach(reach or ""),
            personal_data=PersonalData(personal_data or ""),
        )

    def validate_report(self, form: ReportInput) -> None:
        """Raise InvalidInput naming each field that is wrong."""
        errors: dict[str, str] = {}
        text = form.description.strip()
        if not text:
            errors["description"] = "Say what went wrong."
        elif len(text) > MAX_DESCRIPTION:
            errors["description"] = (
                f"Keep it under {MAX_DESCRIPTION} characters (this is {len(text)}); "
                "add detail later in the incident thread."
            )
        if form.failure_type not in {t.id for t in self.ctx.config.failure_types}:
            errors["failure_type"] = "Pick a failure type from the list."
        if errors:
            raise InvalidInput(errors)

    async def report(
        self,
        *,
        actor: Actor,
        form: ReportInput,
        platform: Platform,
        source_key: str | None = None,
        channel_id: str | None = None,
        evidence: dict[str, Any] | None = None,
        draft_form_id: str | None = None,
        submission_key: str | None = None,
        spool_if_down: bool = False,
    ) -> ReportResult:
        """Store a new incident, or add the reporter to the one already open for this source.

        `draft_form_id` names evidence captured while the form was open; it is used and removed
        in the same transaction, so a failed save keeps it for the retry. `submission_key` names
        the submitted form: the same form submitted again returns the first answer. With
        `spool_if_down`, a report the database cannot take is spooled (ReportSpooled)."""
        self.validate_report(form)
        try:
            return await self._report_once(
                actor=actor,
                form=form,
                platform=platform,
                source_key=source_key,
                channel_id=channel_id,
                evidence=evidence,
                draft_form_id=draft_form_id,
                submission_key=submission_key,
            )
        except StorageUnavailable:
            if not spool_if_down or self.spool is None:
                raise
            spooled = SpooledReport(
                submission_key=submission_key or f"spool:{uuid.uuid4().hex}",
                actor=actor,
                form=form,
                platform=platform,
                source_key=source_key,
                channel_id=channel_id,
                evidence=evidence,
                draft_form_id=draft_form_id,
                spooled_at=spooled_now(),
            )
            await asyncio.to_thread(self.spool.append, spooled)
            log.warning("report by %s spooled: the database is unavailable", actor.ref)
            raise ReportSpooled() from None

    async def replay_spool(self) -> int:
        """Record the spooled reports (a scheduler job, and `incident-desk replay`); returns how
        many were recorded. Each is keyed by its submission, so replaying twice is harmless."""
        if self.spool is None:
            return 0
        async with self._replaying:
            pending = await asyncio.to_thread(self.spool.pending)
            recorded: set[str] = set()
            for spooled in pending:
                try:
                    result = await self._report_once(
                        actor=spooled.actor,
                        form=spooled.form,
                        platform=spooled.platform,
                        source_key=spooled.source_key,
                        channel_id=spooled.channel_id,
                        evidence=spooled.evidence,
                        draft_form_id=spooled.draft_form_id,
                        submission_key=spooled.submission_key,
                    )
                except StorageUnavailable:
                    break  # still down: the next run tries again
                log.info("spooled report %s recorded as %s", spooled.submission_key, result)
                recorded.add(spooled.submission_key)
            if recorded:
                await asyncio.to_thread(self.spool.forget, recorded)
            return len(recorded)

    async def _report_once(
        self,
        *,
        actor: Actor,
        form: ReportInput,
        platform: Platform,
        source_key: str | None,
        channel_id: str | None,
        evidence: dict[str, Any] | None,
        draft_form_id: str | None,
        submission_key: str | None,
    ) -> ReportResult:
        earlier = await self.earlier_submission(submission_key) if submission_key else None
        if earlier is not None:
            return earlier
        try:
            return await self._report(
                actor=actor,
                form=form,
                platform=platform,
                source_key=source_key,
                channel_id=channel_id,
                evidence=evidence,
                draft_form_id=draft_form_id,
                submission_key=submission_key,
            )
        except IntegrityError:
            # The same form, delivered twice at once: the other delivery recorded it.
            if submission_key is None:
                raise
            earlier = await self.earlier_submission(submission_key)
            if earlier is None:
                raise
            return earlier

    async def earlier_submission(self, submission_key: str) -> ReportResult | None:
        """The answer already given to this submitted form, if it was recorded."""
        async with self.ctx.db.transaction() as session:
            found = await repo.get_submission(session, submission_key=submission_key)
        if found is None:
            return None
        submission, key = found
        log.info("report form %s submitted again; it is %s", submission_key, key)
        return ReportResult(
            incident_key=key, created=submission.created, reporter_added=submission.reporter_added
        )

    async def _report(
        self,
        *,
        actor: Actor,
        form: ReportInput,
        platform: Platform,
        source_key: str | None,
        channel_id: str | None,
        evidence: dict[str, Any] | None,
        draft_form_id: str | None,
        submission_key: str | None,
    ) -> ReportResult:
        async with self.ctx.db.transaction() as session:
            capture_to_come = False
            if draft_form_id is not None and evidence is None:
                evidence, capture_to_come = await drafts.take_for_report(
                    session, form_id=draft_form_id, source_key=source_key
                )
            existing = None
            if source_key:
                existing = await repo.get_incident_by_source(session, source_key=source_key)
            if existing is None:
                try:
                    async with session.begin_nested():
                        incident = await self._create(
                            session, actor, form, platform, source_key, channel_id
                        )
                except IntegrityError:
                    # A concurrent report of the same message won the unique constraint.
                    assert source_key is not None
                    existing = await repo.get_incident_by_source(session, source_key=source_key)
                    if existing is None:
                        raise
            if existing is not None:
                result = await self._join(session, existing, actor, form, channel_id)
            else:
                await self._after_create(session, incident, actor, form, channel_id, evidence)
                if capture_to_come and draft_form_id is not None:
                    await drafts.await_capture(
                        session, form_id=draft_form_id, platform=platform, incident=incident
                    )
                await self.hooks.run_reported(session, incident)
                result = ReportResult(incident_key=incident.key, created=True, reporter_added=True)
            if submission_key is not None:
                await repo.add_submission(
                    session,
                    submission=ReportSubmission(
                        submission_key=submission_key,
                        incident_id=(existing or incident).id,
                        created=result.created,
                        reporter_added=result.reporter_added,
                        submitted_at=datetime.now(UTC),
                    ),
                )
        self.ctx.notify_committed()
        log.info(
            "report %s by %s (%s)",
            result.incident_key,
            actor.ref,
            "new" if result.created else "joined",
        )
        return result

    async def _create(
        self,
        session: AsyncSession,
        actor: Actor,
        form: ReportInput,
        platform: Platform,
        source_key: str | None,
        channel_id: str | None,
    ) -> Incident:
        now = datetime.now(UTC)
        number = await repo.next_number(session, name="incident")
        incident = Incident(
            key=incident_key(number),
            kind=(Kind.NEAR_MISS if form.reach == Reach.CAUGHT else Kind.INCIDENT).value,
            status=Status.REPORTED.value,
            severity=None,
            description=form.description.strip(),
            failure_type=form.failure_type,
            reach=form.reach.value,
            personal_data=form.personal_data.value,
            platform=platform.value,
            source_key=source_key,
            channel_id=channel_id,
            created_by=actor.ref,
            created_by_name=actor.name,
            created_at=now,
            updated_at=now,
        )
        session.add(incident)
        await session.flush()
        return incident

    async def _after_create(
        self,
        session: AsyncSession,
        incident: Incident,
        actor: Actor,
        form: ReportInput,
        channel_id: str | None,
        evidence: dict[str, Any] | None,
    ) -> None:
        now = incident.created_at
        incident.aware_at = now
        author = evidence.get("author") if evidence else None
        if isinstance(author, dict) and (tool := self.ctx.config.tool_for_author(author)):
            incident.ai_tool = tool.id
        session.add(
            IncidentReporter(
                incident_id=incident.id,
                reporter=actor.ref,
                reporter_name=actor.name,
                description=incident.description,
                reported_at=now,
            )
        )
        stored = None
        if evidence is not None:
            stored = await insert_evidence(
                session,
                incident=incident,
                content=evidence,
                source_key=incident.source_key,
                captured_by=actor.ref,
                fetch_platforms=self.ctx.platforms,
            )
        await trail.record(
            session,
            actor=actor,
            action=AuditAction.REPORTED,
            incident_id=incident.id,
            after={
                "key": incident.key,
                "kind": incident.kind,
                "failure_type": incident.failure_type,
                "reach": incident.reach,
                "personal_data": incident.personal_data,
                "source_key": incident.source_key,
                # The capture's hash is sealed in the chain, so evidence edits in the DB show.
                "evidence_sha256": stored.sha256 if stored is not None else None,
            },
        )
        self.cards.deal(session, incident)
        told = notices.reported(incident.key, incident.kind)
        enqueue(
            session,
            platform=actor.platform,
            payload=Notice(
                target=actor.user_id,
                incident_id=incident.id,
                channel_id=channel_id,
                text=told.plain,
                note=told,
            ),
        )

    async def _join(
        self,
        session: AsyncSession,
        incident: Incident,
        actor: Actor,
        form: ReportInput,
        channel_id: str | None,
    ) -> ReportResult:
        already = await repo.find_reporter(session, incident_id=incident.id, reporter=actor.ref)
        if already is None:
            session.add(
                IncidentReporter(
                    incident_id=incident.id,
                    reporter=actor.ref,
                    reporter_name=actor.name,
                    description=form.description.strip(),
                    reported_at=datetime.now(UTC),
                )
            )
            await trail.record(
                session,
                actor=actor,
                action=AuditAction.REPORTER_ADDED,
                incident_id=incident.id,
                after={"reporter": actor.ref, "description": form.description.strip()},
            )
            told = notices.joined(incident.key)
            self.cards.refresh(session, incident)
        else:
            told = notices.already_reported(incident.key)
        enqueue(
            session,
            platform=actor.platform,
            payload=Notice(
                target=actor.user_id,
                incident_id=incident.id,
                channel_id=channel_id,
                text=told.plain,
                note=told,
            ),
        )
        return ReportResult(
            incident_key=incident.key, created=False, reporter_added=already is None
        )

    async def save_evidence_draft(
        self, *, form_id: str, platform: Platform, content: dict[str, Any]
    ) -> None:
        """Keep evidence captured while the reporter is still typing, or attach it to the
        incident when the form was already submitted."""
        async with self.ctx.db.transaction() as session:
            kept = await drafts.keep(
                session,
                form_id=form_id,
                platform=platform,
                content=content,
                fetch_platforms=self.ctx.platforms,
            )
            if kept.incident is not None:
                self.cards.refresh(session, kept.incident)
        if kept.incident is not None:
            self.ctx.notify_committed()
            log.info("late capture attached to %s as evidence #%s", kept.incident.key, kept.number)

    async def has_evidence_draft(self, *, form_id: str) -> bool:
        async with self.ctx.db.transaction() as session:
            return await session.get(EvidenceDraft, form_id) is not None

    async def purge_drafts(self, *, older_than: timedelta = DRAFT_LIFETIME) -> None:
        """Drop evidence drafts of report forms that were never submitted (a scheduler job)."""
        async with self.ctx.db.transaction() as session:
            await repo.purge_drafts(session, older_than=datetime.now(UTC) - older_than)
