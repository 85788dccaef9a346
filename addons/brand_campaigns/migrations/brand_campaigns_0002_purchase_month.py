"""brand_campaigns: a distributor's territory and customer; the monthly purchase summary (brand_campaigns_purchase_month)

Revision ID: brand_campaigns_0002
Revises: brand_campaigns_0001
Create Date: 2026-12-04 18:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "brand_campaigns_0002"
down_revision = "brand_campaigns_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the distributor's territory and customer, create the summary and fill it from the purchases."""
    with op.batch_alter_table('brand_campaigns_distributor', schema=None) as batch_op:
        batch_op.add_column(sa.Column('territory_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('customer_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_brand_campaigns_distributor_customer_id_masterdata_customer'),
                                    'masterdata_customer', ['customer_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_brand_campaigns_distributor_territory_id'), ['territory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_brand_campaigns_distributor_customer_id'), ['customer_id'], unique=False)
    op.create_table('brand_campaigns_purchase_month',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('distributor_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('territory_id', sa.Integer(), nullable=True),
    sa.Column('quantity', sa.Numeric(precision=18, scale=3), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('purchases', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'],
                            name=op.f('fk_brand_campaigns_purchase_month_company_id_core_company')),
    sa.ForeignKeyConstraint(['distributor_id'], ['brand_campaigns_distributor.id'],
                            name=op.f('fk_brand_campaigns_purchase_month_distributor_id_brand_campaigns_distributor'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['masterdata_employee.id'],
                            name=op.f('fk_brand_campaigns_purchase_month_owner_id_masterdata_employee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brand_campaigns_purchase_month'))
    )
    with op.batch_alter_table('brand_campaigns_purchase_month', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_brand_campaigns_purchase_month_company_id'), ['company_id'], unique=False)
        batch_op.create_index('ix_brand_campaigns_purchase_month_month', ['company_id', 'month'], unique=False)
        batch_op.create_index('ix_brand_campaigns_purchase_month_slice', ['company_id', 'distributor_id', 'month'],
                              unique=False)
    bind = op.get_bind()
    month = ("CAST(date_trunc('month', p.purchase_date) AS DATE)" if bind.dialect.name == "postgresql"
             else "date(p.purchase_date, 'start of month')")
    op.execute(sa.text(f"""
        INSERT INTO brand_campaigns_purchase_month (company_id, month, distributor_id, owner_id, territory_id,
                                                    quantity, amount, purchases)
        SELECT p.company_id, {month}, p.distributor_id, d.owner_id, d.territory_id,
               SUM(p.quantity), SUM(p.amount), COUNT(p.id)
        FROM brand_campaigns_purchase p JOIN brand_campaigns_distributor d ON d.id = p.distributor_id
        GROUP BY p.company_id, {month}, p.distributor_id, d.owner_id, d.territory_id
    """))


def downgrade() -> None:
    """Drop the summary (derived data) and the two columns."""
    with op.batch_alter_table('brand_campaigns_purchase_month', schema=None) as batch_op:
        batch_op.drop_index('ix_brand_campaigns_purchase_month_slice')
        batch_op.drop_index('ix_brand_campaigns_purchase_month_month')
        batch_op.drop_index(batch_op.f('ix_brand_campaigns_purchase_month_company_id'))
    op.drop_table('brand_campaigns_purchase_month')
    with op.batch_alter_table('brand_campaigns_distributor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_brand_campaigns_distributor_customer_id'))
        batch_op.drop_index(batch_op.f('ix_brand_campaigns_distributor_territory_id'))
        batch_op.drop_constraint(batch_op.f('fk_brand_campaigns_distributor_customer_id_masterdata_customer'),
                                 type_='foreignkey')
        batch_op.drop_column('customer_id')
        batch_op.drop_column('territory_id')
