"""What an outbox row asks for: one pydantic model per kind of outbound message.

The model's type is the row's kind (`outbox.kind`). `target` and `incident_id` are stored in
their own columns (the dispatcher and `doctor` query them); every other field is the row's JSON
`payload`, in the same shape rows have always had, so rows written before these models existed
still load."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, cast, get_args

from pydantic import BaseModel, ConfigDict, ValidationError, field_serializer

from bot.notes import Note

COLUMNS = frozenset({"target", "incident_id"})


class OutboxKind(StrEnum):
    TRIAGE_CARD = "triage_card"  # post the triage card to one admin
    REFRESH_CARDS = "refresh_cards"  # update every posted copy of an incident's card
    NOTICE = "notice"  # tell a user something: ephemeral in a channel, DM as fallback
    DM = "dm"  # a direct message
    FETCH_EVIDENCE_FILES = "fetch_evidence_files"  # download a captured message's files
    EXPORT = "export"  # build an incident export and DM it as a file
    REFRESH_DASHBOARD = (
        "refresh_dashboard"  # republish the App Home of everyone an incident touches
    )
    SCREENING_DIGEST = "screening_digest"  # suspicious messages over the flood cap, listed once
    WEEKLY_DIGEST = "weekly_digest"  # the week's incidents, deadlines and chart
    NUDGE = "nudge"  # an obligation deadline reminder, to a channel thread or a person
    CONTAINMENT = "containment"  # ask a kill-switch owner to switch an AI tool off
    WEBHOOK = "webhook"  # a signed POST to a tool's kill-switch URL


class OutboxPayload(BaseModel):
    """Base of every payload; `kind` is the class's, never a field."""

    model_config = ConfigDict(frozen=True)

    kind: ClassVar[OutboxKind]
    target: str | None = None
    incident_id: int | None = None

    def payload_json(self) -> dict[str, Any]:
        """The row's `payload` column: every field but the two that have columns (and no empty
        note or nudge `as_of`, so rows are stored as they were before those fields existed)."""
        data = self.model_dump(mode="json", exclude=set(COLUMNS))
        for optional in ("note", "as_of"):
            if data.get(optional, ...) is None:
                del data[optional]
        return data


class TriageCard(OutboxPayload):
    """Post the incident's triage card to one admin (or the triage channel)."""

    kind = OutboxKind.TRIAGE_CARD
    target: str
    incident_id: int


class RefreshCards(OutboxPayload):
    """Update every posted copy of the incident's card on the row's platform."""

    kind = OutboxKind.REFRESH_CARDS
    incident_id: int


class Notice(OutboxPayload):
    """Tell a user something: an ephemeral in `channel_id` where the platform has them."""

    kind = OutboxKind.NOTICE
    target: str
    text: str  # plain text; rows written before notes existed carry only this
    channel_id: str | None = None
    note: Note | None = None  # the same message as neutral markup, rendered by each platform


class DirectMessage(OutboxPayload):
    kind = OutboxKind.DM
    target: str
    text: str
    note: Note | None = None


class FetchEvidenceFiles(OutboxPayload):
    """Download the files attached to one captured message, with the platform's credentials."""

    kind = OutboxKind.FETCH_EVIDENCE_FILES
    evidence_id: int


class Export(OutboxPayload):
    """Build an incident's export at delivery time and send it to the admin who asked."""

    kind = OutboxKind.EXPORT
    target: str
    incident_id: int
    key: str
    format: str = "bundle"  # an ExportFormat value


class RefreshDashboard(OutboxPayload):
    """Republish the dashboard of everyone the incident touches."""

    kind = OutboxKind.REFRESH_DASHBOARD
    incident_id: int


class ScreeningDigest(OutboxPayload):
    """The suspicious messages held back by the flood cap, listed in one message."""

    kind = OutboxKind.SCREENING_DIGEST
    target: str
    entries: list[dict[str, Any]]
    cap: int


class WeeklyDigestPost(OutboxPayload):
    """The week to `period_end`, composed at delivery."""

    kind = OutboxKind.WEEKLY_DIGEST
    target: str
    period_end: datetime

    @field_serializer("period_end")
    def _isoformat(self, value: datetime) -> str:
        return value.isoformat()  # as these rows have always stored it


class DeadlineNudge(OutboxPayload):
    """A deadline reminder for one obligation; sent only if it is still due at delivery."""

    kind = OutboxKind.NUDGE
    target: str
    incident_id: int
    obligation_id: int
    nudge_id: int
    overdue: bool
    # Set only when the clock is driven explicitly (the demo): the time left is stated as of
    # then. Otherwise the nudge is worded at delivery.
    as_of: datetime | None = None


class ContainmentPage(OutboxPayload):
    """Ask one kill-switch owner to switch the incident's AI tool off."""

    kind = OutboxKind.CONTAINMENT
    target: str
    incident_id: int
    tool: str


class Webhook(OutboxPayload):
    """A signed POST of `body` to `target` (a tool's kill-switch URL)."""

    kind = OutboxKind.WEBHOOK
    target: str
    secret_env: str | None = None
    body: dict[str, Any]


Payload = (
    TriageCard
    | RefreshCards
    | Notice
    | DirectMessage
    | FetchEvidenceFiles
    | Export
    | RefreshDashboard
    | ScreeningDigest
    | WeeklyDigestPost
    | DeadlineNudge
    | ContainmentPage
    | Webhook
)

# The model of each stored kind.
MODELS: dict[str, type[OutboxPayload]] = {model.kind.value: model for model in get_args(Payload)}


class UnreadablePayload(ValueError):
    """A row of a kind this version does not know, or whose payload does not fit its kind."""


def load_payload(
    kind: str, *, target: str | None, incident_id: int | None, payload: dict[str, Any]
) -> Payload:
    """The typed payload of a stored row."""
    model = MODELS.get(kind)
    if model is None:
        raise UnreadablePayload(f"unknown outbox kind {kind}")
    try:
        loaded = model.model_validate({**payload, "target": target, "incident_id": incident_id})
    except ValidationError as exc:
        raise UnreadablePayload(f"{kind} row does not fit its kind: {exc}") from exc
    return cast("Payload", loaded)
