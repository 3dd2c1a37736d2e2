"""Evidence after the report: "Add to incident…", edits and deletions of captured messages, and
the files of a captured message downloaded with the bot token."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import update

from bot.audit.verify import verify_url
from bot.evidence.canonical import sha256_hex
from storage.models import AuditEvent, Evidence, EvidenceChange, EvidenceFile, OutboxMessage
from tests.support.harness import ADMINS, AUDIT_KEY, Harness
from tests.support.slack_payloads import (
    message_changed,
    message_deleted,
)
from tests.support.slack_steps import (
    OTHER_MESSAGE,
    add_to_incident,
    card_updates,
    choose,
    file_meta,
    open_report,
    rows,
    submit,
)


async def reported(h: Harness, **message: Any) -> None:
    await submit(h, await open_report(h, **message))


async def actions(h: Harness) -> list[str]:
    return [e.action for e in await rows(h, AuditEvent)]


# --- Add to incident… -------------------------------------------------------------------------


async def test_add_to_incident_attaches_the_message_as_the_next_evidence(harness: Harness) -> None:
    await reported(harness)

    view = await add_to_incident(harness, **OTHER_MESSAGE)
    answer = await choose(harness, view, 1)

    assert "Loading your open incidents" in json.dumps(harness.fake.named("views.open")[-1].args)
    assert "Added to *INC-0001* as evidence #2" in json.dumps(answer["view"])
    _first, second = await rows(harness, Evidence)
    assert second.content["message"]["text"].startswith("Client A's Q3 margin")
    assert second.source_key == "slack:C0CLIENTA:1700000050.000200"
    assert second.sha256 == sha256_hex(second.content)
    [added] = [e for e in await rows(harness, AuditEvent) if e.action == "evidence.added"]
    assert added.after == {
        "evidence": 2,
        "sha256": second.sha256,
        "source_key": second.source_key,
    }
    for admin in ADMINS:
        assert "2 messages kept as evidence" in json.dumps(card_updates(harness)[f"D{admin}"])


async def test_the_select_offers_only_incidents_the_user_reported(harness: Harness) -> None:
    await reported(harness)

    mine = await add_to_incident(harness, **OTHER_MESSAGE)
    stranger = await add_to_incident(harness, user="U0STRANGER", **OTHER_MESSAGE)
    admin = await add_to_incident(harness, user="U0ADMIN1", **OTHER_MESSAGE)

    assert "INC-0001" in json.dumps(mine["blocks"]) and mine["submit"]
    assert "no open incidents to add this to" in json.dumps(stranger["blocks"])
    assert "submit" not in stranger
    assert "INC-0001" in json.dumps(admin["blocks"])


async def test_a_crafted_submission_for_someone_elses_incident_is_refused(harness: Harness) -> None:
    await reported(harness)
    view = await add_to_incident(harness, user="U0ADMIN1", **OTHER_MESSAGE)

    answer = await choose(harness, view, 1, user="U0STRANGER")

    assert answer["response_action"] == "errors"
    assert "only to incidents you reported" in answer["errors"]["incident"]
    assert len(await rows(harness, Evidence)) == 1
    [refused] = [e for e in await rows(harness, AuditEvent) if e.action == "triage.refused"]
    assert (refused.actor, refused.after) == ("slack:U0STRANGER", {"attempted": "evidence.add"})


async def test_adding_a_message_that_is_already_evidence_says_so(harness: Harness) -> None:
    await reported(harness)

    view = await add_to_incident(harness)
    answer = await choose(harness, view, 1)

    assert "already evidence #1 of *INC-0001*" in json.dumps(answer["view"])
    assert len(await rows(harness, Evidence)) == 1


# --- edits and deletions ----------------------------------------------------------------------


async def test_an_edit_of_a_captured_message_is_recorded_and_the_original_kept(
    harness: Harness,
) -> None:
    await reported(harness)
    [before] = await rows(harness, Evidence)

    resp = await harness.event(message_changed(text="Q3 revenue for Client A was £3.9m."))
    await harness.settle()

    assert resp.status == 200
    [after] = await rows(harness, Evidence)
    assert (after.content, after.sha256) == (before.content, before.sha256)
    assert after.content["message"]["text"].startswith("Q3 revenue for Client A was £4.2m")
    [change] = await rows(harness, EvidenceChange)
    assert (change.kind, change.changed_by) == ("edited", "slack:U0EDITOR")
    assert change.content is not None
    assert change.content["text"] == "Q3 revenue for Client A was £3.9m."
    assert change.occurred_at == datetime.fromtimestamp(1700000500, UTC)
    assert "evidence.source_edited" in await actions(harness)
    for admin in ADMINS:
        assert "source edited after capture" in json.dumps(card_updates(harness)[f"D{admin}"])


async def test_a_deletion_is_recorded_once_and_the_card_says_source_deleted(
    harness: Harness,
) -> None:
    await reported(harness)

    for _ in range(2):  # Slack redelivers events it thinks were missed
        await harness.event(message_deleted())
        await harness.settle()

    [change] = await rows(harness, EvidenceChange)
    assert change.kind == "deleted"
    [evidence] = await rows(harness, Evidence)
    assert evidence.sha256 == sha256_hex(evidence.content)
    assert (await actions(harness)).count("evidence.source_deleted") == 1
    assert "source deleted" in json.dumps(card_updates(harness)["DU0ADMIN1"])
    assert verify_url(harness.app.db.url, AUDIT_KEY).ok


async def test_edits_that_change_nothing_visible_and_other_messages_are_ignored(
    harness: Harness,
) -> None:
    await reported(harness)
    unfurl = message_changed(
        text="Q3 revenue for Client A was £4.2m, up 12% on Q2 (per the Client B engagement file)."
    )
    unfurl["event"]["message"].pop("edited")
    unfurl["event"]["message"]["attachments"] = [{"from_url": "https://example.com", "title": "x"}]
    elsewhere = message_changed(ts="1700000999.000100")
    plain = {
        **message_changed(),
        "event": {"type": "message", "channel": "C0CLIENTA", "text": "hi", "ts": "1.2"},
    }

    for payload in (unfurl, elsewhere, plain):
        resp = await harness.event(payload)
        assert resp.status == 200
    await harness.settle()

    assert await rows(harness, EvidenceChange) == []


# --- files ------------------------------------------------------------------------------------


async def test_attached_files_are_downloaded_with_the_bot_token_and_hashed(
    harness: Harness, desk_home: Path
) -> None:
    pdf = b"%PDF-1.7 Q3 summary for Client A" * 100
    url = harness.fake.host_file("F0SUMMARY/q3-summary.pdf", pdf)
    harness.fake.file_infos["F0HIDDEN"] = {
        "url_private": harness.fake.host_file("F0HIDDEN/notes.txt", b"notes", "text/plain")
    }
    files = [
        file_meta("q3-summary.pdf", url, len(pdf)),
        file_meta("huge.mov", url + "-huge", 900 * 1024 * 1024),
        file_meta("elsewhere.pdf", "https://evil.example.com/x.pdf", 10),
        file_meta("notes.txt", None, 5, "F0HIDDEN"),
    ]

    await reported(harness, files=files)

    stored, huge, elsewhere, hidden = await rows(harness, EvidenceFile)
    assert (stored.status, stored.sha256, stored.size) == (
        "stored",
        hashlib.sha256(pdf).hexdigest(),
        len(pdf),
    )
    assert (desk_home / "evidence" / str(stored.storage_ref)).read_bytes() == pdf
    assert huge.status == "oversize" and "over the 26,214,400-byte limit" in (huge.note or "")
    assert elsewhere.status == "unreadable" and "evil.example.com is not the platform's" in (
        elsewhere.note or ""
    )
    assert (hidden.status, hidden.sha256) == ("stored", hashlib.sha256(b"notes").hexdigest())
    assert {auth for _, auth in harness.fake.downloads} == {"Bearer xoxb-test-token"}
    [fetched] = [e for e in await rows(harness, AuditEvent) if e.action == "evidence.files_fetched"]
    assert fetched.after is not None
    assert [(f["status"], f["sha256"]) for f in fetched.after["files"]] == [
        ("stored", stored.sha256),
        ("oversize", None),
        ("unreadable", None),
        ("stored", hidden.sha256),
    ]
    assert "q3-summary" not in json.dumps(fetched.after)  # names may be personal data


async def test_a_sign_in_page_instead_of_the_file_is_recorded_as_unreadable(
    harness: Harness,
) -> None:
    url = harness.fake.host_file("F0SUMMARY/q3.pdf", b"%PDF")
    harness.fake.bot_token = "xoxb-another-workspace"

    await reported(harness, files=[file_meta("q3.pdf", url, 4)])

    [file] = await rows(harness, EvidenceFile)
    assert file.status == "unreadable" and "files:read" in (file.note or "")


async def test_a_transient_download_failure_is_retried_through_the_outbox(harness: Harness) -> None:
    url = harness.fake.host_file("F0SUMMARY/q3.pdf", b"%PDF-retry")
    harness.fake.file_failures["files-pri/T0ACME-F0SUMMARY/q3.pdf"] = [503]

    await reported(harness, files=[file_meta("q3.pdf", url, 10)])
    [pending] = await rows(harness, EvidenceFile)
    async with harness.app.db.transaction() as session:
        await session.execute(update(OutboxMessage).values(next_attempt_at=datetime.now(UTC)))
    await harness.app.dispatcher.drain()

    [file] = await rows(harness, EvidenceFile)
    assert pending.status == "pending"
    assert (file.status, file.sha256) == ("stored", hashlib.sha256(b"%PDF-retry").hexdigest())
