"""Models of the competency addon (能力模型): groups, competencies, level texts,
position requirements, assessments and their ratings.

Levels run from 1 (the highest) to 5. A *gap* is how many levels a person is
short of what their position requires: ``assessed level - required level``
when positive (a required 2 assessed 4 is a gap of 2), 0 otherwise.
Reference data (names, level texts) is stored in both languages.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from addons.masterdata.models import POSITION, Employee
from core.db import Base, BusinessMixin
from core.i18n import N_, Choices, _l, value_label
from core.i18n import label as text_label

LEVELS = (1, 2, 3, 4, 5)
KIND = Choices({"self": N_("Self-assessment"), "manager": N_("Manager assessment"), "peer": N_("Peer assessment")})
STATE = Choices({"submitted": N_("Submitted"), "final": N_("Final (calibrated)")})
# the five positions of the model (keys of masterdata's Employee.position)
MODEL_POSITIONS = ("director", "territory_manager", "tech_support", "marketing_admin", "salesperson")


def bilingual(zh: str | None, en: str | None, lang: str | None = None) -> str:
    """Stored reference text in ``lang`` (default: the current language)."""
    return text_label({"zh_CN": zh or "", "en": en or ""}, lang)


class CompetencyGroup(BusinessMixin, Base):
    """One of the four groups of the model (判断力, 推动力, 凝聚力, 内驱力)."""

    __tablename__ = "competency_group"
    __tixi_label__ = _l("Competency group")
    __tixi_tracked__ = ("name_zh", "name_en")
    __table_args__ = (UniqueConstraint("company_id", "code"),)

    code: Mapped[str] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    sequence: Mapped[int] = mapped_column(Integer, default=10)

    def display(self, lang: str | None = None) -> str:
        """Name in ``lang``."""
        return bilingual(self.name_zh, self.name_en, lang)

    def __str__(self) -> str:
        return self.display()


class Competency(BusinessMixin, Base):
    """A competency of the model (A..J), in one group."""

    __tablename__ = "competency_competency"
    __tixi_label__ = _l("Competency")
    __tixi_tracked__ = ("name_zh", "name_en")
    __table_args__ = (UniqueConstraint("company_id", "code"),)

    code: Mapped[str] = mapped_column(String(8))
    group_id: Mapped[int] = mapped_column(ForeignKey("competency_group.id"), index=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    sequence: Mapped[int] = mapped_column(Integer, default=10)

    group: Mapped[CompetencyGroup] = relationship()

    def display(self, lang: str | None = None) -> str:
        """``A 分析/预见能力`` in ``lang``."""
        return f"{self.code} {bilingual(self.name_zh, self.name_en, lang)}"

    def __str__(self) -> str:
        return self.display()


class CompetencyLevel(BusinessMixin, Base):
    """The behaviour expected at one level (1 highest .. 5) of a competency."""

    __tablename__ = "competency_level"
    __tixi_label__ = _l("Competency level")
    __tixi_tracked__ = ("text_zh", "text_en")
    __table_args__ = (UniqueConstraint("company_id", "competency_id", "level"),)

    competency_id: Mapped[int] = mapped_column(ForeignKey("competency_competency.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    text_zh: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)

    competency: Mapped[Competency] = relationship()

    def display(self, lang: str | None = None) -> str:
        """The level text in ``lang``."""
        return bilingual(self.text_zh, self.text_en, lang)

    def __str__(self) -> str:
        return f"{self.competency.code if self.competency else ''}{self.level}"


class Requirement(BusinessMixin, Base):
    """The level a position requires of a competency (one cell of the position matrix).

    Versioned (``version``) and audited: every change of ``level`` is in the audit trail.
    """

    __tablename__ = "competency_requirement"
    __tixi_label__ = _l("Position requirement")
    __tixi_tracked__ = ("level",)
    __table_args__ = (UniqueConstraint("company_id", "position", "competency_id"),)

    position: Mapped[str] = mapped_column(String(32), index=True)
    competency_id: Mapped[int] = mapped_column(ForeignKey("competency_competency.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)

    competency: Mapped[Competency] = relationship()

    def display(self, lang: str | None = None) -> str:
        """``片区经理 A1`` in ``lang``: the position and the required level."""
        position = POSITION.label(self.position, lang)
        return f"{position} {self.competency.code if self.competency else ''}{self.level}"

    def __str__(self) -> str:
        return self.display()


class Assessment(BusinessMixin, Base):
    """One rater's assessment of an employee for a period: self, manager or peer.

    The manager's assessment becomes ``final`` after calibration; it is then
    the person's result for the period (the base of gaps).
    """

    __tablename__ = "competency_assessment"
    __tixi_label__ = _l("Competency assessment")
    __tixi_tracked__ = ("state",)

    employee_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    rater_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    period: Mapped[str] = mapped_column(String(16), index=True)
    kind: Mapped[str] = mapped_column(String(16), info={"selection": KIND})
    state: Mapped[str] = mapped_column(String(16), default="submitted", info={"selection": STATE})
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    position: Mapped[str] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    calibrated_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    calibrated_by_id: Mapped[int | None] = mapped_column(ForeignKey("core_user.id"), nullable=True)

    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])
    rater: Mapped[Employee] = relationship(foreign_keys=[rater_id])
    ratings: Mapped[list[Rating]] = relationship(back_populates="assessment", order_by="Rating.id")

    def display(self, lang: str | None = None) -> str:
        """``2026-H2 自评`` in ``lang``: the period and the kind of assessment."""
        return f"{self.period} {value_label(self, 'kind', lang)}"

    def __str__(self) -> str:
        return self.display()


class Rating(BusinessMixin, Base):
    """One competency's level in an assessment, with the rater's comment."""

    __tablename__ = "competency_rating"
    __tixi_label__ = _l("Competency rating")
    __tixi_tracked__ = ("level",)
    __table_args__ = (UniqueConstraint("assessment_id", "competency_id"),)

    assessment_id: Mapped[int] = mapped_column(ForeignKey("competency_assessment.id"), index=True)
    competency_id: Mapped[int] = mapped_column(ForeignKey("competency_competency.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)

    assessment: Mapped[Assessment] = relationship(back_populates="ratings")
    competency: Mapped[Competency] = relationship()

    def __str__(self) -> str:
        return f"{self.competency.code if self.competency else ''}{self.level}"
