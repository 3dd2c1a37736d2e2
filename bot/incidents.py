"""The lifecycle service: the one place where incident state changes."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.domain import (
    MAX_DESCRIPTION,
    MAX_RATIONALE,
    OUTCOME_LABELS,
    Actor,
    CloseInput,
    IncidentView,
    Kind,
    ObligationLine,
    Outcome,
    PersonalData,
    Platform,
    Reach,
    ReportInput,
    ReportResult,
    ScreeningSummary,
    Severity,
    Status,
)
from bot.errors import InvalidInput, InvalidTransition, NotAuthorized, NotFound
from bot.evidence import excerpt
from bot.evidence_lifecycle import EvidenceDesk, evidence_notes, insert_evidence
from bot.outbox import OutboxKind, enqueue
from bot.settings import DeskConfig
from storage import repository as repo
from storage.db import Database
from storage.models import EvidenceDraft, Incident, IncidentReporter

log = logging.getLogger(__name__)

REFUSAL_TEXT = (
    "Only incident admins can triage incidents. Your click was not applied and has been "
    "logged. Ask an admin listed in INCIDENT_ADMINS if you think this is wrong."
)


ChangeHook = Callable[[AsyncSession, Incident, str], Awaitable[None]]


def incident_key(number: int) -> str:
    return f"INC-{number:04d}"


def platform_of(user_id: str) -> Platform:
    """Slack user ids look like U012AB3CD or W012AB3CD; anything else is a Teams AAD id."""
    if user_id[:1] in {"U", "W"} and user_id.isalnum() and user_id.upper() == user_id:
        return Platform.SLACK
    return Platform.TEAMS


def to_view(incident: Incident, config: DeskConfig) -> IncidentView:
    """Flatten the row and its first evidence into what cards and exports render."""
    first = incident.evidence[0].content if incident.evidence else {}
    message = first.get("message", {}) if isinstance(first, dict) else {}
    author = first.get("author", {}) if isinstance(first, dict) else {}
    # A screened message is shown masked: its matches never appear in full in a card.
    screening = first.get("screening") if isinstance(first, dict) else None
    text = screening.get("masked_text") if screening else message.get("text")
    return IncidentView(
        id=incident.id,
        key=incident.key,
        kind=Kind(incident.kind),
        status=Status(incident.status),
        severity=Severity(incident.severity) if incident.severity else None,
        description=incident.description,
        failure_type=incident.failure_type,
        failure_type_label=config.failure_type_label(incident.failure_type),
        personal_data=PersonalData(incident.personal_data),
        reach=Reach(incident.reach),
        platform=Platform(incident.platform),
        reported_by=incident.created_by,
        reporters=[r.reporter for r in incident.reporters],
        assignee=incident.assignee,
        created_at=incident.created_at,
        closed_at=incident.closed_at,
        outcome=Outcome(incident.outcome) if incident.outcome else None,
        rationale=incident.rationale,
        root_cause=incident.root_cause,
        lessons=incident.lessons,
        excerpt=excerpt(text) if message else None,
        author=author.get("display_name") or author.get("id") if author else None,
        permalink=first.get("permalink") if isinstance(first, dict) else None,
        channel_id=incident.channel_id,
        evidence_count=len(incident.evidence),
        evidence_notes=evidence_notes(incident.evidence),
        correction=incident.correction,
        ai_tool=incident.ai_tool,
        ai_tool_name=tool.name if (tool := config.tool(incident.ai_tool)) else incident.ai_tool,
        failure_point=incident.failure_point,
        aware_at=incident.aware_at,
        classified_at=incident.classified_at,
        contained_at=incident.contained_at,
        contained_by=incident.contained_by,
        runbook=tool.model_dump() if tool else None,
        obligations=[
            ObligationLine(
                id=o.id,
                regime_id=o.regime_id,
                name=o.regime_name,
                stage=o.stage_name,
                informational=o.informational,
                immediate=o.immediate,
                due_at=o.due_at,
                status=o.status,
                decided_by=o.decided_by,
                decided_at=o.decided_at,
                reference=(o.decision or {}).get("reference"),
            )
            for o in incident.obligations
            if o.status != "withdrawn"
        ],
        assignee_name=incident.assignee_name,
        reported_by_name=incident.created_by_name,
        screening=ScreeningSummary.model_validate(screening) if screening else None,
    )


def _snapshot(incident: Incident, fields: Iterable[str]) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        return value.isoformat() if isinstance(value, datetime) else value

    return {f: plain(getattr(incident, f)) for f in fields}


class Desk:
    """Every incident state change goes through here, each in one transaction with its audit
    event and outbox rows."""

    def __init__(
        self,
        db: Database,
        config: DeskConfig,
        *,
        admins: frozenset[str],
        platforms: frozenset[Platform],
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.config = config
        self.admins = admins
        self.platforms = platforms
        self._on_commit = on_commit or (lambda: None)
        self.evidence = EvidenceDesk(self, on_commit=self._on_commit)
        # Run inside the transaction of every admin change; raising aborts the change.
        self.change_hooks: list[ChangeHook] = []
        # Extra outbox rows for a new incident (e.g. the triage channel's copy of the card).
        self.report_hooks: list[Callable[[AsyncSession, Incident], Awaitable[None]]] = []
        # Run wherever an incident's cards are refreshed, i.e. whenever it changed.
        self.refresh_hooks: list[Callable[[AsyncSession, Incident], None]] = []

    def is_admin(self, actor: Actor) -> bool:
        return actor.user_id in self.admins

    # ---- reporting -------------------------------------------------------------------------

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
        if form.failure_type not in {t.id for t in self.config.failure_types}:
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
    ) -> ReportResult:
        """Store a new incident, or add the reporter to the one already open for this source.

        `draft_form_id` names evidence captured while the form was open; it is used and removed
        in the same transaction, so a failed save keeps it for the retry."""
        self.validate_report(form)
        async with self.db.transaction() as session:
            if draft_form_id is not None:
                draft = await repo.pop_draft(session, form_id=draft_form_id)
                if draft is not None and evidence is None:
                    evidence = draft.content
                elif evidence is None:
                    # Capture did not finish before submit; record that honestly, not nothing.
                    evidence = {
                        "source_key": source_key,
                        "capture_incomplete": True,
                        "note": "The message could not be captured before the report was saved.",
                        "captured_at": datetime.now(UTC).isoformat(),
                    }
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
                for hook in self.report_hooks:
                    await hook(session, incident)
                result = ReportResult(incident_key=incident.key, created=True, reporter_added=True)
        self._on_commit()
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
        if isinstance(author, dict) and (tool := self.config.tool_for_author(author)):
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
                fetch_platforms=self.platforms,
            )
        await audit.record(
            session,
            actor=actor,
            action="incident.reported",
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
        for admin in sorted(self.admins):
            admin_platform = platform_of(admin)
            if admin_platform in self.platforms:
                enqueue(
                    session,
                    platform=admin_platform,
                    kind=OutboxKind.TRIAGE_CARD,
                    target=admin,
                    incident_id=incident.id,
                )
        enqueue(
            session,
            platform=actor.platform,
            kind=OutboxKind.NOTICE,
            target=actor.user_id,
            incident_id=incident.id,
            payload={
                "channel_id": channel_id,
                "text": (
                    f"Thanks, reported as *{incident.key}*"
                    f" ({'near miss' if incident.kind == Kind.NEAR_MISS else 'incident'}). "
                    "The incident admins have been told and will triage it."
                ),
            },
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
            await audit.record(
                session,
                actor=actor,
                action="incident.reporter_added",
                incident_id=incident.id,
                after={"reporter": actor.ref, "description": form.description.strip()},
            )
            text = f"This message was already reported as *{incident.key}*; you were added."
            self.refresh_cards(session, incident)
        else:
            text = f"You already reported this message as *{incident.key}*."
        enqueue(
            session,
            platform=actor.platform,
            kind=OutboxKind.NOTICE,
            target=actor.user_id,
            incident_id=incident.id,
            payload={"channel_id": channel_id, "text": text},
        )
        return ReportResult(
            incident_key=incident.key, created=False, reporter_added=already is None
        )

    async def save_evidence_draft(
        self, *, form_id: str, platform: Platform, content: dict[str, Any]
    ) -> None:
        """Keep evidence captured while the reporter is still typing."""
        async with self.db.transaction() as session:
            await repo.save_draft(
                session,
                draft=EvidenceDraft(
                    form_id=form_id,
                    platform=platform.value,
                    content=content,
                    created_at=datetime.now(UTC),
                ),
            )

    async def has_evidence_draft(self, *, form_id: str) -> bool:
        async with self.db.transaction() as session:
            return await session.get(EvidenceDraft, form_id) is not None

    # ---- triage ----------------------------------------------------------------------------

    async def refuse(
        self,
        *,
        actor: Actor,
        action: str,
        incident_id: int | None,
        channel_id: str | None = None,
        notify: bool = True,
    ) -> NotAuthorized:
        """Audit a non-admin's attempt, tell them why, and return the error."""
        async with self.db.transaction() as session:
            await audit.record(
                session,
                actor=actor,
                action="triage.refused",
                incident_id=incident_id,
                after={"attempted": action},
            )
            if notify:
                enqueue(
                    session,
                    platform=actor.platform,
                    kind=OutboxKind.NOTICE,
                    target=actor.user_id,
                    incident_id=incident_id,
                    payload={"channel_id": channel_id, "text": REFUSAL_TEXT},
                )
        self._on_commit()
        log.warning("refused %s by non-admin %s on incident %s", action, actor.ref, incident_id)
        return NotAuthorized(REFUSAL_TEXT)

    async def admin_change(
        self,
        *,
        actor: Actor,
        incident_id: int,
        action: str,
        fields: tuple[str, ...],
        change: Callable[[Incident], None],
        also: Callable[[AsyncSession, Incident], Awaitable[None]] | None = None,
        allow_closed: bool = False,
        channel_id: str | None = None,
        notify_refusal: bool = True,
    ) -> IncidentView:
        if not self.is_admin(actor):
            raise await self.refuse(
                actor=actor,
                action=action,
                incident_id=incident_id,
                channel_id=channel_id,
                notify=notify_refusal,
            )
        async with self.db.transaction() as session:
            incident = await repo.lock_incident(session, incident_id=incident_id)
            if incident is None:
                raise NotFound(f"Incident {incident_id} does not exist.")
            if incident.status == Status.CLOSED and not allow_closed:
                raise InvalidTransition(
                    f"{incident.key} is closed ({incident.outcome}); nothing was changed."
                )
            before = _snapshot(incident, fields)
            change(incident)
            after = _snapshot(incident, fields)
            changed = before != after
            if changed:
                incident.updated_at = datetime.now(UTC)
                await audit.record(
                    session,
                    actor=actor,
                    action=action,
                    incident_id=incident.id,
                    before=before,
                    after=after,
                )
            if also is not None:
                await also(session, incident)
                changed = True
            if changed:
                for hook in self.change_hooks:
                    await hook(session, incident, action)
                self.refresh_cards(session, incident)
            await session.refresh(incident, ["reporters", "evidence", "obligations"])
            view = to_view(incident, self.config)
        self._on_commit()
        return view

    def notify_committed(self) -> None:
        """Tell the outbox new rows were committed outside Desk's own methods."""
        self._on_commit()

    def _start_triage(self, incident: Incident) -> None:
        if incident.status == Status.REPORTED:
            incident.status = Status.TRIAGING.value

    async def assign_to_me(
        self, *, actor: Actor, incident_id: int, channel_id: str | None = None
    ) -> IncidentView:
        def change(incident: Incident) -> None:
            incident.assignee = actor.ref
            incident.assignee_name = actor.name
            self._start_triage(incident)

        return await self.admin_change(
            actor=actor,
            incident_id=incident_id,
            action="incident.assigned",
            channel_id=channel_id,
            fields=("assignee", "status"),
            change=change,
        )

    async def set_severity(
        self,
        *,
        actor: Actor,
        incident_id: int,
        severity: Severity,
        channel_id: str | None = None,
    ) -> IncidentView:
        def change(incident: Incident) -> None:
            incident.severity = severity.value
            self._start_triage(incident)

        return await self.admin_change(
            actor=actor,
            incident_id=incident_id,
            action="incident.severity_changed",
            channel_id=channel_id,
            fields=("severity", "status"),
            change=change,
        )

    async def mark_near_miss(
        self, *, actor: Actor, incident_id: int, channel_id: str | None = None
    ) -> IncidentView:
        def change(incident: Incident) -> None:
            incident.kind = Kind.NEAR_MISS.value
            self._start_triage(incident)

        return await self.admin_change(
            actor=actor,
            incident_id=incident_id,
            action="incident.marked_near_miss",
            channel_id=channel_id,
            fields=("kind", "status"),
            change=change,
        )

    def validate_close(self, form: CloseInput) -> None:
        errors: dict[str, str] = {}
        required = ["rationale"]
        if form.outcome != Outcome.FALSE_POSITIVE:
            required += ["root_cause", "lessons"]
        for name in ("rationale", "root_cause", "lessons", "correction"):
            value = getattr(form, name).strip()
            if name in required and not value:
                errors[name] = "Required to close the incident."
            elif len(value) > MAX_RATIONALE:
                errors[name] = f"Keep it under {MAX_RATIONALE} characters (this is {len(value)})."
        if errors:
            raise InvalidInput(errors)

    async def close(self, *, actor: Actor, incident_id: int, form: CloseInput) -> IncidentView:
        """Close with a recorded outcome; reporters are told how it ended."""
        self.validate_close(form)
        now = datetime.now(UTC)

        def change(incident: Incident) -> None:
            incident.status = Status.CLOSED.value
            incident.outcome = form.outcome.value
            incident.rationale = form.rationale.strip()
            incident.root_cause = form.root_cause.strip() or None
            incident.lessons = form.lessons.strip() or None
            incident.correction = form.correction.strip() or None
            incident.closed_at = now
            incident.closed_by = actor.ref

        async def tell_reporters(session: AsyncSession, incident: Incident) -> None:
            for reporter in incident.reporters:
                if reporter.reporter == actor.ref:
                    continue
                platform_name, _, user_id = reporter.reporter.partition(":")
                enqueue(
                    session,
                    platform=Platform(platform_name),
                    kind=OutboxKind.DM,
                    target=user_id,
                    incident_id=incident.id,
                    payload={
                        "text": f"*{incident.key}*, which you reported, was closed: "
                        f"{OUTCOME_LABELS[form.outcome]}. {form.rationale.strip()}"
                    },
                )

        return await self.admin_change(
            actor=actor,
            incident_id=incident_id,
            action="incident.closed",
            notify_refusal=False,
            fields=(
                "status",
                "outcome",
                "rationale",
                "root_cause",
                "lessons",
                "correction",
                "closed_at",
            ),
            change=change,
            also=tell_reporters,
        )

    def refresh_cards(self, session: AsyncSession, incident: Incident) -> None:
        for platform in sorted(self.platforms):
            enqueue(
                session,
                platform=platform,
                kind=OutboxKind.REFRESH_CARDS,
                incident_id=incident.id,
            )
        for hook in self.refresh_hooks:
            hook(session, incident)

    # ---- reading ---------------------------------------------------------------------------

    async def view(self, *, incident_id: int) -> IncidentView:
        async with self.db.transaction() as session:
            incident = await repo.get_incident(session, incident_id=incident_id)
            if incident is None:
                raise NotFound(f"Incident {incident_id} does not exist.")
            return to_view(incident, self.config)

    async def list_open(self, *, actor: Actor) -> tuple[list[IncidentView], bool]:
        """Open incidents the actor may see, and whether that is all of them (admin)."""
        admin = self.is_admin(actor)
        async with self.db.transaction() as session:
            rows = await repo.list_open_incidents(session, reporter=None if admin else actor.ref)
            return [to_view(r, self.config) for r in rows], admin

    async def show(self, *, actor: Actor, key: str) -> IncidentView:
        """One incident, for admins and its reporters only."""
        async with self.db.transaction() as session:
            incident = await repo.get_incident_by_key(session, key=key)
            visible = incident is not None and (
                self.is_admin(actor) or actor.ref in {r.reporter for r in incident.reporters}
            )
            if incident is None or not visible:
                raise NotFound(
                    f"No incident {key.upper()} that you can see. Admins see every incident; "
                    "others see the ones they reported."
                )
            return to_view(incident, self.config)
