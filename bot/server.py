"""The aiohttp app: platform routes plus /healthz and /metrics."""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.health import DeliveryClock, check_health
from bot.logs import REQUEST_ID
from bot.metrics import CONTENT_TYPE, DeskMetrics
from storage.db import Database

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def build_web_app(
    db: Database,
    routes: list[tuple[str, str, Handler]],
    *,
    desk_metrics: DeskMetrics | None = None,
    metrics_token: str | None = None,
    clock: DeliveryClock | None = None,
) -> web.Application:
    """`routes` are (method, path, handler) from each configured platform. `/metrics` answers
    only a request bearing `metrics_token`; without one it is off. `clock` is the outbox
    dispatcher whose rounds /healthz watches."""
    desk_metrics = desk_metrics or DeskMetrics()

    @web.middleware
    async def timed(request: web.Request, handler: Handler) -> web.StreamResponse:
        # The route's pattern, not the raw path: ids in paths would explode the label set.
        route = request.match_info.route.resource
        label = route.canonical if route is not None else "unmatched"
        # Work started by this request (Bolt's listeners after the ack) inherits the id.
        REQUEST_ID.set(request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex[:12])
        with desk_metrics.request_seconds.labels(route=label).time():
            return await handler(request)

    app = web.Application(client_max_size=2 * 1024 * 1024, middlewares=[timed])

    async def healthz(_: web.Request) -> web.Response:
        health = await check_health(db, clock)
        return web.json_response(health.body(), status=200 if health.ok else 503)

    async def metrics(request: web.Request) -> web.Response:
        if not metrics_token:
            return web.Response(
                status=404, text="/metrics is off: set METRICS_TOKEN to turn it on\n"
            )
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), metrics_token.encode()):
            return web.Response(
                status=401,
                text="send the METRICS_TOKEN as `Authorization: Bearer <token>`\n",
                headers={"WWW-Authenticate": "Bearer"},
            )
        await desk_metrics.refresh(db)
        return web.Response(body=desk_metrics.exposition(), headers={"Content-Type": CONTENT_TYPE})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    for method, path, handler in routes:
        app.router.add_route(method, path, handler)
    return app
