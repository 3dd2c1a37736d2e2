"""Every Slack callback, action and block id the app uses, in one place."""

from __future__ import annotations

from enum import StrEnum


class CallbackId(StrEnum):
    REPORT_MESSAGE = "report_incident"  # message shortcut (manifest)
    REPORT_GLOBAL = "report_incident_global"  # global shortcut (manifest)
    REPORT_MODAL = "report_incident_modal"
    CLOSE_MODAL = "close_incident_modal"


class ActionId(StrEnum):
    ASSIGN_ME = "triage_assign_me"
    SEVERITY = "triage_severity"
    NEAR_MISS = "triage_near_miss"
    FALSE_POSITIVE = "triage_false_positive"
    CLOSE = "triage_close"
    HOME_REPORT = "home_report"
    CONFIRM = "triage_confirm"  # a suspected incident is real


class BlockId(StrEnum):
    DESCRIPTION = "description"
    FAILURE_TYPE = "failure_type"
    REACH = "reach"
    PERSONAL_DATA = "personal_data"
    OUTCOME = "outcome"
    RATIONALE = "rationale"
    ROOT_CAUSE = "root_cause"
    LESSONS = "lessons"
    TRIAGE_ACTIONS = "triage_actions"


SLASH_COMMAND = "/incident"
