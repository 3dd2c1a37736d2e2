"""audit hash chain, evidence changes and files, redaction, correction

Audit events already in the table keep seq/prev_hash/hash NULL: a migration has no HMAC key, so
it cannot seal them. The first event the bot records afterwards is `audit.chain_started`, whose
sealed payload holds the count and a SHA-256 digest of those earlier rows; `audit verify`
recomputes that digest. See docs/AUDIT.md, "Events recorded before the chain".

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_audit_events_seq", ["seq"], unique=True)

    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("redacted_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("redacted_by", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("redaction_reason", sa.Text(), nullable=True))

    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("correction", sa.Text(), nullable=True))

    op.create_table(
        "evidence_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("change_id", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("changed_by", sa.String(length=128), nullable=True),
        sa.Column("content", sa.JSON(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("evidence_id", "change_id", name="uq_evidence_change_once"),
    )
    with op.batch_alter_table("evidence_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_changes_evidence_id"), ["evidence_id"], unique=False
        )

    op.create_table(
        "evidence_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("mimetype", sa.String(length=255), nullable=True),
        sa.Column("declared_size", sa.BigInteger(), nullable=True),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("storage_ref", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("fetched_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("evidence_id", "position", name="uq_evidence_file_position"),
    )
    with op.batch_alter_table("evidence_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_files_evidence_id"), ["evidence_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("evidence_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_files_evidence_id"))
    op.drop_table("evidence_files")
    with op.batch_alter_table("evidence_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_changes_evidence_id"))
    op.drop_table("evidence_changes")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("correction")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_column("redaction_reason")
        batch_op.drop_column("redacted_by")
        batch_op.drop_column("redacted_at")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_seq")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
    op.drop_table("audit_head")
