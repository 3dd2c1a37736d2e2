"""The core dispatcher: typed payloads in the outbox (old rows still load), and the rules it
applies once for every platform."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.delivery.outbox import enqueue
from bot.delivery.payloads import (
    ContainmentPage,
    DeadlineNudge,
    DirectMessage,
    Export,
    FetchEvidenceFiles,
    Notice,
    OutboxPayload,
    RefreshCards,
    RefreshDashboard,
    ScreeningDigest,
    TriageCard,
    Webhook,
    WeeklyDigestPost,
    load_payload,
)
from bot.domain import Actor, PersonalData, Platform, Reach, ReportInput
from storage.models import Incident, Obligation, OutboxMessage
from tests.support.harness import Harness

TRIAGE_CHANNEL = "C0TRIAGE"
FORM = ReportInput(
    description="wrong client named",
    failure_type="contamination",
    reach=Reach.REACHED_CLIENT,
    personal_data=PersonalData.NO,
)

# (kind, target, incident_id, payload) exactly as the enqueue calls wrote rows before payloads
# were typed.
STORED_ROWS: list[tuple[str, str | None, int | None, dict[str, Any], type[OutboxPayload]]] = [
    ("triage_card", "U0ADMIN1", 1, {}, TriageCard),
    ("refresh_cards", None, 1, {}, RefreshCards),
    ("notice", "U0REP", 1, {"channel_id": "C1", "text": "Thanks"}, Notice),
    ("notice", "U0REP", None, {"channel_id": None, "text": "Only admins"}, Notice),
    ("dm", "U0REP", 1, {"text": "*INC-0001* was closed"}, DirectMessage),
    ("fetch_evidence_files", None, 1, {"evidence_id": 4}, FetchEvidenceFiles),
    ("export", "U0ADMIN1", 1, {"key": "INC-0001", "format": "md"}, Export),
    ("refresh_dashboard", None, 1, {}, RefreshDashboard),
    (
        "screening_digest",
        "C0TRIAGE",
        None,
        {
            "entries": [
                {
                    "channel_id": "C1",
                    "message_ts": "1.2",
                    "author": None,
                    "score": 0.9,
                    "signals": [],
                    "detected_at": "2025-01-06T09:00:00+00:00",
                }
            ],
            "cap": 5,
        },
        ScreeningDigest,
    ),
    (
        "weekly_digest",
        "C0TRIAGE",
        None,
        {"period_end": "2025-01-06T09:00:00+00:00"},
        WeeklyDigestPost,
    ),
    (
        "nudge",
        "C0TRIAGE",
        1,
        {"obligation_id": 2, "nudge_id": 3, "overdue": False},
        DeadlineNudge,
    ),
    ("containment", "U0OWNER", 1, {"tool": "drafter"}, ContainmentPage),
    (
        "webhook",
        "https://kill.example/switch",
        1,
        {"secret_env": "KILL_SECRET", "body": {"event": "contain", "incident": "INC-0001"}},
        Webhook,
    ),
]


@pytest.mark.parametrize(
    ("kind", "target", "incident_id", "stored", "model"),
    STORED_ROWS,
    ids=[f"{row[0]}-{i}" for i, row in enumerate(STORED_ROWS)],
)
def test_rows_stored_before_payloads_were_typed_still_load_and_store_the_same(
    kind: str,
    target: str | None,
    incident_id: int | None,
    stored: dict[str, Any],
    model: type[OutboxPayload],
) -> None:
    payload = load_payload(kind, target=target, incident_id=incident_id, payload=stored)

    assert type(payload) is model and payload.kind == kind
    assert (payload.target, payload.incident_id) == (target, incident_id)
    assert payload.payload_json() == stored


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"TRIAGE_CHANNEL": TRIAGE_CHANNEL}


async def outbox(h: Harness) -> list[OutboxMessage]:
    async with h.app.db.sessions() as s:
        return list((await s.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars())


async def test_enqueue_takes_the_kind_and_the_columns_from_the_payload(harness: Harness) -> None:
    async with harness.app.db.transaction() as session:
        enqueue(
            session,
            platform=Platform.SLACK,
            payload=Notice(target="U0REP", text="hello", channel_id="C1"),
        )

    [row] = await outbox(harness)
    assert (row.platform, row.kind, row.target, row.incident_id) == (
        "slack",
        "notice",
        "U0REP",
        None,
    )
    assert row.payload == {"text": "hello", "channel_id": "C1"}


async def test_a_row_of_a_kind_this_version_does_not_know_fails_for_good(harness: Harness) -> None:
    now = datetime.now(UTC)
    async with harness.app.db.transaction() as session:
        session.add(
            OutboxMessage(
                platform="slack",
                kind="carrier_pigeon",
                target="U0ADMIN1",
                payload={},
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )

    await harness.app.dispatcher.drain()

    [row] = await outbox(harness)
    assert (row.status, row.last_error) == ("failed", "unknown outbox kind carrier_pigeon")


async def reported_with_open_obligation(h: Harness) -> tuple[int, int]:
    await h.app.core.intake.report(
        actor=Actor(platform=Platform.SLACK, user_id="U0REPORTER"),
        form=FORM,
        platform=Platform.SLACK,
    )
    await h.settle()
    now = datetime.now(UTC)
    async with h.app.db.transaction() as session:
        [incident] = (await session.execute(select(Incident))).scalars()
        obligation = Obligation(
            incident_id=incident.id,
            regime_id="uk_gdpr_art33",
            regime_name="UK GDPR Art. 33",
            stage_id="notify",
            stage_name="Notify the ICO",
            recipient="ICO",
            informational=False,
            immediate=False,
            clock_started_at=now,
            due_at=now + timedelta(hours=72),
            status="open",
            must_record=[],
            source="test",
            created_at=now,
            updated_at=now,
        )
        session.add(obligation)
        await session.flush()
        return incident.id, obligation.id


async def queue_nudge(h: Harness, incident_id: int, obligation_id: int) -> None:
    async with h.app.db.transaction() as session:
        enqueue(
            session,
            platform=Platform.SLACK,
            payload=DeadlineNudge(
                target=TRIAGE_CHANNEL,
                incident_id=incident_id,
                obligation_id=obligation_id,
                nudge_id=1,
                overdue=False,
            ),
        )
    await h.app.dispatcher.drain()


def channel_messages(h: Harness) -> list[Any]:
    return [c for c in h.fake.named("chat.postMessage") if c.args.get("channel") == TRIAGE_CHANNEL]


async def test_a_due_nudge_replies_under_the_card_in_the_triage_channel(harness: Harness) -> None:
    incident_id, obligation_id = await reported_with_open_obligation(harness)
    [card] = channel_messages(harness)

    await queue_nudge(harness, incident_id, obligation_id)

    [_, nudge] = channel_messages(harness)
    assert nudge.args.get("thread_ts") == card.response["ts"]


async def test_a_nudge_for_a_closed_incident_is_not_sent_on_slack_either(harness: Harness) -> None:
    incident_id, obligation_id = await reported_with_open_obligation(harness)
    async with harness.app.db.transaction() as session:
        incident = await session.get(Incident, incident_id)
        assert incident is not None
        incident.status = "closed"
        incident.closed_at = datetime.now(UTC)

    await queue_nudge(harness, incident_id, obligation_id)

    assert len(channel_messages(harness)) == 1  # the card only
    assert [r.status for r in await outbox(harness) if r.kind == "nudge"] == ["sent"]
