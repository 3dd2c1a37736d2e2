"""Adaptive Card pieces for screening: why a message was flagged, and the three decisions on a
suspected incident."""

from __future__ import annotations

from typing import Any

from bot.domain import IncidentView
from handlers.teams.cards.elements import Element, Markdown, execute, joined, md, text
from handlers.teams.ids import Verb

MASKED_NOTE = "Matches are masked here; the full message is kept as evidence."


def signal_lines(signals: list[dict[str, Any]] | list[Any], limit: int = 8) -> Markdown:
    """One bullet per masked signal; the excerpt is masked before it is ever stored."""
    lines = []
    for signal in signals[:limit]:
        data = signal if isinstance(signal, dict) else signal.model_dump()
        lines.append(md("- {}: {}", str(data["label"]), str(data["excerpt"])))
    if len(signals) > limit:
        lines.append(md("- …and {} more", str(len(signals) - limit)))
    return joined("\n", lines)


def screening_body(view: IncidentView) -> list[Element]:
    """Why screening flagged the message: rules and masked matches, never the full text."""
    if view.screening is None:
        return []
    summary = view.screening
    return [
        text(
            md(
                "**Screening signals** (score {}, threshold {})",
                f"{summary.score:g}",
                f"{summary.threshold:g}",
            )
        ),
        text(signal_lines(list(summary.signals))),
        text(MASKED_NOTE, size="Small", subtle=True),
    ]


def suspected_actions(view: IncidentView) -> list[Element]:
    """Confirm incident, Near miss, False positive: the decisions on a suspected incident."""
    ref = {"incident_id": view.id}
    return [
        execute(Verb.CONFIRM, "Confirm incident", ref, style="positive"),
        execute(Verb.NEAR_MISS, "Near miss", ref),
        execute(Verb.FALSE_POSITIVE, "False positive", ref, style="destructive"),
    ]
