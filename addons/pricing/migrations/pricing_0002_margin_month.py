"""monthly margin summary (pricing_margin_month), filled from the existing quote lines

Revision ID: pricing_0002
Revises: pricing_0001
Create Date: 2026-12-02 17:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "pricing_0002"
down_revision = "pricing_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the summary and sum the lines of quotes approved, sent or won into it (every company)."""
    op.create_table('pricing_margin_month',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('territory_id', sa.Integer(), nullable=True),
    sa.Column('customer_class', sa.String(length=8), nullable=True),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('revenue', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('cost', sa.Numeric(precision=24, scale=7), nullable=True),
    sa.Column('margin', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('lines', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_pricing_margin_month_company_id_core_company')),
    sa.ForeignKeyConstraint(['customer_id'], ['masterdata_customer.id'], name=op.f('fk_pricing_margin_month_customer_id_masterdata_customer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['masterdata_employee.id'], name=op.f('fk_pricing_margin_month_owner_id_masterdata_employee')),
    sa.ForeignKeyConstraint(['product_id'], ['masterdata_product.id'], name=op.f('fk_pricing_margin_month_product_id_masterdata_product'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pricing_margin_month'))
    )
    with op.batch_alter_table('pricing_margin_month', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pricing_margin_month_company_id'), ['company_id'], unique=False)
        batch_op.create_index('ix_pricing_margin_month_month', ['company_id', 'month'], unique=False)
        batch_op.create_index('ix_pricing_margin_month_slice', ['company_id', 'customer_id', 'month'], unique=False)
    _fill()


def _fill() -> None:
    """The existing priced lines, summed by company, month and key (the same aggregate as summary.rebuild)."""
    bind = op.get_bind()
    month = ("CAST(date_trunc('month', q.quote_date) AS DATE)" if bind.dialect.name == "postgresql"
             else "date(q.quote_date, 'start of month')")
    op.execute(sa.text(f"""
        INSERT INTO pricing_margin_month (company_id, month, customer_id, owner_id, territory_id, customer_class,
                                          product_id, revenue, cost, margin, lines)
        SELECT q.company_id, {month}, q.customer_id, q.owner_id, q.territory_id, q.customer_class, l.product_id,
               SUM(l.amount), SUM(l.cost * l.quantity), SUM(l.margin_amount), COUNT(l.id)
        FROM pricing_quote_line l JOIN pricing_quote q ON q.id = l.quote_id
        WHERE q.state IN ('approved', 'sent', 'won')
        GROUP BY q.company_id, {month}, q.customer_id, q.owner_id, q.territory_id, q.customer_class, l.product_id
    """))


def downgrade() -> None:
    """Drop the summary (it is derived data)."""
    with op.batch_alter_table('pricing_margin_month', schema=None) as batch_op:
        batch_op.drop_index('ix_pricing_margin_month_slice')
        batch_op.drop_index('ix_pricing_margin_month_month')
        batch_op.drop_index(batch_op.f('ix_pricing_margin_month_company_id'))
    op.drop_table('pricing_margin_month')
