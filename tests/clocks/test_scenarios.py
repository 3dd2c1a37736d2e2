"""The regime table applied to scenarios, each with its source and the answer computed by hand.

Times are UTC unless a zone is named. "now" marks an immediate stage (due at once, never late by a
fixed clock); its target, when it has one, is checked separately."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.clocks.near_miss import starts_clocks
from bot.clocks.regimes import ClassificationAnswers, add_months, evaluate, load_regimes
from bot.clocks.service import with_major_at
from bot.domain import Kind

LONDON = ZoneInfo("Europe/London")
H = timedelta(hours=1)
D = timedelta(days=1)
PERSONAL = {"personal_data": "yes", "personal_data_breach": "yes"}


@dataclass(frozen=True)
class Scenario:
    name: str
    source: str
    aware_at: datetime
    answers: dict[str, Any]
    due: dict[str, datetime | str]  # "regime/stage" -> due time, or "now" for immediate
    kind: Kind = Kind.INCIDENT
    classified_at: datetime | None = None
    targets: dict[str, datetime] = field(default_factory=dict)


MON = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
FRIDAY_5PM = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)
BEFORE_SPRING = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)  # clocks go forward 29 Mar 01:00 UTC
BEFORE_AUTUMN = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)  # clocks go back 25 Oct 01:00 UTC
AI_DAY = datetime(2028, 9, 4, 9, 0, tzinfo=UTC)  # after both deferred EU AI Act dates
AI = {"high_risk_ai_system": True}

SCENARIOS = [
    Scenario(
        "defect 1: risk unanswered fails closed (ICO and Art. 34)",
        "UK GDPR Art. 33(1) 'unless … unlikely to result in a risk'; Art. 34(1)",
        MON,
        PERSONAL,
        {"uk_gdpr_art33/notify": MON + 72 * H, "uk_gdpr_art34/communicate": "now"},
        targets={"uk_gdpr_art34/communicate": MON + 72 * H},
    ),
    Scenario(
        "'unsure' personal data and breach count as yes",
        "UK GDPR Art. 33(1); fail-closed principle",
        MON,
        {
            "personal_data": "unsure",
            "personal_data_breach": "unsure",
            "risk_to_individuals": "risk",
        },
        {"uk_gdpr_art33/notify": MON + 72 * H},
    ),
    Scenario(
        "defect 2: judged unlikely, the decision not to notify is recorded",
        "UK GDPR Art. 33(5); ICO guidance on recording decisions",
        MON,
        {**PERSONAL, "risk_to_individuals": "unlikely"},
        {"uk_gdpr_art33_5/decide": "now"},
        targets={"uk_gdpr_art33_5/decide": MON + 72 * H},
    ),
    Scenario(
        "defect 9: near miss, internal unauthorised access, high risk",
        "UK GDPR Art. 4(12), 33(1), 34(1)",
        MON,
        {**PERSONAL, "risk_to_individuals": "high_risk"},
        {"uk_gdpr_art33/notify": MON + 72 * H, "uk_gdpr_art34/communicate": "now"},
        kind=Kind.NEAR_MISS,
    ),
    Scenario(
        "near miss where no breach occurred starts nothing",
        "UK GDPR Art. 4(12)",
        MON,
        {"personal_data": "yes", "personal_data_breach": "no", "risk_to_individuals": "risk"},
        {},
        kind=Kind.NEAR_MISS,
    ),
    Scenario(
        "Friday 17:00 awareness: 72 h runs through the weekend to Monday 17:00",
        "UK GDPR Art. 33(1); ICO: '72 hours … not working hours'",
        FRIDAY_5PM,
        {**PERSONAL, "risk_to_individuals": "risk"},
        {"uk_gdpr_art33/notify": datetime(2026, 11, 30, 17, 0, tzinfo=UTC)},
    ),
    Scenario(
        "spring DST change: Sat 12:00 GMT + 72 h = Tue 12:00 UTC (13:00 BST)",
        "UK GDPR Art. 33(1): elapsed hours",
        BEFORE_SPRING,
        {**PERSONAL, "risk_to_individuals": "risk"},
        {"uk_gdpr_art33/notify": datetime(2026, 3, 31, 12, 0, tzinfo=UTC)},
    ),
    Scenario(
        "autumn DST change: Sat 13:00 BST + 72 h = Tue 12:00 GMT",
        "UK GDPR Art. 33(1): elapsed hours",
        BEFORE_AUTUMN,
        {**PERSONAL, "risk_to_individuals": "risk"},
        {"uk_gdpr_art33/notify": datetime(2026, 10, 27, 12, 0, tzinfo=UTC)},
    ),
    Scenario(
        "awareness revised 10 h earlier moves the deadline 10 h earlier",
        "UK GDPR Art. 33(1)",
        MON - 10 * H,
        {**PERSONAL, "risk_to_individuals": "risk"},
        {"uk_gdpr_art33/notify": MON + 62 * H},
        classified_at=MON,
    ),
    Scenario(
        "DORA classified major 20 h after awareness: 4 h later, which is also the 24 h cap",
        "RTS 2025/301 Art. 5(2)",
        MON,
        {"dora_in_scope": True, "dora_major": True},
        {"dora_art19/initial": MON + 24 * H, "dora_art19/intermediate": MON + 96 * H},
        classified_at=MON + 20 * H,
    ),
    Scenario(
        "DORA classified major 22 h after awareness: the 24 h cap bites",
        "RTS 2025/301 Art. 5(2)",
        MON,
        {"dora_in_scope": True, "dora_major": True},
        {"dora_art19/initial": MON + 24 * H},
        classified_at=MON + 22 * H,
    ),
    Scenario(
        "defect 4: DORA classified major 30 h after awareness: 4 h after classification",
        "RTS 2025/301 Art. 5(2)",
        MON,
        {"dora_in_scope": True, "dora_major": True},
        {"dora_art19/initial": MON + 34 * H},
        classified_at=MON + 30 * H,
    ),
    Scenario(
        "NIS2 awareness 29 Jan: early warning 30 Jan, notification 1 Feb, final report one "
        "calendar month after the notification: 1 Mar",
        "Directive (EU) 2022/2555 Art. 23(4)(a), (b), (d)",
        datetime(2026, 1, 29, 9, 0, tzinfo=UTC),
        {"nis2_in_scope": True},
        {
            "nis2_art23/early_warning": datetime(2026, 1, 30, 9, 0, tzinfo=UTC),
            "nis2_art23/notification": datetime(2026, 2, 1, 9, 0, tzinfo=UTC),
            "nis2_art23/final_report": datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        },
    ),
    Scenario(
        "AI Act death: 10 days; the deployer informs the provider immediately",
        "Reg. (EU) 2024/1689 Art. 73(4), 26(5)",
        AI_DAY,
        {**AI, "serious_incident_condition": "death"},
        {"eu_ai_act_art73/report": AI_DAY + 10 * D, "eu_ai_act_art26_5/inform": "now"},
        targets={"eu_ai_act_art26_5/inform": AI_DAY + 24 * H},
    ),
    Scenario(
        "AI Act widespread infringement: 2 days",
        "Reg. (EU) 2024/1689 Art. 73(3), 3(61)",
        AI_DAY,
        {**AI, "serious_incident_condition": "widespread_infringement"},
        {"eu_ai_act_art73/report": AI_DAY + 2 * D, "eu_ai_act_art26_5/inform": "now"},
    ),
    Scenario(
        "AI Act critical infrastructure: 2 days",
        "Reg. (EU) 2024/1689 Art. 73(3), 3(49)(b)",
        AI_DAY,
        {**AI, "serious_incident_condition": "critical_infrastructure"},
        {"eu_ai_act_art73/report": AI_DAY + 2 * D, "eu_ai_act_art26_5/inform": "now"},
    ),
    Scenario(
        "AI Act serious harm to health: 15 days",
        "Reg. (EU) 2024/1689 Art. 73(2), 3(49)(a)",
        AI_DAY,
        {**AI, "serious_incident_condition": "serious_harm_health"},
        {"eu_ai_act_art73/report": AI_DAY + 15 * D, "eu_ai_act_art26_5/inform": "now"},
    ),
    Scenario(
        "AI Act serious harm to property or the environment: 15 days",
        "Reg. (EU) 2024/1689 Art. 73(2), 3(49)(d)",
        AI_DAY,
        {**AI, "serious_incident_condition": "property_environment", "ai_role": "provider"},
        {"eu_ai_act_art73/report": AI_DAY + 15 * D},
    ),
    Scenario(
        "AI Act provider, death: Art. 73 only (no deployer duty)",
        "Reg. (EU) 2024/1689 Art. 73(1), (4)",
        AI_DAY,
        {**AI, "serious_incident_condition": "death", "ai_role": "provider"},
        {"eu_ai_act_art73/report": AI_DAY + 10 * D},
    ),
    Scenario(
        "AI Act deployer who can reach the provider, widespread: Art. 26(5) only",
        "Reg. (EU) 2024/1689 Art. 26(5)",
        AI_DAY,
        {
            **AI,
            "serious_incident_condition": "widespread_infringement",
            "ai_role": "deployer",
            "ai_provider_reachable": "yes",
        },
        {"eu_ai_act_art26_5/inform": "now"},
    ),
    Scenario(
        "AI Act deployer who cannot reach the provider, critical infrastructure: both",
        "Reg. (EU) 2024/1689 Art. 26(5), 73(3)",
        AI_DAY,
        {
            **AI,
            "serious_incident_condition": "critical_infrastructure",
            "ai_role": "deployer",
            "ai_provider_reachable": "no",
        },
        {"eu_ai_act_art73/report": AI_DAY + 2 * D, "eu_ai_act_art26_5/inform": "now"},
    ),
    Scenario(
        "AI Act causal link established: report immediately",
        "Reg. (EU) 2024/1689 Art. 73(2)",
        AI_DAY,
        {
            **AI,
            "serious_incident_condition": "serious_harm_health",
            "ai_role": "provider",
            "ai_causal_link": True,
        },
        {"eu_ai_act_art73/report": "now"},
    ),
    Scenario(
        "AI Act deployer with an Art. 79(1) risk: suspend use and inform",
        "Reg. (EU) 2024/1689 Art. 26(5) first limb, 79(1)",
        AI_DAY,
        {**AI, "ai_role": "deployer", "ai_art79_risk": True},
        {"eu_ai_act_art26_5_risk/suspend_inform": "now"},
        targets={"eu_ai_act_art26_5_risk/suspend_inform": AI_DAY + 24 * H},
    ),
    Scenario(
        "defect 8: touching FCA-regulated activity alone triggers nothing",
        "FCA SUP 15.3.1R",
        MON,
        {"fca_regulated": True},
        {},
    ),
    Scenario(
        "defect 8: serious detriment to a customer: notify the FCA immediately",
        "FCA SUP 15.3.1R(2)",
        MON,
        {"fca_customer_detriment": True},
        {"fca_sup15/notify": "now"},
        targets={"fca_sup15/notify": MON + 24 * H},
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario(scenario: Scenario) -> None:
    answers = ClassificationAnswers.model_validate(
        {**scenario.answers, "aware_at": scenario.aware_at}
    )
    assert scenario.source
    derived = (
        evaluate(load_regimes(), answers, classified_at=scenario.classified_at or scenario.aware_at)
        if starts_clocks(scenario.kind, answers)
        else []
    )
    stages = {f"{o.regime_id}/{s.id}": s for o in derived for s in o.stages}
    due = {k: "now" if s.immediate else s.due_at for k, s in stages.items()}

    assert {k: due[k] for k in scenario.due if k in due} == scenario.due
    assert {k.split("/")[0] for k in due} == {k.split("/")[0] for k in scenario.due}
    assert all(not o.informational for o in derived)
    for key, target in scenario.targets.items():
        assert stages[key].target_at == target


def test_dst_deadlines_read_right_in_london() -> None:
    spring = datetime(2026, 3, 31, 12, 0, tzinfo=UTC).astimezone(LONDON)
    autumn = datetime(2026, 10, 27, 12, 0, tzinfo=UTC).astimezone(LONDON)
    assert (spring.hour, spring.tzname(), autumn.hour, autumn.tzname()) == (13, "BST", 12, "GMT")


def test_ai_act_rows_are_informational_before_the_deferred_date() -> None:
    answers = ClassificationAnswers(
        high_risk_ai_system=True,
        serious_incident_condition="death",
        aware_at=datetime(2027, 12, 1, 9, 0, tzinfo=UTC),
    )
    derived = evaluate(load_regimes(), answers, classified_at=answers.aware_at)
    assert {o.regime_id: o.informational for o in derived} == {
        "eu_ai_act_art73": True,
        "eu_ai_act_art26_5": True,
    }


@pytest.mark.parametrize(
    ("annex", "aware", "informational"),
    [
        ("annex_iii", datetime(2027, 12, 2, 9, 0, tzinfo=UTC), False),
        ("unsure", datetime(2027, 12, 2, 9, 0, tzinfo=UTC), False),  # the earlier date
        ("annex_i", datetime(2027, 12, 2, 9, 0, tzinfo=UTC), True),
        ("annex_i", datetime(2028, 8, 2, 9, 0, tzinfo=UTC), False),
    ],
)
def test_annex_i_products_bind_from_2_aug_2028(
    annex: str, aware: datetime, informational: bool
) -> None:
    answers = ClassificationAnswers.model_validate(
        {**AI, "serious_incident_condition": "death", "ai_annex": annex, "aware_at": aware}
    )
    derived = evaluate(load_regimes(), answers, classified_at=aware)
    assert {o.informational for o in derived} == {informational}


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 1, 29, 9, 0, tzinfo=UTC), 1, datetime(2026, 2, 28, 9, 0, tzinfo=UTC)),
        (datetime(2028, 1, 31, 9, 0, tzinfo=UTC), 1, datetime(2028, 2, 29, 9, 0, tzinfo=UTC)),
        (datetime(2026, 12, 31, 9, 0, tzinfo=UTC), 2, datetime(2027, 2, 28, 9, 0, tzinfo=UTC)),
        (datetime(2026, 3, 31, 9, 0, tzinfo=UTC), 1, datetime(2026, 4, 30, 9, 0, tzinfo=UTC)),
    ],
)
def test_calendar_months_clamp_to_month_end(
    moment: datetime, months: int, expected: datetime
) -> None:
    assert add_months(moment, months) == expected


def test_follow_on_stages_run_from_the_recorded_submission() -> None:
    """NIS2 notified 29 Jan (early, 3 days before its deadline): final report due 28 Feb; DORA's
    intermediate 72 h after the initial notification actually submitted (Art. 23(4)(d), RTS
    2025/301 Art. 5)."""
    nis2 = ClassificationAnswers(
        nis2_in_scope=True, aware_at=datetime(2026, 1, 28, 9, 0, tzinfo=UTC)
    )
    notified = datetime(2026, 1, 29, 9, 0, tzinfo=UTC)
    [derived] = evaluate(
        load_regimes(),
        nis2,
        classified_at=nis2.aware_at,
        submitted={("nis2_art23", "notification"): notified},
    )
    stages = {s.id: s.due_at for s in derived.stages}
    assert stages["final_report"] == datetime(2026, 2, 28, 9, 0, tzinfo=UTC)
    assert stages["intermediate_report"] == notified

    dora = ClassificationAnswers(dora_in_scope=True, dora_major=True, aware_at=MON)
    [d] = evaluate(
        load_regimes(),
        dora,
        classified_at=MON + H,
        submitted={("dora_art19", "initial"): MON + 2 * H},
    )
    due = {s.id: s.due_at for s in d.stages}
    assert due["initial"] == MON + 5 * H
    assert due["intermediate"] == MON + 74 * H
    assert due["final"] == add_months(MON + 74 * H, 1)


def test_dora_not_major_then_major_counts_from_the_reclassification() -> None:
    first = ClassificationAnswers(dora_in_scope=True, aware_at=MON)
    stamped = with_major_at(first, {}, MON + H)
    assert stamped.dora_major_at is None

    major = first.model_copy(update={"dora_major": True})
    restamped = with_major_at(major, stamped.model_dump(mode="json"), MON + 30 * H)
    again = with_major_at(major, restamped.model_dump(mode="json"), MON + 40 * H)
    [dora] = evaluate(load_regimes(), again, classified_at=MON + H)  # first classification

    assert restamped.dora_major_at == again.dora_major_at == MON + 30 * H
    assert dora.stages[0].due_at == MON + 34 * H
