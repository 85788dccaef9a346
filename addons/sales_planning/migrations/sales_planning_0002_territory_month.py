"""sales_planning: the coarse monthly summary by territory and product (filled from the fine one)

Revision ID: sales_planning_0002
Revises: sales_planning_0001
Create Date: 2026-12-03 12:50:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "sales_planning_0002"
down_revision = "sales_planning_0001"
branch_labels = None
depends_on = None

TABLE = "sales_planning_sale_territory_month"


def upgrade() -> None:
    """Create the coarse summary and fill it from ``sales_planning_sale_month``."""
    op.create_table(TABLE,
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=True),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=3), nullable=False),
    sa.Column('gross_profit', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f(f'fk_{TABLE}_company_id_core_company')),
    sa.ForeignKeyConstraint(['product_id'], ['masterdata_product.id'], name=op.f(f'fk_{TABLE}_product_id_masterdata_product')),
    sa.ForeignKeyConstraint(['territory_id'], ['territories_territory.id'], name=op.f(f'fk_{TABLE}_territory_id_territories_territory')),
    sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{TABLE}'))
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{TABLE}_company_id'), ['company_id'], unique=False)
        batch_op.create_index(f'ix_{TABLE}_key', ['company_id', 'month', 'territory_id'], unique=False)
    op.execute(
        f"INSERT INTO {TABLE} (company_id, month, territory_id, product_id, amount, quantity, gross_profit) "
        "SELECT company_id, month, territory_id, product_id, SUM(amount), SUM(quantity), SUM(gross_profit) "
        "FROM sales_planning_sale_month GROUP BY company_id, month, territory_id, product_id"
    )


def downgrade() -> None:
    """Drop the coarse summary."""
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index(f'ix_{TABLE}_key')
        batch_op.drop_index(batch_op.f(f'ix_{TABLE}_company_id'))
    op.drop_table(TABLE)
