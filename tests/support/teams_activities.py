"""Builders for Teams activities, from the samples in tests/payloads/teams/."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads" / "teams"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOT_ID = "28:00000000-0000-0000-0000-000000000000"
ADMIN_1 = "6b1d0f4e-1111-4000-8000-00000000a001"
ADMIN_2 = "6b1d0f4e-2222-4000-8000-00000000a002"
REPORTER = "6b1d0f4e-3333-4000-8000-00000000b001"
MALLORY = "6b1d0f4e-4444-4000-8000-00000000c001"
NAMES = {ADMIN_1: "Ada Admin", ADMIN_2: "Bea Admin", REPORTER: "Rita Reporter", MALLORY: "Mal"}


def load(name: str, *, service_url: str, user: str) -> dict[str, Any]:
    text = (
        (PAYLOADS / f"{name}.json")
        .read_text()
        .replace("SERVICE_URL", service_url)
        .replace("TENANT_ID", TENANT)
        .replace("AAD_USER", user)
    )
    activity: dict[str, Any] = json.loads(text)
    sender = activity["from"]
    sender["id"] = f"29:1teams-{user[-4:]}"
    sender["name"] = NAMES.get(user, sender.get("name"))
    return activity


# Real 1:1 conversation ids are this long; column sizes must hold them.
PERSONAL_PREFIX = (
    "a:1Ux9QvB3kZ7wYp0sN2mLq8TfR5dHcJ6gE4aW1oIuK0bVnM3xCzS7yDeFh2jG9lPtQrA5wEiO8uYsLkJhNbVcXzMq-"
)
CHANNEL = "19:c1a2b3c4d5e6f708192a3b4c5d6e7f80@thread.tacv2"


def personal_chat(user: str) -> str:
    return PERSONAL_PREFIX + user


def install(service_url: str, user: str) -> dict[str, Any]:
    return load("install_personal", service_url=service_url, user=user)


def message(service_url: str, text: str, *, user: str = REPORTER) -> dict[str, Any]:
    activity = load("message_personal", service_url=service_url, user=user)
    activity["text"] = text
    return activity


def channel_mention(service_url: str, text: str, *, user: str = REPORTER) -> dict[str, Any]:
    """A channel message that @mentions the bot, as Teams sends it."""
    activity = message(service_url, f"<at>AI Incident Desk</at> {text}", user=user)
    activity["conversation"] = {
        "isGroup": True,
        "conversationType": "channel",
        "tenantId": TENANT,
        "id": "19:c1a2b3c4d5e6f708192a3b4c5d6e7f80@thread.tacv2;messageid=1700000000900",
    }
    activity["channelData"] = {
        "channel": {"id": "19:c1a2b3c4d5e6f708192a3b4c5d6e7f80@thread.tacv2"},
        "team": {"id": "19:7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b@thread.tacv2"},
        "tenant": {"id": TENANT},
    }
    activity["entities"] = [
        {
            "type": "mention",
            "text": "<at>AI Incident Desk</at>",
            "mentioned": {"id": BOT_ID, "name": "AI Incident Desk"},
        }
    ]
    return activity


def fetch_task(service_url: str, *, user: str = REPORTER, **message: Any) -> dict[str, Any]:
    activity = load("fetch_task", service_url=service_url, user=user)
    activity["value"]["messagePayload"].update(message)
    return activity


def report_answers(
    description: str | None = "It quoted another client's revenue figures",
    failure_type: str | None = "contamination",
    reach: str | None = "reached_client",
    personal_data: str | None = "no",
) -> dict[str, Any]:
    """What the form's inputs send; Teams leaves out an input nobody filled in."""
    answers = {
        "description": description,
        "failure_type": failure_type,
        "reach": reach,
        "personal_data": personal_data,
    }
    return {k: v for k, v in answers.items() if v is not None}


def submit_action(
    service_url: str,
    *,
    user: str = REPORTER,
    data: dict[str, Any] | None = None,
    message: dict[str, Any] | None = None,
) -> dict[str, Any]:
    activity = load("submit_action", service_url=service_url, user=user)
    activity["value"]["data"] = report_answers() if data is None else data
    activity["value"]["messagePayload"].update(message or {})
    return activity


