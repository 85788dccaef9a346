"""Models of the budget addon (营销预算管理).

* :class:`Category`: an expense category (差旅, 招待, 样品 ...), bilingual, per company.
* :class:`Budget`: an annual budget of one owner (a territory, a department, a
  customer-development project, a brand campaign), approved by the management committee.
* :class:`Line`: the budget of one category of a budget (the amount the claims are
  checked against), phased over the months by :class:`Phase`.
* :class:`Band`: who may approve a supplementary budget of which amount (per company).
* :class:`Supplement`: a supplementary budget request (追加预算): approved first, it adds
  exactly its amount to its line.
* :class:`ExpenseRequest`: an expense request (费用申请): approved, it reserves (commits)
  its amount on the line until a claim uses it.
* :class:`Claim`: an expense claim (费用报销) with receipts (kernel attachments): at submit
  it consumes its amount, checked under a row lock on the line.
* :class:`Advance` / :class:`AdvanceDeduction`: advances (借支) per person and what was
  deducted from them (claims paid, bonus).
* :class:`ClosedMonth`: months finance has closed: no claim is filed in them.

The figures of a line are never stored: budget = amount + approved supplements,
committed = approved open requests, spent = submitted, approved and paid claims,
remaining = budget - committed - spent (``services.lines.figures``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from addons.masterdata.models import Employee
from addons.territories.models import Territory
from core.db import Base, BusinessMixin, CompanyMixin, IdMixin
from core.i18n import N_, Choices, _l
from core.i18n import label as text_label

MONEY = Numeric(18, 2)

OWNER_KIND = Choices({
    "territory": N_("Territory"),
    "department": N_("Department"),
    "project": N_("Customer-development project"),
    "campaign": N_("Brand campaign"),
})
BUDGET_STATE = Choices({"draft": N_("Draft"), "submitted": N_("Waiting approval"), "approved": N_("Approved")})
REQUEST_STATE = Choices({
    "draft": N_("Draft"), "submitted": N_("Waiting approval"), "approved": N_("Approved"),
    "rejected": N_("Rejected"), "used": N_("Used by a claim"),
})
CLAIM_STATE = Choices({
    "draft": N_("Draft"), "submitted": N_("Waiting approval"), "approved": N_("Approved"),
    "rejected": N_("Rejected"), "paid": N_("Paid"),
})
DEDUCTION_KIND = Choices({"claim": N_("Deducted from a claim"), "bonus": N_("Deducted from bonus")})


def bilingual(zh: str | None, en: str | None, lang: str | None = None) -> str:
    """Stored reference text in ``lang`` (default: the current language)."""
    return text_label({"zh_CN": zh or "", "en": en or ""}, lang)


class Category(BusinessMixin, Base):
    """An expense category (configurable; the standard ones are seeded per company)."""

    __tablename__ = "budget_category"
    __tixi_label__ = _l("Expense category")
    __table_args__ = (UniqueConstraint("company_id", "code"),)

    code: Mapped[str] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    sequence: Mapped[int] = mapped_column(Integer, default=10)
    #: the category's default share of a budget derived from the sales plan
    weight: Mapped[Decimal] = mapped_column(Numeric(9, 4), default=Decimal("1"))

    def display(self, lang: str | None = None) -> str:
        """Name in ``lang``."""
        return bilingual(self.name_zh, self.name_en, lang)

    def __str__(self) -> str:
        return self.display()


class Band(BusinessMixin, Base):
    """An approval band: members of ``group`` approve supplementary budgets up to ``limit`` (``None``: any)."""

    __tablename__ = "budget_band"
    __tixi_label__ = _l("Approval band")
    __tixi_tracked__ = ("group", "limit")
    __table_args__ = (UniqueConstraint("company_id", "group"),)

    group: Mapped[str] = mapped_column(String(80), info={"group_code": True})
    limit: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    sequence: Mapped[int] = mapped_column(Integer, default=10)


class Budget(BusinessMixin, Base):
    """The annual budget of one owner."""

    __tablename__ = "budget_budget"
    __tixi_label__ = _l("Budget")
    __tixi_tracked__ = ("total_amount", "state")
    __table_args__ = (Index("ix_budget_budget_year", "company_id", "year"),)

    name: Mapped[str] = mapped_column(String(120))
    year: Mapped[int] = mapped_column(Integer)
    owner_kind: Mapped[str] = mapped_column(String(16), default="territory", info={"selection": OWNER_KIND})
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories_territory.id"), nullable=True,
                                                     index=True)
    department: Mapped[str | None] = mapped_column(String(100), nullable=True)
    #: a crm_cards key-account plan id (optional dependency: a plain id, no foreign key)
    project_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: a brand campaign's free code (brand_campaigns links its campaigns to budget lines by id)
    campaign_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    #: the person answerable for the budget (the territory manager, the project lead)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True, index=True)
    state: Mapped[str] = mapped_column(String(16), default="draft", info={"selection": BUDGET_STATE})
    total_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    basis: Mapped[str | None] = mapped_column(String(200), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    territory: Mapped[Territory | None] = relationship()
    owner: Mapped[Employee | None] = relationship()

    def display(self, lang: str | None = None) -> str:
        """``2026 华东营销预算``."""
        return f"{self.year} {self.name}"

    def __str__(self) -> str:
        return self.display()


class Line(BusinessMixin, Base):
    """The budget of one category of a budget: what claims are checked against."""

    __tablename__ = "budget_line"
    __tixi_label__ = _l("Budget line")
    __tixi_tracked__ = ("amount",)
    __table_args__ = (UniqueConstraint("budget_id", "category_id"),)

    budget_id: Mapped[int] = mapped_column(ForeignKey("budget_budget.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("budget_category.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))

    budget: Mapped[Budget] = relationship()
    category: Mapped[Category] = relationship()

    def display(self, lang: str | None = None) -> str:
        """``2026 华东营销预算 · 招待费``."""
        return f"{self.budget.display(lang)} · {self.category.display(lang)}"

    def __str__(self) -> str:
        return self.display()


class Phase(IdMixin, CompanyMixin, Base):
    """A line's amount for one month (written by the planning engine)."""

    __tablename__ = "budget_phase"
    __tixi_label__ = _l("Budget phasing")
    __table_args__ = (UniqueConstraint("line_id", "month"),)

    line_id: Mapped[int] = mapped_column(ForeignKey("budget_line.id", ondelete="CASCADE"), index=True)
    month: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))

    line: Mapped[Line] = relationship()


