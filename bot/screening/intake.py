"""Automatic screening intake: a screened message becomes a suspected incident, at most once,
or, over the flood cap, a line in the next overflow digest."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.audit import trail
from bot.audit.actions import AuditAction
from bot.delivery.outbox import enqueue
from bot.delivery.payloads import ScreeningDigest, TriageCard
from bot.domain import SYSTEM_ACTOR, Kind, PersonalData, Platform, Reach, Status
from bot.evidence.canonical import sha256_hex
from bot.evidence.keys import slack_message_key
from bot.incidents.cards import platform_of
from bot.incidents.context import DeskContext
from bot.incidents.hooks import IncidentHooks
from bot.incidents.intake import incident_key
from bot.screening.scoring import (
    FloodDecision,
    FloodGuard,
    ScreeningConfig,
    ScreeningResult,
    is_screened,
    mask_text,
    screen,
)
from storage import insight_queries as q
from storage import repository as repo
from storage.models import Evidence, Incident, ScreeningHit, ScreeningOverflow

log = logging.getLogger(__name__)

# Which failure type a rule suggests; the strongest rule that fired picks the incident's type.
RULE_FAILURE_TYPES = {
    "cross_client": "contamination",
    "email": "data_exposure",
    "phone": "data_exposure",
    "uk_nino": "data_exposure",
    "payment_card": "data_exposure",
    "iban": "data_exposure",
    "secrets": "data_exposure",
    "unverifiable_citation": "fabrication",
    "ai_boilerplate": "other",
}
PERSONAL_DATA_RULES = frozenset({"email", "phone", "uk_nino", "payment_card", "iban"})
OVERFLOW_DIGEST_LIMIT = 200


class ScreenedMessage(BaseModel):
    """A new chat message, in platform-neutral terms."""

    platform: Platform
    team_id: str | None = None
    channel_id: str
    ts: str
    text: str
    author_bot_id: str | None = None
    author_app_id: str | None = None
    author_teams_app_id: str | None = None
    author_user_id: str | None = None
    author_name: str | None = None

    @property
    def source_key(self) -> str:
        """The same key a person's report of this message uses, so the two join. A Slack message
        is keyed by what identifies it on every side of a shared channel; Teams keeps its
        tenant-scoped key."""
        if self.platform == Platform.SLACK:
            return slack_message_key(self.channel_id, self.ts)
        return f"{self.platform.value}:{self.team_id or '-'}:{self.channel_id}:{self.ts}"


class Intake(StrEnum):
    CREATED = "created"  # a new suspected incident
    DUPLICATE = "duplicate"  # this message was already recorded (a retried event)
    OVERFLOW = "overflow"  # over the flood cap: listed in the next digest instead


def effective_config(
    config: ScreeningConfig,
    runbook_bot_ids: list[str],
    runbook_app_ids: list[str],
    runbook_teams_app_ids: list[str] | None = None,
) -> ScreeningConfig:
    """The screening config with the runbook's Slack bot and app ids and Teams app ids counted
    as AI tools too."""
    data = config.model_dump()
    data["ai_bot_ids"] = sorted({*config.ai_bot_ids, *runbook_bot_ids})
    data["ai_app_ids"] = sorted({*config.ai_app_ids, *runbook_app_ids})
    data["teams_ai_app_ids"] = sorted({*config.teams_ai_app_ids, *(runbook_teams_app_ids or [])})
    return ScreeningConfig.model_validate(data)


def _flood_lock_name(channel_id: str) -> str:
    # Counter names are short; Teams conversation ids are not.
    return "flood:" + hashlib.sha256(channel_id.encode()).hexdigest()[:24]


def triage_targets(ctx: DeskContext, triage_channel: str | None) -> list[str]:
    """Where digests go: the triage channel, or every Slack admin by DM when none is set."""
    if Platform.SLACK not in ctx.platforms:
        return []
    if triage_channel:
        return [triage_channel]
    return [a for a in sorted(ctx.admins) if platform_of(a) == Platform.SLACK]


def digest_targets(
    ctx: DeskContext, triage_channel: str | None, teams_triage_channel: str | None
) -> list[tuple[Platform, str]]:
    """Every place a digest goes: Slack's (see triage_targets) and the Teams triage channel."""
    targets = [(Platform.SLACK, t) for t in triage_targets(ctx, triage_channel)]
    if teams_triage_channel and Platform.TEAMS in ctx.platforms:
        targets.append((Platform.TEAMS, teams_triage_channel))
    return targets


