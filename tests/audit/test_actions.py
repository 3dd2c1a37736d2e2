"""Audit action names are stored and hash-chained: the enum may grow, a value never changes."""

from __future__ import annotations

from bot.audit.actions import AuditAction

STORED = {
    "audit.chain_started",
    "admins.changed",
    "incident.reported",
    "incident.reporter_added",
    "incident.suspected",
    "incident.assigned",
    "incident.severity_changed",
    "incident.marked_near_miss",
    "incident.confirmed",
    "incident.classified",
    "incident.contained",
    "incident.closed",
    "incident.exported",
    "tool.reenable_approved",
    "tool.reenabled",
    "obligations.derived",
    "obligation.decided",
    "evidence.added",
    "evidence.capture_attached",
    "evidence.source_edited",
    "evidence.source_deleted",
    "evidence.source_restored",
    "evidence.files_fetched",
    "evidence.redacted",
    "triage.refused",
    # What a refused non-admin attempted (kept in the refusal's `after.attempted`).
    "incident.close_form",
    "incident.classify_form",
    "obligation.decision_form",
    "evidence.add",
    "incident.export",
}


def test_every_action_name_ever_stored_is_still_a_member() -> None:
    assert {a.value for a in AuditAction} >= STORED


def test_a_member_is_its_stored_string() -> None:
    assert AuditAction.ASSIGNED.value == "incident.assigned"
    assert str(AuditAction.REFUSED) == "triage.refused"
