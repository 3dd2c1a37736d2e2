"""`incident-desk runbook [--html|--pdf]`: the one-page runbook, rendered in headless Chromium and
printed to a one-page PDF; `doctor` warns about a tool with gaps."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.support import chromium
from tests.support.requires import requires

CONFIG = """
runbook:
  - id: draftbot
    name: DraftBot
    owners: [U0OWNER]
    kill_switch_url: https://switch.example/draftbot
    kill_switch_secret_env: DRAFTBOT_KILL_SECRET
    logs: Azure Monitor workspace ai-drafting
    reportable: Another client's data in an output
    reenable:
      criteria: [Root cause fixed, Regression eval passing, Context isolation verified]
      approvers: [U0APPROVER1, U0APPROVER2]
      two_approvers: true
    vendor:
      provider: Acme Models Ltd
      contract: MSA-2026-114
      contact: incidents@acme-models.example
      notice_window: 24h
      covers_log_retention: prompts and outputs kept 30 days
  - id: summariser
    name: "<b>Summariser</b>"
"""


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "desk.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("INCIDENT_DESK_CONFIG", str(path))
    monkeypatch.setenv("INCIDENT_ADMINS", "U0ADMIN1")
    monkeypatch.setenv("DRAFTBOT_KILL_SECRET", "s3cret")
    return path


def test_text_runbook_names_a_person_at_each_decision_point(
    configured: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["runbook"]) == 0
    out = capsys.readouterr().out
    assert "Switch it off: kill-switch webhook (signed disable / enable)  [decides: U0OWNER]" in out
    assert "Reportable when: Another client's data in an output  [decides: U0ADMIN1]" in out
    assert (
        "Safe enough to re-enable when: Root cause fixed; Regression eval passing; Context "
        "isolation verified  [decides: U0APPROVER1, U0APPROVER2 (two different approvers)]"
    ) in out
    assert "We tell the vendor: within 1 d  [decides: U0ADMIN1]" in out
    assert "Vendor: no vendor terms recorded  (!)" in out  # the summariser's gap
    assert "not legal advice" in out


def test_doctor_warns_about_a_tool_with_no_owner_switch_criteria_or_vendor(
    configured: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'desk.db'}")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    main(["doctor"])
    out = capsys.readouterr().out
    gaps = [line for line in out.splitlines() if line.startswith("runbook: warning:")]
    assert gaps == [
        "runbook: warning: summariser has no owner who can switch it off",
        "runbook: warning: summariser has no kill switch (kill_switch_url)",
        "runbook: warning: summariser has no re-enable criteria and approvers (reenable)",
        "runbook: warning: summariser has no vendor terms (vendor)",
    ]


pytestmark_browser = requires(
    chromium.available(),
    "headless Chromium not found at /usr/bin/chromium (apt-get install chromium)",
)

FIND = """(() => {
  const text = document.body.innerText;
  const width = document.documentElement.clientWidth;
  return {
    text,
    bold: document.querySelectorAll('b').length,
    scrolls: document.documentElement.scrollWidth,
    width,
  };
})()"""


@pytestmark_browser
async def test_html_runbook_renders_in_chromium_on_one_printed_page(
    configured: Path, tmp_path: Path
) -> None:
    html = tmp_path / "runbook.html"
    pdf = tmp_path / "runbook.pdf"
    assert await asyncio.to_thread(main, ["runbook", "--html", "--output", str(html)]) == 0
    assert await asyncio.to_thread(main, ["runbook", "--pdf", "--output", str(pdf)]) == 0

    async with chromium.headless(tmp_path / "profile") as page:
        await page.open(html.as_uri())
        await page.send("Emulation.setEmulatedMedia", media="print")
        shown = await page.evaluate(FIND)

    assert "DraftBot" in shown["text"] and "U0APPROVER1, U0APPROVER2" in shown["text"]
    assert "Acme Models Ltd, contract MSA-2026-114" in shown["text"]
    assert "<b>Summariser</b>" in shown["text"] and shown["bold"] == 0  # shown, never obeyed
    assert shown["scrolls"] <= shown["width"]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert re.findall(rb"/Count (\d+)", data) == [b"1"]  # the single page the playbook asks for
