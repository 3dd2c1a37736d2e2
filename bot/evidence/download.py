"""Download one evidence file over HTTP with a size limit, sending credentials only to the
platform's own hosts, and say precisely why a file could not be kept."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urljoin, urlsplit

import aiohttp

CHUNK = 64 * 1024
MAX_REDIRECTS = 3
TIMEOUT = aiohttp.ClientTimeout(total=120, sock_connect=15)
PERMANENT_STATUSES = frozenset({400, 401, 403, 404, 410, 451})


class FetchProblem(Exception):
    """The file was not kept: `oversize`, or unreadable with a reason; `transient` means retry."""

    def __init__(self, note: str, *, oversize: bool = False, transient: bool = False) -> None:
        super().__init__(note)
        self.note = note
        self.oversize = oversize
        self.transient = transient


def host_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname or ''}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


def too_big(size: int | None, limit: int) -> FetchProblem:
    """`size` None: the download passed the limit before its end."""
    what = f"{size:,} bytes is" if size is not None else "the file is"
    return FetchProblem(
        f"{what} over the {limit:,}-byte limit (evidence.max_file_mb); not kept", oversize=True
    )


async def download(
    http: aiohttp.ClientSession,
    url: str,
    *,
    headers: Mapping[str, str],
    allowed_hosts: frozenset[str],
    max_bytes: int,
    expect_html: bool = False,
) -> bytes:
    """The file's bytes, or FetchProblem. Redirects are followed by hand, so the credentials in
    `headers` never leave `allowed_hosts` (host:port pairs)."""
    for _ in range(MAX_REDIRECTS + 1):
        if urlsplit(url).scheme not in {"http", "https"} or host_of(url) not in allowed_hosts:
            raise FetchProblem(f"not downloaded: {urlsplit(url).hostname} is not the platform's")
        try:
            async with http.get(
                url, headers=dict(headers), allow_redirects=False, timeout=TIMEOUT
            ) as resp:
                if resp.status in {301, 302, 303, 307, 308} and resp.headers.get("Location"):
                    url = urljoin(url, resp.headers["Location"])
                    continue
                return await _body(resp, max_bytes, expect_html)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise FetchProblem(f"download failed: {type(exc).__name__}", transient=True) from exc
    raise FetchProblem(f"not downloaded: more than {MAX_REDIRECTS} redirects")


async def _body(resp: aiohttp.ClientResponse, max_bytes: int, expect_html: bool) -> bytes:
    if resp.status != 200:
        transient = resp.status not in PERMANENT_STATUSES
        raise FetchProblem(f"download failed: HTTP {resp.status}", transient=transient)
    if resp.content_type == "text/html" and not expect_html:
        # Slack answers a request it does not authorise with its sign-in page and status 200.
        raise FetchProblem(
            "the platform answered with a sign-in page instead of the file "
            "(for Slack the app needs the files:read scope)"
        )
    if resp.content_length is not None and resp.content_length > max_bytes:
        raise too_big(resp.content_length, max_bytes)
    data = bytearray()
    async for chunk in resp.content.iter_chunked(CHUNK):
        data += chunk
        if len(data) > max_bytes:
            raise too_big(None, max_bytes)
    return bytes(data)
