"""Evidence files in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2 …), signed with AWS
Signature Version 4 over aiohttp: no SDK needed for three object calls."""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

import aiohttp
from pydantic import BaseModel, ConfigDict, Field

from bot.errors import ConfigError

TIMEOUT = aiohttp.ClientTimeout(total=300, sock_connect=15)
ALGORITHM = "AWS4-HMAC-SHA256"


class S3Config(BaseModel):
    """`evidence.s3`; the credentials are AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."""

    model_config = ConfigDict(extra="forbid")
    endpoint: str = Field(pattern=r"^https?://")
    bucket: str = Field(min_length=3, max_length=63)
    region: str = "us-east-1"
    prefix: str = ""


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def sign(
    method: str,
    url: str,
    headers: Mapping[str, str],
    payload_sha256: str,
    *,
    access_key: str,
    secret_key: str,
    region: str,
    now: datetime,
    service: str = "s3",
) -> dict[str, str]:
    """`headers` plus x-amz-date, x-amz-content-sha256 and the SigV4 Authorization header."""
    amz_date = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    parts = urlsplit(url)
    signed = {
        **{k.lower(): " ".join(v.split()) for k, v in headers.items()},
        "host": parts.netloc,
        "x-amz-date": amz_date,
        "x-amz-content-sha256": payload_sha256,
    }
    names = sorted(signed)
    canonical = "\n".join(
        [
            method,
            quote(parts.path or "/", safe="/-_.~"),
            parts.query,
            "".join(f"{name}:{signed[name]}\n" for name in names),
            ";".join(names),
            payload_sha256,
        ]
    )
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    to_sign = "\n".join(
        [ALGORITHM, amz_date, scope, hashlib.sha256(canonical.encode("utf-8")).hexdigest()]
    )
    key = _hmac(("AWS4" + secret_key).encode("utf-8"), amz_date[:8])
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    signature = hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    authorization = (
        f"{ALGORITHM} Credential={access_key}/{scope},SignedHeaders={';'.join(names)},"
        f"Signature={signature}"
    )
    return {**dict(headers), **signed, "authorization": authorization}


class S3Store:
    """An EvidenceStore on one bucket (path-style URLs, which every S3-compatible store takes)."""

    def __init__(self, config: S3Config, *, access_key: str, secret_key: str) -> None:
        self.config = config
        self.access_key = access_key
        self.secret_key = secret_key

    def _url(self, name: str) -> str:
        key = f"{self.config.prefix.strip('/')}/{name}".lstrip("/")
        return f"{self.config.endpoint.rstrip('/')}/{self.config.bucket}/{quote(key, safe='/-_.~')}"

    async def _call(self, method: str, name: str, data: bytes = b"") -> tuple[int, bytes]:
        url = self._url(name)
        headers = sign(
            method,
            url,
            {"content-length": str(len(data))} if method == "PUT" else {},
            hashlib.sha256(data).hexdigest(),
            access_key=self.access_key,
            secret_key=self.secret_key,
            region=self.config.region,
            now=datetime.now(UTC),
        )
        headers.pop("host")  # aiohttp sends the same Host itself
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as http,
            http.request(method, url, data=data or None, headers=headers) as resp,
        ):
            return resp.status, await resp.read()

    async def put(self, name: str, data: bytes) -> str:
        status, body = await self._call("PUT", name, data)
        if status != 200:
            raise OSError(f"S3 PUT {name}: HTTP {status} {body[:200]!r}")
        return name

    async def get(self, ref: str) -> bytes:
        status, body = await self._call("GET", ref)
        if status != 200:
            raise OSError(f"S3 GET {ref}: HTTP {status}")
        return body

    async def delete(self, ref: str) -> bool:
        status, _ = await self._call("DELETE", ref)
        if status not in (200, 204, 404):
            raise OSError(f"S3 DELETE {ref}: HTTP {status}")
        return status != 404


def s3_store(config: S3Config, environ: Mapping[str, str] | None = None) -> S3Store:
    env = os.environ if environ is None else environ
    access, secret = env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")
    if not (access and secret):
        raise ConfigError(
            "evidence.s3 is configured but AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set"
        )
    return S3Store(config, access_key=access, secret_key=secret)
