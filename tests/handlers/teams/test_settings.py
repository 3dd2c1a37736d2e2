"""Teams settings: offline with TEAMS_ENABLED, and clear one-line errors for a real bot."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain import Platform
from bot.errors import ConfigError
from bot.settings import Settings
from handlers.wiring import create_app
from storage.models import Incident

APP = "0b7e4b4a-5c0f-4d8e-9a55-3f1f2c9d8e71"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def settings(**values: Any) -> Settings:
    base: dict[str, Any] = {"INCIDENT_ADMINS": "6b1d0f4e-1111-4000-8000-00000000a001"}
    base.update(values)
    return Settings(_env_file=None, **base)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"MicrosoftAppId": APP}, "MicrosoftAppPassword is not set"),
        ({"MicrosoftAppId": APP, "MicrosoftAppPassword": "s"}, "MicrosoftAppTenantId is not set"),
        (
            {"MicrosoftAppId": APP, "MicrosoftAppPassword": "s", "MicrosoftAppType": "Single"},
            "MicrosoftAppType must be one of SingleTenant, MultiTenant, UserAssignedMSI",
        ),
        ({"TEAMS_ENABLED": "true", "INCIDENT_ADMINS": ""}, "Microsoft Entra object ids"),
    ],
)
def test_teams_settings_name_the_setting_and_the_fix(values: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings(**values).check_for_run()


def test_single_tenant_bot_with_everything_set_passes() -> None:
    s = settings(MicrosoftAppId=APP, MicrosoftAppPassword="s", MicrosoftAppTenantId=TENANT)
    s.check_for_run()
    assert s.teams_enabled and s.microsoft_app_type == "SingleTenant"


def test_teams_enabled_without_app_id_runs_offline(tmp_path: object) -> None:
    s = settings(TEAMS_ENABLED="true", DATABASE_URL="sqlite+aiosqlite:///:memory:")
    s.check_for_run()
    app = create_app(s)
    assert app.core.ctx.platforms == frozenset({Platform.TEAMS})
    assert Platform.TEAMS in app.dispatcher.platforms
    assert [r.resource.canonical for r in app.web.router.routes() if r.resource].count(
        "/api/messages"
    ) == 1


def test_slack_only_has_no_teams_route() -> None:
    s = settings(SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="x")
    app = create_app(s)
    assert app.teams is None and Platform.TEAMS not in app.core.ctx.platforms
    assert "/api/messages" not in [
        r.resource.canonical for r in app.web.router.routes() if r.resource
    ]


def test_teams_triage_channel_gets_nudges_only_when_teams_is_on() -> None:
    channel = "19:c1a2b3c4d5e6f708192a3b4c5d6e7f80@thread.tacv2"
    incident = Incident(assignee=None)
    both = create_app(
        settings(
            TEAMS_ENABLED="true",
            SLACK_BOT_TOKEN="xoxb-1",
            SLACK_SIGNING_SECRET="x",
            TRIAGE_CHANNEL="C0TRIAGE",
            TEAMS_TRIAGE_CHANNEL=channel,
        )
    )
    slack_only = create_app(
        settings(SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="x", TEAMS_TRIAGE_CHANNEL=channel)
    )

    targets = both.core.clocks._nudge_targets(incident, overdue=False)
    assert targets[:2] == [(Platform.SLACK, "C0TRIAGE"), (Platform.TEAMS, channel)]
    assert slack_only.core.clocks._nudge_targets(incident, overdue=False) == []
