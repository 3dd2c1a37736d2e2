"""Near misses are first-class: caught before they reached anyone, they start no regulatory
clock unless a personal data breach occurred (or may have). A breach (UK GDPR Art. 4(12)) includes
unauthorised access inside the firm, so the gate is the breach answer, not whether data left."""

from __future__ import annotations

from bot.audit.actions import AuditAction
from bot.clocks.regimes import ClassificationAnswers
from bot.domain import Kind, PersonalData

# Kind changes after which an incident's clocks are re-derived from its stored answers.
KIND_CHANGES = frozenset({AuditAction.MARKED_NEAR_MISS, AuditAction.CONFIRMED})


def data_left_the_firm(answers: ClassificationAnswers) -> bool:
    """Personal data reached someone outside: a client received it, or a wrong recipient."""
    return answers.personal_data == PersonalData.YES and (
        answers.client_received or answers.wrong_recipient
    )


def breach_possible(answers: ClassificationAnswers) -> bool:
    """A personal data breach occurred or may have ("unsure" fails closed)."""
    if answers.personal_data == PersonalData.NO:
        return False
    return answers.personal_data_breach != PersonalData.NO or data_left_the_firm(answers)


def starts_clocks(kind: Kind | str, answers: ClassificationAnswers) -> bool:
    """Whether these answers may start regulatory clocks for an incident of this kind."""
    return Kind(kind) != Kind.NEAR_MISS or breach_possible(answers)
