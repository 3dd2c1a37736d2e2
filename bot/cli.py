"""The `incident-desk` command line."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from collections.abc import Sequence
from typing import Any

from bot import cli_stats
from bot.errors import ConfigError, DeskError
from bot.settings import Settings, load_settings

log = logging.getLogger("incident_desk")


def _setup_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


async def _run(settings: Settings) -> None:
    from aiohttp import web

    from handlers.wiring import create_app
    from storage.migrate import upgrade_async

    await upgrade_async(settings.normalized_database_url)
    app = create_app(settings)
    runner = web.AppRunner(app.web)
    await runner.setup()
    site = web.TCPSite(runner, "0.0.0.0", settings.port)
    await site.start()
    await app.start()
    mode = "Socket Mode" if settings.socket_mode else "HTTP mode (POST /slack/events)"
    log.info("AI Incident Desk is running on port %s; Slack %s", settings.port, mode)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("shutting down")
    await app.stop()
    await runner.cleanup()


async def _export(settings: Settings, key: str) -> dict[str, Any]:
    from storage import repository as repo
    from storage.db import Database

    db = Database(settings.normalized_database_url)
    try:
        async with db.transaction() as session:
            incident = await repo.get_incident_by_key(session, key=key)
            if incident is None:
                raise DeskError(f"No incident {key.upper()} in {settings.database_url}.")
            columns = {c.name: getattr(incident, c.name) for c in incident.__table__.columns}
            events = await repo.audit_events_for(session, incident_id=incident.id)
            return {
                "incident": columns,
                "reporters": [
                    {"reporter": r.reporter, "name": r.reporter_name, "at": r.reported_at}
                    for r in incident.reporters
                ],
                "evidence": [
                    {
                        "id": e.id,
                        "kind": e.kind,
                        "sha256": e.sha256,
                        "captured_at": e.captured_at,
                        "captured_by": e.captured_by,
                        "content": e.content,
                    }
                    for e in incident.evidence
                ],
                "audit_events": [
                    {
                        "id": a.id,
                        "at": a.occurred_at,
                        "actor": a.actor,
                        "actor_name": a.actor_name,
                        "action": a.action,
                        "before": a.before,
                        "after": a.after,
                    }
                    for a in events
                ],
            }
    finally:
        await db.dispose()


async def _doctor(settings: Settings) -> int:
    from storage import repository as repo
    from storage.db import Database

    problems = 0
    try:
        settings.check_for_run()
        print("settings: ok")
    except ConfigError as exc:
        print(f"settings: {exc.message}")
        problems += 1
    db = Database(settings.normalized_database_url)
    try:
        async with db.transaction() as session:
            counts = await repo.outbox_counts(session)
        print(f"database: ok ({settings.normalized_database_url.split('@')[-1]})")
        print(f"outbox: {json.dumps(counts)}")
        if counts.get("failed"):
            print("outbox: some messages failed for good; see the logs for why")
            problems += 1
    except DeskError as exc:
        print(f"database: {exc.message}")
        problems += 1
    except Exception as exc:
        print(f"database: {type(exc).__name__}: {exc} (run `incident-desk migrate`?)")
        problems += 1
    finally:
        await db.dispose()
    return 1 if problems else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="incident-desk", description="AI Incident Desk")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="migrate the database and run the bot")
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("doctor", help="check settings, database and delivery")
    export = sub.add_parser("export", help="print one incident with its evidence and audit trail")
    export.add_argument("key", help="incident key, e.g. INC-0001")
    export.add_argument("--format", choices=["json"], default="json")
    cli_stats.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup_logging()
    try:
        settings = load_settings()
        if args.command == "run":
            settings.check_for_run()
            settings.load_config()
            asyncio.run(_run(settings))
        elif args.command == "migrate":
            from storage.migrate import upgrade

            upgrade(settings.normalized_database_url)
            print("database is up to date")
        elif args.command == "doctor":
            return asyncio.run(_doctor(settings))
        elif args.command == "stats":
            sys.stdout.write(cli_stats.run(settings, args))
        elif args.command == "export":
            data = asyncio.run(_export(settings, args.key))
            print(json.dumps(data, indent=2, default=str, ensure_ascii=False))
    except ConfigError as exc:
        print(f"incident-desk: {exc.message}", file=sys.stderr)
        return 2
    except DeskError as exc:
        print(f"incident-desk: {exc.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
