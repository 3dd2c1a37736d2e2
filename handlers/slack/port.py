"""The core's ChatPort on the Slack Web API: renders Block Kit and sends it.

The core's dispatcher (bot/delivery/courier.py) decides what to send and records what happened;
this file only turns each call into Slack calls and Slack's failures into DeliveryError."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery.port import CardCopy, DeliveryError, OutgoingFile, Recipient
from bot.domain import IncidentView, ObligationLine, Platform
from bot.evidence.files import PendingFile
from bot.insights.dashboard import HomeData
from bot.insights.digest import DigestData
from bot.notes import Note
from bot.settings import DeskConfig
from handlers.slack.api_errors import error_code
from handlers.slack.blocks.cards import card_text, containment_message, triage_card
from handlers.slack.blocks.digest import weekly_digest_message
from handlers.slack.blocks.home import home_view
from handlers.slack.blocks.obligations import nudge_message
from handlers.slack.blocks.screening import MAX_DIGEST_ENTRIES, overflow_digest
from handlers.slack.blocks.text import mrkdwn_of, shown
from handlers.slack.files import download_file

log = logging.getLogger(__name__)

# Errors that retrying cannot fix; everything else is retried with backoff.
PERMANENT_ERRORS = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "cannot_dm_bot",
        "user_disabled",
        "account_inactive",
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_too_long",
        "message_not_found",
        "cant_update_message",
        "no_text",
    }
)
# An ephemeral cannot reach the user in that channel: fall back to a DM.
EPHEMERAL_FALLBACK_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "user_not_in_channel",
        "is_archived",
        "restricted_action",
        "ekm_access_denied",
        "messages_tab_disabled",
    }
)

P = ParamSpec("P")
R = TypeVar("R")


def is_channel(target: str) -> bool:
    """Public (C…) and private (G…) channel ids, as opposed to user ids (U…, W…)."""
    return target[:1] in {"C", "G"}


def delivery_error(exc: SlackApiError) -> DeliveryError:
    """Translate a Slack API failure, honouring Retry-After on 429."""
    status = exc.response.status_code
    error = error_code(exc)
    if status == 429 or error == "ratelimited":
        raw = exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after")
        retry_after = float(raw) if raw else 30.0
        return DeliveryError(
            f"Slack rate limit (retry after {retry_after:.0f}s)", retry_after=retry_after
        )
    return DeliveryError(f"Slack error: {error}", permanent=error in PERMANENT_ERRORS)


def slack_call(
    method: Callable[P, Coroutine[Any, Any, R]],
) -> Callable[P, Coroutine[Any, Any, R]]:
    """Turns Slack's failures, and not reaching Slack at all, into DeliveryError."""

    @functools.wraps(method)
    async def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await method(*args, **kwargs)
        except SlackApiError as exc:
            raise delivery_error(exc) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(f"Slack unreachable: {type(exc).__name__}: {exc}") from exc

    return call


async def publish_home(
    client: AsyncWebClient, user_id: str, home: HomeData, config: DeskConfig
) -> None:
    """Publish one person's App Home (for the outbox, and when they open the tab)."""
    await client.views_publish(user_id=user_id, view=home_view(home, config))


