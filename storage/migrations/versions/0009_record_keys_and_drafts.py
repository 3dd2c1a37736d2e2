"""Slack message keys without the reporter's team id; evidence drafts owned by an incident;
audit events seal the state they produced

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _new_key(key: str) -> str | None:
    # The same rule as bot.evidence.keys.legacy_slack_key, kept here so the migration never moves.
    parts = key.split(":")
    if len(parts) != 4 or parts[0] != "slack":
        return None
    return f"slack:{parts[2]}:{parts[3]}"


def _rewrite(table: str, unique: bool) -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(f"SELECT id, source_key FROM {table} WHERE source_key LIKE 'slack:%' ORDER BY id")
    ).all()
    taken = {r.source_key for r in rows}
    for row in rows:
        new = _new_key(row.source_key)
        if new is None or new == row.source_key:
            continue
        if unique and new in taken:
            # One message reported from both sides of a Slack Connect channel before this fix:
            # the oldest keeps the shared key, the other keeps its old key and stays its own.
            continue
        taken.add(new)
        bind.execute(
            sa.text(f"UPDATE {table} SET source_key = :new WHERE id = :id"),
            {"new": new, "id": row.id},
        )


def upgrade() -> None:
    _rewrite("incidents", unique=True)
    _rewrite("evidence", unique=False)
    _rewrite("screening_overflow", unique=True)
    with op.batch_alter_table("evidence_drafts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("incident_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_evidence_drafts_incident", "incidents", ["incident_id"], ["id"], ondelete="CASCADE"
        )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("state", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("state")
    with op.batch_alter_table("evidence_drafts", schema=None) as batch_op:
        batch_op.drop_constraint("fk_evidence_drafts_incident", type_="foreignkey")
        batch_op.drop_column("incident_id")
