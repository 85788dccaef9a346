"""login guard: failed-login counters (core_login_throttle) and one-time request keys (core_idempotency_key)

Revision ID: core_0006_login_guard
Revises: core_0005_reports
Create Date: 2026-12-04 09:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = 'core_0006_login_guard'
down_revision = 'core_0005_reports'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``core_login_throttle`` and ``core_idempotency_key``."""
    op.create_table('core_login_throttle',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('blocked_until', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_core_login_throttle'))
    )
    with op.batch_alter_table('core_login_throttle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_login_throttle_blocked_until'), ['blocked_until'], unique=False)
    op.create_table('core_idempotency_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=8), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('location', sa.String(length=500), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name=op.f('fk_core_idempotency_key_user_id_core_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_idempotency_key')),
    sa.UniqueConstraint('user_id', 'scope', 'key_hash', name='uq_core_idempotency_key')
    )
    with op.batch_alter_table('core_idempotency_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_core_idempotency_key_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    """Drop both tables."""
    with op.batch_alter_table('core_idempotency_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_core_idempotency_key_created_at'))
    op.drop_table('core_idempotency_key')
    with op.batch_alter_table('core_login_throttle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_core_login_throttle_blocked_until'))
    op.drop_table('core_login_throttle')
