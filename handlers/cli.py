"""The `incident-desk` console script: the core command line with the chat platforms plugged in."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.cli.main import main as core_main
from bot.settings import Settings
from handlers.slack.doctor import check_slack
from handlers.teams.package import build_package

log = logging.getLogger("incident_desk")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `incident-desk` command."""
    return core_main(
        argv,
        serve=_run,
        package_teams=build_package,
        demo=_demo,
        doctor_checks=[check_slack],
        replay=_replay,
    )


def _demo(out_dir: Path, serve_port: int | None) -> int:
    from handlers.demo.run import run_demo

    # The transcript is the demo's output; the desk's own INFO lines would bury it.
    logging.getLogger().setLevel(logging.WARNING)
    steps = asyncio.run(run_demo(out_dir=out_dir, serve_port=serve_port))
    return 0 if all(step.ok for step in steps) else 1


async def _replay(settings: Settings) -> int:
    """Record the spooled reports now and send what they queued; 1 while some remain."""
    from handlers.wiring import create_app

    app = create_app(settings)
    try:
        spool = app.core.intake.spool
        waiting = len(spool.pending()) if spool else 0
        recorded = await app.core.intake.replay_spool()
        await app.dispatcher.drain()
    finally:
        await app.stop()
    left = waiting - recorded
    print(f"{recorded} spooled report(s) recorded; {left} still waiting")
    return 1 if left else 0


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
    serving = [f"Slack {mode}"] if settings.slack_enabled else []
    serving += ["Teams (POST /api/messages)"] if settings.teams_enabled else []
    log.info("AI Incident Desk is running on port %s; %s", settings.port, ", ".join(serving))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("shutting down")
    await app.stop()
    await runner.cleanup()


if __name__ == "__main__":
    sys.exit(main())
