"""The record-keeping commands: `audit verify|head`, `redact`, `retention`, `export`, `evals`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from bot.audit import trail
from bot.audit.anchor import group_heads, head_line
from bot.audit.chain import GENESIS_HASH, default_key_path
from bot.audit.redaction import purge_expired, redact
from bot.audit.verify import head_url, verify_url
from bot.cli.output import OutputError, check_output, write
from bot.domain import Actor, Platform
from bot.errors import ConfigError
from bot.evidence.store import open_store
from bot.exports.evals import build_cases, to_jsonl, to_promptfoo
from bot.exports.files import ExportFormat, record_export, render
from bot.notes import plural
from bot.settings import DeskConfig, Settings
from storage.db import Database

COMMANDS = frozenset({"audit", "redact", "retention", "export", "evals"})


def add_commands(sub: Any) -> None:
    """Add the record-keeping sub-commands to the `incident-desk` parser."""
    chain = sub.add_parser("audit", help="verify the hash-chained audit log or print its head")
    chain_sub = chain.add_subparsers(dest="audit_command", required=True)
    verify = chain_sub.add_parser(
        "verify", help="recompute the whole chain; exit 1 naming the first broken seq"
    )
    verify.add_argument(
        "--published-head",
        action="extend",
        nargs="+",
        default=[],
        metavar="HEAD",
        help="a head published earlier (digest, anchor, or the line `audit head` printed); "
        "fails unless it is still in the chain at its seq",
    )
    verify.add_argument(
        "--anchor",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="an anchor file of heads to check (default: AUDIT_ANCHOR_FILE when set)",
    )
    chain_sub.add_parser("head", help="print the current chain head: hash, seq and time")

    red = sub.add_parser("redact", help="replace evidence content with a tombstone (hash kept)")
    red.add_argument("key", help="incident key, e.g. INC-0003")
    red.add_argument("--evidence", type=int, required=True, help="evidence number, e.g. 2")
    red.add_argument("--reason", required=True, help='why, e.g. "DSAR erasure"')
    red.add_argument("--by", help="who is redacting (default: your login name)")

    sub.add_parser(
        "retention", help="purge evidence of incidents closed longer than evidence.retention_days"
    )

    export = sub.add_parser("export", help="an incident report (md, html, json) or evidence zip")
    export.add_argument("key", help="incident key, e.g. INC-0001")
    export.add_argument("--format", choices=[f.value for f in ExportFormat], default="json")
    export.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")
    export.add_argument("--by", help="who is exporting (default: your login name)")

    evals = sub.add_parser("evals", help="regression eval cases from closed incidents")
    evals.add_argument("--format", choices=["jsonl", "promptfoo"], default="jsonl")
    evals.add_argument("--output", "-o", type=Path, help="file to write (default: stdout)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run one of COMMANDS; the exit code."""
    if args.command == "audit":
        return _verify(args, settings) if args.audit_command == "verify" else _head(settings)
    handlers: dict[str, Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]] = {
        "redact": _redact,
        "retention": _retention,
        "export": _export,
        "evals": _evals,
    }
    return asyncio.run(handlers[args.command](args, settings))


def _existing_key(settings: Settings) -> bytes:
    """The key that sealed the log; verifying never generates one (it could verify nothing)."""
    explicit = (settings.audit_hmac_key or "").strip()
    home = settings.incident_desk_home
    path = default_key_path({"INCIDENT_DESK_HOME": home} if home else None)
    if not explicit and not path.exists():
        raise ConfigError(
            f"no audit key: AUDIT_HMAC_KEY is not set and {path} does not exist; restore the key "
            "file from your backup or set AUDIT_HMAC_KEY (set INCIDENT_DESK_HOME if it lives "
            "elsewhere)"
        )
    return trail.load_key(explicit or None, home)


def _database(settings: Settings) -> Database:
    return trail.open_database(
        settings.normalized_database_url,
        explicit_key=settings.audit_hmac_key,
        home=settings.incident_desk_home,
        anchor=settings.audit_anchor_file,
    )


def _actor(by: str | None) -> Actor:
    return Actor(platform=Platform.CLI, user_id=by or getpass.getuser())


def _verify(args: argparse.Namespace, settings: Settings) -> int:
    anchors: list[Path] = list(args.anchor)
    if not anchors and settings.audit_anchor_file is not None:
        anchors = [settings.audit_anchor_file]
    report = verify_url(
        settings.normalized_database_url,
        _existing_key(settings),
        published=group_heads(args.published_head),
        anchors=anchors,
    )
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1


def _head(settings: Settings) -> int:
    head = head_url(settings.normalized_database_url)
    if head is None:
        print(f"{GENESIS_HASH} seq=0 (no events recorded yet)")
    else:
        print(head_line(head.hash, head.seq, head.occurred_at))
    return 0


async def _redact(args: argparse.Namespace, settings: Settings) -> int:
    db = _database(settings)
    try:
        done = await redact(
            db,
            open_store(settings.load_config().evidence),
            actor=_actor(args.by),
            key=args.key,
            number=args.evidence,
            reason=args.reason,
        )
    finally:
        await db.dispose()
    print(
        f"Redacted evidence #{done.number} of {done.incident_key} ({done.files} files); "
        f"its capture hash {done.sha256} is kept and the audit chain still verifies."
    )
    return 0


async def _retention(_: argparse.Namespace, settings: Settings) -> int:
    config = settings.load_config()
    days = config.evidence.retention_days
    if not days:
        print("evidence.retention_days is not set in the config: evidence is kept.")
        return 0
    db = _database(settings)
    try:
        purged = await purge_expired(db, open_store(config.evidence), retention_days=days)
    finally:
        await db.dispose()
    for item in purged:
        print(f"{item.incident_key} evidence #{item.number}: purged (hash {item.sha256} kept)")
    print(f"{plural(len(purged), 'evidence item')} purged (closed more than {days} days ago).")
    return 0


async def _export(args: argparse.Namespace, settings: Settings) -> int:
    config: DeskConfig = settings.load_config()
    fmt = ExportFormat(args.format)
    actor = _actor(args.by)
    output: Path | None = args.output
    if output is None and fmt == ExportFormat.BUNDLE and sys.stdout.isatty():
        raise OutputError(
            "an evidence zip is binary: pass -o FILE, or pipe standard output into a file. "
            "Nothing was exported."
        )
    # Checked before the export is recorded: a file that cannot be written is no export.
    check_output(output, nothing="Nothing was exported.")
    db = _database(settings)
    try:
        key = await record_export(
            db, actor=actor, key=args.key, fmt=fmt, deliver=False, platform_ok=False
        )
        export = await render(
            db, config, open_store(config.evidence), key=key, fmt=fmt, generated_by=actor.ref
        )
    finally:
        await db.dispose()
    write(export.data, output)
    print(export.verdict, file=sys.stderr)
    return 0


async def _evals(args: argparse.Namespace, settings: Settings) -> int:
    check_output(args.output, nothing="No eval cases were written.")
    db = _database(settings)
    try:
        cases, skipped = await build_cases(db, settings.load_config())
    finally:
        await db.dispose()
    text = to_jsonl(cases) if args.format == "jsonl" else to_promptfoo(cases)
    write(text.encode("utf-8"), args.output)
    for line in skipped:
        print(line, file=sys.stderr)
    print(
        f"{plural(len(cases), 'eval case')} written; "
        f"{plural(len(skipped), 'closed incident')} skipped.",
        file=sys.stderr,
    )
    return 0
