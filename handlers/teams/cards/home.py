"""The dashboard as an Adaptive Card in the 1:1 chat (`home`): what Slack's App Home shows.

The card carries a Universal Action `refresh` for the person it was posted to, so Teams asks
the bot for the current dashboard whenever they look at it: it is redrawn in place as
incidents change, with no message ids kept."""

from __future__ import annotations

from bot.domain import IncidentView
from bot.incidents.labels import KIND_LABEL, STATUS_LABEL
from bot.insights.dashboard import DeadlineLine, HomeData
from bot.insights.stats import UNCLASSIFIED
from bot.settings import DeskConfig
from handlers.teams.cards.elements import (
    Element,
    Markdown,
    card,
    heading,
    joined,
    local_time,
    md,
    text,
    who,
)
from handlers.teams.ids import Verb

SHOWN = 8
NOT_ADVICE = "AI Incident Desk keeps records and clocks; it is not legal advice."


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def incident_line(view: IncidentView, *, assignee: bool = True) -> Markdown:
    severity = view.severity.value if view.severity else "SEV?"
    line = md(
        "- **{}** · {} · {} · {} · {}",
        view.key,
        KIND_LABEL[view.kind],
        severity,
        STATUS_LABEL[view.status],
        view.failure_type_label,
    )
    return line + (md(" · {}", who(view.assignee, view.assignee_name)) if assignee else "")


def listing(title: str, views: list[IncidentView], empty: str, **kw: bool) -> list[Element]:
    lines = [incident_line(v, **kw) for v in views[:SHOWN]]
    if len(views) > SHOWN:
        lines.append(md("- …and {} more: type `list`", str(len(views) - SHOWN)))
    return [
        text(md("**{}**", title)),
        text(joined("\n", lines) if lines else empty, subtle=not lines),
    ]


def deadline_line(line: DeadlineLine, data: HomeData) -> Markdown:
    due = local_time(line.due_at)
    if line.overdue(data.now):
        return md(
            "- **OVERDUE** **{}** · {} · {} (was due {})",
            line.incident_key,
            line.label,
            line.time_left(data.now),
            due,
        )
    return md(
        "- **{}** · {} · **{} left** ({})",
        line.incident_key,
        line.label,
        line.time_left(data.now),
        due,
    )


def weak_points_line(data: HomeData, config: DeskConfig) -> Markdown | None:
    weak = data.weak_points
    if weak is None:
        return None
    line = (
        f"Last 30 days: {_plural(weak.incidents, 'incident')}, "
        f"{_plural(weak.near_misses, 'near miss', 'near misses')}"
    )
    if weak.by_type_and_point:
        top = weak.by_type_and_point[0]
        point = (
            "not classified yet"
            if top.failure_point == UNCLASSIFIED
            else config.failure_point_label(top.failure_point)
        )
        line += f" · most often {config.failure_type_label(top.failure_type)} × {point}"
    return md("{} · type `stats` for the full map", line)


def admin_body(data: HomeData, config: DeskConfig) -> list[Element]:
    severities = [f"{sev}: {len(views)}" for sev, views in data.open_by_severity.items()]
    body = [
        heading("Dashboard"),
        text(
            md(
                "**Open incidents:** {}{} · **Open near misses:** {} · "
                "**Suspected, awaiting review:** {}",
                str(data.open_incident_count),
                f" ({', '.join(severities)})" if severities else "",
                str(len(data.open_near_misses)),
                str(len(data.suspected)),
            )
        ),
    ]
    if line := weak_points_line(data, config):
        body.append(text(line, size="Small", subtle=True))
    if data.overdue:
        lines = [deadline_line(d, data) for d in data.overdue[:SHOWN]]
        body += [text(md("**Overdue obligations**"), color="Attention"), text(joined("\n", lines))]
    lines = [deadline_line(d, data) for d in data.upcoming]
    body += [text(md("**Next deadlines**")), text(joined("\n", lines) or "No open deadlines.")]
    for severity, views in data.open_by_severity.items():
        body += listing(f"Open incidents · {severity}", views, "none")
    if data.suspected:
        body += listing("Suspected by screening, awaiting review", data.suspected, "")
    body += listing("Unassigned", data.unassigned, "Every open incident has an assignee.")
    if data.my_assignments:
        body += listing("Assigned to you", data.my_assignments, "")
    body += listing("Recent near misses (30 days)", data.recent_near_misses, "No near misses.")
    return body


def home_card(data: HomeData, config: DeskConfig, *, refresh_for: str | None) -> Element:
    """One person's dashboard; `refresh_for` is their Teams id (`29:…`) for auto-refresh."""
    body = admin_body(data, config) if data.admin else [heading("AI Incident Desk")]
    body += listing("Your reports", data.my_reports, "You have not reported anything yet.")
    body.append(
        text(
            md("Updated {} · {}", local_time(data.now), NOT_ADVICE),
            size="Small",
            subtle=True,
        )
    )
    content = card(body)
    if refresh_for:
        content["refresh"] = {
            "action": {"type": "Action.Execute", "verb": Verb.HOME_REFRESH, "data": {}},
            "userIds": [refresh_for],
        }
    return content
