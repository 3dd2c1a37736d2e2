"""What a well-formed Slack request carries, checked before Bolt sees it.

Slack always sends these fields; a signed request without them is crafted or corrupted, and would
otherwise fail deep inside a listener (a KeyError before the ack is a 404 after 3 s). Refusing it
here with 400 means no listener runs and nothing is written."""

from __future__ import annotations

from typing import Any

# For each interaction type: the paths (dotted) that must hold a non-empty string.
REQUIRED: dict[str, tuple[str, ...]] = {
    "message_action": ("user.id", "trigger_id", "channel.id", "message.ts", "callback_id"),
    "shortcut": ("user.id", "trigger_id", "callback_id"),
    "view_submission": ("user.id", "view.id", "view.callback_id", "view.type"),
    "view_closed": ("user.id", "view.id", "view.type"),
    "block_actions": ("user.id",),
    "block_suggestion": ("user.id",),
    "event_callback": ("event.type",),
    "url_verification": ("challenge",),
}
COMMAND_REQUIRED = ("command", "user_id", "team_id", "response_url")
# Fields that, when present, must have the type Slack gives them (None is allowed: Slack sends
# null for some). A listener can then read them without guarding every access.
TYPED: dict[str, type] = {
    "team": dict,
    "user": dict,
    "channel": dict,
    "container": dict,
    "message": dict,
    "view": dict,
    "view.state": dict,
    "view.state.values": dict,
    "view.private_metadata": str,
    "message.text": str,
    "message.user": str,
    "message.bot_id": str,
    "message.bot_profile": dict,
    "message.files": list,
    "message.thread_ts": str,
    "event": dict,
    "event.channel": str,
    "event.ts": str,
    "event.user": str,
    "event.bot_id": str,
    "event.app_id": str,
    "event.text": str,
    "event.subtype": str,
    "event.team": str,
    "event.username": str,
    "event.thread_ts": str,
    "event.bot_profile": dict,
    "event.message": dict,
    "event.previous_message": dict,
    "event.blocks": list,
    "event.attachments": list,
    "event.files": list,
    "response_url": str,
    "team_id": str,
    "trigger_id": str,
    "user.id": str,
    "user.team_id": str,
    "team.id": str,
    "channel.id": str,
    "view.id": str,
    "view.type": str,
    "event.type": str,
    "event.channel_type": str,
    "event.tab": str,
    "workflow_step": dict,
    "view.callback_id": str,
    "container.channel_id": str,
    "callback_id": str,
    "user.username": str,
    "user.name": str,
    "user_name": str,
    "message.username": str,
    "message.bot_profile.name": str,
    "message.bot_profile.app_id": str,
    "event.bot_profile.name": str,
    "event.bot_profile.app_id": str,
}
# Lists whose entries must each be an object.
LISTS_OF_OBJECTS = ("message.files", "message.attachments", "event.files", "event.attachments")
# Each entry of `actions` in block_actions.
ACTION_TYPED: dict[str, type] = {
    "action_id": str,
    "block_id": str,
    "type": str,
    "value": str,
    "selected_option": dict,
    "selected_options": list,
}


def _at(body: Any, path: str) -> Any:
    node = body
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _present(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _url(value: Any) -> bool:
    """Absent, or an http(s) URL with no spaces or control characters."""
    if value is None:
        return True
    return (
        isinstance(value, str)
        and value.startswith(("https://", "http://"))
        and value.isascii()
        and value.isprintable()
        and " " not in value
    )


def _action(action: Any) -> bool:
    if not isinstance(action, dict) or not _present(action.get("action_id")):
        return False
    return all(action.get(k) is None or isinstance(action[k], t) for k, t in ACTION_TYPED.items())


def malformed(body: Any) -> str | None:
    """Why this parsed request body is not one Slack would send, or None if it is."""
    if not isinstance(body, dict):
        return "not an object"
    if "ssl_check" in body:
        return None
    if "command" in body:
        missing = [f for f in COMMAND_REQUIRED if not _present(body.get(f))]
        if missing:
            return f"command without {', '.join(missing)}"
        return None if _url(body.get("response_url")) else "unusable response_url"
    kind = body.get("type")
    if not isinstance(kind, str):
        return "no type"
    missing = [path for path in REQUIRED.get(kind, ()) if not _present(_at(body, path))]
    if missing:
        return f"{kind} without {', '.join(missing)}"
    mistyped = [
        p for p, t in TYPED.items() if _at(body, p) is not None and not isinstance(_at(body, p), t)
    ]
    if mistyped:
        return f"{kind} with mistyped {', '.join(mistyped)}"
    for path in LISTS_OF_OBJECTS:
        items = _at(body, path)
        if items is not None and not (
            isinstance(items, list) and all(isinstance(i, dict) for i in items)
        ):
            return f"{kind} with mistyped {path}"
    if not _url(body.get("response_url")):
        return "unusable response_url"
    values = _at(body, "view.state.values") or {}
    if not all(
        isinstance(a, dict) and all(isinstance(e, dict) for e in a.values())
        for a in values.values()
    ):
        return "view_submission with unreadable state"
    if kind == "block_actions":
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions or not all(_action(a) for a in actions):
            return "block_actions without well-formed actions"
    return None
