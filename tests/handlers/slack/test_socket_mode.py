"""With SLACK_APP_TOKEN set, the bot connects over Socket Mode and answers envelopes."""

from __future__ import annotations

import asyncio

from handlers.wiring import create_app
from tests.support.fakes.slack_api import FakeSlack
from tests.support.harness import make_settings
from tests.support.slack_payloads import slash_command


async def test_socket_mode_connects_and_acks_a_slash_command(
    database_url: str, fake_slack: FakeSlack
) -> None:
    settings = make_settings(
        database_url, fake_slack, SLACK_APP_TOKEN="xapp-1-test", SLACK_SIGNING_SECRET=None
    )
    app = create_app(settings)
    assert app.socket_mode is not None
    assert not [
        r for r in app.web.router.routes() if r.resource and r.resource.canonical == "/slack/events"
    ]

    await app.start(with_scheduler=False)
    try:
        [connect] = fake_slack.named("apps.connections.open")
        assert connect.token == "xapp-1-test"
        await fake_slack.socket_messages.put(
            {
                "envelope_id": "env-1",
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": slash_command("help", response_url=fake_slack.response_url),
            }
        )
        for _ in range(300):
            if fake_slack.socket_acks:
                break
            await asyncio.sleep(0.01)
    finally:
        await app.stop()

    [ack] = fake_slack.socket_acks
    assert ack["envelope_id"] == "env-1"
    assert "/incident report" in ack["payload"]["text"]
