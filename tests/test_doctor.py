"""`incident-desk doctor` on the database and the config: an unsupported URL, an unmigrated
database and a missing config file each get one line that names the fix, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main


def settle_env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("TEAMS_ENABLED", "true")
    monkeypatch.setenv("INCIDENT_ADMINS", "6b1d0f4e-1111-4000-8000-00000000a001")
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "MicrosoftAppId", "INCIDENT_DESK_CONFIG"):
        monkeypatch.delenv(name, raising=False)


def test_an_unsupported_database_url_is_a_clean_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settle_env(monkeypatch, "mysql://desk@db.example/desk")

    assert main(["doctor"]) == 1

    out = capsys.readouterr()
    assert "database: DATABASE_URL uses mysql, which the desk does not support" in out.out
    assert "Traceback" not in out.out + out.err


def test_an_unmigrated_database_says_run_migrate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settle_env(monkeypatch, f"sqlite:///{tmp_path / 'empty.db'}")

    assert main(["doctor"]) == 1

    out = capsys.readouterr().out
    assert "database: not migrated: the tables do not exist yet; run `incident-desk migrate`" in out
    assert "try again" not in out


def test_a_missing_config_file_is_reported_before_settings_ok(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settle_env(monkeypatch, f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setenv("INCIDENT_DESK_CONFIG", str(tmp_path / "nope.yaml"))

    assert main(["doctor"]) == 1

    out = capsys.readouterr().out
    assert "settings: ok" not in out
    assert "nope.yaml" in out
