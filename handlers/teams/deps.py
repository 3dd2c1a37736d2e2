"""What a Teams card action works with: the click itself (the services are `bot.core.Core`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from bot.domain import Actor
from handlers.teams.ids import Origin, Verb


@dataclass(frozen=True)
class Click:
    """One Action.Execute press: who pressed which button, its data and inputs, and their zone."""

    verb: Verb
    actor: Actor
    data: dict[str, Any]
    zone: tzinfo

    @property
    def incident_id(self) -> int:
        return int(self.data["incident_id"])  # checked to be digits before any action runs

    @property
    def obligation_id(self) -> int:
        return int(self.data["obligation_id"])

    @property
    def origin(self) -> Origin:
        raw = self.data.get("origin")
        return Origin(raw) if raw in {o.value for o in Origin} else Origin.TRIAGE

    def text(self, key: str) -> str | None:
        """An input's value; Teams sends every input as a string, and leaves out empty ones."""
        value = self.data.get(key)
        if not isinstance(value, str):
            return None
        return value.strip() or None

    def choices(self, key: str) -> list[str]:
        """A multi-select input's values (sent comma-separated)."""
        return [v for v in (self.text(key) or "").split(",") if v]
