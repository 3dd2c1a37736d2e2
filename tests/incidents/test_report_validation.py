"""Bad form input is answered inline; a failing database loses nothing."""

from __future__ import annotations

import json

from storage.db import Database
from storage.models import Evidence, Incident
from tests.support.harness import Harness
from tests.support.slack_steps import open_report, rows, submit


async def test_missing_and_overlong_fields_are_inline_errors(harness: Harness) -> None:
    view = await open_report(harness)

    empty = await submit(
        harness, view, description="   ", failure_type=None, reach=None, personal_data=None
    )
    overlong = await submit(harness, view, description="x" * 3001)

    assert empty["response_action"] == "errors"
    assert empty["errors"] == {
        "description": "Say what went wrong.",
        "failure_type": "Pick a failure type from the list.",
        "reach": "Say whether it reached a client.",
        "personal_data": "Say whether personal data is involved.",
    }
    assert overlong["response_action"] == "errors"
    assert "under 3000 characters" in overlong["errors"]["description"]
    assert await rows(harness, Incident) == []


async def test_unknown_failure_type_is_rejected(harness: Harness) -> None:
    view = await open_report(harness)
    answer = await submit(harness, view, failure_type="made_up")
    assert answer["errors"] == {"failure_type": "Pick a failure type from the list."}


async def test_database_down_on_submit_keeps_form_open_and_retry_succeeds(
    harness: Harness,
) -> None:
    view = await open_report(harness)
    real_db = harness.app.core.ctx.db
    harness.app.core.ctx.db = Database("postgresql+psycopg://postgres@127.0.0.1:1/unreachable")
    try:
        answer = await submit(harness, view)
    finally:
        await harness.app.core.ctx.db.dispose()
        harness.app.core.ctx.db = real_db

    assert answer["response_action"] == "errors"
    assert "Could not be saved: nothing was recorded" in answer["errors"]["description"]
    assert await rows(harness, Incident) == []

    retry = await submit(harness, view)

    assert "INC-0001" in json.dumps(retry["view"])
    [evidence] = await rows(harness, Evidence)
    assert evidence.content["message"]["text"].startswith("Q3 revenue")
