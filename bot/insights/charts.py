"""PNG charts with matplotlib's Agg canvas (no display, no pyplot global state)."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.insights.stats import Count, WeeklySeries

PALETTE = "tab20"


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def weekly_chart(series: WeeklySeries, label: Callable[[str], str] = str) -> bytes:
    """Stacked bars per week by failure type: incidents above, near misses below."""
    figure = Figure(figsize=(9, 6))
    top, bottom = figure.subplots(2, 1, sharex=True)
    types = sorted({*series.incidents, *series.near_misses})
    colours = {t: _colour(i) for i, t in enumerate(types)}
    ticks = [w.strftime("%d %b") for w in series.weeks]
    positions = list(range(len(series.weeks)))
    for axes, data, title in (
        (top, series.incidents, "Incidents"),
        (bottom, series.near_misses, "Near misses"),
    ):
        base = [0] * len(positions)
        for failure_type in types:
            counts = data.get(failure_type)
            if not counts:
                continue
            axes.bar(
                positions,
                counts,
                bottom=base,
                color=colours[failure_type],
                label=label(failure_type),
            )
            base = [b + c for b, c in zip(base, counts, strict=True)]
        axes.set_title(f"{title} per week", loc="left", fontsize=11)
        axes.set_ylabel("count")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(axis="y", alpha=0.3)
        if not data:
            axes.text(0.5, 0.5, "none", transform=axes.transAxes, ha="center", color="grey")
    bottom.set_xticks(positions, ticks, rotation=45, ha="right", fontsize=8)
    bottom.set_xlabel("week starting (UTC)")
    handles = [h for axes in (top, bottom) for h in axes.get_legend_handles_labels()[0]]
    names = [n for axes in (top, bottom) for n in axes.get_legend_handles_labels()[1]]
    unique = dict(zip(names, handles, strict=True))
    if unique:
        figure.legend(
            list(unique.values()), list(unique), loc="center left", bbox_to_anchor=(1.0, 0.5)
        )
    figure.suptitle("Incidents and near misses by failure type, last 12 weeks", fontsize=12)
    return _png(figure)


def bar_chart(title: str, counts: Sequence[Count], label: Callable[[str], str] = str) -> bytes:
    """Horizontal bars of incidents and near misses per value (AI tool, channel, …)."""
    figure = Figure(figsize=(7, max(2.0, 0.45 * len(counts) + 1.2)))
    axes = figure.subplots()
    names = [label(c.key) for c in counts][::-1]
    incidents = [c.incidents for c in counts][::-1]
    near = [c.near_misses for c in counts][::-1]
    axes.barh(names, incidents, color=_colour(0), label="incidents")
    axes.barh(names, near, left=incidents, color=_colour(2), label="near misses")
    axes.set_title(title, loc="left", fontsize=11)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    # Beside the plot, never over a bar.
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    if not counts:
        axes.text(0.5, 0.5, "none", transform=axes.transAxes, ha="center", color="grey")
    return _png(figure)


def _colour(index: int) -> tuple[float, float, float, float]:
    from matplotlib import colormaps

    # Strong shades first (even slots), then their light partners, so neighbours differ.
    slot = (2 * index) % 20 + (index // 10) % 2
    rgba = colormaps[PALETTE](slot)
    return (float(rgba[0]), float(rgba[1]), float(rgba[2]), float(rgba[3]))
