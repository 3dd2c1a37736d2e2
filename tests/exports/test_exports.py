"""Exports a regulator or client can read: the report as Markdown, HTML and JSON, the evidence
bundle that `sha256sum -c` checks, and `/incident export` / `show --timeline` in Slack."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from bot.clocks.regimes import ClassificationAnswers, RiskLevel
from bot.domain import Actor, PersonalData, Platform
from bot.evidence.canonical import sha256_hex
from bot.exports.files import ExportFormat
from storage.models import AuditEvent, Evidence, EvidenceFile
from tests.support.exports import (
    CORRECTION,
    PDF,
    full_incident,
    needs_sha256sum,
    run_cli,
    sha256sum_check,
    unzip,
)
from tests.support.harness import Harness
from tests.support.slack_payloads import slash_command
from tests.support.slack_steps import export, rows


async def test_markdown_report_holds_summary_evidence_hashes_timeline_and_chain(
    harness: Harness,
) -> None:
    await full_incident(harness)
    first, second = await rows(harness, Evidence)
    [file] = await rows(harness, EvidenceFile)

    md = (await export(harness, ExportFormat.MARKDOWN)).decode()

    assert md.startswith("# INC-0001 — AI incident report")
    events = len(await rows(harness, AuditEvent))
    assert "Audit chain checked at " in md and f"{events} events checked, chain intact" in md
    assert "| Severity | SEV2 |" in md and "| Failure type | Context loss" in md
    assert "| Reached a client | yes |" in md
    assert f"SHA-256 `{first.sha256}`: content matches the hash taken at capture (sealed" in md
    assert f"SHA-256 `{second.sha256}`" in md
    assert (
        'Source edited after capture by slack:U0EDITOR at 2023-11-14 22:21:40 UTC: "Q3 revenue'
        in md
    )
    assert f"| 1 | q3-summary.pdf | stored | {len(PDF):,} bytes | {file.sha256} |" in md
    assert f"| Expected behaviour (correction) | {CORRECTION} |" in md
    assert "> Q3 revenue for Client A was £4.2m" in md  # the original, not the edit
    timeline = md.split("## Timeline")[1]
    for label in (
        "Reported",
        "Evidence files downloaded",
        "Source message edited",
        "Evidence added",
        "Assigned",
        "Severity set",
        "Closed",
    ):
        assert f"| {label}" in timeline
    assert timeline.index("| Reported: ") < timeline.index("| Closed: ")
    # Every event a sentence with its full detail: no internal names, nothing cut.
    assert "incident.reported" not in timeline and "…" not in timeline.replace("A…", "")
    assert "| Severity set: Severity: — → SEV2. |" in timeline


async def test_json_report_is_the_same_record_as_data(harness: Harness) -> None:
    await full_incident(harness)
    [first, _] = await rows(harness, Evidence)

    data = json.loads(await export(harness, ExportFormat.JSON))

    assert data["incident"]["key"] == "INC-0001"
    assert data["incident"]["outcome"] == "remediated"
    assert data["chain"]["ok"] is True
    seqs = [t["seq"] for t in data["timeline"]]
    assert seqs == sorted(seqs) and all(t["actor"] for t in data["timeline"])
    assert data["evidence"][0]["sha256"] == first.sha256
    assert data["evidence"][0]["changes"][0]["kind"] == "edited"
    assert data["evidence"][0]["files"][0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert data["containment"]["contained_at"] is None


async def test_html_report_is_self_contained_and_escapes_what_users_typed(harness: Harness) -> None:
    await full_incident(harness, close=False)
    async with harness.app.db.transaction() as session:
        await session.execute(
            update(Evidence).where(Evidence.id == 1).values(captured_by="<script>alert(1)</script>")
        )

    html = (await export(harness, ExportFormat.HTML)).decode()

    assert html.startswith("<!DOCTYPE html>") and "INC-0001 — AI incident report" in html
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for external in ("src=", "<link", "@import", "url("):
        assert external not in html
    assert "@media print" in html


@needs_sha256sum
async def test_evidence_bundle_verifies_with_sha256sum(harness: Harness, tmp_path: Path) -> None:
    await full_incident(harness)
    first, second = await rows(harness, Evidence)

    folder = unzip(await export(harness, ExportFormat.BUNDLE), tmp_path)
    checked = sha256sum_check(folder)

    assert checked.returncode == 0, checked.stdout + checked.stderr
    lines = checked.stdout.splitlines()
    assert "evidence/E1.json: OK" in lines and "files/E1/01-q3-summary.pdf: OK" in lines
    assert hashlib.sha256((folder / "evidence/E1.json").read_bytes()).hexdigest() == first.sha256
    assert hashlib.sha256((folder / "evidence/E2.json").read_bytes()).hexdigest() == second.sha256
    assert (folder / "files/E1/01-q3-summary.pdf").read_bytes() == PDF
    record = json.loads((folder / "evidence/E1.record.json").read_text())
    assert record["files"][0]["bundle"] == "files/E1/01-q3-summary.pdf"
    assert "sha256sum -c MANIFEST.sha256" in (folder / "README.txt").read_text()


@needs_sha256sum
async def test_evidence_changed_in_the_database_fails_the_bundle_check(
    harness: Harness, tmp_path: Path
) -> None:
    await full_incident(harness)
    [first, _] = await rows(harness, Evidence)
    altered = {**first.content, "message": {**first.content["message"], "text": "£3.9m all along"}}
    async with harness.app.db.transaction() as session:
        await session.execute(update(Evidence).where(Evidence.id == 1).values(content=altered))

    data = json.loads(await export(harness, ExportFormat.JSON))
    checked = sha256sum_check(unzip(await export(harness, ExportFormat.BUNDLE), tmp_path))

    assert data["evidence"][0]["integrity"] == "content does not match the hash taken at capture"
    assert checked.returncode != 0 and "evidence/E1.json: FAILED" in checked.stdout
    assert sha256_hex(altered) != first.sha256


async def test_cli_exports_each_format_and_audits_who_exported(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await full_incident(harness)

    for fmt in ("md", "html", "json", "bundle"):
        out = tmp_path / f"out.{fmt}"
        code = await run_cli(
            harness,
            monkeypatch,
            "export",
            "INC-0001",
            "--format",
            fmt,
            "-o",
            str(out),
            "--by",
            "dpo",
        )
        assert code == 0 and out.stat().st_size > 500

    exported = [e for e in await rows(harness, AuditEvent) if e.action == "incident.exported"]
    assert [(e.actor, (e.after or {}).get("format")) for e in exported] == [
        ("cli:dpo", "md"),
        ("cli:dpo", "html"),
        ("cli:dpo", "json"),
        ("cli:dpo", "bundle"),
    ]
    assert await run_cli(harness, monkeypatch, "export", "INC-0404") == 1


# --- Slack ------------------------------------------------------------------------------------


async def slash(h: Harness, text: str, user: str) -> dict[str, Any]:
    before = len(h.fake.responses)
    resp = await h.command(slash_command(text, user=user, response_url=h.fake.response_url))
    assert resp.status == 200
    await h.settle()
    [answer] = h.fake.responses[before:]
    return answer


@needs_sha256sum
async def test_slash_export_dms_the_bundle_to_the_admin(harness: Harness, tmp_path: Path) -> None:
    await full_incident(harness)

    answer = await slash(harness, "export INC-0001", "U0ADMIN2")

    assert "Preparing the bundle export of *INC-0001*" in answer["text"]
    [(call, data)] = harness.fake.uploaded()
    assert call.args["channel_id"] == "DU0ADMIN2"
    assert "events checked, chain intact" in call.args["initial_comment"]
    [started] = harness.fake.named("files.getUploadURLExternal")
    assert started.args["filename"] == "INC-0001-evidence.zip"
    assert sha256sum_check(unzip(data, tmp_path)).returncode == 0
    [event] = [e for e in await rows(harness, AuditEvent) if e.action == "incident.exported"]
    assert (event.actor, event.after) == (
        "slack:U0ADMIN2",
        {"format": "bundle", "to": "direct message"},
    )


async def test_slash_export_in_html_and_refusal_for_non_admins(harness: Harness) -> None:
    await full_incident(harness)

    html = await slash(harness, "export INC-0001 html", "U0ADMIN1")
    refused = await slash(harness, "export INC-0001", "U0REPORTER")
    unknown = await slash(harness, "export INC-0001 docx", "U0ADMIN1")

    assert "html export" in html["text"]
    [(_, data)] = harness.fake.uploaded()
    assert data.startswith(b"<!DOCTYPE html>")
    assert refused["text"] == "Exports are for incident admins only. Nothing was exported."
    assert unknown["text"] == "Pick one of: md, html, json, bundle, pdf."
    refusals = [e for e in await rows(harness, AuditEvent) if e.action == "triage.refused"]
    assert [(e.actor, e.after) for e in refusals] == [
        ("slack:U0REPORTER", {"attempted": "incident.export"})
    ]


async def test_show_timeline_lists_the_audit_events_to_admins_only(harness: Harness) -> None:
    await full_incident(harness)

    admin = await slash(harness, "show INC-0001 --timeline", "U0ADMIN1")
    reporter = await slash(harness, "show INC-0001 --timeline", "U0REPORTER")

    shown = json.dumps(admin["blocks"], ensure_ascii=False)
    assert "INC-0001 · audit timeline" in shown
    for text in (
        "*Reported*",
        "*Source message edited*",
        "*Severity set*",
        "severity: — → SEV2",
        "*Closed*",
    ):
        assert text in shown
    assert reporter["text"] == "The audit timeline is shown to incident admins only."


async def test_report_shows_classification_obligations_and_time_to_containment(
    harness: Harness,
) -> None:
    await full_incident(harness, close=False)
    admin = Actor(platform=Platform.SLACK, user_id="U0ADMIN1")
    aware = datetime.now(UTC) - timedelta(hours=3)
    answers = ClassificationAnswers(
        personal_data=PersonalData.YES, risk_to_individuals=RiskLevel.RISK, aware_at=aware
    )
    await harness.app.core.clocks.classify(actor=admin, incident_id=1, answers=answers)
    await harness.app.core.containment.contain(actor=admin, incident_id=1)

    md = (await export(harness, ExportFormat.MARKDOWN)).decode()
    data = json.loads(await export(harness, ExportFormat.JSON))

    assert "| Personal data involved | yes |" in md and "| Risk to individuals | risk |" in md
    assert "| UK GDPR Art. 33 — notify the ICO — Notify the ICO | " in md
    assert f"| {(aware + timedelta(hours=72)):%Y-%m-%d %H:%M:%S} UTC | open | — |" in md
    assert "| Time to containment | 3 h after awareness |" in md
    assert data["classification"]["personal_data"] == "yes"
    assert data["obligations"][0]["regime_id"] == "uk_gdpr_art33"
    assert data["containment"]["time_to_containment"] == "3 h after awareness"
