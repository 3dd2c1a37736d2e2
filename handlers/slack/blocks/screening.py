"""Block Kit for screening: the signals on a suspected card, its buttons, the overflow digest."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain import IncidentView
from handlers.slack.blocks.elements import Block, button, context, section
from handlers.slack.blocks.text import Mrkdwn, channel, joined, link, md
from handlers.slack.ids import ActionId, BlockId
from handlers.slack.metadata import CardRef

MAX_DIGEST_ENTRIES = 40


def signal_lines(signals: list[dict[str, Any]] | list[Any], limit: int = 8) -> Mrkdwn:
    """One bullet per masked signal; the excerpt is masked before it is ever stored."""
    lines = []
    for signal in signals[:limit]:
        data = signal if isinstance(signal, dict) else signal.model_dump()
        lines.append(md("• {}: `{}`", str(data["label"]), str(data["excerpt"]).replace("`", "'")))
    if len(signals) > limit:
        lines.append(md("• …and {} more", str(len(signals) - limit)))
    return joined("\n", lines)


def screening_blocks(view: IncidentView) -> list[Block]:
    """Why screening flagged the message: rules and masked matches, never the full text."""
    if view.screening is None:
        return []
    summary = view.screening
    return [
        section(
            md(
                "*Screening signals* (score {}, threshold {})\n{}",
                f"{summary.score:g}",
                f"{summary.threshold:g}",
                signal_lines(list(summary.signals)),
            )
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
    where = joined(", ", (channel(c) for c in channels))
    text = md(
        "Screening flood guard: {} more suspicious AI message{} in {}",
        str(len(entries)),
        "s" if len(entries) != 1 else "",
        where,
    )
    blocks: list[Block] = [
        section(
            md(
                ":rotating_light: *{}*\nOver the cap of {} suspected incidents per channel "
                "per hour, so these were not raised one by one. Report any that matter with "
                "⋮ *More actions → Report as AI incident* on the message.",
                text,
                str(cap),
            )
        )
    ]
    for entry in entries[:MAX_DIGEST_ENTRIES]:
        at = datetime.fromisoformat(entry["detected_at"])
        url = permalinks.get(f"{entry['channel_id']}:{entry['message_ts']}")
        blocks.append(
            section(
                md(
                    "{} in {} by {} · score {} · {} UTC\n{}",
                    link("message", url) if url else "message",
                    channel(entry["channel_id"]),
                    entry.get("author") or "an AI tool",
                    f"{entry['score']:g}",
                    f"{at:%H:%M}",
                    signal_lines(entry["signals"], 4),
                )
            )
        )
    if len(entries) > MAX_DIGEST_ENTRIES:
        blocks.append(context(md("…and {} more.", str(len(entries) - MAX_DIGEST_ENTRIES))))
    return text, blocks
