"""What the firm's contracts say: each AI tool's vendor terms, and the insurer's and solicitor's
notice conditions. Each becomes a regime row, so classifying an incident raises the notice with its
window, next to the statutory ones (bot/clocks/regimes.py evaluates them all the same way)."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.clocks.regimes import Duration, Regime, Trigger, format_duration


class VendorTerms(BaseModel):
    """The AI tool's vendor contract: what they cover in a failure and how to reach them."""

    model_config = ConfigDict(extra="forbid")
    provider: str = Field(min_length=1, max_length=120)
    contract: str = Field(min_length=1, max_length=120)  # the contract's reference
    contact: str = Field(min_length=1, max_length=200)  # their incident contact
    # Notice the contract requires the firm to give the vendor; none: no "tell the vendor" clock.
    notice_window: Duration | None = None
    covers_notification: str | None = None  # which notifications the vendor makes itself
    covers_liability: str | None = None
    covers_log_retention: str | None = None


class PolicyKind(StrEnum):
    INSURER = "insurer"
    SOLICITOR = "solicitor"


# A policy's default condition: the AI's output reached a client who (or a system that) acted on
# it, or personal data went to the wrong recipient: a claim is possible, or it is a cyber incident.
DEFAULT_POLICY_TRIGGER: dict[str, Any] = {
    "any": [
        {"field": "client_acted", "is_true": True},
        {"field": "downstream_actions", "is_true": True},
        {"field": "wrong_recipient", "is_true": True},
    ]
}


class PolicyNotice(BaseModel):
    """An insurer or the firm's solicitor, notified under a policy when a classification says so."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9_]{1,40}$")
    kind: PolicyKind
    name: str = Field(min_length=1, max_length=120)
    policy_number: str | None = Field(default=None, max_length=120)
    window: Duration
    contact: str = Field(min_length=1, max_length=200)
    # A condition in the regime table's trigger syntax (docs/CLOCKS.md); see the default above.
    when: dict[str, Any] = Field(default_factory=lambda: dict(DEFAULT_POLICY_TRIGGER))

    @field_validator("when")
    @classmethod
    def _a_condition(cls, value: dict[str, Any]) -> dict[str, Any]:
        # Checked here so that a typo is reported under notices.<n>.when at start-up.
        try:
            Trigger.model_validate(value)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ValueError(f"{where}: {first['msg']}" if where else first["msg"]) from None
        return value


def _stage(stage_id: str, name: str, window: timedelta) -> dict[str, Any]:
    # Reminders before the deadline come from the regime table's ladder; once due, every 12 h.
    return {"id": stage_id, "name": name, "deadline": window, "nudge_after": ["12h"]}


def vendor_regime(tool_id: str, tool_name: str, vendor: VendorTerms) -> Regime | None:
    """The "tell the vendor" row for one tool, raised by any incident classified to that tool."""
    if vendor.notice_window is None:
        return None
    return Regime.model_validate(
        {
            "id": f"vendor_{tool_id}"[:60],
            "name": f"Tell the vendor: {vendor.provider} ({tool_name})",
            "recipient": vendor.contact,
            "trigger": {"field": "ai_tool", "equals": tool_id},
            "stages": [
                _stage(
                    "notify",
                    f"Notify {vendor.provider} within {format_duration(vendor.notice_window)}",
                    vendor.notice_window,
                )
            ],
            "must_record": [{"id": "vendor_reference", "label": "The vendor's ticket or reply"}],
            "source": f"Contract {vendor.contract} with {vendor.provider}",
            "notes": vendor_covers(vendor) or None,
        }
    )


def policy_regime(policy: PolicyNotice) -> Regime:
    """The insurer's or solicitor's notice as a regime row."""
    number = f" (policy {policy.policy_number})" if policy.policy_number else ""
    who = "Tell the insurer" if policy.kind == PolicyKind.INSURER else "Tell the solicitor"
    return Regime.model_validate(
        {
            "id": f"{policy.kind.value}_{policy.id}",
            "name": f"{who}: {policy.name}{number}",
            "recipient": policy.contact,
            "trigger": policy.when,
            "stages": [
                _stage(
                    "notify",
                    f"Notify {policy.name} within {format_duration(policy.window)}",
                    policy.window,
                )
            ],
            "must_record": [{"id": "notice_reference", "label": "Their claim or matter reference"}],
            "source": f"{policy.name}{number}: notice condition in the policy",
        }
    )


def vendor_covers(vendor: VendorTerms) -> str:
    """What the vendor does in a failure, in one line."""
    parts = [
        f"{label}: {value}"
        for label, value in (
            ("notifications", vendor.covers_notification),
            ("liability", vendor.covers_liability),
            ("log retention", vendor.covers_log_retention),
        )
        if value
    ]
    return "; ".join(parts)
