"""`incident-desk stats`: the weak-points report as text, or `--html FILE` with the charts."""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta
from pathlib import Path

from bot.cli.output import OutputError, check_output
from bot.settings import Settings


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    stats = sub.add_parser(
        "stats", help="weak points: counts by failure type, tool and channel, timings, charts"
    )
    stats.add_argument(
        "--period", default="30d", help="30d, 90d, any number of days (e.g. 7d), or all"
    )
    stats.add_argument(
        "--html", metavar="FILE", type=Path, help="write a self-contained HTML page here"
    )


def run(settings: Settings, args: argparse.Namespace) -> str:
    """The text report, or a line saying where the HTML page was written."""
    from bot.insights.stats import parse_period

    period = parse_period(args.period)
    check_output(args.html, nothing="No stats page was written.")
    content = asyncio.run(_build(settings, period, html=bool(args.html)))
    if not args.html:
        return content
    data = content.encode("utf-8")
    try:
        Path(args.html).write_bytes(data)
    except OSError as exc:
        raise OutputError(f"could not write {args.html}: {exc.strerror or exc}.") from None
    return f"wrote {args.html} ({len(data) // 1024} KB, charts embedded)\n"


async def _build(settings: Settings, period: timedelta | None, *, html: bool) -> str:
    from bot.incidents.context import DeskContext
    from bot.insights.stats_report import gather, html_report, text_report
    from storage.db import Database

    config = settings.load_config()
    db = Database(settings.normalized_database_url)
    try:
        ctx = DeskContext(db, config, admins=settings.incident_admins)
        report = await gather(ctx, period=period)
        return await html_report(report, config) if html else text_report(report, config)
    finally:
        await db.dispose()
