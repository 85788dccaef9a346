"""sales_planning: a revision's period grain (months, or weeks split at the month edges)

Revision ID: sales_planning_0003
Revises: sales_planning_0002
Create Date: 2026-12-04 18:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "sales_planning_0003"
down_revision = "sales_planning_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Every existing revision is monthly."""
    with op.batch_alter_table("sales_planning_plan", schema=None) as batch_op:
        batch_op.add_column(sa.Column("grain", sa.String(length=8), server_default="month", nullable=False))


def downgrade() -> None:
    """Drop the grain (weekly revisions then read as monthly ones: split them back first)."""
    with op.batch_alter_table("sales_planning_plan", schema=None) as batch_op:
        batch_op.drop_column("grain")
