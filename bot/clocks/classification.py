"""The classification questions both platforms ask, and the answers the form values become."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import ValidationError

from bot.clocks.regimes import ClassificationAnswers, RiskLevel, SeriousCondition
from bot.domain import PersonalData
from bot.errors import InvalidInput
from bot.settings import DeskConfig

FLAG_OPTIONS = [
    ("wrong_recipient", "It went to the wrong person"),
    ("client_received", "A client received the output"),
    ("client_acted", "A client acted on it"),
    ("downstream_actions", "Downstream systems acted on it (CRM, accounting, ticketing)"),
    ("fca_regulated", "It touches FCA-regulated activity"),
    ("high_risk_ai_system", "The AI system is high-risk under the EU AI Act"),
]
RISK_OPTIONS = [
    ("unlikely", "Unlikely to result in a risk to individuals"),
    ("risk", "Likely to result in a risk to individuals"),
    ("high_risk", "Likely to result in a high risk to individuals"),
]
SERIOUS_OPTIONS = [
    ("none", "None of these"),
    ("death", "Death of a person"),
    ("serious_harm_health", "Serious harm to a person's health"),
    ("critical_infrastructure", "Serious, irreversible disruption of critical infrastructure"),
    ("fundamental_rights", "Infringement of fundamental-rights obligations"),
    ("widespread_infringement", "Widespread infringement (many people or countries)"),
]
SCOPE_OPTIONS = {
    "nis2_in_scope": "A significant incident under NIS2",
    "dora_major": "A major ICT-related incident under DORA",
}


def scope_options(config: DeskConfig) -> list[tuple[str, str]]:
    """The NIS2 / DORA questions, asked only where the config says the firm is in scope."""
    in_scope = {"nis2_in_scope": config.firm.nis2_in_scope, "dora_major": config.firm.dora_in_scope}
    return [(k, v) for k, v in SCOPE_OPTIONS.items() if in_scope[k]]


def answers_from_form(
    config: DeskConfig,
    *,
    aware_at: datetime | None,
    personal_data: str | None,
    risk: str | None,
    serious: str | None,
    flags: Iterable[str],
    failure_type: str | None,
    failure_point: str | None,
    ai_tool: str | None,
) -> ClassificationAnswers:
    """Raw form values as answers; InvalidInput names every field that is wrong at once."""
    errors: dict[str, str] = {}
    if aware_at is None or aware_at.tzinfo is None:
        errors["aware_at"] = "Pick when the firm became aware."
    if (personal_data or "unsure") not in {p.value for p in PersonalData}:
        errors["personal_data"] = "Say whether personal data was involved."
    if risk and risk not in {r.value for r in RiskLevel}:
        errors["risk_to_individuals"] = "Pick one of the risk levels."
    if (serious or "none") not in {s.value for s in SeriousCondition}:
        errors["serious_incident_condition"] = "Pick a condition, or None of these."
    if failure_type and failure_type not in {t.id for t in config.failure_types}:
        errors["failure_type"] = "Pick a failure type from the list."
    if failure_point and failure_point not in {p.id for p in config.failure_points}:
        errors["failure_point"] = "Pick a failure point from the list."
    if ai_tool and config.tool(ai_tool) is None:
        errors["ai_tool"] = "Pick an AI tool from the runbook."
    if errors:
        raise InvalidInput(errors)
    # Only questions the form asked count; a crafted flag name is ignored, not trusted.
    allowed = {name for name, _ in FLAG_OPTIONS} | {name for name, _ in scope_options(config)}
    try:
        return ClassificationAnswers(
            personal_data=PersonalData(personal_data or "unsure"),
            risk_to_individuals=RiskLevel(risk) if risk else None,
            serious_incident_condition=SeriousCondition(serious or "none"),
            dora_in_scope=config.firm.dora_in_scope,
            failure_type=failure_type or None,
            failure_point=failure_point or None,
            ai_tool=ai_tool or None,
            aware_at=aware_at,
            **{name: True for name in set(flags) & allowed},
        )
    except ValidationError:
        raise InvalidInput({"aware_at": "Pick when the firm became aware."}) from None
