"""webextra initial"""
import sqlalchemy as sa
from alembic import op

import core.db

revision = "webextra_0001"
down_revision = None
branch_labels = ("webextra",)
depends_on = None


def upgrade():
    op.create_table(
        "webextra_note",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("company_id", sa.Integer(), sa.ForeignKey("core_company.id"), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("core_user.id"), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), sa.ForeignKey("core_user.id"), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("webshop_item.id", ondelete="CASCADE"), nullable=False),
        sa.Column("text", sa.String(40), nullable=False),
        sa.UniqueConstraint("item_id"),
    )


def downgrade():
    op.drop_table("webextra_note")
