"""`/incident stats` and `/incident stats rules` as Block Kit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from bot.clocks.regimes import format_duration
from bot.insights.stats import NO_CHANNEL, UNCLASSIFIED, UNKNOWN_TOOL, Cell, Count, WeakPoints
from bot.screening.suspected import RuleStat
from bot.settings import DeskConfig
from handlers.slack.blocks.elements import Block, context, header, section
from handlers.slack.blocks.text import Mrkdwn, channel, joined, md

TOP = 10


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def split(count: Count | Cell) -> str:
    near = plural(count.near_misses, "near miss", "near misses")
    return f"{plural(count.incidents, 'incident')}, {near}"


def _count_lines(counts: list[Count], name: Callable[[str], str]) -> Mrkdwn:
    lines = [md("• {}: {}", name(c.key), split(c)) for c in counts[:TOP]]
    if len(counts) > TOP:
        lines.append(md("• …and {} more", str(len(counts) - TOP)))
    return joined("\n", lines) or Mrkdwn("_none_")


def _median(value: timedelta | None, n: int, done: str) -> str:
    if value is None:
        return "_none yet_"
    return f"median *{format_duration(value)}* ({plural(n, 'incident')} {done})"


def stats_message(stats: WeakPoints, period: str, config: DeskConfig) -> tuple[str, list[Block]]:
    ratio = (
        f"{stats.near_miss_ratio:g} near miss{'' if stats.near_miss_ratio == 1 else 'es'} "
        "per incident"
        if stats.near_miss_ratio is not None
        else "no incidents to compare with"
    )
    headline = (
        f"*{plural(stats.incidents, 'incident')}* and "
        f"*{plural(stats.near_misses, 'near miss', 'near misses')}* ({ratio}). "
        f"Suspected by screening, awaiting review: {stats.suspected}. "
        f"False positives: {stats.false_positives}."
    )

    def point_name(point: str) -> str:
        return "not classified yet" if point == UNCLASSIFIED else config.failure_point_label(point)

    cells = [
        f"• {config.failure_type_label(c.failure_type)} × {point_name(c.failure_point)}: {split(c)}"
        for c in stats.by_type_and_point[:TOP]
    ]
    if len(stats.by_type_and_point) > TOP:
        cells.append(f"• …and {len(stats.by_type_and_point) - TOP} more")

    def tool_name(key: str) -> str:
        tool = config.tool(key)
        return tool.name if tool else ("unknown tool" if key == UNKNOWN_TOOL else key)

    def channel_name(key: str) -> str:
        return "no channel" if key == NO_CHANNEL else channel(key)

    pct = stats.on_time_percent
    settled = stats.obligations_met + stats.obligations_missed
    on_time = (
        f"*{pct:g}%* ({stats.obligations_met} of {settled}"
        + (f"; {stats.obligations_pending} not yet due" if stats.obligations_pending else "")
        + ")"
        if pct is not None
        else "_no obligation was due yet_"
    )
    text = f"Weak points, {period}: {stats.incidents} incidents, {stats.near_misses} near misses"
    blocks: list[Block] = [
        header(f"Weak points · {period}"),
        section(headline),
        section("*By failure type × failure point*\n" + ("\n".join(cells) or "_nothing reported_")),
        section(md("*By AI tool*\n{}", _count_lines(stats.by_tool, tool_name))),
        section(md("*By channel*\n{}", _count_lines(stats.by_channel, channel_name))),
        section(
            "*Time to containment:* "
            + _median(stats.median_to_containment, stats.contained, "contained")
            + "\n*Time to close:* "
            + _median(stats.median_to_close, stats.closed, "closed")
            + f"\n*Obligations met on time:* {on_time}"
        ),
        context(
            "Near misses are counted apart from incidents; false positives and unreviewed "
            "suspected incidents are not counted as failures. `incident-desk stats --html` "
            "writes this with charts."
        ),
    ]
    return text, blocks


def rules_message(table: list[RuleStat], threshold: float) -> tuple[str, list[Block]]:
    head = f"{'rule':<30}{'score':>6}{'fired':>7}{'incid.':>7}{'near':>6}{'false+':>7}"
    head += f"{'open':>6}{'capped':>7}{'precision':>10}"
    rows = [head]
    for r in table:
        precision = f"{r.precision * 100:.0f}%" if r.precision is not None else "—"
        label = (r.label if r.enabled else f"{r.label} (off)")[:29]
        rows.append(
            f"{label:<30}{r.score:>6g}{r.fired:>7}{r.confirmed:>7}{r.near_misses:>6}"
            f"{r.false_positives:>7}{r.pending:>6}{r.capped:>7}{precision:>10}"
        )
    text = "Screening rules: hits and precision"
    blocks: list[Block] = [
        header("Screening rules"),
        section("```\n" + "\n".join(rows) + "\n```"),
        context(
            f"A message is suspected when its rules' scores add up to {threshold:g} or more. "
            "Precision = (incidents + near misses) ÷ decided hits; *open* = not yet decided; "
            "*capped* = held back by the flood guard and listed in a digest. Tune scores or "
            "switch rules off under `screening.rules` in the config (docs/SCREENING.md)."
        ),
    ]
    return text, blocks
