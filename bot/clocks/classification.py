"""The classification questions both platforms ask, what they show pre-filled, and the answers
the form values become."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from bot.clocks.regimes import ClassificationAnswers, RiskLevel, SeriousCondition
from bot.clocks.wording import NOT_LEGAL_ADVICE
from bot.domain import IncidentView, PersonalData, Reach
from bot.errors import InvalidInput
from bot.incidents.labels import PERSONAL_DATA_OPTIONS
from bot.questions import Question, Widget, remark
from bot.settings import DeskConfig

FLAG_OPTIONS = [
    ("wrong_recipient", "It went to the wrong person"),
    ("client_received", "A client received the output"),
    ("client_acted", "A client acted on it"),
    ("downstream_actions", "Downstream systems acted on it (CRM, accounting, ticketing)"),
    ("high_risk_ai_system", "The AI system is high-risk under the EU AI Act"),
    (
        "ai_causal_link",
        "A causal link between the AI system and a serious incident is established or "
        "reasonably likely (EU AI Act Art. 73(2))",
    ),
    (
        "ai_art79_risk",
        "Using the AI system may present a risk to health, safety or fundamental rights "
        "(EU AI Act Art. 79(1))",
    ),
]
# SUP 15.3.1R's matters and Principle 11; touching regulated activity alone triggers nothing.
FCA_OPTIONS = [
    ("fca_reputation", "It could have a significant adverse effect on our reputation"),
    (
        "fca_customer_detriment",
        "It could affect our ability to provide adequate services, with serious detriment to a "
        "customer",
    ),
    (
        "fca_financial",
        "It could have serious financial consequences for the financial system or other firms",
    ),
    ("fca_expect_notice", "The FCA would reasonably expect notice of it (Principle 11)"),
]
BREACH_OPTIONS = [
    ("yes", "Yes"),
    ("no", "No: nobody saw, received, changed or lost it without authorisation"),
    ("unsure", "Unsure (treated as yes)"),
]
AI_CHOICES: dict[str, tuple[str, str, list[tuple[str, str]]]] = {
    # id: (label, hint, options); unanswered is "unsure", which raises every duty that may apply.
    "ai_role": (
        "EU AI Act: are we the provider of this AI system?",
        "Art. 73 binds providers; a deployer's duty is Art. 26(5). Unsure raises both.",
        [
            ("provider", "Yes: we are its provider"),
            ("deployer", "No: we deploy (use) it"),
            ("unsure", "Unsure"),
        ],
    ),
    "ai_provider_reachable": (
        "EU AI Act: could the provider be reached?",
        "A deployer that cannot reach the provider reports to the authority itself (Art. 26(5)).",
        [("yes", "Yes"), ("no", "No"), ("unsure", "Unsure")],
    ),
    "ai_annex": (
        "EU AI Act: why is the system high-risk?",
        "The high-risk rules apply from 2 Dec 2027 (Annex III) or 2 Aug 2028 (Annex I).",
        [
            ("annex_iii", "An Annex III use (e.g. employment, credit, essential services)"),
            ("annex_i", "A product, or a safety component of one, under Annex I"),
            ("unsure", "Unsure (the earlier date applies)"),
        ],
    ),
}

# The multi-select questions whose ticked names are yes/no answers; platforms read them all.
MULTI_QUESTIONS = ("flags", "fca", "scope")
NEEDS_PERSONAL_DATA_ANSWER = "Answer this when personal data is involved or you are unsure."
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
    ("property_environment", "Serious harm to property or the environment"),
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


def classify_questions(config: DeskConfig) -> list[Question]:
    """DESIGN.md's questions; the ids are ClassificationAnswers' field names (`flags` and
    `scope` hold the ticked flag names)."""
    questions = [
        Question(
            id="aware_at",
            label="When did the firm become aware?",
            widget=Widget.WHEN,
            hint="The clocks (e.g. ICO 72 h) start here. Defaults to the report time.",
        ),
        Question(
            id="personal_data",
            label="Was personal data involved?",
            widget=Widget.RADIO,
            options=tuple(PERSONAL_DATA_OPTIONS),
        ),
        Question(
            id="personal_data_breach",
            label="Was there a personal data breach?",
            widget=Widget.RADIO,
            required=False,
            hint="Anyone, inside or outside the firm, saw, received, changed or lost personal "
            "data without authorisation (UK GDPR Art. 4(12)). Needed when personal data is yes "
            "or unsure.",
            options=tuple(BREACH_OPTIONS),
        ),
        Question(
            id="risk_to_individuals",
            label="Risk to individuals' rights and freedoms",
            widget=Widget.RADIO,
            required=False,
            hint="Needed when personal data is yes or unsure. Only 'unlikely' stops the ICO clock, "
            "and then the reason must be recorded (Art. 33(5)).",
            options=tuple(RISK_OPTIONS),
        ),
        Question(
            id="flags",
            label="What happened (tick all that apply)",
            widget=Widget.MULTI,
            required=False,
            options=tuple(FLAG_OPTIONS),
        ),
        Question(
            id="fca",
            label="FCA (SUP 15.3 / Principle 11): could it… (tick all that apply)",
            widget=Widget.MULTI,
            required=False,
            options=tuple(FCA_OPTIONS),
        ),
        Question(
            id="serious_incident_condition",
            label="EU AI Act serious-incident condition",
            widget=Widget.SELECT,
            options=tuple(SERIOUS_OPTIONS),
        ),
        *(
            Question(
                id=qid,
                label=label,
                widget=Widget.SELECT,
                required=False,
                hint=hint,
                options=tuple(options),
            )
            for qid, (label, hint, options) in AI_CHOICES.items()
        ),
    ]
    scope = scope_options(config)
    if scope:
        questions.append(
            Question(
                id="scope",
                label="NIS2 / DORA",
                widget=Widget.MULTI,
                required=False,
                options=tuple(scope),
            )
        )
    questions += [
        Question(
            id="failure_type",
            label="Failure type",
            widget=Widget.SELECT,
            options=tuple((t.id, t.label) for t in config.failure_types),
        ),
        Question(
            id="failure_point",
            label="Failure point",
            widget=Widget.SELECT,
            required=False,
            options=tuple((p.id, p.label) for p in config.failure_points),
        ),
    ]
    if config.runbook:
        questions.append(
            Question(
                id="ai_tool",
                label="AI tool",
                widget=Widget.SELECT,
                required=False,
                options=tuple((t.id, t.name) for t in config.runbook),
            )
        )
    questions.append(remark("not_legal_advice", NOT_LEGAL_ADVICE))
    return questions


def classify_prefill(
    view: IncidentView, config: DeskConfig, previous: Mapping[str, Any]
) -> dict[str, Any]:
    """What the form shows before anyone answers: the stored answers, else what the incident
    already says (awareness defaults to the report time)."""
    return {
        "aware_at": view.aware_at or view.created_at,
        "personal_data": previous.get("personal_data") or view.personal_data.value,
        "personal_data_breach": previous.get("personal_data_breach"),
        "risk_to_individuals": previous.get("risk_to_individuals"),
        # Whether a client received it is the report's "reached a client", revisable here.
        "flags": [
            name
            for name, _ in FLAG_OPTIONS
            if (
                view.reach == Reach.REACHED_CLIENT
                if name == "client_received"
                else previous.get(name)
            )
        ],
        "fca": [name for name, _ in FCA_OPTIONS if previous.get(name)],
        "serious_incident_condition": previous.get("serious_incident_condition") or "none",
        **{qid: previous.get(qid) for qid in AI_CHOICES},
        "scope": [name for name, _ in scope_options(config) if previous.get(name)],
        "failure_type": view.failure_type,
        "failure_point": view.failure_point,
        "ai_tool": view.ai_tool if config.tool(view.ai_tool) else None,
    }


def answers_from_values(
    config: DeskConfig,
    values: Mapping[str, Any],
    *,
    aware_at: datetime | None,
    flags: Iterable[str],
) -> ClassificationAnswers:
    """The classify form's answers keyed by question id; the platform reads its own date, time
    and multi-select widgets (`flags` holds the ticked names of both `flags` and `scope`)."""

    def answer(question_id: str) -> str | None:
        value = values.get(question_id)
        return (value.strip() or None) if isinstance(value, str) else None

    return answers_from_form(
        config,
        aware_at=aware_at,
        personal_data=answer("personal_data"),
        breach=answer("personal_data_breach"),
        risk=answer("risk_to_individuals"),
        serious=answer("serious_incident_condition"),
        flags=flags,
        failure_type=answer("failure_type"),
        failure_point=answer("failure_point"),
        ai_tool=answer("ai_tool"),
        ai_choices={qid: value for qid in AI_CHOICES if (value := answer(qid))},
    )


def answers_from_form(
    config: DeskConfig,
    *,
    aware_at: datetime | None,
    personal_data: str | None,
    risk: str | None,
    breach: str | None = None,
    serious: str | None,
    flags: Iterable[str],
    failure_type: str | None,
    failure_point: str | None,
    ai_tool: str | None,
    ai_choices: Mapping[str, str] | None = None,
) -> ClassificationAnswers:
    """Raw form values as answers; InvalidInput names every field that is wrong at once."""
    errors: dict[str, str] = {}
    if aware_at is None or aware_at.tzinfo is None:
        errors["aware_at"] = "Pick when the firm became aware."
    if (personal_data or "unsure") not in {p.value for p in PersonalData}:
        errors["personal_data"] = "Say whether personal data was involved."
    if risk and risk not in {r.value for r in RiskLevel}:
        errors["risk_to_individuals"] = "Pick one of the risk levels."
    if breach and breach not in {p.value for p in PersonalData}:
        errors["personal_data_breach"] = "Pick yes, no or unsure."
    # Fail closed: with personal data in play these decide the ICO clock, so they must be answered.
    if (personal_data or "unsure") in {PersonalData.YES, PersonalData.UNSURE}:
        if not risk:
            errors["risk_to_individuals"] = NEEDS_PERSONAL_DATA_ANSWER
        if not breach:
            errors["personal_data_breach"] = NEEDS_PERSONAL_DATA_ANSWER
    disclosed = {"client_received", "wrong_recipient"} & set(flags)
    if breach == PersonalData.NO and personal_data == PersonalData.YES and disclosed:
        errors["personal_data_breach"] = (
            "Personal data reached a client or the wrong person: that disclosure is a breach "
            "(Art. 4(12)). Answer yes or unsure, or untick what happened."
        )
    if (serious or "none") not in {s.value for s in SeriousCondition}:
        errors["serious_incident_condition"] = "Pick a condition, or None of these."
    if failure_type and failure_type not in {t.id for t in config.failure_types}:
        errors["failure_type"] = "Pick a failure type from the list."
    if failure_point and failure_point not in {p.id for p in config.failure_points}:
        errors["failure_point"] = "Pick a failure point from the list."
    if ai_tool and config.tool(ai_tool) is None:
        errors["ai_tool"] = "Pick an AI tool from the runbook."
    ai_choices = dict(ai_choices or {})
    for qid, value in ai_choices.items():
        if qid not in AI_CHOICES or value not in {v for v, _ in AI_CHOICES[qid][2]}:
            errors[qid] = "Pick one of the listed answers."
    if errors:
        raise InvalidInput(errors)
    # Only questions the form asked count; a crafted flag name is ignored, not trusted.
    allowed = {name for name, _ in [*FLAG_OPTIONS, *FCA_OPTIONS, *scope_options(config)]}
    try:
        return ClassificationAnswers(
            personal_data=PersonalData(personal_data or "unsure"),
            personal_data_breach=PersonalData(breach or "unsure"),
            risk_to_individuals=RiskLevel(risk) if risk else None,
            serious_incident_condition=SeriousCondition(serious or "none"),
            dora_in_scope=config.firm.dora_in_scope,
            failure_type=failure_type or None,
            failure_point=failure_point or None,
            ai_tool=ai_tool or None,
            aware_at=aware_at,
            **ai_choices,
            **{name: True for name in set(flags) & allowed},
        )
    except ValidationError:
        raise InvalidInput({"aware_at": "Pick when the firm became aware."}) from None
