"""The Add to incident dialog: the message, and the open incidents it can be added to."""

from __future__ import annotations

from bot.domain import IncidentView
from handlers.teams.cards.elements import Element, card, choice_input, error_text, submit, text
from handlers.teams.ids import InputId

PICK_ONE = "Pick an incident."


def incident_choices(views: list[IncidentView]) -> list[tuple[str, str]]:
    """Each open incident as `INC-0001 · what went wrong`, newest first as the list gives them."""
    return [(str(v.id), f"{v.key} · {' '.join(v.description.split())[:60]}") for v in views]


def add_form(
    views: list[IncidentView],
    *,
    excerpt: str,
    author: str,
    chosen: str | None = None,
    error: str | None = None,
) -> Element:
    """Which incident the message joins; errors show above the choice, the choice is kept."""
    body: list[Element] = [
        text(f"**Message from {author}**"),
        text(excerpt or "(no text)", subtle=True),
        text("A copy of this message is added to the incident as evidence.", size="Small"),
    ]
    if error:
        body.append(error_text(error))
    body.append(
        choice_input(
            InputId.INCIDENT, "Add to which incident?", incident_choices(views), value=chosen
        )
    )
    return card(body, [submit("Add to incident", style="positive")])
