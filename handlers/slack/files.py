"""Downloads a captured message's files with the bot token (`url_private`), for the core's
evidence-file job; the token is only ever sent to Slack's own hosts."""

from __future__ import annotations

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.evidence.download import FetchProblem, download, host_of
from bot.evidence.files import PendingFile
from handlers.slack.api_errors import error_code

SLACK_FILE_HOSTS = frozenset({"files.slack.com:443"})
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable"}
)


def allowed_hosts(client: AsyncWebClient) -> frozenset[str]:
    """The API host (SLACK_API_URL), plus files.slack.com when that is Slack's own API; so with
    SLACK_API_URL pointed at a fake, no request ever leaves for Slack."""
    api = host_of(client.base_url)
    slack = api == "slack.com:443" or api.endswith(".slack.com:443")
    return frozenset({api}) | (SLACK_FILE_HOSTS if slack else frozenset())


async def _url_from_info(client: AsyncWebClient, file_id: str | None) -> str:
    """Files shared with limited access carry no url_private; files.info has it."""
    if not file_id:
        raise FetchProblem("not downloaded: the message gave neither a URL nor a file id")
    try:
        info = (await client.files_info(file=file_id))["file"]
    except SlackApiError as exc:
        code = error_code(exc)
        raise FetchProblem(
            f"files.info failed: {code}", transient=code in TRANSIENT_ERRORS
        ) from exc
    url = info.get("url_private_download") or info.get("url_private")
    if not url:
        raise FetchProblem("not downloaded: Slack gave no private URL for this file")
    return str(url)


async def download_file(client: AsyncWebClient, file: PendingFile, max_bytes: int) -> bytes:
    """One file of a captured message, with the bot token; FetchProblem when it cannot be."""
    url = file.url or await _url_from_info(client, file.file_id)
    async with aiohttp.ClientSession() as http:
        return await download(
            http,
            url,
            headers={"Authorization": f"Bearer {client.token}"},
            allowed_hosts=allowed_hosts(client),
            max_bytes=max_bytes,
            expect_html=file.mimetype == "text/html",
        )
