"""field_activity: the phone's idempotency key on monthly summaries, inspection reports and competitor records

Revision ID: field_activity_0003
Revises: field_activity_0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'field_activity_0003'
down_revision = 'field_activity_0002'
branch_labels = None
depends_on = None

TABLES = ('field_activity_month_summary', 'field_activity_market_inspection', 'field_activity_competitor')


def upgrade() -> None:
    """Apply this revision."""
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('client_key', sa.String(length=64), nullable=True))
            batch_op.create_unique_constraint(op.f(f'uq_{table}_company_id_client_key'), ['company_id', 'client_key'])


def downgrade() -> None:
    """Revert this revision."""
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'uq_{table}_company_id_client_key'), type_='unique')
            batch_op.drop_column('client_key')
