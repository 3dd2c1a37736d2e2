"""The demo's story, step by step, through the desk's own services and its real Slack and Teams
ports: every card and DM below was sent over HTTP to the pretend workspace.

Each step records what it checked (the stored state a user relies on) and the messages people
saw meanwhile, so the transcript and the test read the same facts."""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.audit.verify import verify_url
from bot.clocks.decisions import DecisionInput, ObligationStatus
from bot.clocks.regimes import ClassificationAnswers, RiskLevel
from bot.delivery.addresses import PERSONAL, Address, AddressBook
from bot.domain import (
    SYSTEM_ACTOR,
    CloseInput,
    IncidentView,
    Kind,
    ObligationLine,
    Outcome,
    PersonalData,
    Platform,
    Reach,
    ReportInput,
    Severity,
    Status,
)
from bot.evidence.keys import slack_message_key
from bot.exports.files import ExportFormat, render
from bot.screening.intake import Intake as ScreeningIntake
from bot.screening.intake import ScreenedMessage
from handlers.demo import cast
from handlers.demo.workspace import DESK, SLACK, Shown, Workspace
from handlers.wiring import DeskApp

ICO = "uk_gdpr_art33"
# The nudge stages the accelerated clock visits: hours after awareness (48, 24 and 12 h left).
NUDGE_HOURS = (24, 48, 60)


@dataclass
class Check:
    what: str
    ok: bool


@dataclass
class Step:
    title: str
    story: str
    checks: list[Check] = field(default_factory=list)
    seen: list[Shown] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


