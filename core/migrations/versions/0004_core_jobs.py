"""jobs: the kernel's job history, and procrastinate's queue schema on PostgreSQL

Revision ID: core_0004_jobs
Revises: core_0003_notifications
Create Date: 2026-12-02 09:00:00

On PostgreSQL the queue library's own schema (procrastinate's ``schema.sql`` of
the pinned version: tables ``procrastinate_*``, types, functions, triggers) is
applied in the same transaction, so ``tixi init`` and ``tixi db upgrade`` leave a
database every ``tixi worker`` can use. A later procrastinate version that
changes its schema gets a kernel migration applying its migration files.
SQLite has no queue tables: jobs run in-process there.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = 'core_0004_jobs'
down_revision = 'core_0003_notifications'
branch_labels = None
depends_on = None

PROCRASTINATE_TABLES = ("procrastinate_events", "procrastinate_periodic_defers", "procrastinate_jobs",
                        "procrastinate_workers")
PROCRASTINATE_TYPES = ("procrastinate_job_to_defer_v1", "procrastinate_job_event_type", "procrastinate_job_status")


def upgrade() -> None:
    """Create ``core_job_run``; on PostgreSQL apply procrastinate's schema."""
    op.create_table('core_job_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_code', sa.String(length=128), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('period_key', sa.String(length=64), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('progress_done', sa.Integer(), nullable=True),
    sa.Column('progress_total', sa.Integer(), nullable=True),
    sa.Column('progress_message', sa.String(length=255), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('queued_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', core.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_core_job_run_company_id_core_company'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name=op.f('fk_core_job_run_user_id_core_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_core_job_run')),
    sa.UniqueConstraint('job_code', 'company_id', 'period_key', name=op.f('uq_core_job_run_job_code_company_id_period_key'))
    )
    with op.batch_alter_table('core_job_run', schema=None) as batch_op:
        batch_op.create_index('ix_core_job_run_recent', ['company_id', 'queued_at'], unique=False)
        # instance-wide runs (company NULL) once per period too: NULLs are distinct in the constraint
        batch_op.create_index('uq_core_job_run_instance_period', ['job_code', 'period_key'], unique=True,
                              sqlite_where=sa.text('company_id IS NULL'),
                              postgresql_where=sa.text('company_id IS NULL'))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        # the library's SQL as it ships it (functions with $$ bodies): run by the driver as is
        cursor = bind.connection.cursor()
        cursor.execute(SchemaManager.get_schema())
        cursor.close()


def downgrade() -> None:
    """Drop the job history (and procrastinate's schema on PostgreSQL)."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in PROCRASTINATE_TABLES:
            op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
        functions = bind.execute(sa.text(
            "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%'"
        )).scalars().all()
        for signature in functions:
            op.execute(f"DROP FUNCTION IF EXISTS {signature} CASCADE")
        for type_ in PROCRASTINATE_TYPES:
            op.execute(f"DROP TYPE IF EXISTS {type_} CASCADE")
    with op.batch_alter_table('core_job_run', schema=None) as batch_op:
        batch_op.drop_index('ix_core_job_run_recent')
    op.drop_table('core_job_run')