class Supplement(BusinessMixin, Base):
    """A supplementary budget request (追加预算申请): approved before spending, it adds its amount to the line."""

    __tablename__ = "budget_supplement"
    __tixi_label__ = _l("Supplementary budget request")
    __tixi_tracked__ = ("amount", "state")

    line_id: Mapped[int] = mapped_column(ForeignKey("budget_line.id"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    reason: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(16), default="draft", info={"selection": REQUEST_STATE})
    decided_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    line: Mapped[Line] = relationship()
    employee: Mapped[Employee] = relationship()

    def display(self, lang: str | None = None) -> str:
        """``追加预算 #12``."""
        return f"#{self.id} {self.amount:,.2f}"


class ExpenseRequest(BusinessMixin, Base):
    """An expense request (费用申请): approved, it reserves its amount on the line."""

    __tablename__ = "budget_request"
    __tixi_label__ = _l("Expense request")
    __tixi_tracked__ = ("amount", "state")

    line_id: Mapped[int] = mapped_column(ForeignKey("budget_line.id"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    purpose: Mapped[str] = mapped_column(String(500))
    needed_on: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default="draft", info={"selection": REQUEST_STATE})

    line: Mapped[Line] = relationship()
    employee: Mapped[Employee] = relationship()

    def display(self, lang: str | None = None) -> str:
        """``#7 3,000.00 客户拜访``."""
        return f"#{self.id} {self.amount:,.2f} {self.purpose}"


class Claim(BusinessMixin, Base):
    """An expense claim (费用报销) against a budget line, with receipts attached."""

    __tablename__ = "budget_claim"
    __tixi_label__ = _l("Expense claim")
    __tixi_tracked__ = ("amount", "state", "advance_deducted")
    __table_args__ = (Index("ix_budget_claim_line_state", "line_id", "state"),)

    line_id: Mapped[int] = mapped_column(ForeignKey("budget_line.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("budget_request.id"), nullable=True, index=True)
    expense_date: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    description: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(16), default="draft", info={"selection": CLAIM_STATE})
    advance_deducted: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    paid_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    line: Mapped[Line] = relationship()
    employee: Mapped[Employee] = relationship()

    @property
    def payable(self) -> Decimal:
        """What is paid out: the claim less the advance deducted from it."""
        return self.amount - (self.advance_deducted or Decimal("0"))

    def display(self, lang: str | None = None) -> str:
        """``#9 1,200.00 招待客户``."""
        return f"#{self.id} {self.amount:,.2f} {self.description}"


class Advance(BusinessMixin, Base):
    """An advance (借支) paid to a person, deducted later from claims or bonus."""

    __tablename__ = "budget_advance"
    __tixi_label__ = _l("Advance")
    __tixi_tracked__ = ("amount",)

    employee_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    advanced_on: Mapped[dt.date] = mapped_column(Date)
    purpose: Mapped[str] = mapped_column(String(500))

    employee: Mapped[Employee] = relationship()


class AdvanceDeduction(IdMixin, CompanyMixin, Base):
    """An amount deducted from an advance (from a claim paid, or from bonus)."""

    __tablename__ = "budget_advance_deduction"
    __tixi_label__ = _l("Advance deduction")

    advance_id: Mapped[int] = mapped_column(ForeignKey("budget_advance.id", ondelete="CASCADE"), index=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("budget_claim.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(8), default="claim", info={"selection": DEDUCTION_KIND})
    amount: Mapped[Decimal] = mapped_column(MONEY)
    deducted_on: Mapped[dt.date] = mapped_column(Date)


class ClosedMonth(BusinessMixin, Base):
    """A month finance has closed (the 1st of the month): no claim may be dated in it."""

    __tablename__ = "budget_closed_month"
    __tixi_label__ = _l("Closed month")
    __table_args__ = (UniqueConstraint("company_id", "month"),)

    month: Mapped[dt.date] = mapped_column(Date)
