"""The core's notes as Teams markdown: bold is already `**bold**` when the messenger gets it."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain import Kind
from bot.incidents import notices
from bot.notes import link, moment, note, person, strong
from handlers.teams.cards.elements import markdown_of


def test_notices_arrive_in_teams_markdown_without_any_rewriting() -> None:
    assert markdown_of(notices.reported("INC-0001", Kind.INCIDENT)) == (
        "Thanks, reported as **INC-0001** (incident). "
        "The incident admins have been told and will triage it."
    )
    assert markdown_of(notices.closed("INC-0001", "Remediated", "2*3*4 stays as typed")) == (
        r"**INC-0001**, which you reported, was closed: Remediated. 2\*3\*4 stays as typed"
    )


def test_each_span_gets_teams_markup() -> None:
    at = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    told = note(
        strong("x"),
        link("log", "https://e.test/l"),
        person("teams:abc", "Ada"),
        person("slack:U1"),
        moment(at),
    )

    assert markdown_of(told) == (
        "**x**[log](https://e.test/l)AdaU1 (Slack)"
        "{{DATE(2026-11-23T09:30:00Z, SHORT)}} {{TIME(2026-11-23T09:30:00Z)}}"
    )
