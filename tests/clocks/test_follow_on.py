"""Follow-on stages run from what was done: recording a submission re-derives the next stages in
the same transaction (NIS2 Art. 23(4)(d); DORA RTS 2025/301 Art. 5)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from bot.clocks.decisions import DecisionInput, ObligationStatus
from bot.clocks.regimes import ClassificationAnswers
from bot.domain import Actor, Platform, Reach
from storage.models import Nudge, Obligation
from tests.support.core_steps import ADMIN, report_input
from tests.support.harness import Harness
from tests.support.slack_steps import rows

REPORTER = Actor(platform=Platform.SLACK, user_id="U0REPORTER")
AWARE = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(AWARE + timedelta(hours=1), tick=False) as traveller:
        yield traveller


async def stage(h: Harness, stage_id: str) -> Obligation:
    [row] = [o for o in await rows(h, Obligation) if o.stage_id == stage_id]
    return row


async def test_nis2_final_report_runs_one_month_from_the_notification_submitted(
    harness: Harness, clock: Any
) -> None:
    core = harness.app.core
    await core.intake.report(
        actor=REPORTER, form=report_input(Reach.REACHED_CLIENT), platform=Platform.SLACK
    )
    await core.clocks.classify(
        actor=ADMIN,
        incident_id=1,
        answers=ClassificationAnswers(nis2_in_scope=True, aware_at=AWARE),
    )
    # Until the notification is submitted, the final report counts from its deadline (13 Feb).
    assert (await stage(harness, "notification")).due_at == datetime(2026, 2, 13, 9, 0, tzinfo=UTC)
    assert (await stage(harness, "final_report")).due_at == datetime(2026, 3, 13, 9, 0, tzinfo=UTC)

    clock.move_to(datetime(2026, 2, 11, 9, 0, tzinfo=UTC))
    notification = await stage(harness, "notification")
    await core.clocks.decide(
        actor=ADMIN,
        obligation_id=notification.id,
        form=DecisionInput(
            decision=ObligationStatus.NOTIFIED,
            reference="CSIRT-7",
            notified_at=datetime(2026, 2, 11, 9, 0, tzinfo=UTC),
        ),
    )

    final = await stage(harness, "final_report")
    assert final.due_at == datetime(2026, 3, 11, 9, 0, tzinfo=UTC)  # 11 Feb + 1 month
    intermediate = await stage(harness, "intermediate_report")
    assert intermediate.immediate and intermediate.due_at == datetime(2026, 2, 11, 9, 0, tzinfo=UTC)
    pending = [
        n
        for n in await rows(harness, Nudge)
        if n.obligation_id == final.id and n.status == "pending"
    ]
    assert min(n.due_at for n in pending) == final.due_at - timedelta(days=7)


async def test_dora_intermediate_runs_72_hours_from_the_initial_notification_submitted(
    harness: Harness, clock: Any
) -> None:
    core = harness.app.core
    await core.intake.report(
        actor=REPORTER, form=report_input(Reach.REACHED_CLIENT), platform=Platform.SLACK
    )
    await core.clocks.classify(
        actor=ADMIN,
        incident_id=1,
        answers=ClassificationAnswers(dora_in_scope=True, dora_major=True, aware_at=AWARE),
    )
    classified = AWARE + timedelta(hours=1)
    assert (await stage(harness, "initial")).due_at == classified + timedelta(hours=4)
    assert (await stage(harness, "intermediate")).due_at == classified + timedelta(hours=76)

    initial = await stage(harness, "initial")
    submitted = classified + timedelta(hours=2)
    clock.move_to(submitted)
    await core.clocks.decide(
        actor=ADMIN,
        obligation_id=initial.id,
        form=DecisionInput(
            decision=ObligationStatus.NOTIFIED, reference="FCA-1", notified_at=submitted
        ),
    )

    assert (await stage(harness, "intermediate")).due_at == submitted + timedelta(hours=72)
