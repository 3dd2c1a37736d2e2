"""screening hits and overflow, scheduled job runs

Revision ID: 0005
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0005"
# Re-chained by the integrator after the other branches' 0003 and 0004.
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screening_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.String(length=60), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_id", "rule_id", name="uq_screening_hit"),
    )
    with op.batch_alter_table("screening_hits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_screening_hits_incident_id"), ["incident_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_screening_hits_rule_id"), ["rule_id"], unique=False)

    op.create_table(
        "screening_overflow",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_key", sa.String(length=255), nullable=False),
        sa.Column("platform", sa.String(length=10), nullable=False),
        sa.Column("channel_id", sa.String(length=512), nullable=False),
        sa.Column("message_ts", sa.String(length=64), nullable=True),
        sa.Column("author", sa.String(length=255), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("signals", sa.JSON(), nullable=False),
        sa.Column("rule_ids", sa.JSON(), nullable=False),
        sa.Column("detected_at", UTCDateTime(), nullable=False),
        sa.Column("digested_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_key"),
    )
    with op.batch_alter_table("screening_overflow", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_screening_overflow_digested_at"), ["digested_at"], unique=False
        )

    op.create_table(
        "job_runs",
        sa.Column("job_id", sa.String(length=60), nullable=False),
        sa.Column("period", sa.String(length=40), nullable=False),
        sa.Column("ran_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("job_id", "period"),
    )


def downgrade() -> None:
    op.drop_table("job_runs")
    with op.batch_alter_table("screening_overflow", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_overflow_digested_at"))
    op.drop_table("screening_overflow")
    with op.batch_alter_table("screening_hits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_hits_rule_id"))
        batch_op.drop_index(batch_op.f("ix_screening_hits_incident_id"))
    op.drop_table("screening_hits")
