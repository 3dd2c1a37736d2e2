"""Messages with no plain text: a Slack integration's attachment and a Teams Adaptive Card."""

from __future__ import annotations

from typing import Any

ATTACHMENT: dict[str, Any] = {
    "fallback": "Draft ready",
    "pretext": "Weekly client summary",
    "title": "Client A — Q3",
    "text": "Revenue was £4.2m",
    "fields": [{"title": "Margin", "value": "31%"}],
}
CARD: dict[str, Any] = {
    "contentType": "application/vnd.microsoft.card.adaptive",
    "content": {
        "type": "AdaptiveCard",
        "version": "1.5",
        "body": [
            {"type": "TextBlock", "text": "Client A — Q3 summary"},
            {
                "type": "Container",
                "items": [{"type": "TextBlock", "text": "Revenue was £4.2m (per Client B file)"}],
            },
            {"type": "FactSet", "facts": [{"title": "Margin", "value": "31%"}]},
        ],
    },
}
