"""regulatory clocks

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "obligations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("regime_id", sa.String(length=60), nullable=False),
        sa.Column("regime_name", sa.String(length=255), nullable=False),
        sa.Column("stage_id", sa.String(length=60), nullable=False),
        sa.Column("stage_name", sa.String(length=255), nullable=False),
        sa.Column("recipient", sa.String(length=255), nullable=True),
        sa.Column("informational", sa.Boolean(), nullable=False),
        sa.Column("immediate", sa.Boolean(), nullable=False),
        sa.Column("clock_started_at", UTCDateTime(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("must_record", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=128), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("decision", sa.JSON(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("incident_id", "regime_id", "stage_id", name="uq_obligation_stage"),
    )
    with op.batch_alter_table("obligations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_obligations_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "nudges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("obligation_id", sa.Integer(), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["obligation_id"], ["obligations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("nudges", schema=None) as batch_op:
        batch_op.create_index("ix_nudges_due", ["status", "due_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_nudges_obligation_id"), ["obligation_id"], unique=False
        )

    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ai_tool", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("failure_point", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("aware_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("classified_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("classification", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("containment_paged_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("contained_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("contained_by", sa.String(length=128), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("contained_by")
        batch_op.drop_column("contained_at")
        batch_op.drop_column("containment_paged_at")
        batch_op.drop_column("classification")
        batch_op.drop_column("classified_at")
        batch_op.drop_column("aware_at")
        batch_op.drop_column("failure_point")
        batch_op.drop_column("ai_tool")

    with op.batch_alter_table("nudges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nudges_obligation_id"))
        batch_op.drop_index("ix_nudges_due")

    op.drop_table("nudges")
    with op.batch_alter_table("obligations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_obligations_incident_id"))

    op.drop_table("obligations")
