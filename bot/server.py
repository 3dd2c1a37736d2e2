"""The aiohttp app: platform routes plus /healthz and /metrics."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy import func, select, text

from storage import repository as repo
from storage.db import Database
from storage.models import Incident

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def build_web_app(db: Database, routes: list[tuple[str, str, Handler]]) -> web.Application:
    """`routes` are (method, path, handler) from each configured platform."""
    app = web.Application(client_max_size=2 * 1024 * 1024)

    async def healthz(_: web.Request) -> web.Response:
        try:
            async with db.sessions() as session:
                await session.execute(text("SELECT 1"))
        except Exception as exc:
            return web.json_response(
                {"status": "error", "database": type(exc).__name__}, status=503
            )
        return web.json_response({"status": "ok", "database": "ok"})

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
