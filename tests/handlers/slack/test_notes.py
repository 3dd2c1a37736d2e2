"""The core's notes as Slack mrkdwn: what reporters were told before notes existed."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain import Kind
from bot.incidents import notices
from bot.notes import link, moment, note, person, strong
from handlers.slack.blocks.text import mrkdwn_of


def test_notices_read_as_they_always_have_on_slack() -> None:
    assert mrkdwn_of(notices.reported("INC-0001", Kind.NEAR_MISS)) == (
        "Thanks, reported as *INC-0001* (near miss). "
        "The incident admins have been told and will triage it."
    )
    assert mrkdwn_of(notices.already_reported("INC-0001")) == (
        "You already reported this message as *INC-0001*."
    )


def test_each_span_gets_slack_markup() -> None:
    at = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    told = note(
        strong("x"), link("log", "https://e.test/l"), person("slack:U1"), person(None), moment(at)
    )

    assert mrkdwn_of(told) == (
        "*x*<https://e.test/l|log><@U1>_nobody_"
        "<!date^1795426200^{date_short_pretty} {time}|Mon 23 Nov 2026 09:30 UTC>"
    )
