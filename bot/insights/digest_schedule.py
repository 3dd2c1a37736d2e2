"""When the weekly digest goes out: the `weekly_digest:` config section and its occurrences."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class WeeklyDigestConfig(BaseModel):
    """Day and local time of the weekly digest to the triage channel."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    day: Weekday = "mon"
    time: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    timezone: str = "Europe/London"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name, e.g. UTC)") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def hour(self) -> int:
        return int(self.time[:2])

    @property
    def minute(self) -> int:
        return int(self.time[3:])

    def last_occurrence(self, now: datetime) -> datetime:
        """The latest scheduled send time at or before `now`, in UTC."""
        local_now = now.astimezone(self.zone)
        days_back = (local_now.weekday() - WEEKDAYS.index(self.day)) % 7
        day: date = local_now.date() - timedelta(days=days_back)
        at = datetime.combine(day, time(self.hour, self.minute), tzinfo=self.zone)
        if at > local_now:
            at -= timedelta(days=7)
        return at.astimezone(UTC)

    def describe(self) -> str:
        return f"every {self.day.title()} at {self.time} {self.timezone}"
