"""CLI edges a new user meets: a missing folder is one line and records nothing; `-o` everywhere;
counts read as English."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from storage.models import AuditEvent
from tests.support.exports import full_incident, run_cli
from tests.support.harness import Harness
from tests.support.slack_steps import rows


async def _exports(h: Harness) -> list[AuditEvent]:
    return [e for e in await rows(h, AuditEvent) if e.action == "incident.exported"]


async def test_export_to_a_missing_folder_is_one_line_and_is_not_recorded(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    await full_incident(harness)
    missing = tmp_path / "missing" / "x.html"

    code = await run_cli(
        harness, monkeypatch, "export", "INC-0001", "--format", "html", "-o", str(missing)
    )

    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    assert f"the folder {missing.parent} does not exist" in err
    assert "Nothing was exported." in err
    assert await _exports(harness) == []


async def test_stats_html_to_a_missing_folder_is_one_line(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    code = await run_cli(harness, monkeypatch, "stats", "--html", str(tmp_path / "no" / "x.html"))

    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert "does not exist: create it or pick another. No stats page was written." in err


async def test_register_takes_dash_o_like_the_other_commands(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "register.csv"

    assert await run_cli(harness, monkeypatch, "register", "-o", str(out)) == 0

    assert out.read_text(encoding="utf-8").splitlines()[0]


async def test_a_bundle_without_dash_o_goes_to_standard_output(
    harness: Harness,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsysbinary: Any,
) -> None:
    await full_incident(harness)
    here = tmp_path / "cwd"
    here.mkdir()
    monkeypatch.chdir(here)

    code = await run_cli(harness, monkeypatch, "export", "INC-0001", "--format", "bundle")

    assert code == 0
    assert capsysbinary.readouterr().out.startswith(b"PK")
    assert list(here.iterdir()) == []


async def test_one_evals_case_is_singular(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    await full_incident(harness)

    assert await run_cli(harness, monkeypatch, "evals", "-o", str(tmp_path / "e.jsonl")) == 0

    assert "1 eval case written; 0 closed incidents skipped." in capsys.readouterr().err
