"""What a well-formed Bot Framework activity carries, checked before the SDK deserialises it.

The SDK's deserialiser raises on a field of the wrong type (a 501 from deep inside botbuilder),
and our handlers read `conversation.id` and `from.id` on every turn. An activity the Bot Connector
would never send is refused here with 400: no handler runs and nothing is written."""

from __future__ import annotations

from typing import Any

REQUIRED = ("type", "serviceUrl", "conversation.id", "from.id")
TYPED: dict[str, type] = {
    "type": str,
    "name": str,
    "text": str,
    "serviceUrl": str,
    "channelId": str,
    "conversation": dict,
    "conversation.id": str,
    "conversation.tenantId": str,
    "conversation.conversationType": str,
    "from": dict,
    "from.id": str,
    "from.name": str,
    "from.aadObjectId": str,
    "recipient": dict,
    "recipient.id": str,
    "channelData": dict,
    "channelData.tenant": dict,
    "channelData.tenant.id": str,
    "entities": list,
    "attachments": list,
    "localTimezone": str,
    "localTimestamp": str,
    "timestamp": str,
}
# The invokes the desk answers, and the shape of their `value`.
VALUE_TYPED: dict[str, dict[str, type]] = {
    "composeExtension/fetchTask": {
        "commandId": str,
        "commandContext": str,
        "botMessagePreviewAction": str,
        "data": dict,
        "context": dict,
        "messagePayload": dict,
        "messagePayload.id": str,
        "messagePayload.body": dict,
        "messagePayload.body.content": str,
        "messagePayload.body.contentType": str,
        "messagePayload.from": dict,
        "messagePayload.createdDateTime": str,
        "messagePayload.linkToMessage": str,
        "messagePayload.attachments": list,
    },
    "adaptiveCard/action": {"action": dict, "action.verb": str, "action.data": dict},
}
VALUE_TYPED["composeExtension/submitAction"] = VALUE_TYPED["composeExtension/fetchTask"]


def _at(body: Any, path: str) -> Any:
    node = body
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _mistyped(body: Any, fields: dict[str, type]) -> list[str]:
    return [
        p for p, t in fields.items() if _at(body, p) is not None and not isinstance(_at(body, p), t)
    ]


def malformed(body: Any) -> str | None:
    """Why this activity is not one the Bot Connector would send, or None if it is."""
    if not isinstance(body, dict):
        return "not an object"
    missing = [p for p in REQUIRED if not (isinstance(_at(body, p), str) and _at(body, p))]
    if missing:
        return f"no {', '.join(missing)}"
    mistyped = _mistyped(body, TYPED)
    if mistyped:
        return f"mistyped {', '.join(mistyped)}"
    value_fields = VALUE_TYPED.get(str(body.get("name"))) if body["type"] == "invoke" else None
    if value_fields is not None:
        value = body.get("value")
        if not isinstance(value, dict):
            return f"{body['name']} without a value"
        mistyped = _mistyped(value, value_fields)
        if mistyped:
            return f"{body['name']} with mistyped {', '.join(mistyped)}"
    return None
