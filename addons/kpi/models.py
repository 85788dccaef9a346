"""Models of the kpi addon (绩效管理).

* :class:`Definition`: a KPI of a position (岗位), over a kernel measure of an
  enabled addon, with a target (fixed or another measure), a weight (the
  weights of a position's KPIs of one period kind sum to 100 %), a scoring
  curve (linear with floor and cap, or thresholds) and a period kind.
* :class:`Scorecard` / :class:`ScorecardLine`: one person's figures for one
  period, computed by the kernel job ``kpi.scorecards``, reviewed by the
  manager (qualitative ratings) and approved (kernel approvals): then frozen.
* :class:`Scheme` / :class:`SchemeTier`: an incentive scheme as data: base pay,
  target-based pay (times the score), commission tiers on the sales above target.
* :class:`Payout` / :class:`PayoutLine`: the pay of a scorecard, line by line.
* :class:`Survey` / :class:`SurveyAnswer`: internal customer satisfaction
  (territories rate the back office).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from addons.masterdata.models import Employee
from core.db import Base, BusinessMixin, UTCDateTime
from core.i18n import N_, Choices, _l
from core.i18n import label as text_label

MONEY = Numeric(18, 2)
PCT = Numeric(9, 4)

PERIOD_KIND = Choices({"month": N_("Month"), "quarter": N_("Quarter"), "year": N_("Year")})
CURVE = Choices({"linear": N_("Linear with floor and cap"), "thresholds": N_("Thresholds")})
SCORECARD_STATE = Choices({"draft": N_("Draft"), "submitted": N_("Waiting approval"), "approved": N_("Approved")})
SCHEME_KIND = Choices({"front": N_("Front office"), "back": N_("Back office")})
QUALITATIVE = ("cooperation", "enthusiasm", "loyalty", "report_discipline", "expense_control", "compliance")
QUALITATIVE_LABELS = {
    "cooperation": N_("Cooperation"), "enthusiasm": N_("Enthusiasm"), "loyalty": N_("Loyalty"),
    "report_discipline": N_("Report discipline"), "expense_control": N_("Expense control"),
    "compliance": N_("Compliance"),
}


def bilingual(zh: str | None, en: str | None, lang: str | None = None) -> str:
    """Stored text in ``lang`` (default: the current language)."""
    return text_label({"zh_CN": zh or "", "en": en or zh or ""}, lang)


class Definition(BusinessMixin, Base):
    """A KPI of a position: measure, target, weight, scoring curve, period kind."""

    __tablename__ = "kpi_definition"
    __tixi_label__ = _l("KPI")
    __table_args__ = (UniqueConstraint("company_id", "position", "period_kind", "code"),)

    code: Mapped[str] = mapped_column(String(32))
    position: Mapped[str] = mapped_column(String(32), index=True)
    period_kind: Mapped[str] = mapped_column(String(16), default="month", info={"selection": PERIOD_KIND})
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    #: the kernel measure (``orders.sales_amount``) and the dimension naming the person in it
    measure: Mapped[str] = mapped_column(String(80))
    person_dimension: Mapped[str] = mapped_column(String(32), default="salesperson")
    #: a ratio KPI: the measure divided by this one, in % (reports on time / reports submitted)
    ratio_measure: Mapped[str | None] = mapped_column(String(80), nullable=True)
    #: the target: a fixed figure, or the person's value of another measure (sales_planning.target_amount)
    target: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    target_measure: Mapped[str | None] = mapped_column(String(80), nullable=True)
    weight: Mapped[Decimal] = mapped_column(PCT, default=Decimal("0"))
    curve: Mapped[str] = mapped_column(String(16), default="linear", info={"selection": CURVE})
    #: linear: below ``floor`` % completion the score is 0; the score is capped at ``cap`` %
    floor: Mapped[Decimal] = mapped_column(PCT, default=Decimal("0"))
    cap: Mapped[Decimal] = mapped_column(PCT, default=Decimal("120"))
    #: thresholds: "80:60, 100:100, 120:120" (completion % reached: score %)
    thresholds: Mapped[str | None] = mapped_column(String(400), nullable=True)
    sequence: Mapped[int] = mapped_column(Integer, default=10)

    def display(self, lang: str | None = None) -> str:
        """Name in ``lang``."""
        return bilingual(self.name_zh, self.name_en, lang)


class Scorecard(BusinessMixin, Base):
    """One person's KPIs for one period: computed, reviewed, approved (then frozen)."""

    __tablename__ = "kpi_scorecard"
    __tixi_label__ = _l("Scorecard")
    __tixi_tracked__ = ("state", "total_score")
    __table_args__ = (UniqueConstraint("company_id", "employee_id", "period_kind", "period_start"),)

    employee_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    position: Mapped[str] = mapped_column(String(32))
    period_kind: Mapped[str] = mapped_column(String(16), default="month", info={"selection": PERIOD_KIND})
    period_start: Mapped[dt.date] = mapped_column(Date, index=True)
    period_end: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default="draft", info={"selection": SCORECARD_STATE})
    total_score: Mapped[Decimal] = mapped_column(PCT, default=Decimal("0"))
    computed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cooperation: Mapped[int | None] = mapped_column(Integer, nullable=True)
    enthusiasm: Mapped[int | None] = mapped_column(Integer, nullable=True)
    loyalty: Mapped[int | None] = mapped_column(Integer, nullable=True)
    report_discipline: Mapped[int | None] = mapped_column(Integer, nullable=True)
    expense_control: Mapped[int | None] = mapped_column(Integer, nullable=True)
    compliance: Mapped[int | None] = mapped_column(Integer, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)

    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])
    lines: Mapped[list[ScorecardLine]] = relationship(back_populates="scorecard", order_by="ScorecardLine.sequence")

    def __str__(self) -> str:
        return f"{self.employee.name_zh if self.employee else ''} {self.period_start:%Y-%m}"


