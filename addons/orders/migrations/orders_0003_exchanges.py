"""exchanges (换货): the exchange and its lines

Revision ID: orders_0003
Revises: orders_0002
Create Date: 2026-12-04 19:27:25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "orders_0003"
down_revision = "orders_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the exchange tables (a return and a replacement delivery approved together)."""
    op.create_table('orders_exchange',
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('original_id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('salesperson_id', sa.Integer(), nullable=True),
    sa.Column('territory_id', sa.Integer(), nullable=True),
    sa.Column('settlement', sa.String(length=16), nullable=True),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('return_amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('replacement_amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('return_id', sa.Integer(), nullable=True),
    sa.Column('replacement_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_orders_exchange_company_id_core_company')),
    sa.ForeignKeyConstraint(['contract_id'], ['orders_contract.id'], name=op.f('fk_orders_exchange_contract_id_orders_contract')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_orders_exchange_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['customer_id'], ['masterdata_customer.id'], name=op.f('fk_orders_exchange_customer_id_masterdata_customer')),
    sa.ForeignKeyConstraint(['original_id'], ['orders_delivery.id'], name=op.f('fk_orders_exchange_original_id_orders_delivery')),
    sa.ForeignKeyConstraint(['replacement_id'], ['orders_delivery.id'], name=op.f('fk_orders_exchange_replacement_id_orders_delivery')),
    sa.ForeignKeyConstraint(['return_id'], ['orders_delivery.id'], name=op.f('fk_orders_exchange_return_id_orders_delivery')),
    sa.ForeignKeyConstraint(['salesperson_id'], ['masterdata_employee.id'], name=op.f('fk_orders_exchange_salesperson_id_masterdata_employee')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_orders_exchange_updated_by_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_exchange')),
    sa.UniqueConstraint('company_id', 'number', name=op.f('uq_orders_exchange_company_id_number'))
    )
    with op.batch_alter_table('orders_exchange', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_exchange_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_exchange_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_exchange_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_exchange_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_exchange_original_id'), ['original_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_exchange_replacement_id'), ['replacement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_exchange_return_id'), ['return_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_exchange_salesperson_id'), ['salesperson_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_exchange_territory_id'), ['territory_id'], unique=False)

    op.create_table('orders_exchange_line',
    sa.Column('exchange_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=3), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('replacement_line_id', sa.Integer(), nullable=False),
    sa.Column('replacement_product_id', sa.Integer(), nullable=False),
    sa.Column('replacement_quantity', sa.Numeric(precision=18, scale=3), nullable=False),
    sa.Column('replacement_unit_price', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_orders_exchange_line_company_id_core_company')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_orders_exchange_line_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['exchange_id'], ['orders_exchange.id'], name=op.f('fk_orders_exchange_line_exchange_id_orders_exchange')),
    sa.ForeignKeyConstraint(['product_id'], ['masterdata_product.id'], name=op.f('fk_orders_exchange_line_product_id_masterdata_product')),
    sa.ForeignKeyConstraint(['replacement_line_id'], ['orders_contract_line.id'], name=op.f('fk_orders_exchange_line_replacement_line_id_orders_contract_line')),
    sa.ForeignKeyConstraint(['replacement_product_id'], ['masterdata_product.id'], name=op.f('fk_orders_exchange_line_replacement_product_id_masterdata_product')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_orders_exchange_line_updated_by_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_exchange_line'))
    )
    with op.batch_alter_table('orders_exchange_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_exchange_line_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_exchange_line_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_exchange_line_exchange_id'), ['exchange_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_exchange_line_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_exchange_line_replacement_line_id'), ['replacement_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_exchange_line_replacement_product_id'), ['replacement_product_id'], unique=False)


def downgrade() -> None:
    """Drop the exchange tables."""
    with op.batch_alter_table('orders_exchange_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_exchange_line_replacement_product_id'))
        batch_op.drop_index(batch_op.f('ix_orders_exchange_line_replacement_line_id'))
        batch_op.drop_index(batch_op.f('ix_orders_exchange_line_product_id'))
        batch_op.drop_index(batch_op.f('ix_orders_exchange_line_exchange_id'))
        batch_op.drop_index(batch_op.f('ix_orders_exchange_line_company_id'))
        batch_op.drop_index(batch_op.f('ix_orders_exchange_line_active'))

    op.drop_table('orders_exchange_line')
    with op.batch_alter_table('orders_exchange', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_exchange_territory_id'))
        batch_op.drop_index(batch_op.f('ix_orders_exchange_salesperson_id'))
        batch_op.drop_index(batch_op.f('ix_orders_exchange_return_id'))
        batch_op.drop_index(batch_op.f('ix_orders_exchange_replacement_id'))
        batch_op.drop_index(batch_op.f('ix_orders_exchange_original_id'))
        batch_op.drop_index(batch_op.f('ix_orders_exchange_customer_id'))
        batch_op.drop_index(batch_op.f('ix_orders_exchange_contract_id'))
        batch_op.drop_index(batch_op.f('ix_orders_exchange_company_id'))
        batch_op.drop_index(batch_op.f('ix_orders_exchange_active'))

    op.drop_table('orders_exchange')
