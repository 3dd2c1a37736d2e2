"""`incident-desk register --format csv`: every personal-data incident, reported or not."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clocks.decisions import DecisionInput, ObligationStatus
from bot.clocks.regimes import ClassificationAnswers, RiskLevel
from bot.domain import Actor, PersonalData, Platform, Reach, ReportInput
from bot.settings import Settings
from handlers.cli import main
from handlers.wiring import create_app
from storage.migrate import upgrade

ADMIN = Actor(platform=Platform.SLACK, user_id="U0ADMIN1")
DEAD_API = "http://127.0.0.1:9/api/"  # refused at once: these tests never reach Slack
AWARE = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def form(personal: PersonalData) -> ReportInput:
    return ReportInput(
        description=f"{personal} case",
        failure_type="data_exposure",
        reach=Reach.REACHED_CLIENT,
        personal_data=personal,
    )


def test_register_lists_personal_data_incidents_with_decisions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'r.db'}"
    upgrade(url)
    monkeypatch.setenv("DATABASE_URL", url)

    async def seed() -> None:
        app = create_app(
            Settings(
                _env_file=None,
                DATABASE_URL=url,
                SLACK_BOT_TOKEN="xoxb-1",
                SLACK_API_URL=DEAD_API,
                INCIDENT_ADMINS="U0ADMIN1",
            )
        )
        for n, personal in enumerate([PersonalData.YES, PersonalData.NO, PersonalData.UNSURE]):
            await app.core.intake.report(
                actor=ADMIN, form=form(personal), platform=Platform.SLACK, source_key=f"s:{n}"
            )
        await app.core.clocks.classify(
            actor=ADMIN,
            incident_id=1,
            answers=ClassificationAnswers(
                personal_data=PersonalData.YES,
                personal_data_breach=PersonalData.YES,
                risk_to_individuals=RiskLevel.UNLIKELY,
                client_received=True,
                aware_at=AWARE,
            ),
        )
        [decide] = (await app.core.queries.view(incident_id=1)).obligations
        await app.core.clocks.decide(
            actor=ADMIN,
            obligation_id=decide.id,
            form=DecisionInput(
                decision=ObligationStatus.NOT_REQUIRED, rationale="Data was encrypted"
            ),
        )
        await app.dispatcher.wait_idle()
        await app.db.dispose()

    asyncio.run(seed())
    assert main(["register", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))

    assert [r["key"] for r in rows] == ["INC-0001", "INC-0003"]
    first = rows[0]
    # Defect 2: the decision not to notify is in the register with its reasoning, in words.
    assert first["decision"] == "not required"
    assert first["reasoning"] == "Data was encrypted"
    assert first["aware_at"] == AWARE.isoformat()
    assert first["notification_regime"].startswith("UK GDPR Art. 33(5)")
    assert first["risk_to_individuals"] == "risk to individuals: unlikely"
    assert first["effects"] == "A client received the output"
    assert first["remedial_action"] == "none recorded yet"
    assert rows[1]["decision"] == "not classified yet"

    assert main(["register", "--format", "html"]) == 0
    page = capsys.readouterr().out
    assert "<h1>Breach register (UK GDPR Art. 33(5))</h1>" in page
    assert "Data was encrypted" in page and "Not legal advice" in page
