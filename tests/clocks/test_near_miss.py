"""Near misses start no regulatory clock unless personal data actually left the firm."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.clocks.near_miss import starts_clocks
from bot.clocks.regimes import ClassificationAnswers, RiskLevel
from bot.domain import Actor, Kind, PersonalData, Platform, Reach
from storage.models import Obligation
from tests.support.core_steps import ADMIN, report_input
from tests.support.harness import Harness
from tests.support.slack_steps import rows

REPORTER = Actor(platform=Platform.SLACK, user_id="U0REPORTER")


def answers(**kw: object) -> ClassificationAnswers:
    values: dict[str, object] = {
        "personal_data": PersonalData.YES,
        "risk_to_individuals": RiskLevel.RISK,
        "aware_at": datetime.now(UTC),
    }
    values.update(kw)
    return ClassificationAnswers.model_validate(values)


@pytest.mark.parametrize(
    ("kind", "answer", "starts"),
    [
        (Kind.INCIDENT, {}, True),
        (Kind.SUSPECTED, {}, True),
        (Kind.NEAR_MISS, {}, False),  # caught in time: nothing left the firm
        (Kind.NEAR_MISS, {"client_received": True}, True),
        (Kind.NEAR_MISS, {"wrong_recipient": True}, True),
        (Kind.NEAR_MISS, {"client_received": True, "personal_data": PersonalData.NO}, False),
        (Kind.NEAR_MISS, {"wrong_recipient": True, "personal_data": PersonalData.UNSURE}, False),
    ],
)
def test_near_miss_clock_rule(kind: Kind, answer: dict[str, object], starts: bool) -> None:
    assert starts_clocks(kind, answers(**answer)) is starts


async def open_obligations(h: Harness) -> list[str]:
    return [o.regime_id for o in await rows(h, Obligation) if o.status == "open"]


async def test_classified_near_miss_starts_no_clock(harness: Harness) -> None:
    await harness.app.core.intake.report(
        actor=REPORTER, form=report_input(Reach.CAUGHT, PersonalData.YES), platform=Platform.SLACK
    )
    view = await harness.app.core.clocks.classify(actor=ADMIN, incident_id=1, answers=answers())
    assert view.kind == Kind.NEAR_MISS and view.obligations == []
    assert await open_obligations(harness) == []


async def test_near_miss_whose_personal_data_reached_a_wrong_recipient_starts_the_ico_clock(
    harness: Harness,
) -> None:
    await harness.app.core.intake.report(
        actor=REPORTER, form=report_input(Reach.CAUGHT, PersonalData.YES), platform=Platform.SLACK
    )
    await harness.app.core.clocks.classify(
        actor=ADMIN, incident_id=1, answers=answers(wrong_recipient=True)
    )
    assert await open_obligations(harness) == ["uk_gdpr_art33"]


async def test_marking_a_near_miss_withdraws_clocks_and_confirming_restores_them(
    harness: Harness,
) -> None:
    await harness.app.core.intake.report(
        actor=REPORTER,
        form=report_input(Reach.REACHED_CLIENT, PersonalData.YES),
        platform=Platform.SLACK,
    )
    await harness.app.core.clocks.classify(actor=ADMIN, incident_id=1, answers=answers())
    assert await open_obligations(harness) == ["uk_gdpr_art33"]

    view = await harness.app.core.triage.mark_near_miss(actor=ADMIN, incident_id=1)
    assert view.obligations == []
    assert [o.status for o in await rows(harness, Obligation)] == ["withdrawn"]

    view = await harness.app.core.insights.suspected.confirm(actor=ADMIN, incident_id=1)
    assert view.kind == Kind.INCIDENT
    assert await open_obligations(harness) == ["uk_gdpr_art33"]