class ScorecardLine(BusinessMixin, Base):
    """One KPI of a scorecard: actual, target, completion, score, weighted score."""

    __tablename__ = "kpi_scorecard_line"
    __tixi_label__ = _l("Scorecard line")

    scorecard_id: Mapped[int] = mapped_column(ForeignKey("kpi_scorecard.id"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    definition_id: Mapped[int | None] = mapped_column(ForeignKey("kpi_definition.id"), nullable=True, index=True)
    sequence: Mapped[int] = mapped_column(Integer, default=10)
    code: Mapped[str] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    measure: Mapped[str] = mapped_column(String(80))
    actual: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    target: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    completion: Mapped[Decimal] = mapped_column(PCT, default=Decimal("0"))
    score: Mapped[Decimal] = mapped_column(PCT, default=Decimal("0"))
    weight: Mapped[Decimal] = mapped_column(PCT, default=Decimal("0"))
    weighted: Mapped[Decimal] = mapped_column(PCT, default=Decimal("0"))

    scorecard: Mapped[Scorecard] = relationship(back_populates="lines")

    def display(self, lang: str | None = None) -> str:
        """Name in ``lang``."""
        return bilingual(self.name_zh, self.name_en, lang)


class Scheme(BusinessMixin, Base):
    """An incentive scheme of a position: base, target-based pay, commission tiers, rounding."""

    __tablename__ = "kpi_scheme"
    __tixi_label__ = _l("Incentive scheme")
    __table_args__ = (UniqueConstraint("company_id", "code"),)

    code: Mapped[str] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16), default="front", info={"selection": SCHEME_KIND})
    position: Mapped[str] = mapped_column(String(32), index=True)
    base_pay: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    #: paid in proportion to the scorecard's total score (100 points: all of it)
    target_pay: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    #: the KPI (code) whose amount above target earns the commission (sales)
    commission_kpi: Mapped[str | None] = mapped_column(String(32), nullable=True)
    #: decimal places of the amounts (the company's rounding: 2 = cents, 0 = yuan)
    rounding: Mapped[int] = mapped_column(Integer, default=2)
    deduct_advances: Mapped[bool] = mapped_column(default=True)

    tiers: Mapped[list[SchemeTier]] = relationship(back_populates="scheme", order_by="SchemeTier.lower")

    def display(self, lang: str | None = None) -> str:
        """Name in ``lang``."""
        return bilingual(self.name_zh, self.name_en, lang)


class SchemeTier(BusinessMixin, Base):
    """A commission tier: on the part of the actual between ``lower`` and ``upper`` % of target, ``rate`` %."""

    __tablename__ = "kpi_scheme_tier"
    __tixi_label__ = _l("Commission tier")

    scheme_id: Mapped[int] = mapped_column(ForeignKey("kpi_scheme.id"), index=True)
    lower: Mapped[Decimal] = mapped_column(PCT)
    upper: Mapped[Decimal | None] = mapped_column(PCT, nullable=True)
    rate: Mapped[Decimal] = mapped_column(PCT)

    scheme: Mapped[Scheme] = relationship(back_populates="tiers")


class Payout(BusinessMixin, Base):
    """The pay computed from one scorecard by a scheme (lines in :class:`PayoutLine`)."""

    __tablename__ = "kpi_payout"
    __tixi_label__ = _l("Incentive pay")
    __table_args__ = (UniqueConstraint("company_id", "scorecard_id"),)

    scorecard_id: Mapped[int] = mapped_column(ForeignKey("kpi_scorecard.id"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("kpi_scheme.id"), index=True)
    gross: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    advances: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    net: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))

    lines: Mapped[list[PayoutLine]] = relationship(back_populates="payout", order_by="PayoutLine.sequence")


class PayoutLine(BusinessMixin, Base):
    """One line of the calculation: what, on which basis, at which rate, how much."""

    __tablename__ = "kpi_payout_line"
    __tixi_label__ = _l("Incentive pay line")

    payout_id: Mapped[int] = mapped_column(ForeignKey("kpi_payout.id"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer, default=10)
    kind: Mapped[str] = mapped_column(String(16))
    basis: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    rate: Mapped[Decimal | None] = mapped_column(PCT, nullable=True)
    amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    note: Mapped[str | None] = mapped_column(String(200), nullable=True)

    payout: Mapped[Payout] = relationship(back_populates="lines")


class Survey(BusinessMixin, Base):
    """An internal customer satisfaction survey of a period (territories rate the back office)."""

    __tablename__ = "kpi_survey"
    __tixi_label__ = _l("Internal satisfaction survey")

    title: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)


class SurveyAnswer(BusinessMixin, Base):
    """A rating (1-5) of a back-office employee by a territory's person."""

    __tablename__ = "kpi_survey_answer"
    __tixi_label__ = _l("Satisfaction rating")
    __table_args__ = (UniqueConstraint("company_id", "survey_id", "rater_id", "rated_id"),)

    survey_id: Mapped[int] = mapped_column(ForeignKey("kpi_survey.id"), index=True)
    rater_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    rated_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    rating: Mapped[int] = mapped_column(Integer)
    answered_on: Mapped[dt.date] = mapped_column(Date)
    comment: Mapped[str | None] = mapped_column(String(500), nullable=True)
