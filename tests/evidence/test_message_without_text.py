"""A message with no plain text (a Slack integration's attachments, a Teams Adaptive Card) is
shown by the words it carries, in the form, the triage card and the export, never "(no text)"."""

from __future__ import annotations

import json

from bot.evidence.text import shown_text
from bot.exports.files import ExportFormat
from tests.support.harness import Harness
from tests.support.no_text_messages import ATTACHMENT, CARD
from tests.support.slack_steps import export, open_report, submit


def test_attachment_and_card_text_in_reading_order() -> None:
    assert shown_text({"text": "", "attachments": [ATTACHMENT]}) == (
        "Weekly client summary\nClient A — Q3\nRevenue was £4.2m\nMargin: 31%"
    )
    assert shown_text({"text": "", "attachments": [{"fallback": "only this"}]}) == "only this"
    assert shown_text({"attachments": [CARD]}) == (
        "Client A — Q3 summary\nRevenue was £4.2m (per Client B file)\nMargin: 31%"
    )
    assert shown_text({"text": "plain wins", "attachments": [CARD]}) == "plain wins"


async def test_slack_attachments_only_message_shows_its_text_everywhere(harness: Harness) -> None:
    view = await open_report(harness, text="", blocks=[], attachments=[ATTACHMENT])
    await submit(harness, view)

    card = json.dumps(harness.fake.named("chat.postMessage")[-1].json_arg("blocks"))
    md = (await export(harness, ExportFormat.MARKDOWN)).decode()

    assert "Revenue was £4.2m" in json.dumps(view["blocks"], ensure_ascii=False)
    assert "Revenue was" in card and "(no text)" not in card
    assert "> Revenue was £4.2m" in md and "(no text)" not in md
