"""Every Teams command id, Action.Execute verb and card input id the app uses, in one place."""

from __future__ import annotations

from enum import StrEnum

REPORT_COMMAND = "reportIncident"  # message extension action command (manifest)


class Verb(StrEnum):
    """`Action.Execute` verbs: each arrives as an `adaptiveCard/action` invoke."""

    ASSIGN_ME = "triage.assign_me"
    SEVERITY = "triage.severity"
    NEAR_MISS = "triage.near_miss"
    FALSE_POSITIVE = "triage.false_positive"
    CLOSE = "triage.close"
    CLOSE_SUBMIT = "close.submit"
    CLOSE_CANCEL = "close.cancel"
    REPORT_SUBMIT = "report.submit"  # the report form posted in the 1:1 chat
    CLASSIFY = "triage.classify"
    CONTAINED = "triage.contained"
    CLASSIFY_SUBMIT = "classify.submit"
    CLASSIFY_CANCEL = "classify.cancel"
    # Decision buttons (triage card and nudges) and their form carry an `obligation_id`.
    NOTIFIED = "obligation.notified"
    NOT_REQUIRED = "obligation.not_required"
    NOTIFIED_LATE = "obligation.late"
    DECISION_SUBMIT = "obligation.submit"
    DECISION_CANCEL = "obligation.cancel"


class InputId(StrEnum):
    DESCRIPTION = "description"
    FAILURE_TYPE = "failure_type"
    REACH = "reach"
    PERSONAL_DATA = "personal_data"
    SEVERITY = "severity"
    OUTCOME = "outcome"
    RATIONALE = "rationale"
    ROOT_CAUSE = "root_cause"
    LESSONS = "lessons"
    # Classification: the ids are ClassificationAnswers' field names, so core errors land here.
    AWARE_DATE = "aware_at_date"
    AWARE_TIME = "aware_at_time"
    RISK = "risk_to_individuals"
    FLAGS = "flags"
    SERIOUS = "serious_incident_condition"
    SCOPE = "scope"
    FAILURE_POINT = "failure_point"
    AI_TOOL = "ai_tool"
    # Decisions: likewise DecisionInput's field names.
    REFERENCE = "reference"
    NOTIFIED_DATE = "notified_at_date"
    NOTIFIED_TIME = "notified_at_time"
    REASONS = "reasons"
    DETAIL_PREFIX = "detail__"


class Origin(StrEnum):
    """Which card a decision or Contained button sits on, so its answer replaces that card."""

    TRIAGE = "triage"
    NUDGE = "nudge"
    PAGE = "page"  # the containment page sent to a kill-switch owner
