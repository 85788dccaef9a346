"""training: configurable feedback forms (questions as data) and the attendees' answers

Revision ID: training_0002
Revises: training_0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = 'training_0002'
down_revision = 'training_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('training_feedback_form',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_training_feedback_form_company_id_core_company')),
    sa.ForeignKeyConstraint(['course_id'], ['training_course.id'], name=op.f('fk_training_feedback_form_course_id_training_course')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_training_feedback_form_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_training_feedback_form_updated_by_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_feedback_form'))
    )
    with op.batch_alter_table('training_feedback_form', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_feedback_form_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_feedback_form_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_feedback_form_course_id'), ['course_id'], unique=False)

    op.create_table('training_feedback_question',
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('options', sa.Text(), nullable=True),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_training_feedback_question_company_id_core_company')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_training_feedback_question_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['form_id'], ['training_feedback_form.id'], name=op.f('fk_training_feedback_question_form_id_training_feedback_form')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_training_feedback_question_updated_by_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_feedback_question'))
    )
    with op.batch_alter_table('training_feedback_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_feedback_question_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_feedback_question_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_feedback_question_form_id'), ['form_id'], unique=False)

    op.create_table('training_feedback_answer',
    sa.Column('feedback_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('choice', sa.String(length=200), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['core_company.id'], name=op.f('fk_training_feedback_answer_company_id_core_company')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_training_feedback_answer_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['employee_id'], ['masterdata_employee.id'], name=op.f('fk_training_feedback_answer_employee_id_masterdata_employee')),
    sa.ForeignKeyConstraint(['feedback_id'], ['training_feedback.id'], name=op.f('fk_training_feedback_answer_feedback_id_training_feedback')),
    sa.ForeignKeyConstraint(['question_id'], ['training_feedback_question.id'], name=op.f('fk_training_feedback_answer_question_id_training_feedback_question')),
    sa.ForeignKeyConstraint(['session_id'], ['training_session.id'], name=op.f('fk_training_feedback_answer_session_id_training_session')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['core_user.id'], name=op.f('fk_training_feedback_answer_updated_by_id_core_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_feedback_answer')),
    sa.UniqueConstraint('feedback_id', 'question_id', name=op.f('uq_training_feedback_answer_feedback_id_question_id'))
    )
    with op.batch_alter_table('training_feedback_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_feedback_answer_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_feedback_answer_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_feedback_answer_employee_id'), ['employee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_feedback_answer_feedback_id'), ['feedback_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_feedback_answer_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_feedback_answer_session_id'), ['session_id'], unique=False)



def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('training_feedback_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_feedback_answer_session_id'))
        batch_op.drop_index(batch_op.f('ix_training_feedback_answer_question_id'))
        batch_op.drop_index(batch_op.f('ix_training_feedback_answer_feedback_id'))
        batch_op.drop_index(batch_op.f('ix_training_feedback_answer_employee_id'))
        batch_op.drop_index(batch_op.f('ix_training_feedback_answer_company_id'))
        batch_op.drop_index(batch_op.f('ix_training_feedback_answer_active'))

    op.drop_table('training_feedback_answer')
    with op.batch_alter_table('training_feedback_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_feedback_question_form_id'))
        batch_op.drop_index(batch_op.f('ix_training_feedback_question_company_id'))
        batch_op.drop_index(batch_op.f('ix_training_feedback_question_active'))

    op.drop_table('training_feedback_question')
    with op.batch_alter_table('training_feedback_form', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_feedback_form_course_id'))
        batch_op.drop_index(batch_op.f('ix_training_feedback_form_company_id'))
        batch_op.drop_index(batch_op.f('ix_training_feedback_form_active'))

    op.drop_table('training_feedback_form')
