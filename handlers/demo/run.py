"""`incident-desk demo`: the whole story offline, on a temporary SQLite, with no credentials.

The desk is built by the same `create_app` as production, pointed at the pretend workspace; the
transcript shows what each person saw. `--serve` keeps the workspace up with a web page."""

from __future__ import annotations

import asyncio
import secrets
import signal
import tempfile
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from bot.settings import DeskConfig, Settings
from handlers.demo import cast
from handlers.demo.page import page_routes
from handlers.demo.render import message_lines
from handlers.demo.story import Step, Story
from handlers.demo.workspace import Workspace

DISCLAIMER = (
    "The desk records and reminds; it is not legal advice. Whether and when to notify a "
    "regulator is your firm's decision."
)


def demo_settings(workspace: Workspace, home: Path) -> Settings:
    """Settings for the demo alone: nothing is read from the environment or a .env file."""
    return Settings(
        _env_file=None,
        DATABASE_URL=f"sqlite+aiosqlite:///{home / 'demo.db'}",
        SLACK_BOT_TOKEN="xoxb-demo",
        SLACK_SIGNING_SECRET="demo-signing-secret",
        SLACK_APP_TOKEN=None,
        SLACK_API_URL=workspace.slack_api_url,
        MicrosoftAppId=None,
        MicrosoftAppPassword=None,
        TEAMS_ENABLED=True,
        TEAMS_TRIAGE_CHANNEL=None,
        INCIDENT_ADMINS=f"{cast.ADA.user_id},{cast.BEA_ID}",
        TRIAGE_CHANNEL=cast.TRIAGE_CHANNEL,
        AUDIT_HMAC_KEY=secrets.token_hex(32),
        INCIDENT_DESK_HOME=str(home),
        INCIDENT_DESK_CONFIG=None,
        OUTBOX_INTERVAL_SECONDS=3600,
        NUDGE_INTERVAL_SECONDS=3600,
    )


async def run_demo(
    *,
    out_dir: Path,
    serve_port: int | None = None,
    write: Callable[[str], None] = print,
    stop: asyncio.Event | None = None,
) -> list[Step]:
    """Run the story and print its transcript; with `serve_port`, serve the page until stopped."""
    from handlers.wiring import create_app
    from storage.migrate import upgrade_async

    workspace = Workspace()
    with tempfile.TemporaryDirectory(prefix="incident-desk-demo-") as tmp:
        home = Path(tmp)
        extra = page_routes(workspace) if serve_port is not None else {}
        await workspace.start(port=serve_port or 0, pages=extra)
        try:
            settings = demo_settings(workspace, home)
            await upgrade_async(settings.normalized_database_url)
            app = create_app(settings, DeskConfig.model_validate(cast.config()))
            await app.start(with_scheduler=False)
            desk = web.AppRunner(app.web, access_log=None)
            await desk.setup()
            try:
                if serve_port is not None:
                    # The page's clicks go to the desk's real /slack/events, signed.
                    site = web.TCPSite(desk, "127.0.0.1", 0)
                    await site.start()
                    workspace.desk_events_url = (
                        f"http://127.0.0.1:{desk.addresses[0][1]}/slack/events"
                    )
                    workspace.signing_secret = settings.slack_signing_secret or ""
                write(_heading())
                story = Story(app, workspace, out_dir)
                steps = await story.run()
                printed: dict[int, list[str]] = {}
                for number, step in enumerate(steps, 1):
                    write(transcript(number, step, printed))
                passed = sum(s.ok for s in steps)
                write(f"{passed} of {len(steps)} steps did what they should.\n{DISCLAIMER}")
                if serve_port is not None:
                    waiting = await story.leave_one_open()
                    write(
                        f"{waiting} The pretend workspace is at {workspace.base_url}: press its "
                        "buttons as Ada, or as Rita to see a non-admin refused (Ctrl-C to stop)."
                    )
                    await (stop or _until_signal()).wait()
            finally:
                await desk.cleanup()
                await app.stop()
        finally:
            await workspace.close()
    return steps


def _until_signal() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


def _heading() -> str:
    return (
        "AI Incident Desk: the demo\n"
        "A pretend Slack and Teams on this machine, a temporary database, no credentials.\n"
        "People: Ada (incident admin, Slack), Bea (incident admin, Teams), Rita (associate),\n"
        "Owen (owns DraftBot's kill switch); DraftBot is the firm's AI drafting tool.\n"
    )


def transcript(number: int, step: Step, before: dict[int, list[str]] | None = None) -> str:
    """One step as text: what happened, what each person saw, and what was checked.

    `before` holds each message as last printed, so a card updated in place shows its title and
    the lines that changed; it is updated here."""
    before = {} if before is None else before
    lines = [f"{number}. {step.title}", f"   {step.story}"]
    # The same card or nudge goes to several places: show it once and name the others.
    groups: dict[tuple[str, str, str], list[str]] = {}
    for shown in step.seen:
        where = cast.place(shown.conversation)
        if shown.thread:
            where += ", in the incident's thread"
        verb = " (updated in place)" if shown.updates else ""
        body = message_lines(shown)
        earlier = before.get(shown.seq)
        before[shown.seq] = body
        if earlier is not None:
            body = body[:1] + [f"changed: {line}" for line in body[1:] if line not in earlier]
        key = (shown.platform, shown.author + verb, "\n".join(body))
        groups.setdefault(key, []).append(where)
    for (_, author, text), places in groups.items():
        lines.append(f"   ── {places[0]} · {author}")
        lines += [f"      {line}" for line in text.splitlines()]
        if places[1:]:
            lines.append(f"      (the same in: {'; '.join(places[1:])})")
    lines += [f"   {'✓' if c.ok else '✗'} {c.what}" for c in step.checks]
    return "\n".join(lines) + "\n"
