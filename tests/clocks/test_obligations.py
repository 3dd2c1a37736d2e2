"""The regime table and obligation engine as pure functions: triggers, deadlines, nudges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.clocks.regimes import (
    SHIPPED_REGIMES,
    ClassificationAnswers,
    DerivedObligation,
    Regime,
    coalesce_due_nudges,
    default_nudge_offsets,
    evaluate,
    format_deadline,
    format_duration,
    format_time_left,
    load_regimes,
    next_overdue_nudge,
    overdue_nudge_times,
    parse_duration,
)
from bot.errors import ConfigError

AWARE = datetime(2028, 3, 1, 9, 0, tzinfo=UTC)  # after every shipped applies_from date
H = timedelta(hours=1)
D = timedelta(days=1)
LONDON = ZoneInfo("Europe/London")

PERSONAL_RISK: dict[str, Any] = {"personal_data": "yes", "risk_to_individuals": "risk"}
PERSONAL_HIGH: dict[str, Any] = {"personal_data": "yes", "risk_to_individuals": "high_risk"}
AI_DEATH: dict[str, Any] = {"high_risk_ai_system": True, "serious_incident_condition": "death"}
DORA: dict[str, Any] = {"dora_in_scope": True, "dora_major": True}


def answers(aware_at: datetime = AWARE, **fields: Any) -> ClassificationAnswers:
    return ClassificationAnswers(aware_at=aware_at, **fields)


def derive(
    regimes: list[Regime] | None = None,
    *,
    classified_at: datetime | None = None,
    aware_at: datetime = AWARE,
    **fields: Any,
) -> dict[str, DerivedObligation]:
    result = evaluate(
        load_regimes() if regimes is None else regimes,
        answers(aware_at, **fields),
        classified_at=classified_at or aware_at,
    )
    return {o.regime_id: o for o in result}


# ---------------------------------------------------------------- the shipped table


def test_shipped_table_has_every_design_row() -> None:
    assert [r.id for r in load_regimes(SHIPPED_REGIMES)] == [
        "uk_gdpr_art33",
        "uk_gdpr_art33_5",
        "uk_gdpr_art34",
        "eu_ai_act_art73",
        "eu_ai_act_art26_5",
        "eu_ai_act_art26_5_risk",
        "nis2_art23",
        "dora_art19",
        "fca_sup15",
    ]


def test_ico_row_records_art_33_3_a_to_d_and_cites_its_source() -> None:
    ico = next(r for r in load_regimes() if r.id == "uk_gdpr_art33")

    assert [f.id for f in ico.must_record] == [
        "nature",
        "dpo_contact",
        "likely_consequences",
        "measures",
    ]
    assert "Art. 33(3)(a)" in ico.must_record[0].label
    assert "legislation.gov.uk/eur/2016/679/article/33" in ico.source


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, set()),
        (PERSONAL_RISK, {"uk_gdpr_art33"}),
        (PERSONAL_HIGH, {"uk_gdpr_art33", "uk_gdpr_art34"}),
        ({**PERSONAL_RISK, "wrong_recipient": True}, {"uk_gdpr_art33"}),
        # Defect 2: judged unlikely, the decision not to notify is recorded with its reason.
        ({"personal_data": "yes", "risk_to_individuals": "unlikely"}, {"uk_gdpr_art33_5"}),
        # Defect 1: the risk question unanswered fails closed (Art. 33(1)'s "unless").
        ({"personal_data": "yes"}, {"uk_gdpr_art33", "uk_gdpr_art34"}),
        (
            {"personal_data": "unsure", "risk_to_individuals": "high_risk"},
            {"uk_gdpr_art33", "uk_gdpr_art34"},
        ),
        (
            {**PERSONAL_RISK, "personal_data_breach": "no"},
            {"uk_gdpr_art33_5"},  # no breach: still recorded why
        ),
        ({"personal_data": "no", "risk_to_individuals": "high_risk"}, set()),
        (AI_DEATH, {"eu_ai_act_art73", "eu_ai_act_art26_5"}),
        (
            {"high_risk_ai_system": True, "serious_incident_condition": "fundamental_rights"},
            {"eu_ai_act_art73", "eu_ai_act_art26_5"},
        ),
        ({"high_risk_ai_system": True, "serious_incident_condition": "none"}, set()),
        ({"high_risk_ai_system": False, "serious_incident_condition": "death"}, set()),
        ({"nis2_in_scope": True}, {"nis2_art23"}),
        (DORA, {"dora_art19"}),
        ({"dora_in_scope": True, "dora_major": False}, set()),
        ({"dora_in_scope": False, "dora_major": True}, set()),
        ({"fca_regulated": True}, set()),  # Defect 8: touching FCA activity alone is not enough
        ({"fca_reputation": True}, {"fca_sup15"}),
        ({"fca_customer_detriment": True}, {"fca_sup15"}),
        ({"fca_financial": True}, {"fca_sup15"}),
        ({"fca_expect_notice": True}, {"fca_sup15"}),
        ({"client_received": True, "client_acted": True, "downstream_actions": True}, set()),
        (
            {**PERSONAL_HIGH, **AI_DEATH, **DORA, "nis2_in_scope": True, "fca_reputation": True},
            {
                "uk_gdpr_art33",
                "uk_gdpr_art34",
                "eu_ai_act_art73",
                "eu_ai_act_art26_5",
                "nis2_art23",
                "dora_art19",
                "fca_sup15",
            },
        ),
    ],
)
def test_answers_trigger_exactly_the_expected_regimes(
    fields: dict[str, Any], expected: set[str]
) -> None:
    assert set(derive(**fields)) == expected


# ---------------------------------------------------------------- stage deadlines


@pytest.mark.parametrize(
    ("regime_id", "fields", "classified_after", "expected"),
    [
        ("uk_gdpr_art33", PERSONAL_RISK, H, {"notify": 72 * H}),
        ("uk_gdpr_art34", PERSONAL_HIGH, H, {"communicate": 0 * H}),
        ("eu_ai_act_art73", AI_DEATH, H, {"report": 10 * D}),
        (
            "eu_ai_act_art73",
            {"high_risk_ai_system": True, "serious_incident_condition": "serious_harm_health"},
            H,
            {"report": 15 * D},
        ),
        (
            "eu_ai_act_art73",
            {"high_risk_ai_system": True, "serious_incident_condition": "fundamental_rights"},
            H,
            {"report": 15 * D},
        ),
        (
            "eu_ai_act_art73",
            {"high_risk_ai_system": True, "serious_incident_condition": "critical_infrastructure"},
            H,
            {"report": 2 * D},
        ),
        (
            "eu_ai_act_art73",
            {"high_risk_ai_system": True, "serious_incident_condition": "widespread_infringement"},
            H,
            {"report": 2 * D},
        ),
        ("eu_ai_act_art26_5", AI_DEATH, H, {"inform": 0 * H}),
        (
            "nis2_art23",
            {"nis2_in_scope": True},
            H,
            # One calendar month after the notification (4 Mar → 4 Apr 2028: 31 days).
            {"early_warning": 24 * H, "notification": 72 * H, "final_report": 72 * H + 31 * D},
        ),
        # DORA counts from classification: 4 h, then 72 h after that, then one month more.
        (
            "dora_art19",
            DORA,
            H,
            {"initial": 5 * H, "intermediate": 77 * H, "final": 77 * H + 31 * D},
        ),
        # ...but the initial notification is never later than 24 h after awareness.
        (
            "dora_art19",
            DORA,
            22 * H,
            # Defect 5: the intermediate report runs from the initial one (due at 24 h), not
            # from classification + 76 h.
            {"initial": 24 * H, "intermediate": 96 * H, "final": 96 * H + 31 * D},
        ),
        # Defect 4: classified as major 30 h after awareness, the cap no longer applies (Art. 5(2)).
        ("dora_art19", DORA, 30 * H, {"initial": 34 * H, "intermediate": 106 * H}),
        ("fca_sup15", {"fca_reputation": True}, H, {"notify": 0 * H}),
    ],
)
def test_stage_deadlines_count_from_the_right_clock(
    regime_id: str,
    fields: dict[str, Any],
    classified_after: timedelta,
    expected: dict[str, timedelta],
) -> None:
    obligation = derive(classified_at=AWARE + classified_after, **fields)[regime_id]
    due = {s.id: s.due_at - AWARE for s in obligation.stages}

    assert {k: due[k] for k in expected} == expected
    assert not obligation.informational
    assert all(s.due_at.tzinfo is UTC for s in obligation.stages)


def test_immediate_stages_are_flagged_and_nudged_after_the_clock_starts() -> None:
    fca = derive(fca_reputation=True)["fca_sup15"].stages[0]
    art34 = derive(**PERSONAL_HIGH)["uk_gdpr_art34"].stages[0]

    assert fca.immediate and art34.immediate
    assert fca.nudge_times == [AWARE + 4 * H, AWARE + 24 * H]
    assert art34.nudge_times == [AWARE + 24 * H]
    assert fca.repeat_from == AWARE + 24 * H


def test_ico_nudges_at_48_24_12_4_and_1_hours_left() -> None:
    stage = derive(**PERSONAL_RISK)["uk_gdpr_art33"].stages[0]

    assert [stage.due_at - t for t in stage.nudge_times] == [48 * H, 24 * H, 12 * H, 4 * H, H]
    assert stage.repeat_from == stage.due_at


@pytest.mark.parametrize(
    ("deadline", "expected"),
    [
        (72 * H, [48 * H, 24 * H, 12 * H, 4 * H, H]),
        (24 * H, [16 * H, 8 * H, 4 * H, 80 * timedelta(minutes=1), 20 * timedelta(minutes=1)]),
        (15 * D, [10 * D, 5 * D, 60 * H, 20 * H, 5 * H]),
        (0 * H, []),
    ],
)
def test_default_nudge_offsets_scale_the_72_hour_ladder(
    deadline: timedelta, expected: list[timedelta]
) -> None:
    assert default_nudge_offsets(deadline) == expected


def test_art_73_nudges_scale_to_the_chosen_variant() -> None:
    stage = derive(high_risk_ai_system=True, serious_incident_condition="critical_infrastructure")[
        "eu_ai_act_art73"
    ].stages[0]

    assert stage.due_at - stage.nudge_times[0] == default_nudge_offsets(2 * D)[0]


def test_capped_stage_drops_nudges_from_before_its_clock_started() -> None:
    # Classified 23 h after awareness: the initial report is due 1 h after classification.
    classified = AWARE + 23 * H
    initial = derive(classified_at=classified, **DORA)["dora_art19"].stages[0]

    assert initial.due_at == AWARE + 24 * H
    assert initial.nudge_times
    assert all(classified <= t < initial.due_at for t in initial.nudge_times)


# ---------------------------------------------------------------- applicability


@pytest.mark.parametrize(
    ("aware_at", "informational"),
    [
        (datetime(2026, 6, 1, 12, 0, tzinfo=UTC), True),
        (datetime(2027, 12, 1, 23, 59, tzinfo=UTC), True),
        (datetime(2027, 12, 2, 0, 0, tzinfo=UTC), False),
        (datetime(2029, 1, 1, 0, 0, tzinfo=UTC), False),
    ],
)
def test_ai_act_rows_are_informational_before_2_december_2027(
    aware_at: datetime, informational: bool
) -> None:
    derived = derive(aware_at=aware_at, **AI_DEATH)

    for regime_id in ("eu_ai_act_art73", "eu_ai_act_art26_5"):
        obligation = derived[regime_id]
        assert obligation.informational is informational
        assert obligation.stages[0].due_at > aware_at - H
        assert bool(obligation.stages[0].nudge_times) is not informational


def test_gdpr_clock_binds_on_any_date() -> None:
    derived = derive(aware_at=datetime(2026, 6, 1, tzinfo=UTC), **PERSONAL_HIGH)

    assert not derived["uk_gdpr_art33"].informational
    assert not derived["uk_gdpr_art34"].informational


def test_applies_until_makes_a_row_informational_afterwards() -> None:
    regimes = load_regimes(
        overrides={"override": {"fca_sup15": {"applicability": {"applies_until": "2028-02-29"}}}}
    )

    assert derive(regimes, fca_reputation=True)["fca_sup15"].informational
    before = datetime(2028, 2, 29, 23, 0, tzinfo=UTC)
    assert not derive(regimes, aware_at=before, fca_reputation=True)["fca_sup15"].informational


# ---------------------------------------------------------------- config overrides


def test_config_disables_a_row_by_id() -> None:
    regimes = load_regimes(overrides={"disable": ["fca_sup15"]})

    assert "fca_sup15" not in {r.id for r in regimes}
    assert derive(regimes, fca_reputation=True) == {}


def test_config_overrides_fields_and_one_stage_by_id() -> None:
    regimes = load_regimes(
        overrides={
            "override": {
                "uk_gdpr_art33": {
                    "name": "GDPR Art. 33 — notify the supervisory authority",
                    "stages": {"notify": {"nudge_offsets": ["24h", "2h"]}},
                },
                "eu_ai_act_art73": {"applicability": {"applies_from": "2028-08-02"}},
            }
        }
    )
    derived = derive(regimes, **PERSONAL_RISK, **AI_DEATH)

    ico = derived["uk_gdpr_art33"]
    assert ico.name == "GDPR Art. 33 — notify the supervisory authority"
    assert [ico.stages[0].due_at - t for t in ico.stages[0].nudge_times] == [24 * H, 2 * H]
    assert ico.stages[0].due_at == AWARE + 72 * H
    assert derived["eu_ai_act_art73"].informational
    assert not derived["eu_ai_act_art26_5"].informational


def test_config_replaces_stages_given_as_a_list() -> None:
    regimes = load_regimes(
        overrides={
            "override": {"fca_sup15": {"stages": [{"id": "notify", "name": "N", "deadline": "8h"}]}}
        }
    )

    assert derive(regimes, fca_reputation=True)["fca_sup15"].stages[0].due_at == AWARE + 8 * H


def test_config_adds_a_client_notification_row() -> None:
    row = {
        "id": "client_notice",
        "name": "Tell the client",
        "trigger": {
            "any": [
                {"field": "client_received", "is_true": True},
                {"field": "client_acted", "is_true": True},
            ]
        },
        "stages": [{"id": "tell", "name": "Tell the client", "deadline": "2d"}],
        "source": "Engagement letter clause 14",
    }
    regimes = load_regimes(overrides={"add": [row]})

    assert derive(regimes, client_acted=True)["client_notice"].stages[0].due_at == AWARE + 2 * D
    assert "client_notice" not in derive(regimes, downstream_actions=True)


def test_unquoted_yaml_yes_in_a_config_trigger_means_yes(tmp_path: Path) -> None:
    # YAML 1.1 reads `equals: yes` as True; the trigger must still match personal_data "yes".
    overrides = {
        "override": {"uk_gdpr_art33": {"trigger": {"field": "personal_data", "equals": True}}}
    }
    regimes = load_regimes(overrides=overrides)

    assert "uk_gdpr_art33" in derive(regimes, personal_data="yes")
    assert "uk_gdpr_art33" not in derive(regimes, personal_data="unsure")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"disable": ["fca"]}, "regimes.disable: no regime 'fca'"),
        ({"override": {"ico": {"name": "x"}}}, "regimes.override: no regime 'ico'"),
        ({"remove": ["fca_sup15"]}, "regimes: remove: Extra inputs are not permitted"),
        (
            {"override": {"uk_gdpr_art33": {"stages": {"notify": {"deadline": "72x"}}}}},
            "regimes.override.uk_gdpr_art33: stages.0.deadline: '72x' is not a duration",
        ),
        (
            {"override": {"nis2_art23": {"stages": {"final_report": {"deadline": "1mo"}}}}},
            "months have no fixed length: write 30d",
        ),
        (
            {"override": {"nis2_art23": {"stages": {"early_warning": {"deadline": 24}}}}},
            "24 is not a duration",
        ),
        (
            {"override": {"uk_gdpr_art33": {"stages": {"notice": {"deadline": "48h"}}}}},
            "no stage 'notice' to override (has notify)",
        ),
        (
            {"override": {"uk_gdpr_art33": {"stages": {"notify": {"nudge_offsets": ["96h"]}}}}},
            "nudge_offsets: 4 d must be more than 0 and less than the deadline (3 d)",
        ),
        (
            {"override": {"fca_sup15": {"trigger": {"field": "fca", "is_true": True}}}},
            "unknown field 'fca'; triggers can test:",
        ),
        (
            {
                "override": {
                    "uk_gdpr_art33": {
                        "trigger": {"field": "risk_to_individuals", "equals": "high-risk"}
                    }
                }
            },
            "'high-risk' is not a valid value for risk_to_individuals "
            "(one of: unlikely, risk, high_risk)",
        ),
        (
            {"override": {"fca_sup15": {"trigger": {"field": "personal_data", "is_true": True}}}},
            "is_true only applies to yes/no fields, not personal_data",
        ),
        (
            {"override": {"fca_sup15": {"trigger": {"field": "fca_regulated"}}}},
            "needs exactly one of equals, in or is_true",
        ),
        ({"override": {"fca_sup15": {"id": "fca"}}}, "id cannot be changed"),
        ({"override": {"fca_sup15": {"clock_start": "reported_at"}}}, "clock_start"),
        (
            {"add": [{"id": "fca_sup15", "name": "x", "trigger": {"all": []}}]},
            "regimes.add.0: trigger: all and any need at least one condition",
        ),
        (
            {
                "add": [
                    {
                        "id": "fca_sup15",
                        "name": "FCA again",
                        "trigger": {"field": "fca_regulated", "is_true": True},
                        "stages": [{"id": "s", "name": "S", "deadline": "1h"}],
                        "source": "x",
                    }
                ]
            },
            "regimes.add.0: id 'fca_sup15' already exists; use regimes.override",
        ),
    ],
)
def test_bad_config_raises_a_clear_config_error(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_regimes(overrides=overrides)

    assert message in raised.value.message


def test_missing_or_broken_shipped_table_raises_config_error(tmp_path: Path) -> None:
    broken = tmp_path / "regimes.yaml"
    broken.write_text("regimes: {not: a list}\n", encoding="utf-8")

    with pytest.raises(ConfigError, match="does not exist"):
        load_regimes(tmp_path / "missing.yaml")
    with pytest.raises(ConfigError, match="must hold a `regimes:` list"):
        load_regimes(broken)


# ---------------------------------------------------------------- time


def test_72_hours_across_the_london_dst_change_are_72_real_hours() -> None:
    # 01:30 BST on Saturday 24 Oct 2026; the clocks go back at 02:00 BST on Sunday 25 Oct.
    aware_local = datetime(2026, 10, 24, 1, 30, tzinfo=LONDON)

    stage = derive(aware_at=aware_local, **PERSONAL_RISK)["uk_gdpr_art33"].stages[0]

    assert aware_local.utcoffset() == H
    assert stage.due_at == datetime(2026, 10, 27, 0, 30, tzinfo=UTC)
    assert stage.due_at - aware_local == 72 * H
    local = stage.due_at.astimezone(LONDON)
    assert (local.strftime("%a %d %b %H:%M"), local.tzname()) == ("Tue 27 Oct 00:30", "GMT")
    assert format_deadline(stage.due_at, LONDON) == "Tue 27 Oct 2026 00:30 GMT"
    assert format_deadline(stage.due_at) == "Tue 27 Oct 2026 00:30 UTC"


def test_awareness_in_the_past_makes_stages_overdue_at_once() -> None:
    now = AWARE + 80 * H
    derived = derive(classified_at=now, **PERSONAL_RISK, nis2_in_scope=True)

    ico = derived["uk_gdpr_art33"].stages[0]
    assert format_time_left(ico.due_at - now) == "overdue by 8 h"
    assert coalesce_due_nudges(ico.nudge_times, now) == ico.due_at - H
    assert overdue_nudge_times(ico.due_at, now) == []
    nis2 = {s.id: s for s in derived["nis2_art23"].stages}
    assert format_time_left(nis2["early_warning"].due_at - now) == "overdue by 2 d 8 h"
    assert format_time_left(nis2["final_report"].due_at - now) == "30 d 16 h"


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="aware_at must be timezone-aware"):
        answers(datetime(2028, 3, 1, 9, 0))
    with pytest.raises(ValueError, match="classified_at must be timezone-aware"):
        evaluate(load_regimes(), answers(), classified_at=datetime(2028, 3, 1, 9, 0))


# ---------------------------------------------------------------- nudges


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (AWARE - H, None),
        (AWARE, AWARE),
        (AWARE + 5 * H, AWARE + 4 * H),
        (AWARE + 30 * H, AWARE + 24 * H),
    ],
)
def test_nudges_missed_while_down_coalesce_to_the_latest(
    now: datetime, expected: datetime | None
) -> None:
    nudges = [AWARE + 24 * H, AWARE, AWARE + 4 * H, AWARE + 12 * H]

    assert coalesce_due_nudges(nudges, now) == expected


def test_overdue_nudges_repeat_every_12_hours_after_the_deadline() -> None:
    due = AWARE

    assert overdue_nudge_times(due, due + 11 * H) == []
    assert overdue_nudge_times(due, due + 36 * H) == [due + 12 * H, due + 24 * H, due + 36 * H]
    assert overdue_nudge_times(due, due + 7 * H, every=3 * H) == [due + 3 * H, due + 6 * H]
    assert next_overdue_nudge(due, due - 5 * H) == due + 12 * H
    assert next_overdue_nudge(due, due + 12 * H) == due + 24 * H
    assert next_overdue_nudge(due, due + 25 * H) == due + 36 * H


# ---------------------------------------------------------------- display


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (D + 4 * H + timedelta(minutes=59), "1 d 4 h"),
        (2 * D, "2 d"),
        (3 * H + timedelta(minutes=12, seconds=59), "3 h 12 m"),
        (3 * H, "3 h"),
        (timedelta(minutes=12), "12 m"),
        (timedelta(seconds=30), "under 1 m"),
        (timedelta(0), "due now"),
        (-timedelta(seconds=30), "due now"),
        (-2 * H, "overdue by 2 h"),
        (-(2 * H + timedelta(minutes=5)), "overdue by 2 h 5 m"),
        (-(3 * D + H), "overdue by 3 d 1 h"),
    ],
)
def test_format_time_left(delta: timedelta, text: str) -> None:
    assert format_time_left(delta) == text


def test_format_duration_reads_like_the_card() -> None:
    assert format_duration(H + timedelta(minutes=12)) == "1 h 12 m"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("72h", 72 * H), ("15d", 15 * D), ("30m", timedelta(minutes=30)), ("33d4h", 33 * D + 4 * H)],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "72", "h", "4h3d", "1mo", "P3D", "-4h"])
def test_parse_duration_refuses_other_forms(text: str) -> None:
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration(text)
