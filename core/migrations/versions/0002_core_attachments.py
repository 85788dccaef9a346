"""attachments: file metadata and per-company limits

Revision ID: core_0002_attachments
Revises: core_0001
Create Date: 2026-12-02 05:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "core_0002_attachments"
down_revision = "core_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "core_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=128), nullable=False),
        sa.Column("res_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("mime", sa.String(length=128), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("thumb_sha256", sa.String(length=64), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["core_company.id"], name=op.f("fk_core_attachment_company_id_core_company")),
        sa.ForeignKeyConstraint(["created_by_id"], ["core_user.id"], name=op.f("fk_core_attachment_created_by_id_core_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_core_attachment")),
    )
    with op.batch_alter_table("core_attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_core_attachment_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_core_attachment_sha256"), ["sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_core_attachment_thumb_sha256"), ["thumb_sha256"], unique=False)
        batch_op.create_index("ix_core_attachment_record", ["model", "res_id"], unique=False)
    op.create_table(
        "core_attachment_limit",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("max_size", sa.Integer(), nullable=True),
        sa.Column("max_count", sa.Integer(), nullable=True),
        sa.Column("allowed_types", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["company_id"], ["core_company.id"], name=op.f("fk_core_attachment_limit_company_id_core_company"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("company_id", name=op.f("pk_core_attachment_limit")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("core_attachment_limit")
    with op.batch_alter_table("core_attachment", schema=None) as batch_op:
        batch_op.drop_index("ix_core_attachment_record")
        batch_op.drop_index(batch_op.f("ix_core_attachment_thumb_sha256"))
        batch_op.drop_index(batch_op.f("ix_core_attachment_sha256"))
        batch_op.drop_index(batch_op.f("ix_core_attachment_company_id"))
    op.drop_table("core_attachment")
