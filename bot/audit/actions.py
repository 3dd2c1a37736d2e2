"""Every action name the audit log knows, in one place.

The values are stored in `audit_events.action` and covered by the hash chain, so a value never
changes: rename a member if you must, never its string."""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    # The chain itself.
    CHAIN_STARTED = "audit.chain_started"  # seals the events recorded before the chain
    # Who the admins are, when INCIDENT_ADMINS names a group whose members changed.
    ADMINS_CHANGED = "admins.changed"
    # An incident's life.
    REPORTED = "incident.reported"
    REPORTER_ADDED = "incident.reporter_added"
    SUSPECTED = "incident.suspected"  # raised by automatic screening
    ASSIGNED = "incident.assigned"
    SEVERITY_CHANGED = "incident.severity_changed"
    MARKED_NEAR_MISS = "incident.marked_near_miss"
    CONFIRMED = "incident.confirmed"  # a suspected incident is real
    CLASSIFIED = "incident.classified"
    CONTAINED = "incident.contained"
    CLOSED = "incident.closed"
    EXPORTED = "incident.exported"
    # An AI tool's own life (its incident's containment is CONTAINED above).
    TOOL_REENABLE_APPROVED = "tool.reenable_approved"  # one approver's sign-off, more needed
    TOOL_REENABLED = "tool.reenabled"
    # Regulatory clocks.
    OBLIGATIONS_DERIVED = "obligations.derived"
    OBLIGATION_DECIDED = "obligation.decided"
    # Evidence.
    EVIDENCE_ADDED = "evidence.added"
    CAPTURE_ATTACHED = "evidence.capture_attached"  # a capture that finished after the submit
    SOURCE_EDITED = "evidence.source_edited"
    SOURCE_DELETED = "evidence.source_deleted"
    SOURCE_RESTORED = "evidence.source_restored"  # a deleted source undeleted (Teams)
    FILES_FETCHED = "evidence.files_fetched"
    EVIDENCE_REDACTED = "evidence.redacted"
    # A non-admin's attempt; `after.attempted` names what they tried: one of the actions above,
    # or one of the admin-only steps below, which are never recorded as events of their own.
    REFUSED = "triage.refused"
    CLOSE_FORM = "incident.close_form"
    CLASSIFY_FORM = "incident.classify_form"
    DECISION_FORM = "obligation.decision_form"
    ADD_EVIDENCE = "evidence.add"
    EXPORT = "incident.export"
