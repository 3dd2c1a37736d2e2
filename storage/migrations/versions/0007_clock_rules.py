"""obligations say whether they only record a decision, their target, and their form's wording

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("obligations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("record_only", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("target_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("decision_form", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("obligations", schema=None) as batch_op:
        batch_op.drop_column("decision_form")
        batch_op.drop_column("target_at")
        batch_op.drop_column("record_only")
