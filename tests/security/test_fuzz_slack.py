"""Every Slack route with generated bodies: a 4xx or a clean ack, never a 500, no partial row.

Hypothesis generates the cases (mutations of real payloads: fields deleted or replaced by any
JSON, at any depth); the test posts each, signed, to one running app."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.models import AuditEvent, Incident
from tests.support.fuzz import FUZZ_CASES, mutated
from tests.support.harness import Harness
from tests.support.slack_payloads import (
    block_action,
    message_event,
    message_shortcut,
    report_values,
    slash_command,
    view_submission,
)
from tests.support.slack_steps import open_report, rows, submit


def cases(response_url: str, form: dict[str, Any]) -> list[tuple[str, Any]]:
    """Generated requests: ("interact", payload), ("command", form) or ("event", payload)."""
    report = view_submission(
        view_id=form["id"],
        callback_id=form["callback_id"],
        private_metadata=form["private_metadata"],
        values=report_values(),
    )
    bases = [
        message_shortcut(response_url),
        report,
        block_action(
            user="U0ADMIN1", action_id="triage_assign_me", incident_id=1, response_url=response_url
        ),
        block_action(
            user="U0ADMIN1",
            action_id="triage_severity",
            incident_id=1,
            response_url=response_url,
            selected="SEV1",
        ),
    ]
    strategy = st.one_of(
        st.tuples(st.just("interact"), st.one_of(*(mutated(b) for b in bases))),
        st.tuples(
            st.just("command"),
            mutated(slash_command("show INC-0001", response_url=response_url), strings_only=True),
        ),
        st.tuples(st.just("event"), mutated(message_event("Client B's figures: £4.2m"))),
    )
    drawn: list[tuple[str, Any]] = []

    @settings(
        max_examples=FUZZ_CASES,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(case: tuple[str, Any]) -> None:
        drawn.append(case)

    collect()
    return drawn


async def send(h: Harness, kind: str, body: Any) -> int:
    if kind == "interact":
        return (await h.post_form({"payload": json.dumps(body)})).status
    if kind == "command":
        return (await h.command(body)).status
    return (await h.event(body)).status


async def test_generated_requests_never_get_a_500_or_leave_a_partial_row(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    form = await open_report(harness)
    await submit(harness, form)
    generated = cases(harness.fake.response_url, await open_report(harness))
    statuses: dict[int, int] = {}

    for kind, body in generated:
        status = await send(harness, kind, body)
        statuses[status] = statuses.get(status, 0) + 1
        assert status < 500, (kind, json.dumps(body))
    await harness.settle()

    assert set(statuses) <= {200, 400, 404}, statuses
    failures = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures == []  # no listener failed after its ack either
    events = await rows(harness, AuditEvent)
    for incident in await rows(harness, Incident):
        assert any(e.incident_id == incident.id for e in events), incident.key
