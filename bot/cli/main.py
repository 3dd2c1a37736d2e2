"""The `incident-desk` command line."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli import audit as cli_audit
from bot.cli import stats as cli_stats
from bot.cli.output import check_output, write
from bot.errors import ConfigError, DeskError
from bot.settings import Settings, load_settings

if TYPE_CHECKING:
    from storage.db import Database

log = logging.getLogger("incident_desk")


def _setup_logging(log_format: str | None = None) -> None:
    from bot.logs import setup_logging

    # First from the environment, before the settings, so a settings error is logged in the
    # chosen format too.
    setup_logging(log_format or os.environ.get("LOG_FORMAT"))


async def _register(settings: Settings, form: str) -> str:
    from bot.clocks.breach_register import breach_register_csv, breach_register_html
    from storage.db import Database

    db = Database(settings.normalized_database_url)
    try:
        return await (breach_register_html(db) if form == "html" else breach_register_csv(db))
    finally:
        await db.dispose()


# One platform's checks: (ok, line to print) per finding. Passed in by handlers.cli.
DoctorCheck = Callable[[Settings], Awaitable[list[tuple[bool, str]]]]
SUPPORTED_DATABASES = ("sqlite+aiosqlite://", "postgresql+psycopg://")


async def _doctor(settings: Settings, checks: Sequence[DoctorCheck] = ()) -> int:
    from bot.containment.runbook_page import runbook_gaps
    from storage import repository as repo
    from storage.db import Database

    problems = 0
    try:
        # The config file first: "settings: ok" must not be printed when it is missing.
        config = settings.load_config()
        settings.check_for_run()
        print("settings: ok")
        print(f"config: ok ({len(config.load_regimes())} regimes, {len(config.runbook)} tools)")
        for tool in config.runbook:
            if tool.kill_switch_url and not os.environ.get(tool.kill_switch_secret_env or ""):
                print(
                    f"runbook: {tool.id} has a kill_switch_url but its secret is not set: set "
                    f"kill_switch_secret_env and that environment variable"
                )
                problems += 1
        for gap in runbook_gaps(config):  # warnings: the desk runs, the runbook is incomplete
            print(f"runbook: warning: {gap}")
    except ConfigError as exc:
        print(f"settings: {exc.message}")
        problems += 1
    database_problem = await _doctor_database(settings)
    if database_problem:
        print(f"database: {database_problem}")
        problems += 1
    else:
        db = Database(settings.normalized_database_url)
        try:
            async with db.transaction() as session:
                counts = await repo.outbox_counts(session)
            print(f"database: ok, migrated ({settings.normalized_database_url.split('@')[-1]})")
            print(f"outbox: {json.dumps(counts)}")
            if counts.get("failed"):
                print("outbox: some messages failed for good; see the logs for why")
                problems += 1
            problems += await _doctor_teams(settings, db)
        except DeskError as exc:
            print(f"database: {exc.message}")
            problems += 1
        finally:
            await db.dispose()
    for check in checks:
        for ok, line in await check(settings):
            print(line)
            problems += not ok
    return 1 if problems else 0


async def _doctor_database(settings: Settings) -> str | None:
    """What is wrong with the database, in words that name the fix; None when it is usable."""
    from storage.migrate import revisions

    url = settings.normalized_database_url
    scheme = url.split(":", 1)[0]
    if not url.startswith(SUPPORTED_DATABASES):
        return (
            f"DATABASE_URL uses {scheme}, which the desk does not support: use "
            "postgresql://user@host/db or sqlite:///path/to/incident_desk.db"
        )
    try:
        current, head = await asyncio.to_thread(revisions, url)
    except Exception as exc:
        return (
            f"cannot connect ({type(exc).__name__}): check DATABASE_URL, that the server is "
            "up and that this host may reach it"
        )
    if current is None:
        return "not migrated: the tables do not exist yet; run `incident-desk migrate`"
    if current != head:
        return (
            f"at migration {current}, this version needs {head}: run `incident-desk migrate` "
            "(back the database up first; see docs/DEPLOYMENT.md)"
        )
    return None


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


def _runbook(settings: Settings, args: argparse.Namespace) -> None:
    from datetime import UTC, datetime

    from bot.containment.pdf import html_to_pdf
    from bot.containment.runbook_page import runbook_html, runbook_text

    config = settings.load_config()
    admins = sorted(settings.incident_admins)
    now = datetime.now(UTC)
    if args.pdf:
        path = html_to_pdf(runbook_html(config, admins, now), Path(args.output or "runbook.pdf"))
        print(f"wrote {path}")
        return
    page = runbook_html(config, admins, now) if args.html else runbook_text(config, admins, now)
    if args.output:
        Path(args.output).write_text(page, encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(page)


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
    register.add_argument(
        "--format",
        choices=["csv", "html"],
        default="csv",
        help="csv for a spreadsheet; html for a readable page (print it to PDF)",
    )
    register.add_argument(
        "--output", "-o", type=Path, help="file to write (default: standard output)"
    )
    runbook = sub.add_parser(
        "runbook", help="the one-page AI tools runbook (text, --html or --pdf)"
    )
    shape = runbook.add_mutually_exclusive_group()
    shape.add_argument("--html", action="store_true", help="a printable HTML page")
    shape.add_argument("--pdf", action="store_true", help="a PDF (needs Chromium)")
    runbook.add_argument("--output", help="write to this file (a PDF needs one: runbook.pdf)")
    package = sub.add_parser(
        "teams-package", help="zip the Teams app package (manifest and icons) to upload to Teams"
    )
    package.add_argument(
        "--output", "-o", default="incident-desk-teams.zip", help="where to write the zip"
    )
    config = sub.add_parser("config", help="the settings and config reference")
    config.add_argument(
        "--schema",
        action="store_true",
        required=True,
        help="print every environment setting and YAML config key with its type and default",
    )
    config.add_argument(
        "--write", metavar="FILE", help="update FILE's generated reference (docs/CONFIG.md)"
    )
    demo = sub.add_parser(
        "demo",
        help="the whole story offline: a pretend Slack and Teams, a temporary database",
    )
    demo.add_argument(
        "--serve",
        action="store_true",
        help="afterwards, keep the pretend workspace up with a web page of its messages",
    )
    demo.add_argument("--port", type=int, default=8765, help="the page's port with --serve")
    demo.add_argument(
        "--output", default="demo-report", help="folder for the incident report it writes"
    )
    return parser


Serve = Callable[[Settings], Coroutine[Any, Any, None]]
Replay = Callable[[Settings], Coroutine[Any, Any, int]]
PackageTeams = Callable[[Settings, Path], Path]
# (report folder, page port or None) -> exit code
Demo = Callable[[Path, int | None], int]


def main(
    argv: Sequence[str] | None = None,
    *,
    serve: Serve | None = None,
    package_teams: PackageTeams | None = None,
    demo: Demo | None = None,
    doctor_checks: Sequence[DoctorCheck] = (),
    replay: Replay | None = None,
) -> int:
    """Run one command. The platforms are passed in by `handlers.cli`: the core imports none."""
    args = build_parser().parse_args(argv)
    _setup_logging()
    if args.command == "config":
        from bot.cli import config_schema

        if args.write:
            changed = config_schema.write(Path(args.write))
            print(f"{args.write}: {'updated' if changed else 'already up to date'}")
        else:
            sys.stdout.write(config_schema.reference())
        return 0
    if args.command == "demo":
        if demo is None:
            print("incident-desk: `demo` needs the chat platforms: use `incident-desk demo`")
            return 2
        # The demo reads no settings: it must run on a machine with nothing configured.
        return demo(Path(args.output), args.port if args.serve else None)
    try:
        settings = load_settings()
        # Again, now that a LOG_FORMAT set in .env is known too.
        _setup_logging(settings.log_format)
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
            return asyncio.run(_doctor(settings, doctor_checks))
        elif args.command == "replay":
            if replay is None:
                raise ConfigError("`replay` needs the whole desk: start it as `incident-desk`")
            return asyncio.run(replay(settings))
        elif args.command in cli_audit.COMMANDS:
            return cli_audit.run(args, settings)
        elif args.command == "stats":
            sys.stdout.write(cli_stats.run(settings, args))
        elif args.command == "register":
            check_output(args.output, nothing="The register was not written.")
            write(asyncio.run(_register(settings, args.format)).encode("utf-8"), args.output)
        elif args.command == "runbook":
            _runbook(settings, args)
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
