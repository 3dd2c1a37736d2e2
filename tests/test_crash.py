"""kill -9 of the real process: every acknowledged report is still there after a restart, each
admin gets exactly one card, and the audit chain verifies."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import pytest
from sqlalchemy import create_engine, func, select

from storage.migrate import sync_url
from storage.models import Incident
from tests.support.databases import empty_postgres_database
from tests.support.fakes.slack_api import FakeSlack
from tests.support.harness import ADMINS, AUDIT_KEY, DB_BACKENDS, SIGNING_SECRET, sign
from tests.support.slack_payloads import report_values, view_submission

DESK = "from handlers.cli import main; raise SystemExit(main(sys.argv[1:]))"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(params=DB_BACKENDS)
def crash_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'desk.db'}"
        return
    with empty_postgres_database() as url:
        yield url


class Desk:
    """`incident-desk` as a real process, pointed at the fake Slack."""

    def __init__(self, database_url: str, fake: FakeSlack, home: Path) -> None:
        self.port = free_port()
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
            "INCIDENT_ADMINS": ",".join(ADMINS),
            "AUDIT_HMAC_KEY": AUDIT_KEY.hex(),
            "INCIDENT_DESK_HOME": str(home),
            "PORT": str(self.port),
            "OUTBOX_WORKER_ID": "desk-0",
            "OUTBOX_INTERVAL_SECONDS": "0.5",
        }
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self) -> None:
        self.process = await asyncio.to_thread(
            subprocess.Popen,
            [sys.executable, "-c", "import sys; " + DESK, "run"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        async with aiohttp.ClientSession() as http:
            for _ in range(300):
                assert self.process.poll() is None, "the desk exited at start"
                try:
                    async with http.get(f"{self.url}/healthz") as resp:
                        if resp.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError("the desk did not start within 30 s")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill_9(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    async def report(self, view_id: str) -> dict[str, object]:
        payload = view_submission(
            view_id=view_id,
            callback_id="report_incident_modal",
            private_metadata="{}",
            values=report_values(),
        )
        body = urlencode({"payload": json.dumps(payload)})
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
        async with (
            aiohttp.ClientSession() as http,
            http.post(f"{self.url}/slack/events", data=body, headers=headers) as resp,
        ):
            assert resp.status == 200
            answer: dict[str, object] = json.loads(await resp.text())
            return answer

    def audit_verify(self) -> int:
        return subprocess.run(
            [sys.executable, "-c", "import sys; " + DESK, "audit", "verify"],
            env=self.env,
            capture_output=True,
            timeout=60,
        ).returncode


@pytest.fixture
async def desk(crash_database: str, fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[Desk]:
    running = Desk(crash_database, fake_slack, tmp_path / "home")
    yield running
    running.stop()


def incidents(database_url: str) -> int:
    engine = create_engine(sync_url(database_url))
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(Incident)).scalar_one()
    engine.dispose()
    return int(count)


async def wait_for(check: object, *, within: float = 20.0) -> None:
    assert callable(check)
    for _ in range(int(within / 0.1)):
        if check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("not within the time allowed")


async def test_killed_while_posting_cards_every_admin_gets_exactly_one_after_restart(
    desk: Desk, fake_slack: FakeSlack, crash_database: str
) -> None:
    # Every post hangs, so the kill lands mid-delivery, before Slack accepted anything. (A
    # kill after Slack accepted a post and before the row was marked sent posts it again:
    # the window docs/RELIABILITY.md names.)
    people = [*ADMINS, "U0REPORTER"]
    for person in people:
        fake_slack.hold(f"D{person}")
    await desk.start()

    answer = await desk.report("V0CRASH1")
    assert "INC-0001" in json.dumps(answer)  # acknowledged
    await wait_for(lambda: len(fake_slack.named("chat.postMessage")) >= 3)
    desk.kill_9()
    for person in people:
        fake_slack.let_go(f"D{person}")

    await desk.start()
    await wait_for(lambda: all(len(fake_slack.dms_to(a)) >= 1 for a in ADMINS))
    await wait_for(lambda: len(fake_slack.dms_to("U0REPORTER")) >= 1)
    await asyncio.sleep(1.5)  # three more delivery rounds: nothing else may arrive
    desk.stop()

    assert incidents(crash_database) == 1
    for admin in ADMINS:
        assert len(fake_slack.dms_to(admin)) == 1
    assert len(fake_slack.dms_to("U0REPORTER")) == 1
    assert desk.audit_verify() == 0


async def test_killed_right_after_the_ack_the_report_is_there_and_delivered_once(
    desk: Desk, fake_slack: FakeSlack, crash_database: str
) -> None:
    people = [*ADMINS, "U0REPORTER"]
    for person in people:
        fake_slack.hold(f"D{person}")
    await desk.start()

    answer = await desk.report("V0CRASH2")
    desk.kill_9()
    for person in people:
        fake_slack.let_go(f"D{person}")
    assert "INC-0001" in json.dumps(answer)

    await desk.start()
    await wait_for(lambda: all(len(fake_slack.dms_to(a)) >= 1 for a in ADMINS))
    await asyncio.sleep(1.5)
    desk.stop()

    assert incidents(crash_database) == 1
    for admin in ADMINS:
        assert len(fake_slack.dms_to(admin)) == 1
    assert desk.audit_verify() == 0
