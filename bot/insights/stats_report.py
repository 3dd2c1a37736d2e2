"""The weak-points report for the CLI: plain text, or one self-contained HTML page with charts."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape

from bot.clocks.regimes import format_duration, format_time_left
from bot.incidents.context import DeskContext
from bot.insights.charts import bar_chart, weekly_chart
from bot.insights.digest import DigestData, WeeklyDigest
from bot.insights.stats import (
    NO_CHANNEL,
    UNCLASSIFIED,
    Count,
    WeakPoints,
    WeeklySeries,
    period_label,
    weekly_series,
)
from bot.insights.stats_source import load_rows, weak_points
from bot.notes import plural
from bot.screening.suspected import RuleStat, load_rule_table
from bot.settings import DeskConfig
from storage import insight_queries as q


@dataclass
class Report:
    """Everything the page shows, gathered once."""

    generated_at: datetime
    period: str
    stats: WeakPoints
    series: WeeklySeries
    digest: DigestData
    rules: list[RuleStat]
    channel_names: dict[str, str] = field(default_factory=dict)


async def gather(
    ctx: DeskContext, *, period: timedelta | None, now: datetime | None = None
) -> Report:
    now = now or datetime.now(UTC)
    rows, _ = await load_rows(ctx.db, since=now - timedelta(weeks=13))
    stats = await weak_points(ctx.db, period=period, now=now)
    async with ctx.db.transaction() as session:
        names = await q.channel_names(session, channel_ids=[c.key for c in stats.by_channel])
    return Report(
        generated_at=now,
        period=period_label(period),
        channel_names=names,
        stats=stats,
        series=weekly_series(rows, now=now),
        digest=await WeeklyDigest(ctx, triage_channel=None).compose(now, now=now),
        rules=await load_rule_table(ctx.db, ctx.config.screening.effective_rules),
    )


def _point(point: str, config: DeskConfig) -> str:
    return "not classified" if point == UNCLASSIFIED else config.failure_point_label(point)


def _median(value: timedelta | None, n: int) -> str:
    return "none yet" if value is None else f"{format_duration(value)} (median of {n})"


def text_report(report: Report, config: DeskConfig) -> str:
    s = report.stats
    ratio = f"{s.near_miss_ratio:g} per incident" if s.near_miss_ratio is not None else "n/a"
    on_time = f"{s.on_time_percent:g}%" if s.on_time_percent is not None else "n/a"
    lines = [
        f"Weak points, {report.period} (generated {report.generated_at:%Y-%m-%d %H:%M} UTC)",
        f"incidents {s.incidents}, near misses {s.near_misses} (ratio {ratio}), "
        f"suspected awaiting review {s.suspected}, false positives {s.false_positives}",
        "",
        "failure type x failure point:",
    ]
    for c in s.by_type_and_point:
        lines.append(
            f"  {config.failure_type_label(c.failure_type)} x {_point(c.failure_point, config)}: "
            f"{plural(c.incidents, 'incident')}, "
            f"{plural(c.near_misses, 'near miss', 'near misses')}"
        )
    for title, counts in (("AI tool", s.by_tool), ("channel", s.by_channel)):
        lines.append(f"by {title}:")
        lines += [
            f"  {c.key}: {plural(c.incidents, 'incident')}, "
            f"{plural(c.near_misses, 'near miss', 'near misses')}"
            for c in counts
        ]
    lines += [
        f"time to containment: {_median(s.median_to_containment, s.contained)}",
        f"time to close: {_median(s.median_to_close, s.closed)}",
        f"obligations met on time: {on_time} ({s.obligations_met} met, "
        f"{s.obligations_missed} missed, {s.obligations_pending} not yet due)",
    ]
    return "\n".join(lines) + "\n"


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}">'


TABLE_ROWS = 12


def _table(head: list[str], rows: list[list[str]], limit: int = TABLE_ROWS) -> str:
    """A table of at most `limit` rows; the rest are counted, not listed (a board paper, not a
    dump)."""
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>"
        for row in rows[:limit]
    )
    if len(rows) > limit:
        body += f'<tr class="more"><td colspan="{len(head)}">and {len(rows) - limit} more</td></tr>'
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _counts(counts: list[Count], name: str, label: Callable[[str], str] = str) -> str:
    rows = [[label(c.key), str(c.incidents), str(c.near_misses)] for c in counts]
    return _table([name, "incidents", "near misses"], rows) if rows else "<p>None.</p>"


STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;"
    "padding:.3em .6em;text-align:left}th{background:#f3f0f7}img{max-width:100%}"
    ".overdue{color:#b00020;font-weight:bold}code{font-size:.85em}"
    ".summary{font-size:1.05em;line-height:1.5;max-width:52em}tr.more td{color:#555;"
    "font-style:italic}"
)


def _charts(report: Report, config: DeskConfig) -> tuple[bytes, bytes, bytes]:
    channel = [
        c.model_copy(update={"key": "no channel" if c.key == NO_CHANNEL else c.key})
        for c in report.stats.by_channel
    ]
    return (
        weekly_chart(report.series, config.failure_type_label),
        bar_chart(
            "By AI tool", report.stats.by_tool, lambda k: t.name if (t := config.tool(k)) else k
        ),
        bar_chart("By channel", channel, lambda k: _channel(k, report.channel_names)),
    )


def _channel(key: str, names: dict[str, str]) -> str:
    name = names.get(key)
    return f"#{name}" if name else key


def summary(report: Report, config: DeskConfig) -> str:
    """One paragraph a board can read: how many, how fast, on time, and where it fails most."""
    s = report.stats
    parts = [
        f"{report.period.capitalize()}, staff reported {plural(s.incidents, 'AI incident')} "
        f"and {plural(s.near_misses, 'near miss', 'near misses')}"
        + (f"; {s.suspected} flagged by screening await review" if s.suspected else "")
        + "."
    ]
    if s.by_type_and_point:
        top = max(s.by_type_and_point, key=lambda c: c.incidents + c.near_misses)
        parts.append(
            f"The most frequent failure was {config.failure_type_label(top.failure_type).lower()}"
            f" ({plural(top.incidents + top.near_misses, 'report')})."
        )
    if s.median_to_containment is not None:
        parts.append(
            f"Harmful output was contained in a median {format_duration(s.median_to_containment)}"
            " after awareness."
        )
    if s.on_time_percent is not None:
        parts.append(f"{s.on_time_percent:g}% of regulatory obligations were met on time.")
    return " ".join(parts)


async def html_report(report: Report, config: DeskConfig) -> str:
    weekly, tools, channels = await asyncio.to_thread(_charts, report, config)

    def tool_name(key: str) -> str:
        tool = config.tool(key)
        return tool.name if tool else key

    s, d = report.stats, report.digest
    on_time = f"{s.on_time_percent:g}%" if s.on_time_percent is not None else "n/a"
    ratio = f"{s.near_miss_ratio:g}" if s.near_miss_ratio is not None else "n/a"
    cells = [
        [
            config.failure_type_label(c.failure_type),
            _point(c.failure_point, config),
            str(c.incidents),
            str(c.near_misses),
        ]
        for c in s.by_type_and_point
    ]
    deadlines = "".join(
        f'<li class="{"overdue" if line.overdue(d.generated_at) else ""}">'
        f"{'OVERDUE · ' if line.overdue(d.generated_at) else ''}{escape(line.incident_key)} · "
        f"{escape(line.label)} · "
        f"{escape(format_time_left(line.due_at - d.generated_at))}</li>"
        for line in d.deadlines
    )
    week_rows = [
        [v.key, v.kind.value.replace("_", " "), v.status.value, v.failure_type_label]
        for v in d.new_incidents + d.new_near_misses
    ]
    open_rows = [
        [v.key, v.kind.value.replace("_", " "), v.status.value, v.severity or "—"]
        for v in d.still_open
    ]
    rule_rows = [
        [r.label, f"{r.score:g}", str(r.fired), str(r.confirmed), str(r.near_misses),
         str(r.false_positives), str(r.pending),
         f"{r.precision * 100:.0f}%" if r.precision is not None else "—"]
        for r in report.rules
    ]  # fmt: skip
    head = d.audit_head or "not available (the hash chain is not enabled in this build)"
    firm = config.firm.name
    title = f"{firm} · AI incidents and weak points" if firm else "AI Incident Desk · weak points"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>{STYLE}</style></head><body>
<h1>{escape(title)}</h1>
<p>{escape(report.period.capitalize())}; generated {report.generated_at:%Y-%m-%d %H:%M} UTC.
Not legal advice.</p>
<p class="summary" id="summary">{escape(summary(report, config))}</p>
<p><strong>{s.incidents}</strong> incidents, <strong>{s.near_misses}</strong> near misses
(near misses per incident: {ratio}); {s.suspected} suspected awaiting review;
{s.false_positives} false positives.</p>
<h2>Failure type × failure point</h2>
{_table(["failure type", "failure point", "incidents", "near misses"], cells)}
<h2>By AI tool</h2>{_img(tools, "incidents and near misses by AI tool")}
{_counts(s.by_tool, "AI tool", tool_name)}
<h2>By channel</h2>{_img(channels, "incidents and near misses by channel")}
{_counts(s.by_channel, "channel", lambda k: _channel(k, report.channel_names))}
<h2>Timings and obligations</h2>
<ul><li>Time to containment: {escape(_median(s.median_to_containment, s.contained))}</li>
<li>Time to close: {escape(_median(s.median_to_close, s.closed))}</li>
<li>Obligations met on time: {on_time} ({s.obligations_met} met, {s.obligations_missed} missed,
{s.obligations_pending} not yet due)</li></ul>
<h2>Last 12 weeks</h2>{_img(weekly, "incidents and near misses per week by failure type")}
<h2>This week ({d.period_start:%d %b} – {d.period_end:%d %b %Y})</h2>
{_table(["key", "kind", "status", "failure type"], week_rows) if week_rows else "<p>None.</p>"}
<h2>Still open</h2>
{_table(["key", "kind", "status", "severity"], open_rows) if open_rows else "<p>None.</p>"}
<h2>Deadlines in the coming week</h2><ul>{deadlines or "<li>None.</li>"}</ul>
<h2>Screening rules</h2>
{
        _table(
            [
                "rule",
                "score",
                "fired",
                "incidents",
                "near misses",
                "false positives",
                "open",
                "precision",
            ],
            rule_rows,
        )
    }
<p>Audit chain head: <code>{escape(head)}</code></p>
</body></html>
"""