class Screener:
    """Screens messages and records what it finds; the only writer of suspected incidents."""

    def __init__(
        self,
        ctx: DeskContext,
        hooks: IncidentHooks,
        *,
        triage_channel: str | None,
        teams_triage_channel: str | None = None,
    ) -> None:
        self.ctx = ctx
        self.hooks = hooks
        runbook = ctx.config.runbook
        self.config = effective_config(
            ctx.config.screening,
            [b for t in runbook for b in t.slack_bot_ids],
            [a for t in runbook for a in t.slack_app_ids],
            [a for t in runbook for a in t.teams_app_ids],
        )
        self.guard = FloodGuard.from_config(self.config)
        self.triage_channel = triage_channel
        self.teams_triage_channel = teams_triage_channel

    def wants(self, message: ScreenedMessage) -> bool:
        """Whether the message's author and channel are screened at all (cheap)."""
        return is_screened(
            author_bot_id=message.author_bot_id,
            author_app_id=message.author_app_id or message.author_teams_app_id,
            channel_id=message.channel_id,
            config=self.config,
        )

    def assess(self, message: ScreenedMessage) -> ScreeningResult | None:
        """The screening result when the message is screened and scores over the threshold."""
        if not self.wants(message):
            return None
        result = screen(message.text, channel_id=message.channel_id, config=self.config)
        return result if result.suspected else None

    async def seen(self, message: ScreenedMessage) -> bool:
        """Whether this message already made an incident or an overflow line."""
        async with self.ctx.db.transaction() as session:
            return await self._seen(session, message.source_key)

    async def record(
        self, message: ScreenedMessage, result: ScreeningResult, evidence: dict[str, Any]
    ) -> Intake:
        """Raise a suspected incident (or an overflow line) once per message, in one transaction."""
        now = datetime.now(UTC)
        key = message.source_key
        async with self.ctx.db.transaction() as session:
            if await self._seen(session, key):
                return Intake.DUPLICATE
            # The counter row lock makes concurrent messages in one channel count one at a time.
            await repo.next_number(session, name=_flood_lock_name(message.channel_id))
            made = await q.count_incidents_by(
                session,
                created_by=SYSTEM_ACTOR.ref,
                channel_id=message.channel_id,
                since=self.guard.window_start(now),
            )
            decision = self.guard.decide(
                channel_id=message.channel_id, counts={message.channel_id: made}
            )
            try:
                async with session.begin_nested():
                    if decision == FloodDecision.DIGEST:
                        self._overflow(session, message, result, now)
                        await session.flush()
                        intake = Intake.OVERFLOW
                    else:
                        incident = await self._suspected(session, message, result, evidence, now)
                        intake = Intake.CREATED
            except IntegrityError:
                return Intake.DUPLICATE  # a concurrent delivery of the same event won
            if intake == Intake.CREATED:
                await self.hooks.run_reported(session, incident)
        self.ctx.notify_committed()
        log.info("screening %s in %s: %s (score %s)", key, message.channel_id, intake, result.score)
        return intake

    async def _seen(self, session: AsyncSession, key: str) -> bool:
        return (
            await repo.get_incident_by_source(session, source_key=key) is not None
            or await q.overflow_by_source(session, source_key=key) is not None
        )

    def _overflow(
        self,
        session: AsyncSession,
        message: ScreenedMessage,
        result: ScreeningResult,
        now: datetime,
    ) -> None:
        session.add(
            ScreeningOverflow(
                source_key=message.source_key,
                platform=message.platform.value,
                channel_id=message.channel_id,
                message_ts=message.ts,
                author=message.author_name or message.author_bot_id or message.author_user_id,
                score=result.score,
                signals=[s.model_dump() for s in result.signals],
                rule_ids=result.rule_ids,
                detected_at=now,
            )
        )

    def _failure_type(self, result: ScreeningResult) -> str:
        known = {t.id for t in self.ctx.config.failure_types}
        strongest = sorted(result.signals, key=lambda s: -s.score)
        for signal in strongest:
            suggested = RULE_FAILURE_TYPES.get(signal.rule_id)
            if suggested in known:
                return str(suggested)
        return "other" if "other" in known else self.ctx.config.failure_types[-1].id

    async def _suspected(
        self,
        session: AsyncSession,
        message: ScreenedMessage,
        result: ScreeningResult,
        evidence: dict[str, Any],
        now: datetime,
    ) -> Incident:
        labels = ", ".join(dict.fromkeys(s.label for s in result.signals))
        number = await repo.next_number(session, name="incident")
        pii = bool(PERSONAL_DATA_RULES & set(result.rule_ids))
        tool = self.ctx.config.tool_for_author(
            {
                "id": message.author_bot_id,
                "app_id": message.author_app_id,
                "teams_app_id": message.author_teams_app_id,
            }
        )
        incident = Incident(
            key=incident_key(number),
            kind=Kind.SUSPECTED.value,
            status=Status.REPORTED.value,
            severity=None,
            description=f"Automatic screening flagged this AI message (score {result.score:g}): "
            f"{labels}.",
            failure_type=self._failure_type(result),
            reach=Reach.CAUGHT.value,
            personal_data=(PersonalData.UNSURE if pii else PersonalData.NO).value,
            platform=message.platform.value,
            source_key=message.source_key,
            channel_id=message.channel_id,
            created_by=SYSTEM_ACTOR.ref,
            created_by_name=SYSTEM_ACTOR.name,
            created_at=now,
            updated_at=now,
            aware_at=now,
            ai_tool=tool.id if tool else None,
        )
        session.add(incident)
        await session.flush()
        content = {
            **evidence,
            "screening": {
                "score": result.score,
                "threshold": self.config.threshold,
                "signals": [s.model_dump() for s in result.signals],
                "rule_ids": result.rule_ids,
                "masked_text": mask_text(
                    message.text, channel_id=message.channel_id, config=self.config
                ),
            },
        }
        session.add(
            Evidence(
                incident_id=incident.id,
                kind="message",
                source_key=incident.source_key,
                content=content,
                sha256=sha256_hex(content),
                captured_at=datetime.fromisoformat(evidence["captured_at"])
                if "captured_at" in evidence
                else now,
                captured_by=SYSTEM_ACTOR.ref,
            )
        )
        scores = {s.rule_id: s.score for s in result.signals}
        for rule_id in result.rule_ids:
            session.add(
                ScreeningHit(
                    incident_id=incident.id, rule_id=rule_id, score=scores[rule_id], created_at=now
                )
            )
        await trail.record(
            session,
            actor=SYSTEM_ACTOR,
            action=AuditAction.SUSPECTED,
            incident_id=incident.id,
            after={
                "key": incident.key,
                "kind": incident.kind,
                "source_key": incident.source_key,
                "score": result.score,
                "rules": result.rule_ids,
                "evidence_sha256": sha256_hex(content),
            },
        )
        for admin in sorted(self.ctx.admins):
            admin_platform = platform_of(admin)
            if admin_platform in self.ctx.platforms:
                enqueue(
                    session,
                    platform=admin_platform,
                    payload=TriageCard(target=admin, incident_id=incident.id),
                )
        return incident

    # ---- the overflow digest -------------------------------------------------------------

    async def send_overflow_digest(self) -> int:
        """Queue one message listing every capped message not yet digested; returns how many."""
        targets = digest_targets(self.ctx, self.triage_channel, self.teams_triage_channel)
        if not targets:
            return 0
        now = datetime.now(UTC)
        async with self.ctx.db.transaction() as session:
            rows = await q.claim_undigested_overflow(session, limit=OVERFLOW_DIGEST_LIMIT)
            if not rows:
                return 0
            entries = []
            for row in rows:
                row.digested_at = now
                entries.append(
                    {
                        "channel_id": row.channel_id,
                        "message_ts": row.message_ts,
                        "author": row.author,
                        "score": row.score,
                        "signals": row.signals,
                        "detected_at": row.detected_at.isoformat(),
                    }
                )
            for platform, target in targets:
                enqueue(
                    session,
                    platform=platform,
                    payload=ScreeningDigest(
                        target=target, entries=entries, cap=self.guard.cap_per_channel_per_hour
                    ),
                )
        self.ctx.notify_committed()
        log.info("screening overflow digest queued with %s messages", len(entries))
        return len(entries)
