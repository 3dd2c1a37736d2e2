"""Delivers kill-switch webhooks: a JSON POST signed with HMAC-SHA256."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from typing import Any

import aiohttp

from bot.delivery.port import DeliveryError

SIGNATURE_HEADER = "X-Incident-Desk-Signature"
TIMESTAMP_HEADER = "X-Incident-Desk-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=` + hex HMAC over `timestamp.body`; the timestamp stops replays."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class WebhookSender:
    """Implements the core's WebhookPort."""

    def __init__(self, *, timeout: float = 10.0) -> None:
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def post(self, url: str, *, secret_env: str | None, body: dict[str, Any]) -> None:
        secret = os.environ.get(secret_env or "") if secret_env else None
        if not secret:
            raise DeliveryError(
                f"kill-switch webhook for {url} not sent: set the environment variable named by "
                f"kill_switch_secret_env ({secret_env or 'not configured'}) to the shared secret",
                permanent=True,
            )
        data = json.dumps(body, sort_keys=True).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(secret, timestamp, data),
        }
        try:
            async with (
                aiohttp.ClientSession(timeout=self.timeout) as session,
                session.post(url, data=data, headers=headers) as resp,
            ):
                if resp.status == 429 or resp.status >= 500:
                    retry = resp.headers.get("Retry-After")
                    raise DeliveryError(
                        f"kill-switch webhook answered {resp.status}",
                        retry_after=float(retry) if retry and retry.isdigit() else None,
                    )
                if resp.status >= 400:
                    raise DeliveryError(
                        f"kill-switch webhook refused the request ({resp.status})", permanent=True
                    )
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(f"kill-switch webhook unreachable: {exc}") from exc
