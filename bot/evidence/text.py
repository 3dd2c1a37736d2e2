"""The words a reader sees in a captured message, even when it has no plain text: a Slack
message made only of attachments or blocks, or a Teams reply that is only an Adaptive Card."""

from __future__ import annotations

from typing import Any

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
MAX_DEPTH = 12


def shown_text(message: dict[str, Any] | None) -> str:
    """The message's text; else its attachments' or cards' text; else its blocks' text."""
    if not isinstance(message, dict):
        return ""
    text = str(message.get("text") or "").strip()
    if text:
        return text
    parts: list[str] = []
    for attachment in message.get("attachments") or []:
        if isinstance(attachment, dict):
            parts += _attachment(attachment)
    if not parts:
        for block in message.get("blocks") or []:
            _walk(block, parts, 0)
    return "\n".join(p for p in parts if p.strip())


def _attachment(attachment: dict[str, Any]) -> list[str]:
    content = attachment.get("content")
    if isinstance(content, dict) and (
        attachment.get("contentType") == CARD_TYPE or content.get("type") == "AdaptiveCard"
    ):
        parts: list[str] = []
        _walk(content, parts, 0)
        return parts
    # A Slack legacy attachment: what an integration shows instead of message text.
    parts = [str(attachment[k]) for k in ("pretext", "title", "text") if attachment.get(k)]
    for field in attachment.get("fields") or []:
        if isinstance(field, dict) and (field.get("title") or field.get("value")):
            parts.append(f"{field.get('title') or ''}: {field.get('value') or ''}".strip(": "))
    if not parts and attachment.get("fallback"):
        parts.append(str(attachment["fallback"]))
    if not parts and attachment.get("name"):
        parts.append(f"(attachment: {attachment['name']})")
    return parts


def _walk(node: Any, parts: list[str], depth: int) -> None:
    """Text of an Adaptive Card or Block Kit tree, in reading order."""
    if depth > MAX_DEPTH:
        return
    if isinstance(node, list):
        for item in node:
            _walk(item, parts, depth + 1)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("type")
    if kind in {"TextBlock", "TextRun"} and node.get("text"):
        parts.append(str(node["text"]))
    elif kind == "FactSet":
        for fact in node.get("facts") or []:
            if isinstance(fact, dict):
                parts.append(f"{fact.get('title') or ''}: {fact.get('value') or ''}".strip(": "))
    elif kind in {"plain_text", "mrkdwn", "text"} and isinstance(node.get("text"), str):
        parts.append(node["text"])
    for key in ("body", "items", "columns", "inlines", "elements", "text", "fields"):
        child = node.get(key)
        if isinstance(child, list | dict):
            _walk(child, parts, depth + 1)
