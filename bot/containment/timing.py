"""Time to containment, defined once: from awareness (the clocks' start), else from the report.

The card, the export, the stats and the digest all use this, and say which start they used."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clocks.regimes import format_duration

AFTER_AWARENESS = "after awareness"
AFTER_REPORT = "after the report (no awareness time recorded)"


@dataclass(frozen=True)
class TimeToContainment:
    took: timedelta
    from_awareness: bool

    @property
    def label(self) -> str:
        """`3 h 12 m after awareness`."""
        since = AFTER_AWARENESS if self.from_awareness else AFTER_REPORT
        return f"{format_duration(self.took)} {since}"


def time_to_containment(
    *, aware_at: datetime | None, created_at: datetime, contained_at: datetime | None
) -> TimeToContainment | None:
    """None until contained; never negative (awareness can be entered after containment)."""
    if contained_at is None:
        return None
    start = aware_at or created_at
    return TimeToContainment(
        took=max(contained_at - start, timedelta(0)), from_awareness=aware_at is not None
    )
