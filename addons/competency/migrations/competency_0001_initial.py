"""competency: initial tables (model, levels, position matrix, assessments, ratings)

Revision ID: competency_0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import core.db

revision = "competency_0001"
down_revision = None
branch_labels = ("competency",)
depends_on = None


def _business(table: str) -> list[sa.Column]:
    """The BusinessMixin columns of ``table``."""
    return [
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("company_id", sa.Integer(), sa.ForeignKey("core_company.id", name=f"fk_{table}_company_id_core_company"), nullable=False, index=True),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("core_user.id", name=f"fk_{table}_created_by_id_core_user"), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), sa.ForeignKey("core_user.id", name=f"fk_{table}_updated_by_id_core_user"), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, index=True),
    ]


def _fk(table: str, column: str, target: str, **kw: object) -> sa.Column:
    return sa.Column(column, sa.Integer(), sa.ForeignKey(f"{target}.id", name=f"fk_{table}_{column}_{target}"), index=kw.pop("index", True), nullable=kw.pop("nullable", False))


def upgrade() -> None:
    """Create the addon's tables."""
    t = "competency_group"
    op.create_table(
        t, *_business(t),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name_zh", sa.String(100), nullable=False),
        sa.Column("name_en", sa.String(100), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.UniqueConstraint("company_id", "code", name="uq_competency_group_company_id_code"),
    )
    t = "competency_competency"
    op.create_table(
        t, *_business(t),
        sa.Column("code", sa.String(8), nullable=False),
        _fk(t, "group_id", "competency_group"),
        sa.Column("name_zh", sa.String(100), nullable=False),
        sa.Column("name_en", sa.String(100), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.UniqueConstraint("company_id", "code", name="uq_competency_competency_company_id_code"),
    )
    t = "competency_level"
    op.create_table(
        t, *_business(t),
        _fk(t, "competency_id", "competency_competency"),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("text_zh", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.UniqueConstraint("company_id", "competency_id", "level", name="uq_competency_level_company_id_competency_id_level"),
    )
    t = "competency_requirement"
    op.create_table(
        t, *_business(t),
        sa.Column("position", sa.String(32), nullable=False, index=True),
        _fk(t, "competency_id", "competency_competency"),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.UniqueConstraint("company_id", "position", "competency_id", name="uq_competency_requirement_company_id_position_competency_id"),
    )
    t = "competency_assessment"
    op.create_table(
        t, *_business(t),
        _fk(t, "employee_id", "masterdata_employee"),
        _fk(t, "rater_id", "masterdata_employee"),
        sa.Column("period", sa.String(16), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("position", sa.String(32), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("calibrated_at", core.db.UTCDateTime(), nullable=True),
        _fk(t, "calibrated_by_id", "core_user", index=False, nullable=True),
    )
    t = "competency_rating"
    op.create_table(
        t, *_business(t),
        _fk(t, "assessment_id", "competency_assessment"),
        _fk(t, "competency_id", "competency_competency"),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.UniqueConstraint("assessment_id", "competency_id", name="uq_competency_rating_assessment_id_competency_id"),
    )


def downgrade() -> None:
    """Drop the addon's tables."""
    for t in ("competency_rating", "competency_assessment", "competency_requirement", "competency_level",
              "competency_competency", "competency_group"):
        op.drop_table(t)
