"""global search: the index table core_search_entry (and a pg_trgm index on PostgreSQL)

Revision ID: core_0007_search
Revises: core_0006_login_guard
Create Date: 2026-12-04 19:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'core_0007_search'
down_revision = 'core_0006_login_guard'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``core_search_entry``; on PostgreSQL a trigram GIN index on its text when pg_trgm is available."""
    op.create_table('core_search_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('res_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_core_search_entry_company_id_core_company'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_search_entry')),
    sa.UniqueConstraint('source', 'res_id', name=op.f('uq_core_search_entry_source_res_id')),
    )
    with op.batch_alter_table('core_search_entry', schema=None) as batch_op:
        batch_op.create_index('ix_core_search_entry_company_source', ['company_id', 'source'], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it
        has = bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).scalar()
        if has:
            op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            op.execute("CREATE INDEX ix_core_search_entry_text_trgm ON core_search_entry USING gin (text gin_trgm_ops)")


def downgrade() -> None:
    """Drop the index table."""
    op.drop_table('core_search_entry')
