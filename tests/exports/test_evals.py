"""Eval cases: one regression case per closed incident with a correction, as JSONL and as a
promptfoo suite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bot.domain import Actor, CloseInput, Outcome, Platform
from tests.support.exports import CORRECTION, full_incident, run_cli
from tests.support.harness import Harness
from tests.support.slack_payloads import message_changed
from tests.support.slack_steps import open_report, submit

ADMIN = Actor(platform=Platform.SLACK, user_id="U0ADMIN1")


def closing(outcome: Outcome = Outcome.REMEDIATED, correction: str = "") -> CloseInput:
    return CloseInput(
        outcome=outcome, rationale="r", root_cause="c", lessons="l", correction=correction
    )


async def incidents(h: Harness) -> None:
    """#1 closed with a correction; #2 false positive; #3 corrected by editing the source;
    #4 closed without any correction; #5 still open."""
    await full_incident(h)
    for n in range(2, 6):
        await submit(h, await open_report(h, ts=f"17000001{n}0.000100", text=f"answer {n}"))
    await h.app.core.triage.close(actor=ADMIN, incident_id=2, form=closing(Outcome.FALSE_POSITIVE))
    await h.event(message_changed(ts="1700000130.000100", text="the corrected answer 3"))
    await h.settle()
    await h.app.core.triage.close(actor=ADMIN, incident_id=3, form=closing())
    await h.app.core.triage.close(actor=ADMIN, incident_id=4, form=closing())


async def test_jsonl_has_one_valid_case_per_closed_incident_with_a_correction(
    harness: Harness,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    await incidents(harness)
    out = tmp_path / "cases.jsonl"

    assert await run_cli(harness, monkeypatch, "evals", "--format", "jsonl", "-o", str(out)) == 0

    cases = [json.loads(line) for line in out.read_text().splitlines()]
    assert [c["id"] for c in cases] == ["INC-0001", "INC-0003"]
    first, edited = cases
    assert set(first) >= {"input", "bad_output", "expected_behaviour", "failure_type", "tags"}
    assert first["input"]["context"] == [{"author": "U0ASKER", "text": "What was Q3?"}]
    assert first["bad_output"].startswith("Q3 revenue for Client A was £4.2m")
    assert first["expected_behaviour"] == CORRECTION
    assert first["failure_type"] == "contamination"
    assert {"contamination", "incident", "sev2", "ai_app:A0DRAFTER"} <= set(first["tags"])
    assert (edited["expected_behaviour"], edited["correction_source"]) == (
        "the corrected answer 3",
        "the source message was corrected in place",
    )
    err = capsys.readouterr().err
    assert "INC-0002: skipped, a false positive" in err
    assert "INC-0004: skipped, no correction was recorded" in err
    assert "2 eval cases written; 2 closed incidents skipped." in err


async def test_promptfoo_suite_loads_as_yaml_with_a_rubric_per_case(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    await incidents(harness)
    out = tmp_path / "promptfooconfig.yaml"

    assert (
        await run_cli(harness, monkeypatch, "evals", "--format", "promptfoo", "-o", str(out)) == 0
    )

    suite = yaml.safe_load(out.read_text())
    assert suite["prompts"] == ["{{context}}"] and suite["providers"] == ["echo"]
    assert [t["metadata"]["incident"] for t in suite["tests"]] == ["INC-0001", "INC-0003"]
    test = suite["tests"][0]
    assert test["description"] == "INC-0001: Context loss or cross-client contamination"
    assert test["vars"]["context"] == "U0ASKER: What was Q3?"
    assert test["vars"]["expected"] == CORRECTION
    [rubric] = test["assert"]
    assert rubric["type"] == "llm-rubric" and CORRECTION in rubric["value"]


async def test_redacted_evidence_gives_no_case(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await full_incident(harness)
    await run_cli(harness, monkeypatch, "redact", "INC-0001", "--evidence", "1", "--reason", "DSAR")
    capsys.readouterr()

    assert await run_cli(harness, monkeypatch, "evals") == 0

    captured = capsys.readouterr()
    assert captured.out == ""
    assert "INC-0001: skipped, its evidence was redacted" in captured.err
