"""`incident-desk doctor` asks Slack: the token works and has the manifest's scopes, the bot is
in the triage channel, and every admin id is a person; each problem names its fix."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from handlers.cli import main
from handlers.slack.doctor import manifest_scopes
from tests.support.fakes.slack_api import FakeSlack
from tests.support.harness import Harness

ALL_SCOPES = ",".join(sorted(manifest_scopes()))


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"TRIAGE_CHANNEL": "C0TRIAGE"}


def use(h: Harness, monkeypatch: pytest.MonkeyPatch, admins: str = "U0ADMIN1") -> None:
    settings = h.app.settings
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    monkeypatch.setenv("SLACK_API_URL", h.fake.api_url)
    monkeypatch.setenv("TRIAGE_CHANNEL", "C0TRIAGE")
    monkeypatch.setenv("INCIDENT_ADMINS", admins)
    monkeypatch.setenv("AUDIT_HMAC_KEY", settings.audit_hmac_key or "")
    for name in ("SLACK_APP_TOKEN", "MicrosoftAppId", "TEAMS_ENABLED", "INCIDENT_DESK_CONFIG"):
        monkeypatch.delenv(name, raising=False)


async def doctor(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    # The CLI runs its own event loop; give it a thread so the test's loop stays free.
    code = await asyncio.to_thread(main, ["doctor"])
    return code, capsys.readouterr().out


async def test_doctor_passes_when_slack_answers_as_configured(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    harness.fake.scopes = ALL_SCOPES
    use(harness, monkeypatch)

    code, out = await doctor(capsys)

    assert code == 0, out
    assert "slack: ok, connected to Acme" in out
    assert "slack: triage channel C0TRIAGE ok, the bot is in it" in out
    assert "slack: admin U0ADMIN1 ok" in out
    assert [n for n in harness.fake.calls if n.method == "auth.test"]


async def test_doctor_names_missing_scopes_channel_and_admins_that_are_not_people(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake: FakeSlack = harness.fake
    fake.scopes = "commands,chat:write"
    fake.fail("conversations.history", error="not_in_channel")
    fake.fail("users.info", error="user_not_found")
    use(harness, monkeypatch, admins="@alex,alex@acme.com,U0GONE")

    code, out = await doctor(capsys)

    assert code == 1
    assert "slack: the token lacks the scopes channels:history, " in out
    assert "reinstall it to the workspace" in out
    assert "the bot is not in TRIAGE_CHANNEL C0TRIAGE: in that channel, type /invite" in out
    assert "INCIDENT_ADMINS entry '@alex' is not a Slack member id" in out
    assert "INCIDENT_ADMINS entry 'alex@acme.com' is not a Slack member id" in out
    assert "admin U0GONE does not resolve to a person (user_not_found)" in out


async def test_doctor_says_when_slack_refuses_the_token(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    harness.fake.fail("auth.test", error="invalid_auth")
    use(harness, monkeypatch)

    code, out = await doctor(capsys)

    assert code == 1
    assert "slack: auth.test refused the token (invalid_auth): copy the Bot User OAuth Token" in out