class SlackPort:
    """Implements the core's ChatPort with the Slack Web API."""

    platform = Platform.SLACK

    def __init__(self, client: AsyncWebClient, config: DeskConfig) -> None:
        self.client = client
        self.config = config

    def render_note(self, note: Note) -> str:
        return mrkdwn_of(note)

    async def _conversation(self, target: str) -> str:
        """A conversation id is used as is; a user id gets the bot's DM with that user."""
        if target[:1] in {"C", "G", "D"}:
            return target
        resp = await self.client.conversations_open(users=target)
        return str(resp["channel"]["id"])

    # ---- triage cards -----------------------------------------------------------------------

    @slack_call
    async def post_card(self, to: Recipient, view: IncidentView) -> CardCopy:
        resp = await self.client.chat_postMessage(
            channel=await self._conversation(to.target),
            text=shown(card_text(view)),
            blocks=triage_card(view),
        )
        return CardCopy(channel=str(resp["channel"]), message_id=str(resp["ts"]))

    @slack_call
    async def update_card(self, to: Recipient, copy: CardCopy, view: IncidentView) -> None:
        await self.client.chat_update(
            channel=copy.channel,
            ts=copy.message_id,
            text=shown(card_text(view)),
            blocks=triage_card(view),
        )

    # ---- messages to people -----------------------------------------------------------------

    @slack_call
    async def send_notice(self, to: Recipient, text: str, *, channel_id: str | None) -> None:
        """An ephemeral in the channel the user acted in; a DM when that cannot reach them."""
        if channel_id:
            try:
                await self.client.chat_postEphemeral(
                    channel=channel_id, user=to.target, text=shown(text)
                )
                return
            except SlackApiError as exc:
                if error_code(exc) not in EPHEMERAL_FALLBACK_ERRORS:
                    raise
                log.info("ephemeral to %s in %s failed, sending a DM", to.target, channel_id)
        await self.client.chat_postMessage(
            channel=await self._conversation(to.target), text=shown(text)
        )

    @slack_call
    async def send_dm(self, to: Recipient, text: str) -> None:
        await self.client.chat_postMessage(
            channel=await self._conversation(to.target), text=shown(text)
        )

    @slack_call
    async def send_nudge(
        self,
        to: Recipient,
        view: IncidentView,
        line: ObligationLine,
        *,
        now: datetime,
        thread: CardCopy | None,
    ) -> None:
        """In a channel, a reply under the card posted there; to a person, a DM."""
        text, blocks = nudge_message(view, line, now)
        thread_ts = thread.message_id if thread and is_channel(to.target) else None
        await self.client.chat_postMessage(
            channel=await self._conversation(to.target),
            text=shown(text),
            blocks=blocks,
            thread_ts=thread_ts,
        )

    @slack_call
    async def ask_to_contain(self, to: Recipient, view: IncidentView) -> None:
        text, blocks = containment_message(view)
        await self.client.chat_postMessage(
            channel=await self._conversation(to.target), text=shown(text), blocks=blocks
        )

    # ---- files ------------------------------------------------------------------------------

    @slack_call
    async def download_file(self, file: PendingFile, max_bytes: int) -> bytes:
        return await download_file(self.client, file, max_bytes)

    @slack_call
    async def send_file(self, to: Recipient, file: OutgoingFile) -> None:
        await self.client.files_upload_v2(
            channel=await self._conversation(to.target),
            content=file.data,
            filename=file.filename,
            title=file.title,
            initial_comment=shown(file.comment) if file.comment else file.comment,
        )

    # ---- App Home and digests ---------------------------------------------------------------

    @slack_call
    async def publish_home(self, user_id: str, home: HomeData) -> None:
        try:
            await publish_home(self.client, user_id, home, self.config)
        except SlackApiError as exc:
            if error_code(exc) == "not_enabled":
                raise DeliveryError("Slack App Home is not enabled", permanent=True) from exc
            raise

    async def _permalink(self, channel: str, ts: str | None) -> str | None:
        if not ts:
            return None
        try:
            resp = await self.client.chat_getPermalink(channel=channel, message_ts=ts)
            return str(resp["permalink"])
        except SlackApiError:
            return None

    @slack_call
    async def send_screening_digest(
        self, to: Recipient, entries: list[dict[str, Any]], *, cap: int
    ) -> None:
        links: dict[str, str] = {}
        for entry in entries[:MAX_DIGEST_ENTRIES]:
            link = await self._permalink(entry["channel_id"], entry.get("message_ts"))
            if link:
                links[f"{entry['channel_id']}:{entry['message_ts']}"] = link
        text, blocks = overflow_digest(entries, cap=cap, permalinks=links)
        await self.client.chat_postMessage(
            channel=await self._conversation(to.target), text=shown(text), blocks=blocks
        )

    @slack_call
    async def send_weekly_digest(self, to: Recipient, digest: DigestData, chart: bytes) -> None:
        """The text first, then the chart; a retry after a failed upload repeats both."""
        text, blocks = weekly_digest_message(digest)
        channel = await self._conversation(to.target)
        await self.client.chat_postMessage(channel=channel, text=shown(text), blocks=blocks)
        await self.client.files_upload_v2(
            channel=channel,
            file=chart,
            filename=f"ai-incidents-weekly-{digest.period_end:%Y-%m-%d}.png",
            title="AI incidents and near misses per week, by failure type (last 12 weeks)",
            alt_txt="Stacked bar chart of incidents and near misses per week by failure type",
        )
