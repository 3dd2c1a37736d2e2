"""Builders for Slack payloads, from the samples in tests/payloads/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PAYLOADS = Path(__file__).parent / "payloads"


def load(name: str, response_url: str = "https://hooks.invalid/response") -> dict[str, Any]:
    text = (PAYLOADS / f"{name}.json").read_text().replace("RESPONSE_URL", response_url)
    return dict(json.loads(text))


def message_shortcut(response_url: str, **message: Any) -> dict[str, Any]:
    payload = load("message_action", response_url)
    payload["message"].update(message)
    payload["message_ts"] = payload["message"]["ts"]
    return payload


def report_values(
    description: str = "It quoted another client's revenue figures",
    failure_type: str | None = "contamination",
    reach: str | None = "reached_client",
    personal_data: str | None = "no",
) -> dict[str, Any]:
    def selected(value: str | None) -> dict[str, Any]:
        return {
            "selected_option": {"value": value, "text": {"type": "plain_text", "text": value}}
            if value
            else None
        }

    return {
        "description": {"description": {"type": "plain_text_input", "value": description}},
        "failure_type": {"failure_type": {"type": "static_select", **selected(failure_type)}},
        "reach": {"reach": {"type": "radio_buttons", **selected(reach)}},
        "personal_data": {"personal_data": {"type": "radio_buttons", **selected(personal_data)}},
    }


def view_submission(
    *,
    view_id: str,
    callback_id: str,
    private_metadata: str,
    values: dict[str, Any],
    user: str = "U0REPORTER",
) -> dict[str, Any]:
    payload = load("view_submission")
    payload["user"] = {
        "id": user,
        "username": user.lower(),
        "name": user.lower(),
        "team_id": "T0ACME",
    }
    payload["view"].update(
        id=view_id,
        callback_id=callback_id,
        private_metadata=private_metadata,
        state={"values": values},
    )
    return payload


def close_values(
    outcome: str | None = "remediated",
    rationale: str = "Corrected and resent",
    root_cause: str = "Stale session context",
    lessons: str = "Reset context per client",
) -> dict[str, Any]:
    return {
        "outcome": {
            "outcome": {
                "type": "radio_buttons",
                "selected_option": {"value": outcome} if outcome else None,
            }
        },
        "rationale": {"rationale": {"type": "plain_text_input", "value": rationale}},
        "root_cause": {"root_cause": {"type": "plain_text_input", "value": root_cause}},
        "lessons": {"lessons": {"type": "plain_text_input", "value": lessons}},
    }


def block_action(
    *,
    user: str,
    action_id: str,
    incident_id: int,
    response_url: str,
    selected: str | None = None,
    message_blocks: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    payload = load("block_actions", response_url)
    payload["user"] = {
        "id": user,
        "username": user.lower(),
        "name": user.lower(),
        "team_id": "T0ACME",
    }
    payload["channel"] = {"id": f"D{user}", "name": "directmessage"}
    payload["container"]["channel_id"] = f"D{user}"
    action: dict[str, Any] = {
        "action_id": action_id,
        "block_id": f"triage_actions:{incident_id}",
        "action_ts": "1700000300.000001",
    }
    if selected is None:
        action.update(
            type="button",
            value=json.dumps({"incident_id": incident_id}),
            text={"type": "plain_text", "text": action_id},
        )
    else:
        action.update(
            type="static_select",
            selected_option={"value": selected, "text": {"type": "plain_text", "text": selected}},
        )
    payload["actions"] = [action]
    if message_blocks is not None:
        payload["message"]["blocks"] = message_blocks
    return payload


def slash_command(
    text: str, *, user: str = "U0REPORTER", response_url: str, channel: str = "C0CLIENTA"
) -> dict[str, str]:
    payload = load("slash_command", response_url)
    payload.update(text=text, user_id=user, user_name=user.lower(), channel_id=channel)
    return {k: str(v) for k, v in payload.items()}


def message_event(
    text: str,
    *,
    ts: str = "1700000400.000100",
    channel: str = "C0CLIENTA",
    bot_id: str | None = "B0DRAFTER",
    user: str = "U0DRAFTBOT",
    **event: Any,
) -> dict[str, Any]:
    """A `message` Events API callback; a human's message has no bot_id / bot_profile."""
    payload = load("message_event")
    body = payload["event"]
    body.update(text=text, ts=ts, event_ts=ts, channel=channel, user=user)
    body["blocks"][0]["elements"][0]["elements"][0]["text"] = text
    if bot_id is None:
        for key in ("bot_id", "app_id", "bot_profile"):
            body.pop(key)
    else:
        body["bot_id"] = bot_id
    body.update(event)
    payload["event_id"] = f"Ev{ts.replace('.', '')}"
    return payload
