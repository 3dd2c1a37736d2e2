"""Near misses start no regulatory clock unless a personal data breach occurred or may have
(UK GDPR Art. 4(12): unauthorised access inside the firm counts)."""

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
        (Kind.NEAR_MISS, {"personal_data_breach": PersonalData.NO}, False),  # caught in time
        (Kind.NEAR_MISS, {}, True),  # breach unanswered: fails closed
        (Kind.NEAR_MISS, {"personal_data_breach": PersonalData.UNSURE}, True),
        # Defect 9: seen by staff without authorisation, judged high risk, nothing left the firm.
        (
            Kind.NEAR_MISS,
            {"personal_data_breach": PersonalData.YES, "risk_to_individuals": RiskLevel.HIGH_RISK},
            True,
        ),
        (
            Kind.NEAR_MISS,
            {"client_received": True, "personal_data_breach": PersonalData.NO},
            True,  # data reached a client: a disclosure whatever the answer says
        ),
        (Kind.NEAR_MISS, {"client_received": True, "personal_data": PersonalData.NO}, False),
        (Kind.NEAR_MISS, {"wrong_recipient": True, "personal_data": PersonalData.UNSURE}, True),
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
    view = await harness.app.core.clocks.classify(
        actor=ADMIN, incident_id=1, answers=answers(personal_data_breach=PersonalData.NO)
    )
    assert view.kind == Kind.NEAR_MISS and view.obligations == []
    assert await open_obligations(harness) == []


async def test_near_miss_whose_personal_data_reached_a_wrong_recipient_starts_the_ico_clock(
    harness: Harness,
) -> None:
    await harness.app.core.intake.report(
        actor=REPORTER, form=report_input(Reach.CAUGHT, PersonalData.YES), platform=Platform.SLACK
    )
    await harness.app.core.clocks.classify(
        actor=ADMIN,
        incident_id=1,
        answers=answers(wrong_recipient=True, personal_data_breach=PersonalData.YES),
    )
    assert await open_obligations(harness) == ["uk_gdpr_art33"]


async def test_near_miss_with_internal_access_and_high_risk_starts_the_ico_clock(
    harness: Harness,
) -> None:
    await harness.app.core.intake.report(
        actor=REPORTER, form=report_input(Reach.CAUGHT, PersonalData.YES), platform=Platform.SLACK
    )
    await harness.app.core.clocks.classify(
        actor=ADMIN,
        incident_id=1,
        answers=answers(
            personal_data_breach=PersonalData.YES, risk_to_individuals=RiskLevel.HIGH_RISK
        ),
    )
    assert await open_obligations(harness) == ["uk_gdpr_art33", "uk_gdpr_art34"]


async def test_marking_a_near_miss_withdraws_clocks_and_confirming_restores_them(
    harness: Harness,
) -> None:
    await harness.app.core.intake.report(
        actor=REPORTER,
        form=report_input(Reach.REACHED_CLIENT, PersonalData.YES),
        platform=Platform.SLACK,
    )
    no_breach = answers(personal_data_breach=PersonalData.NO)
    await harness.app.core.clocks.classify(actor=ADMIN, incident_id=1, answers=no_breach)
    assert await open_obligations(harness) == ["uk_gdpr_art33_5"]  # the reason must be recorded

    view = await harness.app.core.triage.mark_near_miss(actor=ADMIN, incident_id=1)
    assert view.obligations == []
    assert [o.status for o in await rows(harness, Obligation)] == ["withdrawn"]

    view = await harness.app.core.insights.suspected.confirm(actor=ADMIN, incident_id=1)
    assert view.kind == Kind.INCIDENT
    assert await open_obligations(harness) == ["uk_gdpr_art33_5"]
