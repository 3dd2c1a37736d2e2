"""teams conversation references; room for Teams conversation ids

Revision ID: 0003
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teams_conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=True),
        sa.Column("user_name", sa.String(length=255), nullable=True),
        sa.Column("conversation_id", sa.String(length=512), nullable=True),
        sa.Column("service_url", sa.String(length=512), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=True),
        sa.Column("bot_id", sa.String(length=255), nullable=False),
        sa.Column("captured_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("scope", "key", name="uq_teams_conversation"),
    )
    _widen(incidents=512, card_posts=512)


def downgrade() -> None:
    _widen(incidents=64, card_posts=128)
    op.drop_table("teams_conversations")


def _widen(*, incidents: int, card_posts: int) -> None:
    """Teams conversation ids (a:1…, 19:…;messageid=…) outgrow the Slack-sized columns.
    SQLite does not enforce VARCHAR lengths, so only other databases need the change."""
    if op.get_bind().dialect.name == "sqlite":
        return
    op.alter_column("incidents", "channel_id", type_=sa.String(length=incidents))
    op.alter_column("card_posts", "channel", type_=sa.String(length=card_posts))
