"""The presser's time zone from a Teams activity, and date/time inputs read in it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from botbuilder.schema import Activity

from handlers.teams.timezone import local_inputs, reader_zone, utc_from_inputs, zone_name


def activity(**fields: Any) -> Activity:
    parsed: Activity = Activity().deserialize({"type": "invoke", **fields})
    return parsed


def client_info(zone: str) -> list[dict[str, Any]]:
    return [{"type": "clientInfo", "locale": "en-GB", "timezone": zone}]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"localTimezone": "Europe/Berlin"}, "Europe/Berlin"),
        ({"entities": client_info("Asia/Tokyo")}, "Asia/Tokyo"),
        ({"localTimezone": "Not/AZone", "entities": client_info("Asia/Tokyo")}, "Asia/Tokyo"),
        ({"localTimestamp": "2026-11-23T14:30:00.000+05:30"}, "UTC+05:30"),
        ({"localTimestamp": "2026-11-23T04:00:00.000-05:00"}, "UTC-05:00"),
        ({"localTimestamp": "2026-11-23T09:00:00.000+00:00"}, "UTC"),
        ({}, "UTC"),
    ],
)
def test_zone_comes_from_the_name_then_the_offset_then_utc(
    fields: dict[str, Any], expected: str
) -> None:
    assert zone_name(reader_zone(activity(**fields))) == expected


def test_inputs_round_trip_through_local_time_across_a_dst_change() -> None:
    london = ZoneInfo("Europe/London")
    # Saturday 01:30 before the clocks go back (25 Oct 2026): BST, so 00:30 UTC.
    aware = datetime(2026, 10, 24, 0, 30, tzinfo=UTC)

    assert local_inputs(aware, london) == ("2026-10-24", "01:30")
    assert utc_from_inputs("2026-10-24", "01:30", london) == aware
    # 72 real hours later the clocks show one hour less: Tuesday 00:30 GMT.
    assert local_inputs(aware + timedelta(hours=72), london) == ("2026-10-27", "00:30")


@pytest.mark.parametrize(
    ("day", "clock"),
    [("", "09:00"), ("2026-11-23", ""), ("23/11/2026", "09:00"), ("2026-11-23", "9pm"), (None, 1)],
)
def test_unusable_inputs_give_none(day: Any, clock: Any) -> None:
    assert utc_from_inputs(day, clock, UTC) is None


def test_a_fixed_offset_is_applied() -> None:
    zone = timezone(timedelta(hours=-5))
    assert utc_from_inputs("2026-11-22", "20:30", zone) == datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
