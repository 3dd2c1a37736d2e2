"""each runbook tool's state: contained (and how) or re-enabled on sign-off

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ai_tool_states",
        sa.Column("tool_id", sa.String(length=60), primary_key=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=True),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=128), nullable=False),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incidents.id"), nullable=True),
        sa.Column("approvals", sa.JSON(), nullable=False),
        sa.Column("reenabled_at", UTCDateTime(), nullable=True),
        sa.Column("reenabled_by", sa.JSON(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("ai_tool_states")
