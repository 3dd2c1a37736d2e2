"""The aiohttp app: platform routes plus /healthz and /metrics."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy import func, select

from bot.health import DeliveryClock, check_health
from storage import repository as repo
from storage.db import Database
from storage.models import Incident

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def build_web_app(
    db: Database, routes: list[tuple[str, str, Handler]], clock: DeliveryClock | None = None
) -> web.Application:
    """`routes` are (method, path, handler) from each configured platform; `clock` is the
    outbox dispatcher whose rounds /healthz watches."""
    app = web.Application(client_max_size=2 * 1024 * 1024)

    async def healthz(_: web.Request) -> web.Response:
        health = await check_health(db, clock)
        return web.json_response(health.body(), status=200 if health.ok else 503)

    async def metrics(_: web.Request) -> web.Response:
        async with db.sessions() as session:
            counts = await repo.outbox_counts(session)
            by_status = (
                await session.execute(
                    select(Incident.status, func.count()).group_by(Incident.status)
                )
            ).all()
        lines = ["# TYPE incident_desk_outbox_messages gauge"]
        lines += [f'incident_desk_outbox_messages{{status="{s}"}} {n}' for s, n in counts.items()]
        lines.append("# TYPE incident_desk_incidents gauge")
        lines += [f'incident_desk_incidents{{status="{s}"}} {n}' for s, n in by_status]
        return web.Response(text="\n".join(lines) + "\n", content_type="text/plain")

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    for method, path, handler in routes:
        app.router.add_route(method, path, handler)
    return app
