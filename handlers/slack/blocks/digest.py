"""The weekly digest message."""

from __future__ import annotations

from bot.clocks.regimes import format_duration
from bot.domain import IncidentView
from bot.insights.digest import DigestData
from handlers.slack.blocks.elements import Block, context, header, section
from handlers.slack.blocks.home import OVERDUE, incident_line
from handlers.slack.blocks.stats import plural
from handlers.slack.blocks.text import Mrkdwn, joined, md

SHOWN = 10


def _lines(views: list[IncidentView], empty: str) -> Mrkdwn:
    lines = [incident_line(v) for v in views[:SHOWN]]
    if len(views) > SHOWN:
        lines.append(md("• …and {} more", str(len(views) - SHOWN)))
    return joined("\n", lines) or md("_{}_", empty)


def weekly_digest_message(data: DigestData) -> tuple[str, list[Block]]:
    start, end = data.period_start, data.period_end
    period = f"{start:%a %d %b} – {end:%a %d %b %Y}"
    text = (
        f"Weekly AI incident digest, {period}: {plural(len(data.new_incidents), 'incident')}, "
        f"{plural(len(data.new_near_misses), 'near miss', 'near misses')}, "
        f"{len(data.still_open)} still open"
    )
    deadlines = []
    for line in data.deadlines[:SHOWN]:
        overdue = line.overdue(data.generated_at)
        left = line.time_left(data.generated_at) + ("" if overdue or line.immediate else " left")
        marker = OVERDUE if overdue else "•"
        deadlines.append(
            f"{marker} *{line.incident_key}* · {line.label} · {left} "
            f"(due {line.due_at:%a %d %b %H:%M} UTC)"
        )
    timing = []
    if data.median_to_containment is not None:
        timing.append(
            f"median time to containment {format_duration(data.median_to_containment)}"
            f" ({data.contained} contained)"
        )
    if data.on_time_percent is not None:
        timing.append(f"obligations met on time {data.on_time_percent:g}%")
    blocks: list[Block] = [
        header("Weekly AI incident digest"),
        section(f"*{period}*\n" + text.split(": ", 1)[1] + "."),
        section(
            md(
                "*New incidents ({})*\n{}",
                str(len(data.new_incidents)),
                _lines(data.new_incidents, "None this week."),
            )
        ),
        section(
            md(
                "*New near misses ({})*\n{}",
                str(len(data.new_near_misses)),
                _lines(data.new_near_misses, "None this week."),
            )
        ),
    ]
    if data.new_suspected or data.false_positives:
        blocks.append(
            section(
                f"*Screening:* {len(data.new_suspected)} suspected still awaiting review, "
                f"{data.false_positives} closed as false positives."
            )
        )
    blocks += [
        section(
            md(
                "*Still open ({})*\n{}",
                str(len(data.still_open)),
                _lines(data.still_open, "Nothing."),
            )
        ),
        section(
            "*Deadlines in the coming week*\n"
            + ("\n".join(deadlines) or "_No regulatory deadline in the next 7 days._")
        ),
    ]
    if timing:
        blocks.append(section("*This week:* " + "; ".join(timing) + "."))
    head = (
        f"Audit chain head: `{data.audit_head}`"
        if data.audit_head
        else "Audit chain head: not available (the hash chain is not enabled in this build)."
    )
    blocks.append(context(head + " The chart of the last 12 weeks follows."))
    return text, blocks
