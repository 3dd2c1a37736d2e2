"""Builders for Slack payloads, from the samples in tests/payloads/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PAYLOADS = Path(__file__).resolve().parents[1] / "payloads"


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
    blocks: list[dict[str, Any]] | None = None,
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
        blocks=blocks or [],
    )
    return payload


def close_values(
    outcome: str | None = "remediated",
    rationale: str = "Corrected and resent",
    root_cause: str = "Stale session context",
    lessons: str = "Reset context per client",
    correction: str = "",
) -> dict[str, Any]:
    return {
        "correction": {"correction": {"type": "plain_text_input", "value": correction}},
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


def add_to_incident_shortcut(response_url: str, **message: Any) -> dict[str, Any]:
    """The "Add to incident…" message shortcut on a message."""
    payload = message_shortcut(response_url, **message)
    payload["callback_id"] = "add_to_incident"
    return payload


def add_evidence_values(incident_id: int | None) -> dict[str, Any]:
    chosen = {"value": str(incident_id)} if incident_id is not None else None
    return {"incident": {"incident": {"type": "static_select", "selected_option": chosen}}}


def message_changed(
    *, ts: str = "1700000000.000100", text: str = "corrected", edited_ts: str = "1700000500.000000"
) -> dict[str, Any]:
    payload = load("message_changed")
    event = payload["event"]
    event["message"].update(ts=ts, text=text)
    event["message"]["edited"]["ts"] = edited_ts
    event["previous_message"]["ts"] = ts
    payload["event_id"] = f"Ev{edited_ts.replace('.', '')}"
    return payload


def message_deleted(*, ts: str = "1700000000.000100") -> dict[str, Any]:
    payload = load("message_deleted")
    payload["event"]["deleted_ts"] = ts
    payload["event"]["previous_message"]["ts"] = ts
    return payload


def classify_values(
    *,
    aware_at: int,
    personal_data: str = "yes",
    risk: str | None = "risk",
    breach: str | None = "yes",
    flags: list[str] | None = None,
    fca: list[str] | None = None,
    serious: str = "none",
    failure_type: str = "data_exposure",
    failure_point: str | None = "outbound_communication",
    ai_tool: str | None = None,
) -> dict[str, Any]:
    def selected(value: str | None) -> dict[str, Any]:
        return {"selected_option": {"value": value} if value else None}

    values: dict[str, Any] = {
        "aware_at": {"aware_at": {"type": "datetimepicker", "selected_date_time": aware_at}},
        "personal_data": {"personal_data": {"type": "radio_buttons", **selected(personal_data)}},
        "personal_data_breach": {
            "personal_data_breach": {"type": "radio_buttons", **selected(breach)}
        },
        "risk_to_individuals": {"risk_to_individuals": {"type": "radio_buttons", **selected(risk)}},
        "flags": {
            "flags": {
                "type": "checkboxes",
                "selected_options": [{"value": f} for f in (flags or [])],
            }
        },
        "fca": {
            "fca": {
                "type": "checkboxes",
                "selected_options": [{"value": f} for f in (fca or [])],
            }
        },
        "serious_incident_condition": {
            "serious_incident_condition": {"type": "static_select", **selected(serious)}
        },
        "failure_type": {"failure_type": {"type": "static_select", **selected(failure_type)}},
        "failure_point": {"failure_point": {"type": "static_select", **selected(failure_point)}},
    }
    if ai_tool is not None:
        values["ai_tool"] = {"ai_tool": {"type": "static_select", **selected(ai_tool)}}
    return values


def decision_values(
    *,
    reference: str | None = None,
    notified_at: int | None = None,
    rationale: str | None = None,
    reasons: str | None = None,
    details: dict[str, str] | None = None,
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if reference is not None:
        values["reference"] = {"reference": {"type": "plain_text_input", "value": reference}}
    if notified_at is not None:
        values["notified_at"] = {
            "notified_at": {"type": "datetimepicker", "selected_date_time": notified_at}
        }
    if rationale is not None:
        values["rationale"] = {"rationale": {"type": "plain_text_input", "value": rationale}}
    if reasons is not None:
        values["reasons"] = {"reasons": {"type": "plain_text_input", "value": reasons}}
    for key, text in (details or {}).items():
        values[f"detail__{key}"] = {f"detail__{key}": {"type": "plain_text_input", "value": text}}
    return values


def obligation_action(
    *, user: str, action_id: str, obligation_id: int, decision: str, response_url: str
) -> dict[str, Any]:
    payload = load("block_actions", response_url)
    payload["user"] = {
        "id": user,
        "username": user.lower(),
        "name": user.lower(),
        "team_id": "T0ACME",
    }
    payload["channel"] = {"id": "C0TRIAGE", "name": "ai-incidents"}
    payload["container"]["channel_id"] = "C0TRIAGE"
    payload["actions"] = [
        {
            "action_id": action_id,
            "block_id": f"obligation:{obligation_id}",
            "type": "button",
            "value": json.dumps({"obligation_id": obligation_id, "decision": decision}),
            "action_ts": "1700000500.000001",
        }
    ]
    return payload


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
