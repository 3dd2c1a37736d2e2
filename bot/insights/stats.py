"""The firm's map of weak points: pure computations over incident and obligation rows.

Near misses are counted apart from incidents everywhere; suspected incidents (not yet reviewed)
and false positives are counted on their own and never as failures."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel

from bot.containment.timing import time_to_containment
from bot.domain import Kind, Outcome
from bot.errors import InvalidInput

UNCLASSIFIED = "unclassified"
UNKNOWN_TOOL = "unknown"
NO_CHANNEL = "none"
DEFAULT_PERIOD = "30d"


@dataclass(frozen=True)
class IncidentRow:
    """What the stats need from one incident."""

    key: str
    kind: str
    status: str
    failure_type: str
    failure_point: str | None
    ai_tool: str | None
    channel_id: str | None
    created_at: datetime
    aware_at: datetime | None = None
    contained_at: datetime | None = None
    closed_at: datetime | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class ObligationRow:
    """What the stats need from one obligation stage."""

    incident_key: str
    status: str
    due_at: datetime
    informational: bool = False
    decided_at: datetime | None = None
    notified_at: datetime | None = None


class Count(BaseModel):
    """Incidents and near misses for one value of a dimension."""

    key: str
    incidents: int = 0
    near_misses: int = 0

    @property
    def total(self) -> int:
        return self.incidents + self.near_misses


class Cell(BaseModel):
    """Incidents and near misses for one failure type at one failure point."""

    failure_type: str
    failure_point: str
    incidents: int = 0
    near_misses: int = 0


class WeakPoints(BaseModel):
    since: datetime | None
    until: datetime
    incidents: int
    near_misses: int
    suspected: int
    false_positives: int
    by_type_and_point: list[Cell]
    by_tool: list[Count]
    by_channel: list[Count]
    contained: int
    median_to_containment: timedelta | None
    closed: int
    median_to_close: timedelta | None
    obligations_met: int
    obligations_missed: int
    obligations_pending: int

    @property
    def near_miss_ratio(self) -> float | None:
        """Near misses per incident; None when there were no incidents."""
        return round(self.near_misses / self.incidents, 2) if self.incidents else None

    @property
    def on_time_percent(self) -> float | None:
        """Obligations met on time, of those due or decided; None when there were none."""
        settled = self.obligations_met + self.obligations_missed
        return round(100 * self.obligations_met / settled, 1) if settled else None


def parse_period(text: str | None) -> timedelta | None:
    """`30d`, `90d`, any `<n>d`, or `all` (None: no limit)."""
    value = (text or DEFAULT_PERIOD).strip().lower()
    if value == "all":
        return None
    match = re.fullmatch(r"(\d{1,4})d", value)
    if match is None or int(match.group(1)) == 0:
        raise InvalidInput({"period": "Use 30d, 90d, any number of days like 7d, or all."})
    return timedelta(days=int(match.group(1)))


def period_label(period: timedelta | None) -> str:
    return "all time" if period is None else f"the last {period.days} days"


def is_failure(row: IncidentRow) -> bool:
    """An incident or a near miss that was not closed as a false positive."""
    return row.kind in (Kind.INCIDENT, Kind.NEAR_MISS) and row.outcome != Outcome.FALSE_POSITIVE


def _counts(rows: Iterable[IncidentRow], key: str, default: str) -> list[Count]:
    tally: dict[str, Count] = {}
    for row in rows:
        name = getattr(row, key) or default
        count = tally.setdefault(name, Count(key=name))
        if row.kind == Kind.NEAR_MISS:
            count.near_misses += 1
        else:
            count.incidents += 1
    return sorted(tally.values(), key=lambda c: (-c.total, c.key))


def _median(values: Sequence[timedelta]) -> timedelta | None:
    if not values:
        return None
    return timedelta(seconds=statistics.median(v.total_seconds() for v in values))


def _obligation_met(row: ObligationRow, now: datetime) -> bool | None:
    """True met on time, False missed, None still pending (open and not yet due)."""
    if row.status == "late":
        return False
    if row.status == "notified":
        return (row.notified_at or row.decided_at or now) <= row.due_at
    if row.status == "not_required":
        return (row.decided_at or now) <= row.due_at
    if row.status == "open":
        return None if now <= row.due_at else False
    return None


def compute(
    incidents: Iterable[IncidentRow],
    obligations: Iterable[ObligationRow],
    *,
    now: datetime,
    since: datetime | None,
) -> WeakPoints:
    """Stats over incidents created in [since, now]; obligations of those incidents."""
    window = [r for r in incidents if (since is None or r.created_at >= since)]
    window = [r for r in window if r.created_at <= now]
    keys = {r.key for r in window}
    failures = [r for r in window if is_failure(r)]
    cells: dict[tuple[str, str], Cell] = {}
    for row in failures:
        point = row.failure_point or UNCLASSIFIED
        cell = cells.setdefault(
            (row.failure_type, point), Cell(failure_type=row.failure_type, failure_point=point)
        )
        if row.kind == Kind.NEAR_MISS:
            cell.near_misses += 1
        else:
            cell.incidents += 1
    to_contain = [
        took.took
        for r in failures
        if (
            took := time_to_containment(
                aware_at=r.aware_at, created_at=r.created_at, contained_at=r.contained_at
            )
        )
        is not None
    ]
    to_close = [r.closed_at - r.created_at for r in failures if r.closed_at is not None]
    verdicts = Counter(
        _obligation_met(o, now)
        for o in obligations
        if o.incident_key in keys and not o.informational and o.status != "withdrawn"
    )
    kinds = Counter(r.kind for r in failures)
    return WeakPoints(
        since=since,
        until=now,
        incidents=kinds[Kind.INCIDENT],
        near_misses=kinds[Kind.NEAR_MISS],
        suspected=sum(
            1 for r in window if r.kind == Kind.SUSPECTED and r.outcome != Outcome.FALSE_POSITIVE
        ),
        false_positives=sum(1 for r in window if r.outcome == Outcome.FALSE_POSITIVE),
        by_type_and_point=sorted(
            cells.values(),
            key=lambda c: (-(c.incidents + c.near_misses), c.failure_type, c.failure_point),
        ),
        by_tool=_counts(failures, "ai_tool", UNKNOWN_TOOL),
        by_channel=_counts(failures, "channel_id", NO_CHANNEL),
        contained=len(to_contain),
        median_to_containment=_median(to_contain),
        closed=len(to_close),
        median_to_close=_median(to_close),
        obligations_met=verdicts[True],
        obligations_missed=verdicts[False],
        obligations_pending=verdicts[None],
    )


# ---- weekly series (the digest chart) --------------------------------------------------------


def week_start(moment: datetime) -> datetime:
    """Monday 00:00 UTC of the week holding `moment`."""
    day = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


class WeeklySeries(BaseModel):
    """Counts per week by failure type, for incidents and near misses, oldest week first."""

    weeks: list[datetime]
    incidents: dict[str, list[int]]
    near_misses: dict[str, list[int]]


def weekly_series(rows: Iterable[IncidentRow], *, now: datetime, weeks: int = 12) -> WeeklySeries:
    """The last `weeks` weeks up to and including the one holding `now`."""
    last = week_start(now)
    starts = [last - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    index = {start: i for i, start in enumerate(starts)}
    incidents: dict[str, list[int]] = {}
    near_misses: dict[str, list[int]] = {}
    for row in rows:
        slot = index.get(week_start(row.created_at))
        if slot is None or not is_failure(row) or row.created_at > now:
            continue
        series = near_misses if row.kind == Kind.NEAR_MISS else incidents
        series.setdefault(row.failure_type, [0] * weeks)[slot] += 1
    return WeeklySeries(
        weeks=starts,
        incidents=dict(sorted(incidents.items())),
        near_misses=dict(sorted(near_misses.items())),
    )
