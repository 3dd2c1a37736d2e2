"""What a well-formed Slack request carries, checked before Bolt sees it.

Slack always sends these fields; a signed request without them is crafted or corrupted, and would
otherwise fail deep inside a listener (a KeyError before the ack is a 404 after 3 s). Refusing it
here with 400 means no listener runs and nothing is written."""

from __future__ import annotations

from typing import Any

# For each interaction type: the paths (dotted) that must hold a non-empty string or an object.
REQUIRED: dict[str, tuple[str, ...]] = {
    "message_action": ("user.id", "trigger_id", "channel.id", "message.ts", "callback_id"),
    "shortcut": ("user.id", "trigger_id", "callback_id"),
    "view_submission": ("user.id", "view.id", "view.callback_id"),
    "view_closed": ("user.id", "view.id"),
    "block_actions": ("user.id",),
    "block_suggestion": ("user.id",),
    "event_callback": ("event.type",),
    "url_verification": ("challenge",),
}
COMMAND_REQUIRED = ("command", "user_id", "team_id")


def _at(body: Any, path: str) -> Any:
    node = body
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _present(value: Any) -> bool:
    return isinstance(value, dict) or (isinstance(value, str) and bool(value))


def malformed(body: Any) -> str | None:
    """Why this parsed request body is not one Slack would send, or None if it is."""
    if not isinstance(body, dict):
        return "not an object"
    if "ssl_check" in body:
        return None
    if "command" in body:
        missing = [f for f in COMMAND_REQUIRED if not _present(body.get(f))]
        return f"command without {', '.join(missing)}" if missing else None
    kind = body.get("type")
    if not isinstance(kind, str):
        return "no type"
    missing = [path for path in REQUIRED.get(kind, ()) if not _present(_at(body, path))]
    if missing:
        return f"{kind} without {', '.join(missing)}"
    if kind == "view_submission" and not isinstance(_at(body, "view.state.values") or {}, dict):
        return "view_submission with unreadable state"
    if kind == "block_actions":
        actions = body.get("actions")
        if not isinstance(actions, list) or not all(isinstance(a, dict) for a in actions):
            return "block_actions without actions"
    return None
