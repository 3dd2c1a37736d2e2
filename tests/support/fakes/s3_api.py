"""A fake S3-compatible bucket: stores objects in memory and checks every SigV4 signature."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.evidence.s3 import sign

ACCESS_KEY = "AKIDEXAMPLEDESK"
SECRET_KEY = "test-secret/for+the/fake-bucket"


@dataclass
class FakeS3:
    objects: dict[str, bytes] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)
    _server: TestServer | None = None

    @property
    def endpoint(self) -> str:
        assert self._server is not None
        return str(self._server.make_url("")).rstrip("/")

    async def start(self) -> None:
        app = web.Application(client_max_size=100 * 1024 * 1024)
        app.router.add_route("*", "/{path:.*}", self._object)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    def _signed(self, request: web.Request, body: bytes) -> bool:
        auth = request.headers.get("Authorization", "")
        try:
            signed_names = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
            amz_date = request.headers["x-amz-date"]
        except (IndexError, KeyError):
            return False
        headers = {
            n: request.headers[n]
            for n in signed_names
            if n not in {"host", "x-amz-date", "x-amz-content-sha256"}
        }
        expected = sign(
            request.method,
            str(request.url),
            headers,
            hashlib.sha256(body).hexdigest(),
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            region="eu-west-2",
            now=datetime.strptime(amz_date + "+0000", "%Y%m%dT%H%M%SZ%z"),
        )
        same_host = request.headers.get("Host") == request.url.raw_authority
        return same_host and expected["authorization"] == auth

    async def _object(self, request: web.Request) -> web.Response:
        body = await request.read()
        path = request.match_info["path"]
        if not self._signed(request, body):
            self.rejected.append(f"{request.method} {path}")
            return web.Response(status=403, text="SignatureDoesNotMatch")
        if request.method == "PUT":
            self.objects[path] = body
            return web.Response(status=200)
        if request.method == "GET":
            data = self.objects.get(path)
            return web.Response(body=data) if data is not None else web.Response(status=404)
        if request.method == "DELETE":
            self.objects.pop(path, None)
            return web.Response(status=204)
        return web.Response(status=405)
