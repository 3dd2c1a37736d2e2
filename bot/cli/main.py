"""The `incident-desk` command line."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli import audit as cli_audit
from bot.cli import stats as cli_stats
from bot.errors import ConfigError, DeskError
from bot.settings import Settings, load_settings

if TYPE_CHECKING:
    from storage.db import Database

log = logging.getLogger("incident_desk")


def _setup_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


async def _register(settings: Settings) -> str:
    from bot.clocks.breach_register import breach_register_csv
    from storage.db import Database

    db = Database(settings.normalized_database_url)
    try:
        return await breach_register_csv(db)
    finally:
        await db.dispose()


async def _doctor(settings: Settings) -> int:
    from storage import repository as repo
    from storage.db import Database

    problems = 0
    try:
        settings.check_for_run()
        print("settings: ok")
        config = settings.load_config()
        print(f"config: ok ({len(config.load_regimes())} regimes, {len(config.runbook)} tools)")
        for tool in config.runbook:
            if tool.kill_switch_url and not os.environ.get(tool.kill_switch_secret_env or ""):
                print(
                    f"runbook: {tool.id} has a kill_switch_url but its secret is not set: set "
                    f"kill_switch_secret_env and that environment variable"
                )
                problems += 1
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
        problems += await _doctor_teams(settings, db)
    except DeskError as exc:
        print(f"database: {exc.message}")
        problems += 1
    except Exception as exc:
        print(f"database: {type(exc).__name__}: {exc} (run `incident-desk migrate`?)")
        problems += 1
    finally:
        await db.dispose()
    return 1 if problems else 0


async def _doctor_teams(settings: Settings, db: Database) -> int:
    """Teams admins the bot cannot reach yet, and why recent messages failed for good."""
    from bot.domain import Platform
    from bot.incidents.cards import platform_of
    from storage import repository as repo

    problems = 0
    async with db.transaction() as session:
        reachable = await repo.teams_conversation_keys(session, scope="personal")
        channels = await repo.teams_conversation_keys(session, scope="channel")
        failed = await repo.failed_outbox(session, limit=10)
    if settings.teams_enabled:
        for admin in sorted(settings.incident_admins):
            if platform_of(admin) == Platform.TEAMS and admin not in reachable:
                print(
                    f"teams: admin {admin} cannot be reached: no conversation reference (they "
                    "have not installed AI Incident Desk in Teams or messaged the bot yet)"
                )
                problems += 1
        channel = settings.teams_triage_channel
        if channel and channel not in channels:
            print(
                f"teams: TEAMS_TRIAGE_CHANNEL {channel} cannot be reached: no conversation "
                "reference (add the app to that team, then @mention the bot in the channel once)"
            )
            problems += 1
    for row in failed:
        print(
            f"outbox: #{row.id} {row.kind} to {row.platform}:{row.target} failed: {row.last_error}"
        )
    return problems


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="incident-desk", description="AI Incident Desk")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="migrate the database and run the bot")
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("doctor", help="check settings, database and delivery")
    sub.add_parser(
        "replay", help="record the reports spooled while the database was down (also automatic)"
    )
    cli_audit.add_commands(sub)
    cli_stats.add_parser(sub)
    register = sub.add_parser(
        "register", help="the breach register (Art. 33(5)): every personal-data incident"
    )
    register.add_argument("--format", choices=["csv"], default="csv")
    register.add_argument("--output", help="write to this file instead of standard output")
    package = sub.add_parser(
        "teams-package", help="zip the Teams app package (manifest and icons) to upload to Teams"
    )
    package.add_argument(
        "--output", default="incident-desk-teams.zip", help="where to write the zip"
    )
    return parser


Serve = Callable[[Settings], Coroutine[Any, Any, None]]
Replay = Callable[[Settings], Coroutine[Any, Any, int]]
PackageTeams = Callable[[Settings, Path], Path]


def main(
    argv: Sequence[str] | None = None,
    *,
    serve: Serve | None = None,
    package_teams: PackageTeams | None = None,
    replay: Replay | None = None,
) -> int:
    """Run one command. The platforms are passed in by `handlers.cli`: the core imports none."""
    args = build_parser().parse_args(argv)
    _setup_logging()
    try:
        settings = load_settings()
        if args.command == "run":
            settings.check_for_run()
            settings.load_config()
            if serve is None:
                raise ConfigError("`run` needs the chat platforms: start it as `incident-desk run`")
            asyncio.run(serve(settings))
        elif args.command == "migrate":
            from storage.migrate import upgrade

            upgrade(settings.normalized_database_url)
            print("database is up to date")
        elif args.command == "doctor":
            return asyncio.run(_doctor(settings))
        elif args.command == "replay":
            if replay is None:
                raise ConfigError("`replay` needs the whole desk: start it as `incident-desk`")
            return asyncio.run(replay(settings))
        elif args.command in cli_audit.COMMANDS:
            return cli_audit.run(args, settings)
        elif args.command == "stats":
            sys.stdout.write(cli_stats.run(settings, args))
        elif args.command == "register":
            text = asyncio.run(_register(settings))
            if args.output:
                with open(args.output, "w", encoding="utf-8", newline="") as handle:
                    handle.write(text)
            else:
                sys.stdout.write(text)
        elif args.command == "teams-package":
            if package_teams is None:
                raise ConfigError("`teams-package` needs the Teams handlers: use `incident-desk`")
            path = package_teams(settings, Path(args.output))
            print(f"wrote {path}: upload it in Teams (Apps → Manage your apps → Upload an app)")
    except ConfigError as exc:
        print(f"incident-desk: {exc.message}", file=sys.stderr)
        return 2
    except DeskError as exc:
        print(f"incident-desk: {exc.message}", file=sys.stderr)
        return 1
    return 0
