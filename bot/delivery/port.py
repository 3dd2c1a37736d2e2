"""The ports the core delivers through: narrow methods a platform adapter implements.

The core's dispatcher (bot/delivery/courier.py) decides what to send, loads what it needs and
records what happened; an adapter only renders and sends. It never opens a transaction, and
it reports failure by raising DeliveryError."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from bot.delivery.addresses import Address
from bot.domain import Platform

if TYPE_CHECKING:
    from datetime import datetime

    from bot.domain import IncidentView, ObligationLine
    from bot.evidence.files import PendingFile
    from bot.insights.dashboard import HomeData
    from bot.insights.digest import DigestData
    from bot.notes import Note


class DeliveryError(Exception):
    """Delivery failed. `retry_after` honours a platform's rate limit; `permanent` stops retries."""

    def __init__(
        self, reason: str, *, retry_after: float | None = None, permanent: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.permanent = permanent


def unsupported(platform: Platform, what: str) -> DeliveryError:
    """For a port method a platform has no way to carry out; retrying would not help."""
    return DeliveryError(f"{platform.value} cannot deliver {what}", permanent=True)


class Recipient(BaseModel):
    """Who a message is for: the platform's id for a user or channel, and where the platform
    needs one (Teams), the stored address to reach them; None when none is known."""

    model_config = ConfigDict(frozen=True)

    target: str
    address: Address | None = None


class CardCopy(BaseModel):
    """One posted copy of a triage card: the conversation it is in and its message id there."""

    model_config = ConfigDict(frozen=True)

    channel: str
    message_id: str


class OutgoingFile(BaseModel):
    """A file to hand to someone, with the line that introduces it."""

    filename: str
    data: bytes
    title: str
    comment: str
    # What it is an export of, so a platform that must offer a file before sending it (Teams'
    # file consent) can build it again once the offer is accepted.
    key: str | None = None
    format: str | None = None


class ChatPort(Protocol):
    """What a chat platform does for the outbox. Every method sends now or raises DeliveryError."""

    platform: Platform

    async def post_card(self, to: Recipient, view: IncidentView) -> CardCopy:
        """Post a new copy of the triage card; the copy's reference is kept to update it."""
        ...

    async def update_card(self, to: Recipient, copy: CardCopy, view: IncidentView) -> None:
        """Redraw one posted copy from `view`."""
        ...

    def render_note(self, note: Note) -> str:
        """The core's neutral markup in this platform's own."""
        ...

    async def send_notice(self, to: Recipient, text: str, *, channel_id: str | None) -> None:
        """Tell a user something, privately in `channel_id` where the platform can."""
        ...

    async def send_dm(self, to: Recipient, text: str) -> None: ...

    async def send_nudge(
        self,
        to: Recipient,
        view: IncidentView,
        line: ObligationLine,
        *,
        now: datetime,
        thread: CardCopy | None,
    ) -> None:
        """A deadline reminder; `thread` is the card copy posted to the same target, if any."""
        ...

    async def ask_to_contain(self, to: Recipient, view: IncidentView) -> None:
        """Ask a kill-switch owner to switch the incident's AI tool off."""
        ...

    async def download_file(self, file: PendingFile, max_bytes: int) -> bytes:
        """Fetch a captured message's file with the platform's credentials; raise FetchProblem
        when it cannot be read."""
        ...

    async def send_file(self, to: Recipient, file: OutgoingFile) -> None: ...

    async def publish_home(self, user_id: str, home: HomeData) -> None:
        """Publish one person's dashboard."""
        ...

    async def send_screening_digest(
        self, to: Recipient, entries: list[dict[str, Any]], *, cap: int
    ) -> None: ...

    async def send_weekly_digest(self, to: Recipient, digest: DigestData, chart: bytes) -> None:
        """The digest's text, then its chart."""
        ...


@runtime_checkable
class AddressedChatPort(ChatPort, Protocol):
    """A platform that reaches people only at a stored Address (Teams)."""

    async def open_chat(self, address: Address, *, purpose: str) -> str:
        """Open a 1:1 chat with a user known only from a channel; returns its conversation id.
        `purpose` (e.g. "delivering notice") says in a failure what the chat was needed for."""
        ...


class WebhookPort(Protocol):
    async def post(self, url: str, *, secret_env: str | None, body: dict[str, Any]) -> None:
        """A signed POST of `body`; raise DeliveryError when it was not accepted."""
        ...
