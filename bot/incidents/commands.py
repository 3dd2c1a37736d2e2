"""The text commands both platforms accept (`/incident …` in Slack, the bot chat in Teams): parsing
and what each one answers, as data. Each platform only renders the answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.audit import timeline
from bot.audit.timeline import TimelineEntry
from bot.domain import Actor, IncidentView
from bot.errors import DeskError
from bot.exports.files import ExportFormat, request_export
from bot.incidents.access import AccessPolicy
from bot.incidents.labels import KIND_LABEL, STATUS_LABEL
from bot.incidents.queries import Queries
from bot.notes import Note, note, person, strong


class CommandName(StrEnum):
    REPORT = "report"
    LIST = "list"
    SHOW = "show"
    EXPORT = "export"
    STATS = "stats"
    HELP = "help"


@dataclass(frozen=True)
class Command:
    """One typed command: its name, its words after the name, and `--flags`."""

    name: CommandName
    rest: str = ""
    words: tuple[str, ...] = ()
    flags: frozenset[str] = frozenset()

    @property
    def key(self) -> str:
        return self.words[0] if self.words else ""


def parse_command(text: str) -> Command:
    """`show INC-0001 --timeline` → Command(SHOW, words=("INC-0001",), flags={"--timeline"});
    anything unknown is HELP."""
    text = " ".join(text.split())
    first, _, rest = text.partition(" ")
    try:
        name = CommandName(first.lower())
    except ValueError:
        return Command(CommandName.HELP)
    parts = rest.split()
    return Command(
        name,
        rest=rest,
        words=tuple(w for w in parts if not w.startswith("--")),
        flags=frozenset(w for w in parts if w.startswith("--")),
    )


@dataclass(frozen=True)
class Usage:
    """The command needs an argument it did not get."""

    example: str


@dataclass(frozen=True)
class Refused:
    """The command was understood and refused or failed; `message` says why and what to do."""

    message: str


@dataclass(frozen=True)
class OpenList:
    views: list[IncidentView]
    everything: bool  # an admin's list (every open incident), not one reporter's

    @property
    def title(self) -> Note:
        """The list's heading, or what to say when it is empty."""
        if not self.views:
            return note("No open incidents." if self.everything else "You have no open reports.")
        return note(strong("Open incidents" if self.everything else "Your open reports"))

    def lines(self) -> list[Note]:
        """One line per incident: key, kind, severity, status, failure type and assignee."""
        return [
            note(
                strong(v.key),
                f" · {KIND_LABEL[v.kind]} · {v.severity.value if v.severity else 'SEV?'}"
                f" · {STATUS_LABEL[v.status]} · {v.failure_type_label} · assignee ",
                person(v.assignee, v.assignee_name),
            )
            for v in self.views
        ]


@dataclass(frozen=True)
class Shown:
    view: IncidentView


@dataclass(frozen=True)
class Timeline:
    key: str
    entries: list[TimelineEntry] = field(default_factory=list)


@dataclass(frozen=True)
class ExportQueued:
    key: str
    fmt: ExportFormat


@dataclass(frozen=True)
class BadExportFormat:
    formats: tuple[str, ...] = tuple(f.value for f in ExportFormat)


Answer = Usage | Refused | OpenList | Shown | Timeline | ExportQueued | BadExportFormat


class Commands:
    """The answers to list, show (and its timeline) and export, for whoever asks."""

    def __init__(self, access: AccessPolicy, queries: Queries) -> None:
        self.access = access
        self.queries = queries

    async def answer(self, actor: Actor, command: Command) -> Answer:
        """Run a list, show or export command; a DeskError becomes a Refused answer."""
        try:
            return await self._answer(actor, command)
        except DeskError as exc:
            return Refused(exc.message)

    async def _answer(self, actor: Actor, command: Command) -> Answer:
        if command.name == CommandName.LIST:
            views, everything = await self.queries.list_open(actor=actor)
            return OpenList(views, everything)
        if command.name not in {CommandName.SHOW, CommandName.EXPORT}:
            raise ValueError(f"{command.name} is answered by the platform, not here")
        if not command.key:
            timeline_flag = " [--timeline]" if command.name == CommandName.SHOW else ""
            return Usage(f"{command.name.value} INC-0001{timeline_flag}")
        if command.name == CommandName.EXPORT:
            choice = command.words[1].lower() if len(command.words) > 1 else "bundle"
            if choice not in {f.value for f in ExportFormat}:
                return BadExportFormat()
            fmt = ExportFormat(choice)
            found = await request_export(self.access, actor=actor, key=command.key, fmt=fmt)
            return ExportQueued(found, fmt)
        if "--timeline" in command.flags:
            found, entries = await timeline.for_admin(self.access, actor=actor, key=command.key)
            return Timeline(found, entries)
        return Shown(await self.queries.show(actor=actor, key=command.key))
