"""The `screening:` and `weekly_digest:` sections of the YAML config."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.settings import DeskConfig, load_config

EXAMPLE = """
runbook:
  - id: draftbot
    name: DraftBot
    slack_bot_ids: [B0DRAFTER]
screening:
  monitored_channels: [C0CLIENTA, C0CLIENTB]
  ai_app_ids: [A0COPILOT]
  threshold: 1.0
  flood_cap_per_channel_per_hour: 3
  overflow_digest_minutes: 30
  url_allow_domains: [legislation.gov.uk, ico.org.uk]
  clients:
    - id: acme
      name: Acme Holdings
      aliases: [AHL]
      channels: [C0CLIENTA]
      identifiers: [ENG-1001]
    - {id: globex, name: Globex, channels: [C0CLIENTB], identifiers: ["£1,250,000"]}
  rules:
    - {id: email, score: 0.2, options: {ignore_domains: [ourfirm.co.uk]}}
    - {id: ai_boilerplate, enabled: false}
weekly_digest:
  day: fri
  time: "16:30"
  timezone: Europe/London
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "core.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_documented_example_loads(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, EXAMPLE))
    rules = {r.id: r for r in config.screening.effective_rules}
    assert rules["email"].score == 0.2 and not rules["ai_boilerplate"].enabled
    assert config.screening.client_for_channel("C0CLIENTB") == "globex"
    assert config.weekly_digest.describe() == "every Fri at 16:30 Europe/London"


def test_runbook_bot_ids_count_as_ai_tools_for_screening(tmp_path: Path) -> None:
    from bot.screening.intake import effective_config

    config = load_config(write(tmp_path, EXAMPLE))
    screening = effective_config(config.screening, ["B0DRAFTER"], [])
    assert screening.ai_bot_ids == ["B0DRAFTER"] and screening.ai_app_ids == ["A0COPILOT"]
    assert screening.client_for_channel("C0CLIENTA") == "acme"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("screening: {threshhold: 2}", "screening.threshhold"),
        ("screening: {rules: [{id: dob, score: 1}]}", "screening"),
        ("weekly_digest: {timezone: Mars/Olympus}", "weekly_digest.timezone"),
        ("weekly_digest: {time: '9am'}", "weekly_digest.time"),
    ],
)
def test_config_errors_name_the_setting(tmp_path: Path, text: str, where: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, text))
    assert where in error.value.message


def test_defaults_screen_nothing_until_channels_are_listed() -> None:
    config = DeskConfig()
    assert config.screening.monitored_channels == [] and not config.screening.screen_all_messages
    assert config.weekly_digest.enabled and config.weekly_digest.day == "mon"
