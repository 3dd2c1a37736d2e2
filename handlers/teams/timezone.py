"""The presser's time zone, from what Teams sends with each activity, for date and time inputs.

Adaptive Card Input.Date and Input.Time carry no zone: the form shows and reads them in the
user's own local time, and only this module converts between that and UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from botbuilder.schema import Activity


def _named_zone(name: object) -> tzinfo | None:
    if not isinstance(name, str) or not name.strip():
        return None
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None  # e.g. no tz database on the host: the offset below still works


def reader_zone(activity: Activity) -> tzinfo:
    """Teams' IANA zone (`localTimezone`, else clientInfo's `timezone`), else the offset of
    `localTimestamp`, else UTC."""
    names: list[object] = [activity.local_timezone]
    for entity in activity.entities or []:
        if getattr(entity, "type", None) == "clientInfo":
            names.append((getattr(entity, "additional_properties", None) or {}).get("timezone"))
    for name in names:
        zone = _named_zone(name)
        if zone is not None:
            return zone
    stamp = activity.local_timestamp
    if isinstance(stamp, datetime) and stamp.utcoffset() is not None:
        offset = stamp.utcoffset() or timedelta(0)
        return UTC if not offset else timezone(offset)
    return UTC


def zone_name(zone: tzinfo) -> str:
    """How the form names the zone its times are in: `Europe/London`, `UTC+02:00` or `UTC`."""
    if isinstance(zone, ZoneInfo):
        return zone.key
    offset = datetime.now(UTC).astimezone(zone).utcoffset() or timedelta(0)
    if not offset:
        return "UTC"
    sign = "+" if offset > timedelta(0) else "-"
    minutes = int(abs(offset).total_seconds()) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def local_inputs(moment: datetime, zone: tzinfo) -> tuple[str, str]:
    """The values for an Input.Date (YYYY-MM-DD) and Input.Time (HH:MM) showing `moment`."""
    local = moment.astimezone(zone)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M")


def utc_from_inputs(day: object, clock: object, zone: tzinfo) -> datetime | None:
    """The UTC moment an Input.Date and Input.Time mean in `zone`; None if either is unusable."""
    if not isinstance(day, str) or not isinstance(clock, str):
        return None
    try:
        parsed_day = date.fromisoformat(day.strip())
        parsed_time = time.fromisoformat(clock.strip()).replace(tzinfo=None)
    except ValueError:
        return None
    return datetime.combine(parsed_day, parsed_time, tzinfo=zone).astimezone(UTC)
