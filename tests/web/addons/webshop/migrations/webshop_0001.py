"""webshop initial"""
import sqlalchemy as sa
from alembic import op

import core.db

revision = "webshop_0001"
down_revision = None
branch_labels = ("webshop",)
depends_on = None


def upgrade():
    op.create_table(
        "webshop_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("company_id", sa.Integer(), sa.ForeignKey("core_company.id"), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("core_user.id"), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), sa.ForeignKey("core_user.id"), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("code", sa.String(20), nullable=True),
        sa.Column("price", sa.Numeric(12, 2), nullable=False),
        sa.Column("cost", sa.Numeric(12, 2), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("core_user.id"), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("webshop_item.id"), nullable=True),
        sa.UniqueConstraint("company_id", "code"),
    )


def downgrade():
    op.drop_table("webshop_item")
