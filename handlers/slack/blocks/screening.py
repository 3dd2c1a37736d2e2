"""Block Kit for screening: the signals on a suspected card, its buttons, the overflow digest."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain import IncidentView
from handlers.slack.blocks.elements import Block, button, context, section
from handlers.slack.ids import ActionId, BlockId
from handlers.slack.metadata import CardRef

MAX_DIGEST_ENTRIES = 40


def signal_lines(signals: list[dict[str, Any]] | list[Any], limit: int = 8) -> str:
    """One bullet per masked signal; the excerpt is masked before it is ever stored."""
    lines = []
    for signal in signals[:limit]:
        data = signal if isinstance(signal, dict) else signal.model_dump()
        lines.append(f"• {data['label']}: `{data['excerpt']}`")
    if len(signals) > limit:
        lines.append(f"• …and {len(signals) - limit} more")
    return "\n".join(lines)


def screening_blocks(view: IncidentView) -> list[Block]:
    """Why screening flagged the message: rules and masked matches, never the full text."""
    if view.screening is None:
        return []
    summary = view.screening
    return [
        section(
            f"*Screening signals* (score {summary.score:g}, threshold {summary.threshold:g})\n"
            + signal_lines(list(summary.signals))
        ),
        context("Matches are masked here; the full message is kept as evidence."),
    ]


def suspected_actions(view: IncidentView) -> Block:
    """The three decisions on a suspected incident."""
    ref = CardRef(incident_id=view.id).model_dump_json()
    return {
        "type": "actions",
        "block_id": f"{BlockId.TRIAGE_ACTIONS}:{view.id}",
        "elements": [
            button(ActionId.CONFIRM, "Confirm incident", ref, "primary"),
            button(ActionId.NEAR_MISS, "Near miss", ref),
            button(ActionId.FALSE_POSITIVE, "False positive", ref, "danger"),
        ],
    }


def overflow_digest(
    entries: list[dict[str, Any]], *, cap: int, permalinks: dict[str, str]
) -> tuple[str, list[Block]]:
    """One message for every suspicious message the flood guard held back."""
    channels = sorted({e["channel_id"] for e in entries})
    where = ", ".join(f"<#{c}>" for c in channels)
    text = (
        f"Screening flood guard: {len(entries)} more suspicious AI "
        f"message{'s' if len(entries) != 1 else ''} in {where}"
    )
    blocks: list[Block] = [
        section(
            f":rotating_light: *{text}*\nOver the cap of {cap} suspected incidents per channel "
            "per hour, so these were not raised one by one. Report any that matter with "
            "⋮ *More actions → Report as AI incident* on the message."
        )
    ]
    for entry in entries[:MAX_DIGEST_ENTRIES]:
        at = datetime.fromisoformat(entry["detected_at"])
        link = permalinks.get(f"{entry['channel_id']}:{entry['message_ts']}")
        source = f"<{link}|message>" if link else "message"
        blocks.append(
            section(
                f"{source} in <#{entry['channel_id']}> by {entry.get('author') or 'an AI tool'}"
                f" · score {entry['score']:g} · {at:%H:%M} UTC\n{signal_lines(entry['signals'], 4)}"
            )
        )
    if len(entries) > MAX_DIGEST_ENTRIES:
        blocks.append(context(f"…and {len(entries) - MAX_DIGEST_ENTRIES} more."))
    return text, blocks
