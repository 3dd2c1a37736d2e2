"""Notes: the core's rich text as data, its plain fallback, and how it travels in the outbox."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.delivery.payloads import Notice
from bot.incidents import notices
from bot.notes import link, moment, note, person, strong

AT = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


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
    stored = Notice(
        target="U1", incident_id=1, channel_id="C1", text=told.plain, note=told
    ).model_dump(mode="json")

    loaded = Notice.model_validate(stored)

    assert loaded.text == "INC-0001, which you reported, was closed: Remediated. Resent."
    assert loaded.channel_id == "C1"
    assert loaded.note == told
    assert note("a", strong("b")) + "c" == note("a", strong("b"), "c")


def test_a_notice_stored_before_notes_existed_still_loads_as_plain_text() -> None:
    loaded = Notice.model_validate(
        {"target": "U1", "channel_id": None, "text": "Only incident admins can triage."}
    )

    assert loaded.note is None
    assert loaded.text == "Only incident admins can triage."
