"""The App Home tab: a report button, the admin dashboard, and everyone's own reports."""

from __future__ import annotations

from typing import Any

from bot.clocks.wording import NOT_LEGAL_ADVICE
from bot.domain import IncidentView
from bot.incidents.labels import KIND_LABEL, STATUS_LABEL
from bot.insights.dashboard import DeadlineLine, HomeData
from bot.insights.stats import UNCLASSIFIED
from bot.settings import DeskConfig
from handlers.slack.blocks.elements import Block, button, context, header, section
from handlers.slack.blocks.stats import plural
from handlers.slack.blocks.text import Mrkdwn, joined, md, mention, mrkdwn_of, slack_date
from handlers.slack.ids import ActionId

OVERDUE = ":red_circle: OVERDUE"
SHOWN = 8


def incident_line(view: IncidentView, *, assignee: bool = True) -> Mrkdwn:
    severity = view.severity.value if view.severity else "SEV?"
    line = md(
        "• *{}* · {} · {} · {} · {}",
        view.key,
        KIND_LABEL[view.kind],
        severity,
        STATUS_LABEL[view.status],
        view.failure_type_label,
    )
    return line + md(" · {}", mention(view.assignee)) if assignee else line


def listing(title: str, views: list[IncidentView], empty: str, **kw: Any) -> Block:
    lines = [incident_line(v, **kw) for v in views[:SHOWN]]
    if len(views) > SHOWN:
        lines.append(md("_…and {} more: `/incident list`_", str(len(views) - SHOWN)))
    body = joined("\n", lines) if lines else md("_{}_", empty)
    return section(md("*{}*\n{}", title, body))


def deadline_line(line: DeadlineLine, data: HomeData) -> Mrkdwn:
    due = slack_date(line.due_at)
    if line.overdue(data.now):
        return md(
            "{} *{}* · {} · {} (was due {})",
            OVERDUE,
            line.incident_key,
            line.label,
            line.time_left(data.now),
            due,
        )
    if line.immediate:
        return md("• *{}* · {} · *{}*", line.incident_key, line.label, line.time_left(data.now))
    return md(
        "• *{}* · {} · *{} left* (due {})",
        line.incident_key,
        line.label,
        line.time_left(data.now),
        due,
    )


def weak_points_line(data: HomeData, config: DeskConfig) -> str:
    weak = data.weak_points
    if weak is None:
        return ""
    line = (
        f"*Last 30 days:* {plural(weak.incidents, 'incident')}, "
        f"{plural(weak.near_misses, 'near miss', 'near misses')}"
    )
    if weak.by_type_and_point:
        top = weak.by_type_and_point[0]
        point = (
            "not classified yet"
            if top.failure_point == UNCLASSIFIED
            else config.failure_point_label(top.failure_point)
        )
        line += (
            f" · most often {config.failure_type_label(top.failure_type)} × {point}"
            f" ({top.incidents + top.near_misses})"
        )
    return line + " · `/incident stats` for the full map"


def admin_blocks(data: HomeData, config: DeskConfig) -> list[Block]:
    severities = [f"*{sev}*: {len(views)}" for sev, views in data.open_by_severity.items()]
    blocks: list[Block] = [
        header("Dashboard"),
        section(
            f"*Open incidents:* {data.open_incident_count}"
            + (f" ({', '.join(severities)})" if severities else "")
            + f"  ·  *Open near misses:* {len(data.open_near_misses)}"
            + f"  ·  *Suspected, awaiting review:* {len(data.suspected)}"
        ),
    ]
    if line := weak_points_line(data, config):
        blocks.append(context(line))
    if data.overdue:
        lines = [deadline_line(d, data) for d in data.overdue[:SHOWN]]
        blocks.append(section(md("*Overdue obligations*\n{}", joined("\n", lines))))
    lines = [deadline_line(d, data) for d in data.upcoming]
    upcoming = joined("\n", lines) or Mrkdwn("_No open deadlines._")
    blocks.append(section(md("*Next deadlines*\n{}", upcoming)))
    for severity, views in data.open_by_severity.items():
        blocks.append(listing(f"Open incidents · {severity}", views, "none"))
    if data.suspected:
        blocks.append(listing("Suspected by screening, awaiting review", data.suspected, ""))
    blocks.append(listing("Unassigned", data.unassigned, "Every open incident has an assignee."))
    if data.my_assignments:
        blocks.append(listing("Assigned to you", data.my_assignments, ""))
    blocks.append(
        listing("Recent near misses (30 days)", data.recent_near_misses, "No near misses.")
    )
    if data.tools:
        tools = "\n".join(f"• {mrkdwn_of(line)}" for line in data.tools)
        blocks.append(section(f"*AI tools*\n{tools}"))
    blocks.append({"type": "divider"})
    return blocks


def home_view(data: HomeData, config: DeskConfig) -> dict[str, Any]:
    blocks: list[Block] = [
        header("AI Incident Desk"),
        section(
            "Spotted a bad AI reply? Use ⋮ *More actions → Report as AI incident* on the "
            "message, or the button below."
        ),
        {
            "type": "actions",
            "elements": [button(ActionId.HOME_REPORT, "Report an AI incident", "home", "primary")],
        },
        {"type": "divider"},
    ]
    if data.admin:
        blocks += admin_blocks(data, config)
    blocks.append(listing("Your reports", data.my_reports, "You have not reported anything yet."))
    hint = "`/incident help` lists every command."
    if data.admin:
        hint += " `/incident stats` maps weak points; `/incident stats rules` rates screening."
    blocks.append(context(md("{} Updated {}. {}", hint, slack_date(data.now), NOT_LEGAL_ADVICE)))
    return {"type": "home", "blocks": blocks}
