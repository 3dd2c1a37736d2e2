"""The weekly digest (with its chart) and the screening overflow digest, as Adaptive Cards for
the Teams triage channel."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from botbuilder.schema import Attachment

from bot.clocks.regimes import format_duration
from bot.domain import IncidentView
from bot.insights.digest import DigestData
from handlers.teams.cards.elements import (
    Element,
    Markdown,
    card,
    heading,
    joined,
    local_time,
    md,
    text,
)
from handlers.teams.cards.home import incident_line
from handlers.teams.cards.screening import signal_lines
from handlers.teams.cards.stats import plural

SHOWN = 10
MAX_OVERFLOW = 40


def _lines(views: list[IncidentView], empty: str) -> str:
    lines = [incident_line(v) for v in views[:SHOWN]]
    if len(views) > SHOWN:
        lines.append(md("- …and {} more", str(len(views) - SHOWN)))
    return joined("\n", lines) or empty


def weekly_summary(data: DigestData) -> str:
    period = f"{data.period_start:%a %d %b} – {data.period_end:%a %d %b %Y}"
    return (
        f"Weekly AI incident digest, {period}: {plural(len(data.new_incidents), 'incident')}, "
        f"{plural(len(data.new_near_misses), 'near miss', 'near misses')}, "
        f"{len(data.still_open)} still open"
    )


def chart_attachment(chart: bytes) -> Attachment:
    """The 12-week chart as an inline image: an image attachment with a base64 data URI."""
    return Attachment(
        content_type="image/png",
        content_url="data:image/png;base64," + base64.b64encode(chart).decode("ascii"),
        name="ai-incidents-last-12-weeks.png",
    )


def weekly_digest_card(data: DigestData, *, chart_follows: bool) -> Element:
    """The week's incidents, near misses, open ones and coming deadlines."""
    deadlines = []
    for line in data.deadlines[:SHOWN]:
        overdue = line.overdue(data.generated_at)
        left = line.time_left(data.generated_at) + ("" if overdue else " left")
        marker = Markdown("**OVERDUE**" if overdue else "-")
        deadlines.append(
            md(
                "{} **{}** · {} · {} ({})",
                marker,
                line.incident_key,
                line.label,
                left,
                local_time(line.due_at),
            )
        )
    timing = []
    if data.median_to_containment is not None:
        timing.append(
            f"median time to containment {format_duration(data.median_to_containment)}"
            f" ({data.contained} contained)"
        )
    if data.on_time_percent is not None:
        timing.append(f"obligations met on time {data.on_time_percent:g}%")
    body: list[Element] = [
        heading("Weekly AI incident digest"),
        text(weekly_summary(data).split(": ", 1)[1] + "."),
        text(md("**New incidents ({})**", str(len(data.new_incidents)))),
        text(_lines(data.new_incidents, "None this week.")),
        text(md("**New near misses ({})**", str(len(data.new_near_misses)))),
        text(_lines(data.new_near_misses, "None this week.")),
    ]
    if data.new_suspected or data.false_positives:
        body.append(
            text(
                md(
                    "**Screening:** {} suspected still awaiting review, {} closed as false "
                    "positives.",
                    str(len(data.new_suspected)),
                    str(data.false_positives),
                )
            )
        )
    body += [
        text(md("**Still open ({})**", str(len(data.still_open)))),
        text(_lines(data.still_open, "Nothing.")),
        text(md("**Deadlines in the coming week**")),
        text(joined("\n", deadlines) or "No regulatory deadline in the next 7 days."),
    ]
    if timing:
        body.append(text(md("**This week:** {}.", "; ".join(timing))))
    head = (
        md("Audit chain head: `{}`", data.audit_head)
        if data.audit_head
        else Markdown("Audit chain head: not available.")
    )
    chart = Markdown(
        " The chart of the last 12 weeks follows."
        if chart_follows
        else " The chart is too large for a Teams message: `incident-desk stats --html` draws it."
    )
    body.append(text(head + chart + Markdown(" Not legal advice."), size="Small", subtle=True))
    return card(body)


def overflow_digest_card(entries: list[dict[str, Any]], *, cap: int) -> tuple[str, Element]:
    """One card for every suspicious AI message the flood guard held back."""
    n = len(entries)
    summary = f"Screening flood guard: {n} more suspicious AI message{'s' if n != 1 else ''}"
    body: list[Element] = [
        heading(summary),
        text(
            md(
                "Over the cap of {} suspected incidents per channel per hour, so these were not "
                "raised one by one. Report any that matter with **… → More actions → Report as "
                "AI incident** on the message.",
                str(cap),
            )
        ),
    ]
    for entry in entries[:MAX_OVERFLOW]:
        at = datetime.fromisoformat(entry["detected_at"])
        body.append(
            text(
                md(
                    "**{}** · score {} · {}\n\n{}",
                    str(entry.get("author") or "an AI tool"),
                    f"{entry['score']:g}",
                    local_time(at),
                    signal_lines(entry["signals"], 4),
                )
            )
        )
    if n > MAX_OVERFLOW:
        body.append(text(f"…and {n - MAX_OVERFLOW} more.", subtle=True))
    return summary, card(body)