def card_action(
    service_url: str, verb: str, *, user: str, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    activity = load("adaptive_card_action", service_url=service_url, user=user)
    activity["value"]["action"].update(verb=verb, data=copy.deepcopy(data or {}))
    return activity


AI_APP_ID = "9f1c2d3e-5555-4000-8000-0000000ai001"  # the AI tool's Teams app (bot) id
AI_MESSAGE_ID = "1700000001000"


def _raw(name: str, service_url: str, text: str = "") -> dict[str, Any]:
    """A payload whose sender is not one of our people (an AI tool's bot, say)."""
    raw = (
        (PAYLOADS / f"{name}.json")
        .read_text()
        .replace("SERVICE_URL", service_url)
        .replace("TENANT_ID", TENANT)
        .replace("AI_APP_ID", AI_APP_ID)
        .replace("AAD_USER", MALLORY)
    )
    activity: dict[str, Any] = json.loads(raw)
    if text:
        activity["text"] = text
        activity["attachments"][0]["content"] = f"<p>{text}</p>"
    return activity


def ai_channel_message(
    service_url: str, text: str, *, message_id: str = AI_MESSAGE_ID, app_id: str = AI_APP_ID
) -> dict[str, Any]:
    """An AI tool's message in a channel, as resource-specific consent delivers it."""
    activity = _raw("message_channel_ai", service_url, text)
    activity["id"] = message_id
    activity["from"]["id"] = f"28:{app_id}"
    activity["conversation"]["id"] = f"{CHANNEL};messageid={message_id}"
    return activity


def message_update(
    service_url: str, text: str, *, message_id: str = AI_MESSAGE_ID
) -> dict[str, Any]:
    """Teams' `messageUpdate` (`editMessage`) for an edited channel message."""
    activity = _raw("message_update", service_url, text)
    activity["id"] = message_id
    return activity


def message_delete(service_url: str, *, message_id: str = AI_MESSAGE_ID) -> dict[str, Any]:
    """Teams' `messageDelete` (`softDeleteMessage`) for a deleted channel message."""
    activity = _raw("message_delete", service_url)
    activity["id"] = message_id
    return activity


def add_to_incident(
    service_url: str,
    *,
    user: str = REPORTER,
    incident_id: int | None = None,
    submit: bool = True,
    **message: Any,
) -> dict[str, Any]:
    """The `addToIncident` message action: its fetchTask, or its submit with the chosen id."""
    activity = load("submit_action" if submit else "fetch_task", service_url=service_url, user=user)
    activity["value"]["commandId"] = "addToIncident"
    activity["value"]["data"] = {} if incident_id is None else {"incident": str(incident_id)}
    activity["value"]["messagePayload"].update(message)
    return activity


def file_consent(
    service_url: str,
    *,
    user: str,
    action: str,
    context: dict[str, Any],
    upload_url: str,
    name: str,
) -> dict[str, Any]:
    """The `fileConsent/invoke` Teams sends when the user presses Allow or Decline."""
    activity = load("message_personal", service_url=service_url, user=user)
    activity.update(type="invoke", name="fileConsent/invoke", text=None)
    activity["value"] = {
        "type": "fileUpload",
        "action": action,
        "context": context,
        "uploadInfo": {
            "contentUrl": f"https://contoso-my.sharepoint.com/personal/admin/Documents/{name}",
            "name": name,
            "uploadUrl": upload_url,
            "uniqueId": "1150D938-8870-4044-9F2C-5BBDEBA70C8C",
            "fileType": name.rsplit(".", 1)[-1],
        },
    }
    return activity


def message_undelete(service_url: str, *, message_id: str = AI_MESSAGE_ID) -> dict[str, Any]:
    """Teams' `messageUpdate` (`undeleteMessage`) for a deleted message brought back."""
    activity = _raw("message_update", service_url, "restored")
    activity["id"] = message_id
    activity["channelData"]["eventType"] = "undeleteMessage"
    activity["timestamp"] = "2026-11-23T10:40:00.0000000Z"
    return activity
