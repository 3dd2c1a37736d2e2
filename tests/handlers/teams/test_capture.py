"""Pure helpers of Teams evidence capture and delivery."""

from __future__ import annotations

from bot.domain import Kind
from bot.incidents import notices
from bot.notes import note
from handlers.teams.capture import html_to_text, sender, source_key
from handlers.teams.port import TeamsPort


def test_html_body_renders_as_plain_text_lines() -> None:
    html = (
        "<div><p>Dear client,</p><p>Your refund is &pound;1,200&nbsp;<b>net</b>.<br>"
        "See <a href='https://x'>the file</a></p><ul><li>one</li><li>two</li></ul>"
        '<img alt="chart" src="x.png"></div>'
    )
    assert html_to_text(html) == (
        "Dear client,\n\nYour refund is £1,200 net.\nSee the file\n\none\n\ntwo\n[chart]"
    )
    assert html_to_text(None) == ""
    assert html_to_text("a &lt;b&gt; c") == "a <b> c"


def test_source_key_drops_the_thread_suffix() -> None:
    in_thread = source_key(
        tenant_id="t", conversation_id="19:abc@thread.tacv2;messageid=17", message_id="42"
    )
    in_channel = source_key(tenant_id="t", conversation_id="19:abc@thread.tacv2", message_id="42")
    assert in_thread == in_channel == "teams:t:19:abc@thread.tacv2:42"
    assert source_key(tenant_id=None, conversation_id="a:1x", message_id="9") == "teams:-:a:1x:9"


def test_sender_is_a_person_or_an_application() -> None:
    person = sender(
        {"from": {"user": {"id": "u1", "displayName": "Jo", "userIdentityType": "aadUser"}}}
    )
    assert (person["type"], person["display_name"], person["is_bot"]) == ("user", "Jo", False)
    assert sender({})["type"] == "unknown"


def test_the_reported_notice_is_teams_bold_with_no_rewriting_of_stars() -> None:
    port = TeamsPort(adapter=None, app_id="")  # type: ignore[arg-type]  # rendering needs neither

    told = port.render_note(notices.reported("INC-0001", Kind.INCIDENT))

    assert told.startswith("Thanks, reported as **INC-0001** (incident).")
    # Typed stars are escaped, so Teams shows them as typed instead of italicising "3".
    assert port.render_note(note("2*3*4 a * b")) == r"2\*3\*4 a \* b"
