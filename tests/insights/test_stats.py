"""Weak-point stats against a seeded dataset whose numbers are worked out by hand below."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine

from bot.errors import InvalidInput
from bot.insights.stats import compute, parse_period, weekly_series
from bot.insights.stats_source import weak_points
from bot.screening.scoring import DEFAULT_RULES
from bot.screening.suspected import rule_table
from tests.support.harness import Harness
from tests.support.slack_payloads import slash_command
from tests.support.stats_data import INCIDENTS, NOW, OBLIGATIONS, at, inc, seed


def test_last_30_days_match_the_hand_count() -> None:
    stats = compute(INCIDENTS, OBLIGATIONS, now=NOW, since=NOW - timedelta(days=30))

    # INC-0001, -0002, -0005 are incidents; -0008 was a false positive, -0009 is too old.
    assert (stats.incidents, stats.near_misses) == (3, 3)
    assert (stats.suspected, stats.false_positives) == (1, 2)
    assert stats.near_miss_ratio == 1.0
    assert [(c.failure_type, c.failure_point, c.incidents, c.near_misses)
            for c in stats.by_type_and_point] == [
        ("contamination", "client_document", 2, 1),
        ("fabrication", "internal_drafting", 0, 2),
        ("data_exposure", "unclassified", 1, 0),
    ]  # fmt: skip
    assert [(c.key, c.incidents, c.near_misses) for c in stats.by_tool] == [
        ("draftbot", 2, 1),
        ("researchbot", 0, 2),
        ("unknown", 1, 0),
    ]
    assert [(c.key, c.incidents, c.near_misses) for c in stats.by_channel] == [
        ("C1", 2, 1),
        ("C2", 0, 2),
        ("none", 1, 0),
    ]
    # containment 1 h, 2 h, 6 h -> median 2 h; close 1 d, 2 d, 3 d -> median 2 d
    assert (stats.contained, stats.median_to_containment) == (3, timedelta(hours=2))
    assert (stats.closed, stats.median_to_close) == (3, timedelta(days=2))
    # met: INC-0001 on time, INC-0005 not required in time; missed: the late notice, the open
    # one past due, the one recorded late; pending: one not yet due -> 2 of 5 = 40 %
    assert (stats.obligations_met, stats.obligations_missed, stats.obligations_pending) == (2, 3, 1)
    assert stats.on_time_percent == 40.0


def test_all_time_adds_the_older_incident_and_its_obligation() -> None:
    stats = compute(INCIDENTS, OBLIGATIONS, now=NOW, since=None)
    assert (stats.incidents, stats.near_misses, stats.near_miss_ratio) == (4, 3, 0.75)
    assert stats.by_type_and_point[0].incidents == 3
    assert (stats.obligations_met, stats.obligations_missed) == (3, 3)
    assert stats.on_time_percent == 50.0


def test_empty_dataset_has_no_ratios_or_medians() -> None:
    stats = compute([], [], now=NOW, since=None)
    assert stats.near_miss_ratio is None and stats.on_time_percent is None
    assert stats.median_to_containment is None and stats.median_to_close is None


def test_even_count_median_is_the_mean_of_the_middle_two() -> None:
    rows = [
        inc("A", "incident", "x", None, None, None, at(1), contained_at=at(1, 1)),
        inc("B", "incident", "x", None, None, None, at(1), contained_at=at(1, 4)),
    ]
    stats = compute(rows, [], now=NOW, since=None)
    assert stats.median_to_containment == timedelta(hours=2, minutes=30)


@pytest.mark.parametrize(
    ("text", "days"), [(None, 30), ("30d", 30), ("90d", 90), ("7D", 7), ("all", None)]
)
def test_parse_period(text: str | None, days: int | None) -> None:
    period = parse_period(text)
    assert (period.days if period else None) == days


@pytest.mark.parametrize("text", ["0d", "30", "month", "-5d", "12345d"])
def test_parse_period_rejects_nonsense(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_period(text)


def test_weekly_series_buckets_failures_by_monday_week() -> None:
    series = weekly_series(INCIDENTS, now=NOW, weeks=12)

    assert series.weeks[0] == at(12, 0, month=1) and series.weeks[-1] == at(30)
    # INC-0001 and -0002 (weeks of 2 and 9 Mar), -0005 (23 Mar); -0009 (week of 26 Jan)
    assert series.incidents["contamination"] == [0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0]
    assert series.incidents["data_exposure"][10] == 1
    # INC-0003 (week of 9 Mar) and INC-0010 (week of 30 Mar); false positives never count
    assert series.near_misses["fabrication"] == [0] * 8 + [1, 0, 0, 1]
    assert "other" not in series.incidents and "fabrication" not in series.incidents


def test_rule_table_counts_hits_by_decision_and_precision() -> None:
    hits: list[tuple[str, str | None]] = [
        ("email", "confirmed"),
        ("email", "false_positive"),
        ("email", None),
        ("phone", "near_miss"),
        ("cross_client", "confirmed"),
        ("cross_client", "false_positive"),
        ("cross_client", "false_positive"),
        ("cross_client", "near_miss"),
    ]
    table = {r.rule_id: r for r in rule_table(DEFAULT_RULES, hits, {"email": 2})}

    email = table["email"]
    assert (email.fired, email.confirmed, email.false_positives, email.pending) == (3, 1, 1, 1)
    assert (email.capped, email.precision) == (2, 0.5)
    assert table["phone"].precision == 1.0
    assert table["cross_client"].precision == 0.5  # 1 incident + 1 near miss of 4 decided
    assert (table["iban"].fired, table["iban"].precision) == (0, None)
    assert list(table) == [r.id for r in DEFAULT_RULES]


# ---- through the database and Slack ---------------------------------------------------------


async def test_stats_from_the_database_match_the_hand_count(harness: Harness) -> None:
    await seed(harness.app.db)

    stats = await weak_points(harness.app.db, period=timedelta(days=30), now=NOW)

    assert stats == compute(INCIDENTS, OBLIGATIONS, now=NOW, since=NOW - timedelta(days=30))
    assert stats.on_time_percent == 40.0


async def stats_command(h: Harness, text: str, user: str) -> dict[str, Any]:
    before = len(h.fake.responses)
    with time_machine.travel(NOW, tick=False):
        resp = await h.command(slash_command(text, user=user, response_url=h.fake.response_url))
        assert resp.status == 200
        await h.settle()
    [answer] = h.fake.responses[before:]
    return answer


async def test_stats_command_shows_admins_the_weak_points(harness: Harness) -> None:
    await seed(harness.app.db)

    answer = await stats_command(harness, "stats 30d", "U0ADMIN1")

    shown = json.dumps(answer["blocks"], ensure_ascii=False)
    assert "Weak points · the last 30 days" in shown
    assert "*3 incidents* and *3 near misses* (1 near miss per incident)" in shown
    assert (
        "Context loss or cross-client contamination × Client-facing document: "
        "2 incidents, 1 near miss" in shown
    )
    assert "<#C1>: 2 incidents, 1 near miss" in shown
    assert "median *2 h* (3 incidents contained)" in shown
    assert "median *2 d* (3 incidents closed)" in shown
    assert "*40%* (2 of 5; 1 not yet due)" in shown


async def test_stats_all_and_bad_period(harness: Harness) -> None:
    await seed(harness.app.db)
    everything = await stats_command(harness, "stats all", "U0ADMIN1")
    assert "*4 incidents* and *3 near misses*" in json.dumps(everything["blocks"])
    bad = await stats_command(harness, "stats fortnight", "U0ADMIN1")
    assert bad["text"].startswith("Usage: `/incident stats [30d|90d|all]`")


async def test_stats_are_for_admins_only(harness: Harness) -> None:
    await seed(harness.app.db)
    for text in ("stats", "stats rules"):
        answer = await stats_command(harness, text, "U0REPORTER")
        assert answer["text"].startswith("Only incident admins can see the stats")
        assert "blocks" not in answer or not answer["blocks"]
