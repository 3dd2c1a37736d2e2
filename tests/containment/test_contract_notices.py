"""The vendor's part and the firm's policies: classifying an incident of a tool raises "tell the
vendor" with the contract's window, the insurer's notice when a claim is possible, and Art. 26(5)
where it applies; the card says what the vendor does and what the firm must do."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from bot.containment.terms import PolicyKind, PolicyNotice, VendorTerms
from bot.settings import DeskConfig, RunbookTool
from storage.models import Incident, Obligation
from tests.support.harness import Harness
from tests.support.slack_payloads import classify_values, view_submission
from tests.support.slack_steps import click, open_report, rows, submit

# After 2 Dec 2027, when the EU AI Act's deployer duties bind.
START = datetime(2028, 1, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def desk_config() -> DeskConfig:
    vendor = VendorTerms(
        provider="Acme Models Ltd",
        contract="MSA-2026-114",
        contact="incidents@acme-models.example",
        notice_window=timedelta(hours=24),
        covers_notification="none: the firm notifies regulators and clients",
        covers_liability="capped at 12 months' fees",
        covers_log_retention="prompts and outputs kept 30 days",
    )
    tool = RunbookTool(id="draftbot", name="DraftBot", slack_bot_ids=["B0DRAFTER"], vendor=vendor)
    insurer = PolicyNotice(
        id="pi_cover",
        kind=PolicyKind.INSURER,
        name="Lloyd's PI syndicate",
        policy_number="PI-99812",
        window=timedelta(hours=48),
        contact="claims@broker.example",
    )
    return DeskConfig(runbook=[tool], notices=[insurer])


async def classified(h: Harness, flags: list[str]) -> Incident:
    await submit(h, await open_report(h))
    [incident] = await rows(h, Incident)
    await click(h, "U0ADMIN1", "triage_classify", incident.id)
    call = h.fake.named("views.update")[-1]
    form = call.json_arg("view")
    values = classify_values(
        aware_at=int(START.timestamp()),
        flags=flags,
        serious="serious_harm_health",
        ai_tool="draftbot",
    )
    resp = await h.interact(
        view_submission(
            view_id=call.args["view_id"],
            callback_id=form["callback_id"],
            private_metadata=form["private_metadata"],
            values=values,
            blocks=form["blocks"],
            user="U0ADMIN1",
        )
    )
    assert resp.status == 200
    await h.settle()
    return incident


async def test_classifying_raises_vendor_insurer_and_art_26_5_with_their_windows(
    harness: Harness,
) -> None:
    with time_machine.travel(START, tick=False):
        await classified(harness, ["client_received", "client_acted", "high_risk_ai_system"])

    due = {(o.regime_id, o.recipient): o.due_at for o in await rows(harness, Obligation)}
    assert due[("vendor_draftbot", "incidents@acme-models.example")] == START + timedelta(hours=24)
    assert due[("insurer_pi_cover", "claims@broker.example")] == START + timedelta(hours=48)
    assert (
        due[
            (
                "eu_ai_act_art26_5",
                "The AI system's provider, then the importer or distributor and the authority",
            )
        ]
        == START
    )
    card = json.dumps(harness.fake.named("chat.update")[-1].json_arg("blocks"), ensure_ascii=False)
    assert "Tell the vendor: Acme Models Ltd (DraftBot)" in card
    assert "Tell the insurer: Lloyd's PI syndicate (policy PI-99812)" in card
    assert "What the vendor does: notifications: none: the firm notifies regulators" in card
    assert (
        "What we must do: Our own notices (the clocks on this card), and telling Acme Models Ltd "
        "within 1 d"
    ) in card


async def test_no_claim_possible_raises_no_insurer_notice(harness: Harness) -> None:
    with time_machine.travel(START, tick=False):
        await classified(harness, [])
    regimes = {o.regime_id for o in await rows(harness, Obligation)}
    assert "vendor_draftbot" in regimes and "insurer_pi_cover" not in regimes
