"""the contract list's covering index (company, id, salesperson, customer)

Revision ID: orders_0002
Revises: orders_0001
Create Date: 2026-12-04 18:50:00
"""
from __future__ import annotations

from alembic import op

revision = "orders_0002"
down_revision = "orders_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """An index-only scan for the newest contracts a salesperson may read (issue 17: the contract list)."""
    with op.batch_alter_table('orders_contract', schema=None) as batch_op:
        batch_op.create_index('ix_orders_contract_list', ['company_id', 'id', 'salesperson_id', 'customer_id'],
                              unique=False)


def downgrade() -> None:
    """Drop the index."""
    with op.batch_alter_table('orders_contract', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_contract_list')
