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


async def test_database_down_on_submit_spools_the_report_and_records_it_when_back(
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

    assert answer["response_action"] == "update"
    assert "recorded as soon as it is back" in json.dumps(answer["view"])
    assert await rows(harness, Incident) == []
    spool = harness.app.core.intake.spool
    assert spool is not None and len(spool.pending()) == 1

    assert await harness.app.core.intake.replay_spool() == 1
    await harness.settle()

    [incident] = await rows(harness, Incident)
    [evidence] = await rows(harness, Evidence)
    assert evidence.content["message"]["text"].startswith("Q3 revenue")
    [notice] = harness.fake.named("chat.postEphemeral")
    assert incident.key in str(notice.args["text"])
    assert spool.pending() == [] and not spool.path.exists()
    # Pressing Report again on the same form, or replaying again, records nothing more.
    again = await submit(harness, view)
    assert await harness.app.core.intake.replay_spool() == 0
    assert incident.key in json.dumps(again["view"])
    assert len(await rows(harness, Incident)) == 1


async def test_a_torn_spool_line_is_skipped_and_the_rest_replayed(harness: Harness) -> None:
    view = await open_report(harness)
    real_db = harness.app.core.ctx.db
    harness.app.core.ctx.db = Database("postgresql+psycopg://postgres@127.0.0.1:1/unreachable")
    try:
        await submit(harness, view)
    finally:
        await harness.app.core.ctx.db.dispose()
        harness.app.core.ctx.db = real_db
    spool = harness.app.core.intake.spool
    assert spool is not None
    torn = '{"submission_key": "slack:T0ACME:view:V9", "actor": {"platf'  # killed mid-write
    spool.path.write_text(spool.path.read_text(encoding="utf-8") + torn, encoding="utf-8")

    assert await harness.app.core.intake.replay_spool() == 1

    assert [i.key for i in await rows(harness, Incident)] == ["INC-0001"]
    assert spool.pending() == []
