"""Steps for the Teams clock tests: find a card's buttons and inputs, press them as Teams does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from storage.models import Incident
from tests.support import teams_activities as act
from tests.support.teams_harness import TEAMS_ADMINS, TeamsHarness

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CARD = "application/vnd.microsoft.card.adaptive"
MESSAGE = "application/vnd.microsoft.activity.message"


def elements(node: Any) -> Iterator[dict[str, Any]]:
    """Every element of a card, depth first (bodies, columns, action sets, actions)."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from elements(value)
    elif isinstance(node, list):
        for item in node:
            yield from elements(item)


def buttons(card: dict[str, Any], verb: str) -> list[dict[str, Any]]:
    return [e for e in elements(card) if e.get("type") == "Action.Execute" and e["verb"] == verb]


def button(card: dict[str, Any], verb: str) -> dict[str, Any]:
    [found] = buttons(card, verb)
    return found


def inputs(card: dict[str, Any]) -> dict[str, Any]:
    """What Teams sends for a form nobody changed: each input's id and its shown value."""
    return {
        e["id"]: e["value"]
        for e in elements(card)
        if str(e.get("type", "")).startswith("Input.") and e.get("value") not in (None, "")
    }


def errors(card: dict[str, Any]) -> list[str]:
    return [e["text"] for e in elements(card) if e.get("color") == "Attention"]


def shown(card: dict[str, Any]) -> str:
    return json.dumps(card, ensure_ascii=False)


async def press(
    h: TeamsHarness,
    action: dict[str, Any],
    *,
    user: str,
    zone: str | None = "Europe/London",
    **values: Any,
) -> dict[str, Any]:
    """Press an Action.Execute button: Teams sends its data merged with the card's inputs."""
    activity = act.card_action(
        h.service_url, action["verb"], user=user, data={**action["data"], **values}
    )
    if zone:
        activity["localTimezone"] = zone
    status, body = await h.post(activity)
    assert status == 200, body
    return dict(body)


async def reported(h: TeamsHarness, *, also_install: tuple[str, ...] = ()) -> Incident:
    await h.install(*TEAMS_ADMINS, *also_install)
    await h.post(act.submit_action(h.service_url))
    [incident] = await h.rows(Incident)
    return incident


def triage_card_of(h: TeamsHarness, admin: str) -> dict[str, Any]:
    """The admin's copy of the triage card as last posted or updated."""
    chat = act.personal_chat(admin)
    latest = [c.card for c in h.connector.named("update") if c.conversation_id == chat and c.card]
    if latest:
        return latest[-1]
    posted = [c.card for c in h.cards_to(admin) if c.card and button_or_none(c.card)]
    assert posted, f"no triage card for {admin}"
    return posted[0]


def button_or_none(card: dict[str, Any]) -> dict[str, Any] | None:
    found = buttons(card, "triage.assign_me")
    return found[0] if found else None


async def classify(
    h: TeamsHarness,
    *,
    user: str = act.ADMIN_1,
    zone: str | None = "Europe/London",
    **answers: Any,
) -> dict[str, Any]:
    """Open Classify… on the admin's card and save it with `answers` over the shown values."""
    opened = await press(
        h, button(triage_card_of(h, user), "triage.classify"), user=user, zone=zone
    )
    assert opened["type"] == CARD, opened
    form = opened["value"]
    answers.setdefault("personal_data", "yes")
    answers.setdefault("risk_to_individuals", "risk")
    answers.setdefault("personal_data_breach", "yes")
    return await press(
        h, button(form, "classify.submit"), user=user, zone=zone, **{**inputs(form), **answers}
    )


async def tick(h: TeamsHarness, clock: Any, to: datetime) -> int:
    """Move the clock and run the scheduler's nudge job once, then deliver the outbox."""
    clock.move_to(to)
    sent = await h.app.core.clocks.deliver_due_nudges()
    await h.settle()
    return sent


def is_nudge(card: dict[str, Any] | None) -> bool:
    """A nudge card's decision buttons say they came from a nudge."""
    found = buttons(card, "obligation.notified") if card else []
    return any(b["data"].get("origin") == "nudge" for b in found)


def nudges_to(h: TeamsHarness, conversation: str) -> list[dict[str, Any]]:
    return [c.card for c in h.connector.sent_to(conversation) if c.card and is_nudge(c.card)]
