"""Turns Teams' messageUpdate / messageDelete activities (`editMessage`, `softDeleteMessage`,
`undeleteMessage`) into the core's SourceChange; the bot receives them through
resource-specific consent."""

from __future__ import annotations

from datetime import UTC, datetime

from botbuilder.schema import Activity

from bot.evidence.lifecycle import ChangeKind, SourceChange
from handlers.teams.capture import html_to_text, source_key
from handlers.teams.references import tenant_of
from handlers.teams.screening import app_id_of, body_html

EDIT = "editMessage"
SOFT_DELETE = "softDeleteMessage"
UNDELETE = "undeleteMessage"


def event_type(activity: Activity) -> str | None:
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    found = data.get("eventType")
    return str(found) if found else None


def source_keys(activity: Activity) -> tuple[str, ...]:
    """How captures name the message, with the tenant and without (as a report without one)."""
    conversation = activity.conversation
    if conversation is None or not conversation.id or not activity.id:
        return ()
    ids = {"conversation_id": conversation.id, "message_id": str(activity.id)}
    return tuple(
        dict.fromkeys(
            [source_key(tenant_id=tenant_of(activity), **ids), source_key(tenant_id=None, **ids)]
        )
    )


def _when(activity: Activity) -> datetime:
    moment: datetime | None = activity.timestamp
    if moment is None:
        return datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _changed_by(activity: Activity) -> str | None:
    sender = activity.from_property
    if sender is None:
        return None
    app_id = app_id_of(activity)
    if app_id:
        return f"teams-app:{app_id}"
    who = sender.aad_object_id or sender.id
    return f"teams:{who}" if who else None


def source_change(activity: Activity) -> SourceChange | None:
    """The edit or deletion this activity reports, or None when it is neither."""
    keys = source_keys(activity)
    if not keys:
        return None
    kind = event_type(activity)
    when = _when(activity)
    # Teams stamps each change; a redelivered activity carries the same stamp.
    stamp = when.isoformat()
    if activity.type == "messageDelete" and kind in (SOFT_DELETE, None):
        return SourceChange(
            keys, ChangeKind.DELETED, f"delete:{stamp}", when, _changed_by(activity)
        )
    if activity.type == "messageUpdate" and kind == UNDELETE:
        return SourceChange(
            keys, ChangeKind.RESTORED, f"restore:{stamp}", when, _changed_by(activity)
        )
    if activity.type != "messageUpdate" or kind not in (EDIT, None):
        return None
    html = body_html(activity)
    return SourceChange(
        source_keys=keys,
        kind=ChangeKind.EDITED,
        change_id=f"edit:{stamp}",
        occurred_at=when,
        changed_by=_changed_by(activity),
        content={"text": html_to_text(html), "body": {"content_type": "html", "content": html}},
    )
