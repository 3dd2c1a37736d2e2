"""Every Teams command id, Action.Execute verb and card input id the app uses, in one place."""

from __future__ import annotations

from enum import StrEnum

REPORT_COMMAND = "reportIncident"  # message extension action command (manifest)
ADD_COMMAND = "addToIncident"  # the second one: Add to incident…


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
    CONFIRM = "triage.confirm"  # a suspected incident (screening) is a real incident
    HOME_REFRESH = "home.refresh"  # the dashboard card's automatic refresh
    CLASSIFY_SUBMIT = "classify.submit"
    CLASSIFY_CANCEL = "classify.cancel"
    REENABLE_SUBMIT = "tool.reenable_submit"  # carries a `tool` id, not an incident
    # Decision buttons (triage card and nudges) and their form carry an `obligation_id`.
    NOTIFIED = "obligation.notified"
    NOT_REQUIRED = "obligation.not_required"
    NOTIFIED_LATE = "obligation.late"
    DECISION_SUBMIT = "obligation.submit"
    DECISION_CANCEL = "obligation.cancel"


class InputId(StrEnum):
    """Inputs Teams code reads by name. The forms' inputs are the core's questions
    (bot/questions.py), named after the fields they fill, so a core error lands under its input;
    a WHEN question is two inputs, `<its id>_date` and `<its id>_time`."""

    DESCRIPTION = "description"  # pre-filled from `report <text>` in the chat
    SEVERITY = "severity"  # the triage card's picker
    AWARE_DATE = "aware_at_date"
    AWARE_TIME = "aware_at_time"
    FLAGS = "flags"  # multi-selects: Teams sends their values comma-separated
    SCOPE = "scope"
    NOTIFIED_DATE = "notified_at_date"
    NOTIFIED_TIME = "notified_at_time"
    INCIDENT = "incident"  # Add to incident…: the chosen incident's id
    CONTAIN_MODE = "contain_mode"  # how the tool was contained (bot/containment/tool_state.py)


class Origin(StrEnum):
    """Which card a decision or Contained button sits on, so its answer replaces that card."""

    TRIAGE = "triage"
    NUDGE = "nudge"
    PAGE = "page"  # the containment page sent to a kill-switch owner
