"""A missing or malformed setting stops start-up with one line saying what to do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.errors import ConfigError
from bot.settings import Settings, load_config
from handlers.cli import main


def settings(**values: Any) -> Settings:
    base: dict[str, Any] = {"INCIDENT_ADMINS": "U0ADMIN1"}
    base.update(values)
    return Settings(_env_file=None, **base)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "No chat platform is configured"),
        ({"SLACK_APP_TOKEN": "xapp-1"}, "SLACK_BOT_TOKEN is not set: install the app"),
        ({"SLACK_BOT_TOKEN": "xoxp-user"}, "must be a bot token starting with xoxb-"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "Neither SLACK_APP_TOKEN nor SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, "starting with xapp-"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "INCIDENT_ADMINS": " , "},
            "INCIDENT_ADMINS is not set",
        ),
    ],
)
def test_check_for_run_names_the_setting_and_the_fix(values: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings(**values).check_for_run()


def test_valid_socket_mode_settings_pass() -> None:
    s = settings(SLACK_BOT_TOKEN="xoxb-1", SLACK_APP_TOKEN="xapp-1", INCIDENT_ADMINS="U1, U2")
    s.check_for_run()
    assert s.socket_mode and s.incident_admins == frozenset({"U1", "U2"})


def test_plain_database_urls_get_async_drivers() -> None:
    assert settings(DATABASE_URL="postgresql://u@h/db").normalized_database_url == (
        "postgresql+psycopg://u@h/db"
    )
    assert settings(DATABASE_URL="sqlite:///x.db").normalized_database_url == (
        "sqlite+aiosqlite:///x.db"
    )


def test_config_file_errors_name_the_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "core.yaml"
    bad.write_text("failure_types:\n  - id: Not Valid\n    label: x\n")
    with pytest.raises(ConfigError, match=r"core.yaml: failure_types.0.id"):
        load_config(bad)
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.yaml")
    bad.write_text("unknown_key: 1\n")
    with pytest.raises(ConfigError, match="unknown_key"):
        load_config(bad)


def test_config_file_overrides_vocabulary(tmp_path: Path) -> None:
    path = tmp_path / "core.yaml"
    path.write_text("failure_types:\n  - {id: tax_error, label: Tax computation error}\n")
    assert load_config(path).failure_type_label("tax_error") == "Tax computation error"


def test_run_without_token_exits_with_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "MicrosoftAppId"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    monkeypatch.setenv("INCIDENT_ADMINS", "U1")

    assert main(["run"]) == 2

    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("incident-desk: SLACK_BOT_TOKEN is not set")


def test_export_prints_incident_evidence_and_audit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import asyncio
    import json

    from bot.domain import Actor, PersonalData, Platform, Reach, ReportInput
    from handlers.wiring import create_app
    from storage.migrate import upgrade

    url = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    upgrade(url)
    monkeypatch.setenv("DATABASE_URL", url)

    async def seed() -> None:
        app = create_app(
            settings(
                DATABASE_URL=url, SLACK_BOT_TOKEN="xoxb-1", SLACK_API_URL="http://127.0.0.1:9/api/"
            )
        )
        await app.core.intake.report(
            actor=Actor(platform=Platform.SLACK, user_id="U0R"),
            form=ReportInput(
                description="d",
                failure_type="other",
                reach=Reach.CAUGHT,
                personal_data=PersonalData.NO,
            ),
            platform=Platform.SLACK,
            source_key="slack:T:C:1.2",
            evidence={"message": {"text": "hi"}, "captured_at": "2026-11-23T10:00:00+00:00"},
        )
        await app.dispatcher.wait_idle()
        await app.db.dispose()

    asyncio.run(seed())
    assert main(["export", "INC-0001", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["incident"]["key"] == "INC-0001"
    assert len(data["evidence"][0]["sha256"]) == 64
    assert [e["action"] for e in data["timeline"]] == ["incident.reported", "incident.exported"]
    assert data["chain"]["ok"] is True
    assert main(["export", "INC-0404"]) == 1
