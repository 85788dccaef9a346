"""orders: initial tables (settings, counters, contracts, deliveries and returns, collections, allocations)

Revision ID: orders_0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "orders_0001"
down_revision = None
branch_labels = ("orders",)
depends_on = None


def upgrade() -> None:
    """Create the addon's tables."""
    op.create_table('orders_counter',
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_orders_counter_company_id_core_company')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_orders_counter_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_orders_counter_updated_by_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_counter')),
    sa.UniqueConstraint('company_id', 'kind', 'year', name=op.f('uq_orders_counter_company_id_kind_year'))
    )
    op.create_index(op.f('ix_orders_counter_active'), 'orders_counter', ['active'], unique=False)
    op.create_index(op.f('ix_orders_counter_company_id'), 'orders_counter', ['company_id'], unique=False)
    op.create_table('orders_settings',
    sa.Column('overdue_threshold', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('default_payment_days', sa.Integer(), nullable=False),
    sa.Column('closed_until', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_orders_settings_company_id_core_company')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_orders_settings_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_orders_settings_updated_by_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_settings')),
    sa.UniqueConstraint('company_id', name=op.f('uq_orders_settings_company_id'))
    )
    op.create_index(op.f('ix_orders_settings_active'), 'orders_settings', ['active'], unique=False)
    op.create_index(op.f('ix_orders_settings_company_id'), 'orders_settings', ['company_id'], unique=False)
    op.create_table('orders_collection',
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('salesperson_id', sa.Integer(), nullable=True),
    sa.Column('territory_id', sa.Integer(), nullable=True),
    sa.Column('settlement', sa.String(length=16), nullable=True),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('confirmed_on', sa.Date(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_orders_collection_company_id_core_company')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_orders_collection_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['customer_id'], ['masterdata_customer.id'], name=op.f('fk_orders_collection_customer_id_masterdata_customer')),
    sa.ForeignKeyConstraint(['salesperson_id'], ['masterdata_employee.id'], name=op.f('fk_orders_collection_salesperson_id_masterdata_employee')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_orders_collection_updated_by_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_collection')),
    sa.UniqueConstraint('company_id', 'number', name=op.f('uq_orders_collection_company_id_number'))
    )
    op.create_index(op.f('ix_orders_collection_active'), 'orders_collection', ['active'], unique=False)
    op.create_index(op.f('ix_orders_collection_company_id'), 'orders_collection', ['company_id'], unique=False)
    op.create_index(op.f('ix_orders_collection_confirmed_on'), 'orders_collection', ['confirmed_on'], unique=False)
    op.create_index(op.f('ix_orders_collection_customer_id'), 'orders_collection', ['customer_id'], unique=False)
    op.create_index(op.f('ix_orders_collection_salesperson_id'), 'orders_collection', ['salesperson_id'], unique=False)
    op.create_index(op.f('ix_orders_collection_territory_id'), 'orders_collection', ['territory_id'], unique=False)
    op.create_table('orders_contract',
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('salesperson_id', sa.Integer(), nullable=True),
    sa.Column('territory_id', sa.Integer(), nullable=True),
    sa.Column('settlement', sa.String(length=16), nullable=True),
    sa.Column('contract_date', sa.Date(), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('late_filing', sa.Boolean(), nullable=False),
    sa.Column('quote_id', sa.Integer(), nullable=True),
    sa.Column('deviates', sa.Boolean(), nullable=False),
    sa.Column('credit_issue', sa.String(length=200), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('payment_days', sa.Integer(), nullable=False),
    sa.Column('amount_total', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_orders_contract_company_id_core_company')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_orders_contract_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['customer_id'], ['masterdata_customer.id'], name=op.f('fk_orders_contract_customer_id_masterdata_customer')),
    sa.ForeignKeyConstraint(['salesperson_id'], ['masterdata_employee.id'], name=op.f('fk_orders_contract_salesperson_id_masterdata_employee')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_orders_contract_updated_by_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_contract')),
    sa.UniqueConstraint('company_id', 'number', name=op.f('uq_orders_contract_company_id_number'))
    )
    op.create_index(op.f('ix_orders_contract_active'), 'orders_contract', ['active'], unique=False)
    op.create_index('ix_orders_contract_company_date', 'orders_contract', ['company_id', 'contract_date'], unique=False)
    op.create_index(op.f('ix_orders_contract_company_id'), 'orders_contract', ['company_id'], unique=False)
    op.create_index(op.f('ix_orders_contract_customer_id'), 'orders_contract', ['customer_id'], unique=False)
    op.create_index(op.f('ix_orders_contract_quote_id'), 'orders_contract', ['quote_id'], unique=False)
    op.create_index(op.f('ix_orders_contract_salesperson_id'), 'orders_contract', ['salesperson_id'], unique=False)
    op.create_index(op.f('ix_orders_contract_territory_id'), 'orders_contract', ['territory_id'], unique=False)
    op.create_table('orders_contract_line',
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=3), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('quoted_price', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('unit_cost', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_orders_contract_line_company_id_core_company')),
    sa.ForeignKeyConstraint(['contract_id'], ['orders_contract.id'], name=op.f('fk_orders_contract_line_contract_id_orders_contract')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_orders_contract_line_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['product_id'], ['masterdata_product.id'], name=op.f('fk_orders_contract_line_product_id_masterdata_product')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_orders_contract_line_updated_by_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_contract_line'))
    )
    op.create_index(op.f('ix_orders_contract_line_active'), 'orders_contract_line', ['active'], unique=False)
    op.create_index(op.f('ix_orders_contract_line_company_id'), 'orders_contract_line', ['company_id'], unique=False)
    op.create_index(op.f('ix_orders_contract_line_contract_id'), 'orders_contract_line', ['contract_id'], unique=False)
    op.create_index(op.f('ix_orders_contract_line_product_id'), 'orders_contract_line', ['product_id'], unique=False)
    op.create_table('orders_goods_request',
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('salesperson_id', sa.Integer(), nullable=True),
    sa.Column('territory_id', sa.Integer(), nullable=True),
    sa.Column('settlement', sa.String(length=16), nullable=True),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('amount_total', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('credit_issue', sa.String(length=200), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_orders_goods_request_company_id_core_company')),
    sa.ForeignKeyConstraint(['contract_id'], ['orders_contract.id'], name=op.f('fk_orders_goods_request_contract_id_orders_contract')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_orders_goods_request_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['customer_id'], ['masterdata_customer.id'], name=op.f('fk_orders_goods_request_customer_id_masterdata_customer')),
    sa.ForeignKeyConstraint(['salesperson_id'], ['masterdata_employee.id'], name=op.f('fk_orders_goods_request_salesperson_id_masterdata_employee')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_orders_goods_request_updated_by_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_goods_request')),
    sa.UniqueConstraint('company_id', 'number', name=op.f('uq_orders_goods_request_company_id_number'))
    )
    op.create_index(op.f('ix_orders_goods_request_active'), 'orders_goods_request', ['active'], unique=False)
    op.create_index(op.f('ix_orders_goods_request_company_id'), 'orders_goods_request', ['company_id'], unique=False)
    op.create_index(op.f('ix_orders_goods_request_contract_id'), 'orders_goods_request', ['contract_id'], unique=False)
    op.create_index(op.f('ix_orders_goods_request_customer_id'), 'orders_goods_request', ['customer_id'], unique=False)
    op.create_index(op.f('ix_orders_goods_request_salesperson_id'), 'orders_goods_request', ['salesperson_id'], unique=False)
    op.create_index(op.f('ix_orders_goods_request_territory_id'), 'orders_goods_request', ['territory_id'], unique=False)
    op.create_table('orders_delivery',
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('salesperson_id', sa.Integer(), nullable=True),
    sa.Column('territory_id', sa.Integer(), nullable=True),
    sa.Column('settlement', sa.String(length=16), nullable=True),
    sa.Column('is_return', sa.Boolean(), nullable=False),
    sa.Column('original_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('approved_on', sa.Date(), nullable=False),
    sa.Column('delivery_date', sa.Date(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('shipped_late', sa.Boolean(), nullable=False),
    sa.Column('customer_confirmed_on', sa.Date(), nullable=True),
    sa.Column('amount_total', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('open_amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('goods_request_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_orders_delivery_company_id_core_company')),
    sa.ForeignKeyConstraint(['contract_id'], ['orders_contract.id'], name=op.f('fk_orders_delivery_contract_id_orders_contract')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_orders_delivery_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['customer_id'], ['masterdata_customer.id'], name=op.f('fk_orders_delivery_customer_id_masterdata_customer')),
    sa.ForeignKeyConstraint(['goods_request_id'], ['orders_goods_request.id'], name=op.f('fk_orders_delivery_goods_request_id_orders_goods_request')),
    sa.ForeignKeyConstraint(['original_id'], ['orders_delivery.id'], name=op.f('fk_orders_delivery_original_id_orders_delivery')),
    sa.ForeignKeyConstraint(['salesperson_id'], ['masterdata_employee.id'], name=op.f('fk_orders_delivery_salesperson_id_masterdata_employee')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_orders_delivery_updated_by_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_delivery')),
    sa.UniqueConstraint('company_id', 'number', name=op.f('uq_orders_delivery_company_id_number'))
    )
    op.create_index(op.f('ix_orders_delivery_active'), 'orders_delivery', ['active'], unique=False)
    op.create_index('ix_orders_delivery_company_date', 'orders_delivery', ['company_id', 'delivery_date'], unique=False)
    op.create_index(op.f('ix_orders_delivery_company_id'), 'orders_delivery', ['company_id'], unique=False)
    op.create_index(op.f('ix_orders_delivery_contract_id'), 'orders_delivery', ['contract_id'], unique=False)
    op.create_index(op.f('ix_orders_delivery_customer_id'), 'orders_delivery', ['customer_id'], unique=False)
    op.create_index(op.f('ix_orders_delivery_goods_request_id'), 'orders_delivery', ['goods_request_id'], unique=False)
    op.create_index('ix_orders_delivery_open', 'orders_delivery', ['company_id', 'customer_id', 'state', 'delivery_date', 'open_amount'], unique=False, postgresql_where=sa.text('open_amount <> 0'), sqlite_where=sa.text('open_amount <> 0'))
    op.create_index(op.f('ix_orders_delivery_original_id'), 'orders_delivery', ['original_id'], unique=False)
    op.create_index(op.f('ix_orders_delivery_salesperson_id'), 'orders_delivery', ['salesperson_id'], unique=False)
    op.create_index(op.f('ix_orders_delivery_territory_id'), 'orders_delivery', ['territory_id'], unique=False)
    op.create_table('orders_goods_request_line',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('contract_line_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=3), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_orders_goods_request_line_company_id_core_company')),
    sa.ForeignKeyConstraint(['contract_line_id'], ['orders_contract_line.id'], name=op.f('fk_orders_goods_request_line_contract_line_id_orders_contract_line')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_orders_goods_request_line_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['request_id'], ['orders_goods_request.id'], name=op.f('fk_orders_goods_request_line_request_id_orders_goods_request')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_orders_goods_request_line_updated_by_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_goods_request_line'))
    )
    op.create_index(op.f('ix_orders_goods_request_line_active'), 'orders_goods_request_line', ['active'], unique=False)
    op.create_index(op.f('ix_orders_goods_request_line_company_id'), 'orders_goods_request_line', ['company_id'], unique=False)
    op.create_index(op.f('ix_orders_goods_request_line_contract_line_id'), 'orders_goods_request_line', ['contract_line_id'], unique=False)
    op.create_index(op.f('ix_orders_goods_request_line_request_id'), 'orders_goods_request_line', ['request_id'], unique=False)
    op.create_table('orders_allocation',
    sa.Column('collection_id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['collection_id'], ['orders_collection.id'], name=op.f('fk_orders_allocation_collection_id_orders_collection')),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_orders_allocation_company_id_core_company')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_orders_allocation_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['delivery_id'], ['orders_delivery.id'], name=op.f('fk_orders_allocation_delivery_id_orders_delivery')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_orders_allocation_updated_by_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_allocation'))
    )
    op.create_index(op.f('ix_orders_allocation_active'), 'orders_allocation', ['active'], unique=False)
    op.create_index(op.f('ix_orders_allocation_collection_id'), 'orders_allocation', ['collection_id'], unique=False)
    op.create_index(op.f('ix_orders_allocation_company_id'), 'orders_allocation', ['company_id'], unique=False)
    op.create_index(op.f('ix_orders_allocation_delivery_id'), 'orders_allocation', ['delivery_id'], unique=False)
    op.create_table('orders_delivery_line',
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('contract_line_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=3), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('cost_amount', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_orders_delivery_line_company_id_core_company')),
    sa.ForeignKeyConstraint(['contract_line_id'], ['orders_contract_line.id'], name=op.f('fk_orders_delivery_line_contract_line_id_orders_contract_line')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_orders_delivery_line_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['delivery_id'], ['orders_delivery.id'], name=op.f('fk_orders_delivery_line_delivery_id_orders_delivery')),
    sa.ForeignKeyConstraint(['product_id'], ['masterdata_product.id'], name=op.f('fk_orders_delivery_line_product_id_masterdata_product')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_orders_delivery_line_updated_by_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_delivery_line'))
    )
    op.create_index(op.f('ix_orders_delivery_line_active'), 'orders_delivery_line', ['active'], unique=False)
    op.create_index(op.f('ix_orders_delivery_line_company_id'), 'orders_delivery_line', ['company_id'], unique=False)
    op.create_index(op.f('ix_orders_delivery_line_contract_line_id'), 'orders_delivery_line', ['contract_line_id'], unique=False)
    op.create_index(op.f('ix_orders_delivery_line_delivery_id'), 'orders_delivery_line', ['delivery_id'], unique=False)
    op.create_index(op.f('ix_orders_delivery_line_product_id'), 'orders_delivery_line', ['product_id'], unique=False)
    op.create_table('orders_invoice',
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('salesperson_id', sa.Integer(), nullable=True),
    sa.Column('territory_id', sa.Integer(), nullable=True),
    sa.Column('settlement', sa.String(length=16), nullable=True),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('invoice_number', sa.String(length=64), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('signed_by', sa.String(length=100), nullable=True),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_orders_invoice_company_id_core_company')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_orders_invoice_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['customer_id'], ['masterdata_customer.id'], name=op.f('fk_orders_invoice_customer_id_masterdata_customer')),
    sa.ForeignKeyConstraint(['delivery_id'], ['orders_delivery.id'], name=op.f('fk_orders_invoice_delivery_id_orders_delivery')),
    sa.ForeignKeyConstraint(['salesperson_id'], ['masterdata_employee.id'], name=op.f('fk_orders_invoice_salesperson_id_masterdata_employee')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_orders_invoice_updated_by_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_invoice')),
    sa.UniqueConstraint('company_id', 'number', name=op.f('uq_orders_invoice_company_id_number'))
    )
    op.create_index(op.f('ix_orders_invoice_active'), 'orders_invoice', ['active'], unique=False)
    op.create_index(op.f('ix_orders_invoice_company_id'), 'orders_invoice', ['company_id'], unique=False)
    op.create_index(op.f('ix_orders_invoice_customer_id'), 'orders_invoice', ['customer_id'], unique=False)
    op.create_index(op.f('ix_orders_invoice_delivery_id'), 'orders_invoice', ['delivery_id'], unique=False)
    op.create_index(op.f('ix_orders_invoice_salesperson_id'), 'orders_invoice', ['salesperson_id'], unique=False)
    op.create_index(op.f('ix_orders_invoice_territory_id'), 'orders_invoice', ['territory_id'], unique=False)
    op.create_table('orders_service_request',
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('salesperson_id', sa.Integer(), nullable=True),
    sa.Column('territory_id', sa.Integer(), nullable=True),
    sa.Column('settlement', sa.String(length=16), nullable=True),
    sa.Column('delivery_id', sa.Integer(), nullable=True),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('assigned_to_id', sa.Integer(), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['assigned_to_id'], ['masterdata_employee.id'], name=op.f('fk_orders_service_request_assigned_to_id_masterdata_employee')),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_orders_service_request_company_id_core_company')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_orders_service_request_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['customer_id'], ['masterdata_customer.id'], name=op.f('fk_orders_service_request_customer_id_masterdata_customer')),
    sa.ForeignKeyConstraint(['delivery_id'], ['orders_delivery.id'], name=op.f('fk_orders_service_request_delivery_id_orders_delivery')),
    sa.ForeignKeyConstraint(['salesperson_id'], ['masterdata_employee.id'], name=op.f('fk_orders_service_request_salesperson_id_masterdata_employee')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_orders_service_request_updated_by_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders_service_request')),
    sa.UniqueConstraint('company_id', 'number', name=op.f('uq_orders_service_request_company_id_number'))
    )
    op.create_index(op.f('ix_orders_service_request_active'), 'orders_service_request', ['active'], unique=False)
    op.create_index(op.f('ix_orders_service_request_assigned_to_id'), 'orders_service_request', ['assigned_to_id'], unique=False)
    op.create_index(op.f('ix_orders_service_request_company_id'), 'orders_service_request', ['company_id'], unique=False)
    op.create_index(op.f('ix_orders_service_request_customer_id'), 'orders_service_request', ['customer_id'], unique=False)
    op.create_index(op.f('ix_orders_service_request_delivery_id'), 'orders_service_request', ['delivery_id'], unique=False)
    op.create_index(op.f('ix_orders_service_request_salesperson_id'), 'orders_service_request', ['salesperson_id'], unique=False)
    op.create_index(op.f('ix_orders_service_request_territory_id'), 'orders_service_request', ['territory_id'], unique=False)
    # ### end Alembic commands ###


def downgrade() -> None:
    """Drop the addon's tables."""
    for t in ('orders_service_request', 'orders_invoice', 'orders_delivery_line', 'orders_allocation', 'orders_goods_request_line', 'orders_delivery', 'orders_goods_request', 'orders_contract_line', 'orders_contract', 'orders_collection', 'orders_settings', 'orders_counter'):
        op.drop_table(t)
