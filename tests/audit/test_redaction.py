"""Redaction and retention: the content goes, the capture hash stays, the audit chain still
verifies and the evidence bundle still checks out."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from bot.audit.redaction import RETENTION_JOB_ID, retention_jobs
from bot.audit.verify import verify_url
from bot.domain import Actor, CloseInput, Outcome, Platform
from bot.exports.files import ExportFormat
from storage.models import AuditEvent, Evidence, EvidenceChange, EvidenceFile
from tests.support.exports import full_incident, needs_sha256sum, run_cli, sha256sum_check, unzip
from tests.support.harness import AUDIT_KEY, Harness
from tests.support.slack_payloads import message_changed
from tests.support.slack_steps import card_updates, export, open_report, rows, submit

ADMIN = Actor(platform=Platform.SLACK, user_id="U0ADMIN1")
ORIGINAL = "£4.2m"


async def test_redact_replaces_content_keeps_the_hash_and_the_chain_verifies(
    harness: Harness,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    desk_home: Path,
) -> None:
    await full_incident(harness)
    [before, _] = await rows(harness, Evidence)
    [file] = await rows(harness, EvidenceFile)
    stored = desk_home / "evidence" / str(file.storage_ref)
    assert stored.exists()

    code = await run_cli(
        harness,
        monkeypatch,
        "redact",
        "INC-0001",
        "--evidence",
        "1",
        "--reason",
        "DSAR erasure",
        "--by",
        "dpo",
    )
    await harness.settle()

    assert code == 0
    assert "Redacted evidence #1 of INC-0001" in capsys.readouterr().out
    [after, second] = await rows(harness, Evidence)
    assert after.sha256 == before.sha256
    assert (after.redacted_by, after.redaction_reason) == ("cli:dpo", "DSAR erasure")
    assert after.content["redacted"] is True and after.content["original_sha256"] == before.sha256
    assert ORIGINAL not in json.dumps(after.content, ensure_ascii=False)
    assert second.redacted_at is None
    [change] = await rows(harness, EvidenceChange)
    assert change.content is None and change.sha256  # the edit's text went too; its hash stays
    [file] = await rows(harness, EvidenceFile)
    assert (file.status, file.name, file.storage_ref) == ("redacted", None, None)
    assert file.sha256 and not stored.exists()
    assert verify_url(harness.app.db.url, AUDIT_KEY).ok
    assert await run_cli(harness, monkeypatch, "audit", "verify") == 0
    [event] = [e for e in await rows(harness, AuditEvent) if e.action == "evidence.redacted"]
    assert (event.actor, event.after) == (
        "cli:dpo",
        {"evidence": 1, "sha256": before.sha256, "reason": "DSAR erasure"},
    )
    assert "redacted" in json.dumps(card_updates(harness)["DU0ADMIN1"])


@needs_sha256sum
async def test_reports_and_bundle_after_redaction_show_who_when_why_and_still_verify(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    await full_incident(harness)
    [evidence, _] = await rows(harness, Evidence)
    await run_cli(
        harness,
        monkeypatch,
        "redact",
        "INC-0001",
        "--evidence",
        "1",
        "--reason",
        "DSAR erasure",
        "--by",
        "dpo",
    )
    [evidence, _] = await rows(harness, Evidence)

    md = (await export(harness, ExportFormat.MARKDOWN)).decode()
    folder = unzip(await export(harness, ExportFormat.BUNDLE), tmp_path)
    checked = sha256sum_check(folder)

    when = f"{evidence.redacted_at:%Y-%m-%d %H:%M:%S} UTC"
    assert f"**Redacted on {when} by cli:dpo because DSAR erasure**" in md
    assert f"SHA-256 `{evidence.sha256}`: content redacted; the hash taken at capture is kept" in md
    assert checked.returncode == 0, checked.stdout
    assert not (folder / "evidence/E1.json").exists() and not (folder / "files").exists()
    record = json.loads((folder / "evidence/E1.record.json").read_text())
    assert record["redaction"]["reason"] == "DSAR erasure" and record["sha256"] == evidence.sha256
    for path in folder.rglob("*"):
        if path.is_file():
            assert ORIGINAL not in path.read_text(errors="replace"), f"{path.name} keeps the text"


async def test_redacting_twice_or_a_missing_item_explains_and_changes_nothing(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await full_incident(harness)
    args = ("redact", "INC-0001", "--reason", "DSAR erasure", "--evidence")
    assert await run_cli(harness, monkeypatch, *args, "1") == 0
    capsys.readouterr()

    again = await run_cli(harness, monkeypatch, *args, "1")
    again_err = capsys.readouterr().err
    missing = await run_cli(harness, monkeypatch, *args, "7")
    missing_err = capsys.readouterr().err

    assert again == 1 and "Evidence #1 of INC-0001 was already redacted on" in again_err
    assert missing == 1 and "INC-0001 has 2 evidence items; there is no #7." in missing_err
    redactions = [e for e in await rows(harness, AuditEvent) if e.action == "evidence.redacted"]
    assert len(redactions) == 1


async def test_an_edit_after_redaction_is_recorded_without_its_text(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await submit(harness, await open_report(harness))
    await run_cli(harness, monkeypatch, "redact", "INC-0001", "--evidence", "1", "--reason", "DSAR")

    await harness.event(message_changed(text="Now it names the data subject again"))
    await harness.settle()

    [change] = await rows(harness, EvidenceChange)
    assert change.kind == "edited" and change.content is None and change.sha256


async def test_retention_purges_evidence_of_incidents_closed_long_enough_ago(
    harness: Harness,
) -> None:
    harness.app.config.evidence.retention_days = 30
    await submit(harness, await open_report(harness))
    await submit(harness, await open_report(harness, ts="1700000200.000100", text="kept"))
    closing = CloseInput(outcome=Outcome.REMEDIATED, rationale="r", root_cause="c", lessons="l")
    await harness.app.core.triage.close(actor=ADMIN, incident_id=1, form=closing)
    [job] = retention_jobs(harness.app.core.evidence).values()
    now = datetime.now(UTC)

    with time_machine.travel(now + timedelta(days=29), tick=True):
        await job[0]()
    early = [e.redacted_at for e in await rows(harness, Evidence)]
    with time_machine.travel(now + timedelta(days=31), tick=True):
        await job[0]()
    await harness.settle()

    closed, still_open = await rows(harness, Evidence)
    assert early == [None, None]
    assert closed.redacted_by == "system:incident-desk"
    assert closed.redaction_reason == (
        f"retention: evidence is kept 30 days after closing (closed {now:%Y-%m-%d})"
    )
    assert still_open.redacted_at is None and "kept" in json.dumps(still_open.content)
    assert verify_url(harness.app.db.url, AUDIT_KEY).ok
    assert RETENTION_JOB_ID in {j.id for j in harness.app.scheduler.get_jobs()}


async def test_retention_command_says_when_nothing_is_configured(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await run_cli(harness, monkeypatch, "retention") == 0
    assert "evidence.retention_days is not set" in capsys.readouterr().out
