"""Builders for audit tests: a core without chat platforms, and a log of many real operations."""

from __future__ import annotations

from typing import Any

from bot.audit.actions import AuditAction
from bot.domain import Actor, CloseInput, Outcome, PersonalData, Platform, Reach, ReportInput
from bot.settings import DeskConfig, Settings
from handlers.wiring import DeskApp, create_app
from tests.support.harness import ADMINS, AUDIT_KEY

ADMIN = Actor(platform=Platform.SLACK, user_id=ADMINS[0], name="Ada Admin")
MALLORY = Actor(platform=Platform.SLACK, user_id="U0MALLORY", name="Mallory")


def core_app(database_url: str, config: DeskConfig | None = None, **values: Any) -> DeskApp:
    """The app with no chat platform: the core and the database only."""
    settings = Settings(
        _env_file=None,
        DATABASE_URL=database_url,
        INCIDENT_ADMINS=",".join(ADMINS),
        AUDIT_HMAC_KEY=AUDIT_KEY.hex(),
        **values,
    )
    return create_app(settings, config or DeskConfig())


def reporter(n: int) -> Actor:
    return Actor(platform=Platform.SLACK, user_id=f"U0REP{n:03d}", name=f"Reporter Ñ{n}")


def form(n: int) -> ReportInput:
    return ReportInput(
        description=f"Wrong figures in draft {n} — “client {n}”",
        failure_type=("contamination", "fabrication", "factual_error")[n % 3],
        reach=Reach.REACHED_CLIENT if n % 2 else Reach.CAUGHT,
        personal_data=(PersonalData.NO, PersonalData.YES, PersonalData.UNSURE)[n % 3],
    )


def capture(n: int, text: str | None = None) -> dict[str, Any]:
    return {
        "platform": "slack",
        "channel_id": "C0CLIENTA",
        "ts": f"1700000{n:03d}.000100",
        "message": {"text": text or f"Q{n % 4 + 1} revenue was £{n}.2m", "files": []},
        "author": {"type": "bot", "id": "B0DRAFTER", "app_id": "A0DRAFTER", "is_bot": True},
        "captured_at": "2025-11-26T14:05:00.123456+00:00",
    }


async def many_operations(app: DeskApp, incidents: int = 6) -> None:
    """Reports, joins, triage, refusals and closes through the Core."""
    core = app.core
    for n in range(1, incidents + 1):
        source = f"slack:T0ACME:C0CLIENTA:1700000{n:03d}.000100"
        await core.intake.report(
            actor=reporter(n),
            form=form(n),
            platform=Platform.SLACK,
            source_key=source,
            channel_id="C0CLIENTA",
            evidence=capture(n),
        )
        if n % 2 == 0:
            await core.intake.report(
                actor=reporter(n + 100), form=form(n), platform=Platform.SLACK, source_key=source
            )
    for incident_id in range(1, incidents + 1):
        await core.triage.assign_to_me(actor=ADMIN, incident_id=incident_id)
        await core.triage.set_severity(
            actor=ADMIN, incident_id=incident_id, severity=_severity(incident_id)
        )
        if incident_id % 3 == 0:
            await core.access.refuse(
                actor=MALLORY, action=AuditAction.CLOSED, incident_id=incident_id
            )
        if incident_id % 2:
            await core.triage.close(
                actor=ADMIN,
                incident_id=incident_id,
                form=CloseInput(
                    outcome=Outcome.REMEDIATED,
                    rationale="Corrected and resent",
                    root_cause="Stale context",
                    lessons="Reset context per client",
                    correction=f"Q revenue for client {incident_id} is confidential; say so.",
                ),
            )
    await app.dispatcher.wait_idle()


def _severity(n: int) -> Any:
    from bot.domain import Severity

    return list(Severity)[n % 4]
