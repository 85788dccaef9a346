"""notifications: the in-app inbox and per-user preferences per notification type

Revision ID: core_0003_notifications
Revises: core_0002_attachments
Create Date: 2026-12-02 05:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = 'core_0003_notifications'
down_revision = 'core_0002_attachments'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``core_notification`` and ``core_notification_pref``."""
    op.create_table('core_notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('type_code', sa.String(length=128), nullable=False),
    sa.Column('model', sa.String(length=128), nullable=True),
    sa.Column('res_id', sa.Integer(), nullable=True),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_core_notification_company_id_core_company'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name=op.f('fk_core_notification_user_id_core_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_notification'))
    )
    with op.batch_alter_table('core_notification', schema=None) as batch_op:
        batch_op.create_index('ix_core_notification_inbox', ['user_id', 'company_id', 'read_at'], unique=False)

    op.create_table('core_notification_pref',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('type_code', sa.String(length=128), nullable=False),
    sa.Column('inapp', sa.Boolean(), nullable=False),
    sa.Column('email', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name=op.f('fk_core_notification_pref_user_id_core_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_notification_pref')),
    sa.UniqueConstraint('user_id', 'type_code', name=op.f('uq_core_notification_pref_user_id_type_code'))
    )
    with op.batch_alter_table('core_notification_pref', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_notification_pref_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    """Drop the notification tables."""
    with op.batch_alter_table('core_notification_pref', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_core_notification_pref_user_id'))
    op.drop_table('core_notification_pref')
    with op.batch_alter_table('core_notification', schema=None) as batch_op:
        batch_op.drop_index('ix_core_notification_inbox')
    op.drop_table('core_notification')
