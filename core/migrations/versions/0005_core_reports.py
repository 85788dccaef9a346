"""reports: subscriptions of users to reports (schedule, channel, last period delivered)

Revision ID: core_0005_reports
Revises: core_0004_jobs
Create Date: 2026-12-03 09:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = 'core_0005_reports'
down_revision = 'core_0004_jobs'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``core_report_subscription``."""
    op.create_table('core_report_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('report_code', sa.String(length=128), nullable=False),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('schedule', sa.String(length=16), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=True),
    sa.Column('day', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_sent', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_period', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_core_report_subscription_company_id_core_company'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name=op.f('fk_core_report_subscription_user_id_core_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_report_subscription'))
    )
    with op.batch_alter_table('core_report_subscription', schema=None) as batch_op:
        batch_op.create_index('ix_core_report_subscription_due', ['active', 'schedule'], unique=False)
        batch_op.create_index(batch_op.f('ix_core_report_subscription_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    """Drop ``core_report_subscription``."""
    with op.batch_alter_table('core_report_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_core_report_subscription_user_id'))
        batch_op.drop_index('ix_core_report_subscription_due')
    op.drop_table('core_report_subscription')
