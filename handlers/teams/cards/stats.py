"""`stats [30d|90d|all]` and `stats rules` in the Teams chat, as Adaptive Cards."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bot.clocks.regimes import format_duration
from bot.insights.stats import NO_CHANNEL, UNCLASSIFIED, UNKNOWN_TOOL, Cell, Count, WeakPoints
from bot.screening.suspected import RuleStat
from bot.settings import DeskConfig
from handlers.teams.cards.elements import Element, card, facts, heading, text

TOP = 10
STATS_USAGE = "Usage: `stats [30d|90d|all]` (any number of days works, e.g. `7d`) or `stats rules`."


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def split(count: Count | Cell) -> str:
    near = plural(count.near_misses, "near miss", "near misses")
    return f"{plural(count.incidents, 'incident')}, {near}"


def _lines(items: list[str], more: int) -> str:
    return "\n".join(items + ([f"- …and {more} more"] if more > 0 else [])) or "nothing reported"


def _median(value: timedelta | None, n: int, done: str) -> str:
    if value is None:
        return "none yet"
    return f"median {format_duration(value)} ({plural(n, 'incident')} {done})"


def stats_card(stats: WeakPoints, period: str, config: DeskConfig) -> Element:
    """Where the AI fails: counts by failure type × point, tool and channel; times; clocks."""
    ratio = (
        f"{stats.near_miss_ratio:g} near misses per incident"
        if stats.near_miss_ratio is not None
        else "no incidents to compare with"
    )

    def point(p: str) -> str:
        return "not classified yet" if p == UNCLASSIFIED else config.failure_point_label(p)

    def tool(key: str) -> str:
        found = config.tool(key)
        return found.name if found else ("unknown tool" if key == UNKNOWN_TOOL else key)

    def channel(key: str) -> str:
        return "no channel" if key == NO_CHANNEL else key

    def counts(rows: list[Count], name: Callable[[str], str]) -> str:
        return _lines([f"- {name(c.key)}: {split(c)}" for c in rows[:TOP]], len(rows) - TOP)

    cells = [
        f"- {config.failure_type_label(c.failure_type)} × {point(c.failure_point)}: {split(c)}"
        for c in stats.by_type_and_point[:TOP]
    ]
    pct = stats.on_time_percent
    settled = stats.obligations_met + stats.obligations_missed
    on_time = (
        f"{pct:g}% ({stats.obligations_met} of {settled}"
        + (f"; {stats.obligations_pending} not yet due" if stats.obligations_pending else "")
        + ")"
        if pct is not None
        else "no obligation was due yet"
    )
    return card(
        [
            heading(f"Weak points · {period}"),
            text(
                f"**{plural(stats.incidents, 'incident')}** and "
                f"**{plural(stats.near_misses, 'near miss', 'near misses')}** ({ratio}). "
                f"Suspected by screening, awaiting review: {stats.suspected}. "
                f"False positives: {stats.false_positives}."
            ),
            text("**By failure type × failure point**"),
            text(_lines(cells, len(stats.by_type_and_point) - TOP)),
            text("**By AI tool**"),
            text(counts(stats.by_tool, tool)),
            text("**By channel**"),
            text(counts(stats.by_channel, channel)),
            facts(
                [
                    (
                        "Time to containment",
                        _median(stats.median_to_containment, stats.contained, "contained"),
                    ),
                    ("Time to close", _median(stats.median_to_close, stats.closed, "closed")),
                    ("Obligations met on time", on_time),
                ]
            ),
            text(
                "Near misses are counted apart from incidents; false positives and unreviewed "
                "suspected incidents are not counted as failures.",
                size="Small",
                subtle=True,
            ),
        ]
    )


def rules_card(table: list[RuleStat], threshold: float) -> Element:
    """Each screening rule's hits by decision and its precision."""
    rows = []
    for r in table:
        precision = f"{r.precision * 100:.0f}%" if r.precision is not None else "—"
        label = r.label if r.enabled else f"{r.label} (off)"
        rows.append(
            f"- **{label}** (score {r.score:g}): fired {r.fired}, incidents {r.confirmed}, "
            f"near misses {r.near_misses}, false positives {r.false_positives}, "
            f"open {r.pending}, capped {r.capped}, precision {precision}"
        )
    return card(
        [
            heading("Screening rules"),
            text("\n".join(rows) or "No rules."),
            text(
                f"A message is suspected when its rules' scores add up to {threshold:g} or more. "
                "Precision = (incidents + near misses) ÷ decided hits.",
                size="Small",
                subtle=True,
            ),
        ]
    )
