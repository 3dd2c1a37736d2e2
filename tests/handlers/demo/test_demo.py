"""`incident-desk demo`: the whole story runs offline, each step does what it says, and the
transcript shows what each person saw."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from handlers.cli import main
from handlers.demo.run import run_demo


def test_demo_runs_every_step_and_prints_what_each_person_saw(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nothing configured: the demo must not need (or read) any setting.
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "INCIDENT_ADMINS", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)

    code = main(["demo", "--output", str(tmp_path / "out")])

    out = capsys.readouterr().out
    assert code == 0, out
    assert "✗" not in out
    titles = re.findall(r"^\d\. (.+)$", out, flags=re.MULTILINE)
    assert titles == [
        "An AI tool posts a risky reply; screening flags it",
        "A person reports the same reply",
        "An admin confirms and takes it",
        "An admin classifies it as a personal-data breach; the ICO clock starts",
        "Nudges fire on an accelerated clock",
        "An admin records the ICO notification",
        "An admin closes it",
        "The audit chain is verified",
        "The incident report is written",
    ]
    assert "9 of 9 steps did what they should." in out
    assert "not legal advice" in out
    # What people saw, as text: the masked card in Slack and Teams, the nudges counting down,
    # the kill-switch page and the reporter's closing DM.
    assert "── Ada's DM with the desk (Slack) · AI Incident Desk" in out
    assert "── Bea's chat with the desk (Teams) · AI Incident Desk" in out
    assert "j***@globex.example" in out
    assert "j.smith@globex.example" in out.split("1. ")[1].split("── Bea")[0]  # the AI's own post
    assert [
        m for m in ("closes in 1 d 23 h", "closes in 23 h 59 m", "closes in 11 h 59 m") if m in out
    ] == ["closes in 1 d 23 h", "closes in 23 h 59 m", "closes in 11 h 59 m"]
    assert "Containment comes first: please switch off *DraftBot* now" in out
    assert "which you reported, was closed: Remediated" in out
    assert "chain intact" in out
    report = (tmp_path / "out" / "INC-0001-report.html").read_text(encoding="utf-8")
    assert "IC-123456-DEMO" in report
    assert not (tmp_path / "incident_desk.db").exists()  # only the temporary database was used


async def test_demo_serve_shows_the_workspace_messages_on_a_local_page(tmp_path: Path) -> None:
    lines: list[str] = []
    stop = asyncio.Event()
    served = asyncio.create_task(
        run_demo(out_dir=tmp_path / "out", serve_port=0, write=lines.append, stop=stop)
    )
    try:
        for _ in range(300):
            if any("pretend workspace is at" in line for line in lines) or served.done():
                break
            await asyncio.sleep(0.1)
        [url] = re.findall(r"(http://\S+/):", "\n".join(lines))
        async with aiohttp.ClientSession() as http:
            async with http.get(url) as page:
                assert page.status == 200
                assert "AI Incident Desk" in await page.text()
            conversations = await feed(http, url)
            ada_dm = next(c for c in conversations if c["place"].startswith("Ada's DM"))
            waiting = ada_dm["messages"][-1]
            assert waiting["lines"][0] == "INC-0002 · Suspected"
            confirm = next(b for b in waiting["buttons"] if b["label"] == "Confirm incident")

            refused = await press(http, url, waiting["seq"], confirm["index"], user="U0RITA")
            confirmed = await press(http, url, waiting["seq"], confirm["index"], user="U0ADA")

            assert refused == confirmed == "Confirm incident: sent to the desk"
            for _ in range(50):
                conversations = await feed(http, url)
                ada_dm = next(c for c in conversations if c["place"].startswith("Ada's DM"))
                lines = [m["lines"] for m in ada_dm["messages"] if m["seq"] == waiting["seq"]]
                refusals = [
                    m
                    for c in conversations
                    for m in c["messages"]
                    if "Only incident admins" in str(m)
                ]
                if lines[0][0] == "INC-0002 · Incident" and refusals:
                    break
                await asyncio.sleep(0.1)
    finally:
        stop.set()
        steps = await served
    assert all(step.ok for step in steps)
    places = [c["place"] for c in conversations]
    assert "Bea's chat with the desk (Teams)" in places
    assert "#ai-incidents (Slack triage channel)" in places
    assert lines[0][0] == "INC-0002 · Incident"  # Ada's press confirmed it
    # Rita's press was refused where she pressed it, and said why.
    assert refusals, conversations
    assert refusals[0]["author"] == "AI Incident Desk (only visible to U0RITA)"
    triage = next(c for c in conversations if c["place"].startswith("#ai-incidents"))
    assert triage["messages"][0]["lines"][0] == "INC-0001 · Incident"
    assert triage["messages"][0]["updates"] > 0


async def feed(http: aiohttp.ClientSession, url: str) -> list[dict[str, Any]]:
    async with http.get(url + "messages.json") as resp:
        return list(await resp.json())


async def press(http: aiohttp.ClientSession, url: str, seq: int, index: int, *, user: str) -> str:
    """Press a button on the page, as the page's script does."""
    body = {"seq": seq, "index": index, "user": user}
    async with http.post(url + "click", json=body) as resp:
        assert resp.status == 200
        return str((await resp.json())["result"])
