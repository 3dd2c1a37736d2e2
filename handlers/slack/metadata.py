"""Small pydantic models carried in `private_metadata` and button values."""

from __future__ import annotations

from typing import Annotated, TypeVar

from pydantic import BaseModel, Field, ValidationError

from bot.domain import MAX_ROW_ID
from bot.errors import InvalidInput
from bot.evidence.keys import slack_message_key

M = TypeVar("M", bound=BaseModel)
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID, strict=True)]


class ReportMeta(BaseModel):
    """Where the report form came from; empty fields mean no linked message."""

    team_id: str | None = None
    channel_id: str | None = None
    message_ts: str | None = None

    @property
    def source_key(self) -> str | None:
        if not (self.channel_id and self.message_ts):
            return None
        return slack_message_key(self.channel_id, self.message_ts)


class CardRef(BaseModel):
    """Which incident a button or close form acts on, and where the card was."""

    incident_id: RowId
    channel_id: str | None = None


class ObligationRef(BaseModel):
    """Which obligation stage a nudge button or decision form records a decision for."""

    obligation_id: RowId
    decision: str | None = None
    channel_id: str | None = None


def parse(model: type[M], raw: str | None) -> M:
    """Parse metadata we wrote ourselves; anything else is a crafted or corrupted payload."""
    try:
        return model.model_validate_json(raw or "")
    except ValidationError:
        raise InvalidInput({"payload": "This form or button is not one of ours."}) from None
