"""Unsigned, stale or malformed requests are rejected and store nothing."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

from storage.models import AuditEvent, Incident
from tests.support.harness import Harness, sign
from tests.support.slack_payloads import message_shortcut
from tests.support.slack_steps import rows


async def post(h: Harness, body: str, headers: dict[str, str]) -> int:
    resp = await h.client.post(
        "/slack/events",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
    )
    return resp.status


async def test_bad_signature_is_rejected(harness: Harness) -> None:
    body = urlencode({"payload": json.dumps(message_shortcut(harness.fake.response_url))})
    assert await post(harness, body, sign(body, secret="not-the-secret")) == 401
    assert await post(harness, body, {}) == 401
    assert harness.fake.calls == []


async def test_stale_timestamp_is_rejected(harness: Harness) -> None:
    body = urlencode({"payload": json.dumps(message_shortcut(harness.fake.response_url))})
    stale = int(time.time()) - 6 * 60
    assert await post(harness, body, sign(body, timestamp=stale)) == 401
    assert harness.fake.calls == []


async def test_malformed_payload_is_rejected_and_nothing_stored(harness: Harness) -> None:
    for body in ["payload=%7Bnot-json", "payload=", "garbage-without-equals"]:
        assert await post(harness, body, sign(body)) == 400, body
    await harness.settle()
    assert await rows(harness, Incident) == []
    assert await rows(harness, AuditEvent) == []


async def test_healthz_reports_database_ok(harness: Harness) -> None:
    resp = await harness.client.get("/healthz")
    assert resp.status == 200
    body = await resp.json()
    assert (body["status"], body["database"]) == ("ok", "ok")
