"""The command words both platforms accept, parsed once in the core."""

from __future__ import annotations

import pytest

from bot.incidents.commands import CommandName, parse_command


@pytest.mark.parametrize(
    ("text", "name", "words", "flags", "rest"),
    [
        ("list", CommandName.LIST, (), set(), ""),
        ("  SHOW   inc-0001  --timeline ", CommandName.SHOW, ("inc-0001",), {"--timeline"}, ""),
        ("export INC-0002 html", CommandName.EXPORT, ("INC-0002", "html"), set(), ""),
        ("report the bot  made up a case", CommandName.REPORT, (), set(), ""),
        ("stats 30d", CommandName.STATS, ("30d",), set(), "30d"),
        ("", CommandName.HELP, (), set(), ""),
        ("frobnicate INC-0001", CommandName.HELP, (), set(), ""),
    ],
)
def test_commands_parse_the_same_on_every_platform(
    text: str, name: CommandName, words: tuple[str, ...], flags: set[str], rest: str
) -> None:
    command = parse_command(text)

    assert command.name == name
    if name == CommandName.REPORT:
        assert command.rest == "the bot made up a case"
    else:
        assert command.words == words
        assert command.flags == flags
    if rest:
        assert command.rest == rest


def test_the_key_is_the_first_word_that_is_not_a_flag() -> None:
    assert parse_command("show --timeline INC-0007").key == "INC-0007"
    assert parse_command("show").key == ""
