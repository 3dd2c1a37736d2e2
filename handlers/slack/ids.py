"""Every Slack callback, action and block id the app uses, in one place."""

from __future__ import annotations

from enum import StrEnum


class CallbackId(StrEnum):
    REPORT_MESSAGE = "report_incident"  # message shortcut (manifest)
    REPORT_GLOBAL = "report_incident_global"  # global shortcut (manifest)
    REPORT_MODAL = "report_incident_modal"
    CLOSE_MODAL = "close_incident_modal"
    ADD_TO_INCIDENT = "add_to_incident"  # message shortcut (manifest)
    ADD_EVIDENCE_MODAL = "add_evidence_modal"
    CLASSIFY_MODAL = "classify_incident_modal"
    DECISION_MODAL = "obligation_decision_modal"
    REENABLE_MODAL = "reenable_tool_modal"


class ActionId(StrEnum):
    ASSIGN_ME = "triage_assign_me"
    SEVERITY = "triage_severity"
    NEAR_MISS = "triage_near_miss"
    FALSE_POSITIVE = "triage_false_positive"
    CLOSE = "triage_close"
    HOME_REPORT = "home_report"
    CLASSIFY = "triage_classify"
    CONTAINED = "triage_contained"
    NOTIFIED = "obligation_notified"
    NOT_REQUIRED = "obligation_not_required"
    NOTIFIED_LATE = "obligation_notified_late"
    CONFIRM = "triage_confirm"  # a suspected incident is real


class BlockId(StrEnum):
    """Input blocks are named after the fields they fill, so a core error lands under its input;
    the report, close and decision forms' blocks are the core's questions (bot/questions.py)."""

    DESCRIPTION = "description"
    FAILURE_TYPE = "failure_type"
    REACH = "reach"
    PERSONAL_DATA = "personal_data"
    OUTCOME = "outcome"
    RATIONALE = "rationale"
    ROOT_CAUSE = "root_cause"
    LESSONS = "lessons"
    TRIAGE_ACTIONS = "triage_actions"
    CORRECTION = "correction"
    INCIDENT = "incident"
    AWARE_AT = "aware_at"
    FLAGS = "flags"
    RISK = "risk_to_individuals"
    SERIOUS = "serious_incident_condition"
    SCOPE = "scope"
    FAILURE_POINT = "failure_point"
    AI_TOOL = "ai_tool"
    REFERENCE = "reference"
    NOTIFIED_AT = "notified_at"
    REASONS = "reasons"


SLASH_COMMAND = "/incident"
