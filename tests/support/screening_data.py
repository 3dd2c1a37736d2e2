"""A leaky AI message and the screening config that catches it."""

from __future__ import annotations

from typing import Any

from bot.settings import DeskConfig

LEAKY = (
    "Hi Acme team, the Globex Corporation settlement was £1,250,000; contact "
    "<mailto:jane.doe@globex.com|jane.doe@globex.com> or +44 20 7946 0958."
)


def screening_config(**overrides: Any) -> DeskConfig:
    screening: dict[str, Any] = {
        "monitored_channels": ["C0CLIENTA", "C0CLIENTB"],
        "ai_bot_ids": ["B0DRAFTER", "BDESK"],
        "flood_cap_per_channel_per_hour": 2,
        "clients": [
            {"id": "acme", "name": "Acme", "channels": ["C0CLIENTA"]},
            {
                "id": "globex",
                "name": "Globex",
                "aliases": ["Globex Corporation"],
                "channels": ["C0CLIENTB"],
                "identifiers": ["£1,250,000"],
            },
        ],
    }
    screening.update(overrides)
    return DeskConfig.model_validate({"screening": screening})
