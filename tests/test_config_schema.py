"""`incident-desk config --schema`: docs/CONFIG.md's reference is generated from the models and
this test fails when it is stale; the annotated example config loads."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import config_schema
from bot.cli.main import main
from bot.settings import load_config

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_config_md_reference_is_up_to_date() -> None:
    text = (DOCS / "CONFIG.md").read_text(encoding="utf-8")

    assert config_schema.generated_part(text) == config_schema.reference(), (
        "docs/CONFIG.md is stale: run `incident-desk config --schema --write docs/CONFIG.md`"
    )


def test_reference_lists_every_setting_and_config_key() -> None:
    reference = config_schema.reference()

    for name in ("`DATABASE_URL`", "`METRICS_TOKEN`", "`LOG_FORMAT`", "`INCIDENT_ADMINS`"):
        assert name in reference
    for key in ("`runbook[].owners`", "`screening.clients[].aliases`", "`weekly_digest.time`"):
        assert key in reference


def test_write_updates_only_the_generated_part(tmp_path: Path) -> None:
    doc = tmp_path / "CONFIG.md"
    doc.write_text("# Prose\n\nKept.\n", encoding="utf-8")

    assert config_schema.write(doc) is True
    assert config_schema.write(doc) is False
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Prose\n\nKept.\n")
    assert config_schema.generated_part(text) == config_schema.reference()


def test_config_schema_prints_the_reference(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "--schema"]) == 0
    assert capsys.readouterr().out == config_schema.reference()


def test_the_annotated_example_config_loads() -> None:
    config = load_config(DOCS / "config.example.yaml")

    assert [tool.id for tool in config.runbook] == ["draftbot"]
    assert config.screening.monitored_channels == ["C0CLIENTA"]
