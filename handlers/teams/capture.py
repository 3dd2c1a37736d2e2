"""Evidence from a message extension's `messagePayload`: what the reporter saw, frozen now."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

ATTACHMENT_FIELDS = ("id", "contentType", "contentUrl", "name", "thumbnailUrl")
BLOCK_TAGS = frozenset({"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "blockquote", "pre"})


class _TextRenderer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" or tag in BLOCK_TAGS:
            self.parts.append("\n")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(f"[{alt}]")

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(content: str | None) -> str:
    """A plain-text rendering of a Teams HTML body: tags dropped, paragraphs kept as lines."""
    renderer = _TextRenderer()
    renderer.feed(content or "")
    renderer.close()
    text = html.unescape("".join(renderer.parts)).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def base_conversation_id(conversation_id: str) -> str:
    """A channel thread is `19:…@thread.tacv2;messageid=…`; the message lives in the channel."""
    return conversation_id.split(";", 1)[0]


def source_key(*, tenant_id: str | None, conversation_id: str, message_id: str) -> str:
    return f"teams:{tenant_id or '-'}:{base_conversation_id(conversation_id)}:{message_id}"


def sender(payload: dict[str, Any]) -> dict[str, Any]:
    """Who wrote the message: a person, or an application (how an AI bot shows up)."""
    origin = payload.get("from") or {}
    app = origin.get("application")
    if app:
        return {
            "type": "application",
            "id": app.get("id"),
            "display_name": app.get("displayName"),
            "identity_type": app.get("applicationIdentityType"),
            "is_bot": True,
        }
    user = origin.get("user") or {}
    return {
        "type": "user" if user else "unknown",
        "id": user.get("id"),
        "display_name": user.get("displayName"),
        "identity_type": user.get("userIdentityType"),
        "is_bot": False,
    }


def attachments_metadata(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """File and card attachments; a card's JSON is kept, since an AI reply is often a card."""
    kept = []
    for attachment in payload.get("attachments") or []:
        item = {k: attachment.get(k) for k in ATTACHMENT_FIELDS if attachment.get(k) is not None}
        if str(attachment.get("contentType", "")).startswith("application/vnd.microsoft.card"):
            item["content"] = attachment.get("content")
        kept.append(item)
    return kept


def author_hint(payload: dict[str, Any]) -> str:
    author = sender(payload)
    return str(author["display_name"] or author["id"] or "unknown author")


def capture_message(
    payload: dict[str, Any],
    *,
    conversation_id: str,
    tenant_id: str | None,
    reporter: str,
    team_id: str | None = None,
    channel_id: str | None = None,
) -> dict[str, Any]:
    """Everything the evidence record holds; the core hashes this as canonical JSON."""
    body = payload.get("body") or {}
    content = body.get("content")
    is_html = str(body.get("contentType", "html")).lower() == "html"
    return {
        "platform": "teams",
        "tenant_id": tenant_id,
        "conversation_id": base_conversation_id(conversation_id),
        "team_id": team_id,
        "channel_id": channel_id,
        "message_id": payload.get("id"),
        "reply_to_id": payload.get("replyToId"),
        "message": {
            "text": html_to_text(content) if is_html else content or "",
            "body": {"content_type": body.get("contentType"), "content": content},
            "subject": payload.get("subject"),
            "summary": payload.get("summary"),
            "importance": payload.get("importance"),
            "locale": payload.get("locale"),
            "message_type": payload.get("messageType"),
            "attachments": attachments_metadata(payload),
            "mentions": payload.get("mentions") or [],
            "reactions": payload.get("reactions") or [],
            "created_at": payload.get("createdDateTime"),
            "last_modified_at": payload.get("lastModifiedDateTime"),
            "deleted": payload.get("deleted"),
        },
        "author": sender(payload),
        "permalink": payload.get("linkToMessage"),
        "reporter": reporter,
        "captured_at": datetime.now(UTC).isoformat(),
    }
