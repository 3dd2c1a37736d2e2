"""How containment is told to people: the page to a kill-switch owner, the runbook entry a card
shows, and whether the card must warn that no tool (so no owner) is known yet."""

from __future__ import annotations

from typing import Any

from bot.clocks.regimes import format_duration
from bot.containment.terms import VendorTerms, vendor_covers
from bot.containment.timing import time_to_containment
from bot.domain import IncidentView, Severity
from bot.notes import Note, note, person, strong

PAGED = frozenset({Severity.SEV1, Severity.SEV2})  # owners are paged from these severities on
RUNBOOK_FACTS = (
    ("logs", "Logs"),
    ("safe_to_reenable", "Safe to re-enable when"),
    ("reportable", "Reportable when"),
)
MISSING_RUNBOOK = note(
    "No runbook entry for this AI tool: pick the tool in ",
    strong("Classify…"),
    " so its owners are paged to switch it off.",
)


def tool_name(view: IncidentView) -> str:
    return str((view.runbook or {}).get("name") or view.ai_tool or "the AI tool")


def severity_named(view: IncidentView) -> str:
    return view.severity.value if view.severity else "high severity"


def containment_summary(view: IncidentView) -> str:
    """The page's notification text."""
    return f"{view.key} is {severity_named(view)}: please switch off {tool_name(view)} now"


def containment_ask(view: IncidentView) -> Note:
    return note(
        strong(view.key),
        " is ",
        strong(severity_named(view)),
        ". Containment comes first: please switch off ",
        strong(tool_name(view)),
        " now, then press ",
        strong("Contained"),
        ".",
    )


def contained_note(view: IncidentView) -> Note | None:
    if view.contained_at is None:
        return None
    took = time_to_containment(
        aware_at=view.aware_at, created_at=view.created_at, contained_at=view.contained_at
    )
    assert took is not None
    return note(f"Contained {took.label} by ", person(view.contained_by))


def runbook_missing(view: IncidentView) -> bool:
    """Paged severity, not contained, and no tool chosen: nobody can be paged to switch it off."""
    return not view.runbook and view.severity in PAGED and not view.contained_at


def runbook_facts(book: dict[str, Any]) -> list[tuple[str, str]]:
    """The runbook entry's optional facts, in order, as (label, value), then the vendor's part."""
    facts = [(label, str(book[key])) for key, label in RUNBOOK_FACTS if book.get(key)]
    if book.get("vendor"):
        facts += vendor_facts(VendorTerms.model_validate(book["vendor"]))
    return facts


def vendor_facts(vendor: VendorTerms) -> list[tuple[str, str]]:
    """What the vendor does in a failure, and what the firm must do itself."""
    ours = "Our own notices (the clocks on this card)"
    if vendor.notice_window is not None:
        ours += f", and telling {vendor.provider} within {format_duration(vendor.notice_window)}"
    return [
        (
            "Vendor",
            f"{vendor.provider}, contract {vendor.contract}; incident contact {vendor.contact}",
        ),
        ("What the vendor does", vendor_covers(vendor) or "nothing recorded in the runbook"),
        ("What we must do", ours),
    ]
