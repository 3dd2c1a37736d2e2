"""Notes: the core's rich text as data, its plain fallback, and the messenger wrapper that hands
each platform its own rendering."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.delivery.outbox import OutboxKind
from bot.delivery.port import OutboundMessage
from bot.domain import Platform
from bot.incidents import notices
from bot.notes import (
    NOTE_KEY,
    Note,
    RenderNotes,
    link,
    moment,
    note,
    note_payload,
    person,
    strong,
)

AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


class Recording:
    platform = Platform.TEAMS

    def __init__(self) -> None:
        self.delivered: list[OutboundMessage] = []

    async def deliver(self, message: OutboundMessage) -> None:
        self.delivered.append(message)


def outbound(payload: dict[str, object], kind: OutboxKind = OutboxKind.NOTICE) -> OutboundMessage:
    return OutboundMessage(
        id=1,
        platform=Platform.TEAMS,
        kind=kind,
        target="user",
        incident_id=1,
        payload=payload,
        attempts=0,
    )


def test_plain_text_has_no_markup() -> None:
    told = note(
        strong("INC-0001"),
        " by ",
        person("slack:U1"),
        " and ",
        person("teams:x", "Ada"),
        " at ",
        moment(AT),
        ", see ",
        link("the log", "https://example.test/log"),
        ", ",
        person(None),
    )

    assert told.plain == (
        "INC-0001 by U1 and Ada at Mon 23 Nov 2026 09:30 UTC, "
        "see the log (https://example.test/log), nobody"
    )


def test_notes_join_and_survive_the_outbox_json() -> None:
    told = notices.closed("INC-0001", "Remediated", "Resent.")
    payload = note_payload(told, channel_id="C1")

    assert payload["text"] == "INC-0001, which you reported, was closed: Remediated. Resent."
    assert payload["channel_id"] == "C1"
    assert Note.model_validate(payload[NOTE_KEY]) == told
    assert note("a", strong("b")) + "c" == note("a", strong("b"), "c")


async def test_the_wrapper_renders_a_note_into_text_and_passes_the_rest_untouched() -> None:
    inner = Recording()
    messenger = RenderNotes(inner, lambda n: f"<{n.plain}>")
    noted = outbound(note_payload(notices.joined("INC-0002"), channel_id=None))
    plain = outbound({"text": "Only incident admins can triage incidents."})
    nudge = outbound({"obligation_id": 3}, OutboxKind.NUDGE)

    for message in (noted, plain, nudge):
        await messenger.deliver(message)

    assert messenger.platform == Platform.TEAMS
    assert inner.delivered[0].payload["text"] == (
        "<This message was already reported as INC-0002; you were added.>"
    )
    assert inner.delivered[0].payload[NOTE_KEY] == noted.payload[NOTE_KEY]
    assert inner.delivered[1:] == [plain, nudge]
