"""The App Home tab: a report button and the viewer's open incidents."""

from __future__ import annotations

from typing import Any

from bot.domain import IncidentView
from handlers.slack.blocks.cards import list_text
from handlers.slack.blocks.elements import button, context, header, section
from handlers.slack.ids import ActionId


def home_view(views: list[IncidentView], *, admin: bool) -> dict[str, Any]:
    return {
        "type": "home",
        "blocks": [
            header("AI Incident Desk"),
            section(
                "Spotted a bad AI reply? Use ⋮ *More actions → Report as AI incident* on the "
                "message, or the button below."
            ),
            {
                "type": "actions",
                "elements": [
                    button(ActionId.HOME_REPORT, "Report an AI incident", "home", "primary")
                ],
            },
            {"type": "divider"},
            section(list_text(views, everything=admin)),
            context("`/incident help` lists every command."),
        ],
    }
