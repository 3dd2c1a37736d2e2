"""Malformed or crafted Slack requests: a 4xx or a clean ack with an error the user can read,
never a 500, and nothing half-written."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

from aiohttp import ClientResponse

from storage.models import AuditEvent, Incident
from tests.support.harness import SIGNING_SECRET, Harness, sign
from tests.support.slack_payloads import block_action, message_shortcut, view_submission
from tests.support.slack_steps import open_report, rows, submit

HUGE_ID = 10**23


async def post_raw(h: Harness, body: bytes, headers: dict[str, str]) -> ClientResponse:
    return await h.client.post(
        "/slack/events",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
    )


def sign_bytes(body: bytes) -> dict[str, str]:
    ts = str(int(time.time()))
    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest.hexdigest()}"}


async def nothing_written(h: Harness) -> None:
    await h.settle()
    assert await rows(h, Incident) == []
    assert await rows(h, AuditEvent) == []


async def test_invalid_utf8_is_refused_before_and_after_the_signature(harness: Harness) -> None:
    body = b"payload=%7B%7D\xff\xfe"

    assert (await post_raw(harness, body, {})).status == 401
    assert (await post_raw(harness, body, sign_bytes(body))).status == 400
    await nothing_written(harness)


async def test_a_payload_that_is_not_an_object_is_a_400(harness: Harness) -> None:
    for payload in ("[]", "null", '"text"', "12", "[{}]", "{}", '{"type": 5}'):
        resp = await harness.post_form({"payload": payload})
        assert resp.status == 400, payload
    await nothing_written(harness)


async def test_a_message_shortcut_without_its_message_is_a_400_at_once(harness: Harness) -> None:
    payload = message_shortcut(harness.fake.response_url)
    del payload["message"]

    started = time.monotonic()
    resp = await harness.interact(payload)

    assert resp.status == 400
    assert time.monotonic() - started < 1
    assert harness.fake.named("views.open") == []
    await nothing_written(harness)


async def test_a_view_submission_without_a_view_is_a_400(harness: Harness) -> None:
    payload = view_submission(
        view_id="V1", callback_id="report_modal", private_metadata="{}", values={}
    )
    del payload["view"]

    assert (await harness.interact(payload)).status == 400
    await nothing_written(harness)


async def test_an_unsigned_command_or_one_without_a_user_is_refused(harness: Harness) -> None:
    body = urlencode({"command": "/incident", "text": "list"})
    assert (await post_raw(harness, body.encode(), {})).status == 401
    assert (await post_raw(harness, body.encode(), sign(body))).status == 400


async def test_a_button_with_a_huge_incident_id_is_refused_with_a_message(
    harness: Harness,
) -> None:
    await submit(harness, await open_report(harness))
    before = await rows(harness, AuditEvent)
    for action in ("triage_assign_me", "triage_near_miss"):
        payload = block_action(
            user="U0ADMIN1",
            action_id=action,
            incident_id=HUGE_ID,
            response_url=harness.fake.response_url,
        )

        resp = await harness.interact(payload)

        assert resp.status == 200
    await harness.settle()
    told = [c.args["text"] for c in harness.fake.named("chat.postEphemeral")]
    assert told and all("not one of ours" in t for t in told[-2:])
    [incident] = await rows(harness, Incident)
    assert incident.assignee is None and incident.kind == "incident"
    assert len(await rows(harness, AuditEvent)) == len(before)


async def test_a_close_form_with_a_huge_incident_id_shows_an_error(harness: Harness) -> None:
    payload: dict[str, Any] = view_submission(
        view_id="V9",
        callback_id="close_incident_modal",
        private_metadata=json.dumps({"incident_id": HUGE_ID}),
        values={},
        user="U0ADMIN1",
    )

    resp = await harness.interact(payload)

    assert resp.status == 200
    answer = await resp.json()
    assert answer["response_action"] == "errors"
    await nothing_written(harness)