class Story:
    """Runs the demo's steps in order against a started desk and its pretend workspace."""

    def __init__(self, app: DeskApp, workspace: Workspace, out_dir: Path) -> None:
        self.app = app
        self.core = app.core
        self.workspace = workspace
        self.out_dir = out_dir
        self.steps: list[Step] = []
        self.incident_id = 0
        self.aware_at = datetime.now(UTC)
        self._updates: dict[int, int] = {}

    async def run(self) -> list[Step]:
        """Every step, in order; a step whose checks fail does not stop the story."""
        await self._install_teams()
        for step in (
            self.ai_reply_screened,
            self.person_reports,
            self.admin_confirms,
            self.admin_classifies,
            self.nudges_fire,
            self.admin_records_notification,
            self.admin_closes,
            self.audit_verified,
            self.report_written,
        ):
            await step()
        return self.steps

    # ---- the steps ---------------------------------------------------------------------------

    async def ai_reply_screened(self) -> None:
        step = self._step(
            "An AI tool posts a risky reply; screening flags it",
            "DraftBot answers in Client A's channel with Globex's figures and an email address.",
        )
        posted = self.workspace.post(
            platform=SLACK,
            conversation=cast.CLIENT_A_CHANNEL,
            text=cast.AI_REPLY,
            author="DraftBot (AI tool)",
            message_id="1700000000.000100",
        )
        message = ScreenedMessage(
            platform=Platform.SLACK,
            team_id=cast.TEAM_ID,
            channel_id=cast.CLIENT_A_CHANNEL,
            ts=posted.message_id,
            text=cast.AI_REPLY,
            author_bot_id=cast.DRAFTBOT_ID,
            author_name="DraftBot",
        )
        screener = self.core.insights.screener
        result = screener.assess(message)
        step.checks.append(Check("screening scores the reply over its threshold", bool(result)))
        if result is None:
            return await self._settle(step)
        evidence = {
            "source_key": message.source_key,
            "message": {"text": message.text, "ts": message.ts, "bot_id": cast.DRAFTBOT_ID},
            "author": {"id": cast.DRAFTBOT_ID, "name": "DraftBot", "is_bot": True},
            "channel": cast.CLIENT_A_CHANNEL,
            "captured_at": datetime.now(UTC).isoformat(),
        }
        intake = await screener.record(message, result, evidence)
        await self._settle(step)
        view = await self._latest()
        rules = ", ".join(view.screening.rule_ids) if view.screening else ""
        step.checks += [
            Check("a suspected incident is stored", intake == ScreeningIntake.CREATED),
            Check(f"{view.key} is a suspected incident ({rules})", view.kind == Kind.SUSPECTED),
            Check("Ada got a triage card in Slack", self._to(f"D{cast.ADA.user_id}")),
            Check("Bea got a triage card in Teams", self._to(cast.BEA_CHAT)),
            Check("the triage channel got a copy", self._to(cast.TRIAGE_CHANNEL)),
        ]

    async def person_reports(self) -> None:
        step = self._step(
            "A person reports the same reply",
            "Rita uses Report as AI incident on DraftBot's message: it joins the flagged one.",
        )
        view = await self._view()
        result = await self.core.intake.report(
            actor=cast.RITA,
            form=ReportInput(
                description="DraftBot quoted Globex's figures and their CFO's email to Client A",
                failure_type="contamination",
                reach=Reach.REACHED_CLIENT,
                personal_data=PersonalData.YES,
            ),
            platform=Platform.SLACK,
            source_key=slack_message_key(cast.CLIENT_A_CHANNEL, "1700000000.000100"),
            channel_id=cast.CLIENT_A_CHANNEL,
        )
        await self._settle(step)
        after = await self._view()
        step.story += f" Rita sees: “already reported as {result.incident_key}; you were added”."
        step.checks += [
            Check("the report joins the flagged incident", result.incident_key == view.key),
            Check("no second incident is created", not result.created),
            Check("Rita is listed as a reporter", cast.RITA.ref in after.reporters),
        ]

    async def admin_confirms(self) -> None:
        step = self._step(
            "An admin confirms and takes it",
            "Ada presses Confirm incident, Assign to me and Severity → SEV2.",
        )
        await self.core.insights.suspected.confirm(actor=cast.ADA, incident_id=self.incident_id)
        await self.core.triage.assign_to_me(actor=cast.ADA, incident_id=self.incident_id)
        await self.core.triage.set_severity(
            actor=cast.ADA, incident_id=self.incident_id, severity=Severity.SEV2
        )
        await self._settle(step)
        view = await self._view()
        step.checks += [
            Check("it is now an incident", view.kind == Kind.INCIDENT),
            Check(
                "assigned to Ada, SEV2", view.assignee == cast.ADA.ref and view.severity == "SEV2"
            ),
            Check("DraftBot's kill-switch owner is paged", self._to(f"D{cast.OWEN}")),
            Check("every copy of the card was updated", self._updated()),
        ]

    async def admin_classifies(self) -> None:
        step = self._step(
            "An admin classifies it as a personal-data breach; the ICO clock starts",
            "Ada presses Classify…: personal data, a risk to the individual, reached the client.",
        )
        await self.core.clocks.classify(
            actor=cast.ADA,
            incident_id=self.incident_id,
            answers=ClassificationAnswers(
                personal_data=PersonalData.YES,
                wrong_recipient=True,
                risk_to_individuals=RiskLevel.RISK,
                client_received=True,
                failure_type="contamination",
                ai_tool="draftbot",
                aware_at=self.aware_at,
            ),
        )
        await self._settle(step)
        ico = self._ico(await self._view())
        due = ico.due_at if ico else None
        step.checks += [
            Check("the ICO obligation is open", ico is not None and ico.open),
            Check(
                "it is due 72 hours after awareness",
                due is not None and due - self.aware_at == timedelta(hours=72),
            ),
        ]

    async def nudges_fire(self) -> None:
        step = self._step(
            "Nudges fire on an accelerated clock",
            "The demo runs the nudge job as if 24, 48 and 60 hours had passed since awareness.",
        )
        sent = 0
        for hours in NUDGE_HOURS:
            sent += await self.core.clocks.deliver_due_nudges(
                now=self.aware_at + timedelta(hours=hours, minutes=1)
            )
            await self._settle(step)
        threaded = [m for m in step.seen if m.conversation == cast.TRIAGE_CHANNEL and m.thread]
        step.checks += [
            Check(f"{len(NUDGE_HOURS)} nudge rounds were sent", sent == len(NUDGE_HOURS)),
            Check("Ada (the assignee) was nudged by DM", self._to(f"D{cast.ADA.user_id}", step)),
            Check("the triage channel got each nudge in the thread", len(threaded) >= 3),
        ]

    async def admin_records_notification(self) -> None:
        step = self._step(
            "An admin records the ICO notification",
            "Ada presses Notified… and gives the ICO's case reference.",
        )
        ico = self._ico(await self._view())
        assert ico is not None
        await self.core.clocks.decide(
            actor=cast.ADA,
            obligation_id=ico.id,
            form=DecisionInput(
                decision=ObligationStatus.NOTIFIED,
                reference="ICO case IC-123456-DEMO",
                notified_at=datetime.now(UTC),
            ),
        )
        await self._settle(step)
        after = self._ico(await self._view())
        step.checks.append(
            Check(
                "the ICO obligation is recorded as notified",
                bool(after and after.status == "notified"),
            )
        )
        sent = await self.core.clocks.deliver_due_nudges(
            now=self.aware_at + timedelta(hours=71, minutes=1)
        )
        step.checks.append(Check("no further ICO nudge is sent", sent == 0))

    async def admin_closes(self) -> None:
        step = self._step("An admin closes it", "Ada presses Close… and records the outcome.")
        await self.core.triage.close(
            actor=cast.ADA,
            incident_id=self.incident_id,
            form=CloseInput(
                outcome=Outcome.REMEDIATED,
                rationale="Client A told to delete the reply; Globex and the CFO informed",
                root_cause="DraftBot's retrieval index mixed two clients' matter folders",
                lessons="One retrieval index per client matter",
                correction="Only Client A's own figures, with no third-party contact details",
            ),
        )
        await self._settle(step)
        view = await self._view()
        step.checks += [
            Check("the incident is closed as remediated", view.status == Status.CLOSED),
            Check("Rita was told how it ended", self._to(f"D{cast.RITA.user_id}", step)),
        ]

    async def audit_verified(self) -> None:
        step = self._step("The audit chain is verified", "incident-desk audit verify")
        key = bytes.fromhex(self.app.settings.audit_hmac_key or "")
        report = await asyncio.to_thread(verify_url, self.app.settings.normalized_database_url, key)
        step.story += ": " + "; ".join(report.lines())
        step.checks.append(Check("every audit event verifies", report.ok))

    async def report_written(self) -> None:
        step = self._step("The incident report is written", "incident-desk export … --format html")
        view = await self._view()
        self.out_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for fmt in (ExportFormat.HTML, ExportFormat.MARKDOWN):
            made = await render(
                self.app.db,
                self.app.config,
                self.core.evidence.store,
                key=view.key,
                fmt=fmt,
                generated_by=SYSTEM_ACTOR.ref,
            )
            path = self.out_dir / made.filename
            path.write_bytes(made.data)
            written.append(path)
        html = written[0].read_text(encoding="utf-8")
        step.story += f": {', '.join(str(p) for p in written)} (print the HTML to PDF)"
        step.checks += [
            Check("the HTML report names the incident", view.key in html),
            Check("the report records the ICO reference", "IC-123456-DEMO" in html),
        ]

    async def leave_one_open(self) -> str:
        """For `--serve`: a second flagged reply, left for the person at the page to triage."""
        text = "Draft letter to Client A: as agreed with Initech's GC, call 020 7946 0018."
        message = ScreenedMessage(
            platform=Platform.SLACK,
            team_id=cast.TEAM_ID,
            channel_id=cast.CLIENT_A_CHANNEL,
            ts="1700000000.000200",
            text=text,
            author_bot_id=cast.DRAFTBOT_ID,
            author_name="DraftBot",
        )
        self.workspace.post(
            platform=SLACK,
            conversation=cast.CLIENT_A_CHANNEL,
            text=text,
            author="DraftBot (AI tool)",
            message_id=message.ts,
        )
        screener = self.core.insights.screener
        result = screener.assess(message)
        if result is None:
            return "The second reply was not flagged."
        await screener.record(message, result, {"message": {"text": text, "ts": message.ts}})
        await self._settle(Step("", ""))
        view = await self._latest()
        return f"{view.key} was just flagged and is waiting for triage."

    # ---- helpers -----------------------------------------------------------------------------

    async def _install_teams(self) -> None:
        """Bea has the app installed in Teams: the desk knows her 1:1 chat."""
        book = AddressBook(self.app.db, platform=Platform.TEAMS)
        await book.remember(
            [
                Address(
                    scope=PERSONAL,
                    key=cast.BEA_ID,
                    user_id="29:demo-bea",
                    user_name="Bea",
                    conversation_id=cast.BEA_CHAT,
                    service_url=self.workspace.teams_service_url,
                    tenant_id=cast.TENANT,
                    bot_id="28:demo-desk",
                    captured_at=datetime.now(UTC),
                )
            ]
        )

    def _step(self, title: str, story: str) -> Step:
        step = Step(title, story)
        self.steps.append(step)
        return step

    async def _settle(self, step: Step) -> None:
        """Deliver everything queued, then note what people saw since the last look: new
        messages, and cards updated in place, each as it looked at that moment."""
        await self.app.dispatcher.drain()
        await self.app.dispatcher.wait_idle()
        await self.app.dispatcher.drain()
        for shown in self.workspace.messages:
            if self._updates.get(shown.seq) != shown.updates:
                step.seen.append(replace(shown, body=copy.deepcopy(shown.body)))
                self._updates[shown.seq] = shown.updates

    async def _latest(self) -> IncidentView:
        listed, _ = await self.core.queries.list_open(actor=cast.ADA)
        self.incident_id = max(v.id for v in listed)
        return await self._view()

    async def _view(self) -> IncidentView:
        return await self.core.queries.view(incident_id=self.incident_id)

    def _ico(self, view: IncidentView) -> ObligationLine | None:
        return next((o for o in view.obligations if o.regime_id == ICO), None)

    def _to(self, conversation: str, step: Step | None = None) -> bool:
        pool = step.seen if step else self.workspace.messages
        return any(m.conversation == conversation for m in pool)

    def _updated(self) -> bool:
        cards = [m for m in self.workspace.messages if m.author == DESK and m.blocks]
        return any(m.updates for m in cards)
