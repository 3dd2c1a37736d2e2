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


class ChatCommand(StrEnum):
    HELP = "help"
    LIST = "list"
    SHOW = "show"
    REPORT = "report"
