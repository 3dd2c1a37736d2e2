"""Reading the Teams report form: its inputs and the values a submission carries."""

from __future__ import annotations

import re
from typing import Any


def form_of(answer: dict[str, Any]) -> dict[str, Any]:
    task = answer["task"]
    assert task["type"] == "continue", task
    attachment = task["value"]["card"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    return dict(attachment["content"])


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in card["body"] if e.get("type", "").startswith("Input.")}


def as_read(dumped_card: str) -> str:
    """A card's JSON as a Teams reader sees its text: markdown escapes (`\\*`) dropped."""
    return re.sub(r"\\\\(.)", r"\1", dumped_card)
