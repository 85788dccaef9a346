"""market_info: initial tables (collection plans and recipients, competitors and their products, price
observations, notes, technical needs, analyses)

Revision ID: market_info_0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "market_info_0001"
down_revision = None
branch_labels = ('market_info',)
depends_on = ['core', 'masterdata']


def upgrade() -> None:
    """Create the addon's tables."""
    op.create_table('market_info_competitor',
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('strengths', sa.Text(), nullable=True),
    sa.Column('weaknesses', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_market_info_competitor_company_id_core_company')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_market_info_competitor_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_market_info_competitor_updated_by_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_info_competitor'))
    )
    with op.batch_alter_table('market_info_competitor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_market_info_competitor_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_competitor_company_id'), ['company_id'], unique=False)

    op.create_table('market_info_plan',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('collector_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('frequency', sa.String(length=16), nullable=False),
    sa.Column('aggregator_id', sa.Integer(), nullable=True),
    sa.Column('analysis', sa.Text(), nullable=True),
    sa.Column('next_due', sa.Date(), nullable=False),
    sa.Column('remind_days', sa.Integer(), nullable=False),
    sa.Column('reminded_for', sa.Date(), nullable=True),
    sa.Column('overdue_for', sa.Date(), nullable=True),
    sa.Column('last_collected_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['aggregator_id'], ['masterdata_employee.id'], name=op.f('fk_market_info_plan_aggregator_id_masterdata_employee')),
    sa.ForeignKeyConstraint(['collector_id'], ['masterdata_employee.id'], name=op.f('fk_market_info_plan_collector_id_masterdata_employee')),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_market_info_plan_company_id_core_company')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_market_info_plan_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_market_info_plan_updated_by_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_info_plan'))
    )
    with op.batch_alter_table('market_info_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_market_info_plan_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_plan_aggregator_id'), ['aggregator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_plan_collector_id'), ['collector_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_plan_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_plan_kind'), ['kind'], unique=False)

    op.create_table('market_info_analysis',
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('date_from', sa.Date(), nullable=False),
    sa.Column('date_to', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('issued_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['masterdata_employee.id'], name=op.f('fk_market_info_analysis_author_id_masterdata_employee')),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_market_info_analysis_company_id_core_company')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_market_info_analysis_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['plan_id'], ['market_info_plan.id'], name=op.f('fk_market_info_analysis_plan_id_market_info_plan')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_market_info_analysis_updated_by_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_info_analysis'))
    )
    with op.batch_alter_table('market_info_analysis', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_market_info_analysis_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_analysis_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_analysis_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_analysis_plan_id'), ['plan_id'], unique=False)

    op.create_table('market_info_competitor_product',
    sa.Column('competitor_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('quality', sa.Text(), nullable=True),
    sa.Column('technology', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_market_info_competitor_product_company_id_core_company')),
    sa.ForeignKeyConstraint(['competitor_id'], ['market_info_competitor.id'], name=op.f('fk_market_info_competitor_product_competitor_id_market_info_competitor'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_market_info_competitor_product_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['product_id'], ['masterdata_product.id'], name=op.f('fk_market_info_competitor_product_product_id_masterdata_product')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_market_info_competitor_product_updated_by_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_info_competitor_product'))
    )
    with op.batch_alter_table('market_info_competitor_product', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_market_info_competitor_product_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_competitor_product_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_competitor_product_competitor_id'), ['competitor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_competitor_product_product_id'), ['product_id'], unique=False)

    op.create_table('market_info_note',
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('collector_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('noted_on', sa.Date(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=True),
    sa.Column('competitor_id', sa.Integer(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['collector_id'], ['masterdata_employee.id'], name=op.f('fk_market_info_note_collector_id_masterdata_employee')),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_market_info_note_company_id_core_company')),
    sa.ForeignKeyConstraint(['competitor_id'], ['market_info_competitor.id'], name=op.f('fk_market_info_note_competitor_id_market_info_competitor')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_market_info_note_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['customer_id'], ['masterdata_customer.id'], name=op.f('fk_market_info_note_customer_id_masterdata_customer')),
    sa.ForeignKeyConstraint(['plan_id'], ['market_info_plan.id'], name=op.f('fk_market_info_note_plan_id_market_info_plan')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_market_info_note_updated_by_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_info_note'))
    )
    with op.batch_alter_table('market_info_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_market_info_note_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_note_collector_id'), ['collector_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_note_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_note_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_note_noted_on'), ['noted_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_note_plan_id'), ['plan_id'], unique=False)

    op.create_table('market_info_plan_recipient',
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=True),
    sa.Column('group_code', sa.String(length=100), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_market_info_plan_recipient_company_id_core_company')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_market_info_plan_recipient_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['employee_id'], ['masterdata_employee.id'], name=op.f('fk_market_info_plan_recipient_employee_id_masterdata_employee')),
    sa.ForeignKeyConstraint(['plan_id'], ['market_info_plan.id'], name=op.f('fk_market_info_plan_recipient_plan_id_market_info_plan'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_market_info_plan_recipient_updated_by_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_info_plan_recipient'))
    )
    with op.batch_alter_table('market_info_plan_recipient', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_market_info_plan_recipient_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_plan_recipient_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_plan_recipient_employee_id'), ['employee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_plan_recipient_group_code'), ['group_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_plan_recipient_plan_id'), ['plan_id'], unique=False)

    op.create_table('market_info_tech_need',
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('collector_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=32), nullable=False),
    sa.Column('noted_on', sa.Date(), nullable=False),
    sa.Column('need', sa.Text(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['collector_id'], ['masterdata_employee.id'], name=op.f('fk_market_info_tech_need_collector_id_masterdata_employee')),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_market_info_tech_need_company_id_core_company')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_market_info_tech_need_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['customer_id'], ['masterdata_customer.id'], name=op.f('fk_market_info_tech_need_customer_id_masterdata_customer')),
    sa.ForeignKeyConstraint(['plan_id'], ['market_info_plan.id'], name=op.f('fk_market_info_tech_need_plan_id_market_info_plan')),
    sa.ForeignKeyConstraint(['product_id'], ['masterdata_product.id'], name=op.f('fk_market_info_tech_need_product_id_masterdata_product')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_market_info_tech_need_updated_by_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_info_tech_need'))
    )
    with op.batch_alter_table('market_info_tech_need', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_market_info_tech_need_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_tech_need_collector_id'), ['collector_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_tech_need_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_tech_need_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_tech_need_noted_on'), ['noted_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_tech_need_plan_id'), ['plan_id'], unique=False)

    op.create_table('market_info_price',
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('collector_id', sa.Integer(), nullable=False),
    sa.Column('competitor_id', sa.Integer(), nullable=False),
    sa.Column('competitor_product_id', sa.Integer(), nullable=True),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('territory_id', sa.Integer(), nullable=True),
    sa.Column('observed_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('price_kind', sa.String(length=16), nullable=False),
    sa.Column('price', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('unit', sa.String(length=32), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('pricing_price_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['collector_id'], ['masterdata_employee.id'], name=op.f('fk_market_info_price_collector_id_masterdata_employee')),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_market_info_price_company_id_core_company')),
    sa.ForeignKeyConstraint(['competitor_id'], ['market_info_competitor.id'], name=op.f('fk_market_info_price_competitor_id_market_info_competitor')),
    sa.ForeignKeyConstraint(['competitor_product_id'], ['market_info_competitor_product.id'], name=op.f('fk_market_info_price_competitor_product_id_market_info_competitor_product')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_market_info_price_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['customer_id'], ['masterdata_customer.id'], name=op.f('fk_market_info_price_customer_id_masterdata_customer')),
    sa.ForeignKeyConstraint(['plan_id'], ['market_info_plan.id'], name=op.f('fk_market_info_price_plan_id_market_info_plan')),
    sa.ForeignKeyConstraint(['product_id'], ['masterdata_product.id'], name=op.f('fk_market_info_price_product_id_masterdata_product')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_market_info_price_updated_by_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_market_info_price'))
    )
    with op.batch_alter_table('market_info_price', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_market_info_price_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_price_collector_id'), ['collector_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_price_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_price_competitor_id'), ['competitor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_price_competitor_product_id'), ['competitor_product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_price_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_market_info_price_date', ['company_id', 'observed_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_price_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_price_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_market_info_price_territory_id'), ['territory_id'], unique=False)



def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('market_info_price', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_market_info_price_territory_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_price_product_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_price_plan_id'))
        batch_op.drop_index('ix_market_info_price_date')
        batch_op.drop_index(batch_op.f('ix_market_info_price_customer_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_price_competitor_product_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_price_competitor_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_price_company_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_price_collector_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_price_active'))

    op.drop_table('market_info_price')
    with op.batch_alter_table('market_info_tech_need', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_market_info_tech_need_plan_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_tech_need_noted_on'))
        batch_op.drop_index(batch_op.f('ix_market_info_tech_need_customer_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_tech_need_company_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_tech_need_collector_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_tech_need_active'))

    op.drop_table('market_info_tech_need')
    with op.batch_alter_table('market_info_plan_recipient', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_market_info_plan_recipient_plan_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_plan_recipient_group_code'))
        batch_op.drop_index(batch_op.f('ix_market_info_plan_recipient_employee_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_plan_recipient_company_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_plan_recipient_active'))

    op.drop_table('market_info_plan_recipient')
    with op.batch_alter_table('market_info_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_market_info_note_plan_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_note_noted_on'))
        batch_op.drop_index(batch_op.f('ix_market_info_note_kind'))
        batch_op.drop_index(batch_op.f('ix_market_info_note_company_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_note_collector_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_note_active'))

    op.drop_table('market_info_note')
    with op.batch_alter_table('market_info_competitor_product', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_market_info_competitor_product_product_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_competitor_product_competitor_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_competitor_product_company_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_competitor_product_active'))

    op.drop_table('market_info_competitor_product')
    with op.batch_alter_table('market_info_analysis', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_market_info_analysis_plan_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_analysis_company_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_analysis_author_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_analysis_active'))

    op.drop_table('market_info_analysis')
    with op.batch_alter_table('market_info_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_market_info_plan_kind'))
        batch_op.drop_index(batch_op.f('ix_market_info_plan_company_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_plan_collector_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_plan_aggregator_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_plan_active'))

    op.drop_table('market_info_plan')
    with op.batch_alter_table('market_info_competitor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_market_info_competitor_company_id'))
        batch_op.drop_index(batch_op.f('ix_market_info_competitor_active'))

    op.drop_table('market_info_competitor')
