"""Models of the sales planning addon (销售计划).

* :class:`PlanType`: what a plan plans (a metric: sales, gross profit, new
  customers), over which dimensions, read against which actual measure.
* :class:`Plan`: one *revision* of a plan (a company target for a year, or a
  territory's plan answering it). Revisions of one plan share ``root_id``; an
  allocation or a revision writes a new revision, so every earlier one stays
  readable, comparable cell by cell and restorable ("undo by version").
* :class:`Cell`: an amount (and quantity) of a revision at one point of its
  dimensions, per month. Cells are written in bulk by the planning engine.
* :class:`Sale` / :class:`SaleMonth`: imported sales lines (when the orders
  addon does not provide actuals) and their monthly summary, attributed to the
  territory and salesperson *of the date of the sale*.
* :class:`Share`: a shared customer's contribution split between salespeople.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from addons.masterdata.models import Customer, Employee, Product
from addons.territories.models import Territory
from core.db import Base, BusinessMixin, CompanyMixin, IdMixin
from core.i18n import N_, Choices, _l
from core.i18n import label as text_label

MONEY = Numeric(18, 2)
QTY = Numeric(18, 3)
PCT = Numeric(7, 4)

#: Dimensions a plan type may declare (the month is always there).
DIMENSIONS = Choices({
    "territory": N_("Territory"),
    "salesperson": N_("Salesperson"),
    "customer": N_("Customer"),
    "product": N_("Product variety"),
    "settlement": N_("Settlement method"),
})
DIMENSION_ORDER = ("territory", "salesperson", "customer", "product", "settlement")
METRIC = Choices({
    "sales": N_("Sales"),
    "gross_profit": N_("Gross profit"),
    "new_customers": N_("New customers"),
})
PLAN_STATE = Choices({
    "draft": N_("Draft"),
    "submitted": N_("Waiting approval"),
    "approved": N_("Approved"),
})
#: a revision's period grain: months, or ISO weeks split at the month edges (``engine.week_parts``)
PLAN_GRAIN = Choices({"month": N_("Months"), "week": N_("Weeks")})
LEVEL = Choices({"company": N_("Company target"), "territory": N_("Territory plan")})
SALE_KIND = Choices({"sale": N_("Sale"), "return": N_("Return (red-letter)")})


class PlanType(BusinessMixin, Base):
    """A kind of plan: its metric, its dimensions (besides the month) and where its actuals come from."""

    __tablename__ = "sales_planning_plan_type"
    __tixi_label__ = _l("Plan type")
    __table_args__ = (UniqueConstraint("company_id", "code"),)

    code: Mapped[str] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    metric: Mapped[str] = mapped_column(String(16), default="sales", info={"selection": METRIC})
    #: comma-separated keys of :data:`DIMENSIONS`, e.g. ``"customer,salesperson,product"``
    dimensions: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(16), default="company", info={"selection": LEVEL})
    #: early warning: behind plan by more than this share ...
    warn_behind: Mapped[Decimal] = mapped_column(PCT, default=Decimal("0.1"))
    #: ... once at least this share of the period has gone
    warn_elapsed: Mapped[Decimal] = mapped_column(PCT, default=Decimal("0.25"))

    @property
    def dimension_list(self) -> list[str]:
        """The declared dimensions, in the canonical order."""
        wanted = {d.strip() for d in self.dimensions.split(",") if d.strip()}
        return [d for d in DIMENSION_ORDER if d in wanted]

    def display(self, lang: str | None = None) -> str:
        """Name in ``lang``."""
        return text_label({"zh_CN": self.name_zh, "en": self.name_en}, lang)

    def __str__(self) -> str:
        return self.display()


class Plan(BusinessMixin, Base):
    """One revision of a plan for a year: a company target, or a territory's plan answering one."""

    __tablename__ = "sales_planning_plan"
    __tixi_label__ = _l("Plan")
    __table_args__ = (UniqueConstraint("company_id", "root_id", "revision"),)

    name: Mapped[str] = mapped_column(String(120))
    plan_type_id: Mapped[int] = mapped_column(ForeignKey("sales_planning_plan_type.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    #: the territory a territory plan covers (``None``: the whole company)
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories_territory.id"), nullable=True, index=True)
    #: the company target (its root) a territory plan answers
    target_id: Mapped[int | None] = mapped_column(ForeignKey("sales_planning_plan.id"), nullable=True, index=True)
    #: the first revision's id (equal to ``id`` on the first revision)
    root_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("sales_planning_plan.id"), nullable=True)
    #: set when a later revision replaces this one (the current revision has none)
    superseded_by_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    state: Mapped[str] = mapped_column(String(16), default="draft", info={"selection": PLAN_STATE})
    #: the approved revision the figures are measured against (one per series at most)
    in_force: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    #: years covered from ``year`` (1 to 3: the rolling horizon)
    horizon: Mapped[int] = mapped_column(Integer, default=1)
    #: ``month``: cells per month; ``week``: cells per week part (a week crossing months is split by days)
    grain: Mapped[str] = mapped_column(String(8), default="month", server_default="month",
                                       info={"selection": PLAN_GRAIN})
    total_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    total_quantity: Mapped[Decimal | None] = mapped_column(QTY, nullable=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True, index=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    plan_type: Mapped[PlanType] = relationship()
    territory: Mapped[Territory | None] = relationship()
    owner: Mapped[Employee | None] = relationship()

    @property
    def series_id(self) -> int:
        """The id shared by every revision of this plan."""
        return self.root_id or self.id

    def display(self, lang: str | None = None) -> str:
        """``2027 年度销售目标 (v2)``."""
        return f"{self.name} (v{self.revision})"

    def __str__(self) -> str:
        return self.display()


class Cell(IdMixin, CompanyMixin, Base):
    """An amount of a plan revision at one point of its dimensions in one month.

    Dimensions a plan type does not declare stay ``NULL``. ``locked`` cells keep
    their amount through every allocation.
    """

    __tablename__ = "sales_planning_cell"
    __tixi_label__ = _l("Plan cell")
    __table_args__ = (Index("ix_sales_planning_cell_plan_period", "plan_id", "period"),)

    plan_id: Mapped[int] = mapped_column(ForeignKey("sales_planning_plan.id", ondelete="CASCADE"))
    period: Mapped[dt.date] = mapped_column(Date)
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories_territory.id"), nullable=True)
    salesperson_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_customer.id"), nullable=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_product.id"), nullable=True)
    settlement: Mapped[str | None] = mapped_column(String(16), nullable=True)
    amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    quantity: Mapped[Decimal | None] = mapped_column(QTY, nullable=True)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)

    plan: Mapped[Plan] = relationship(Plan)  # the class, not the name "Plan" (field_activity has one)


class ImportBatch(BusinessMixin, Base):
    """One .xlsx import of sales lines (all or nothing)."""

    __tablename__ = "sales_planning_import"
    __tixi_label__ = _l("Sales import")

    filename: Mapped[str] = mapped_column(String(200))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    total_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))


class Sale(IdMixin, CompanyMixin, Base):
    """An imported sales line (or a salesperson's share of one), attributed as of its date.

    ``territory_id`` and ``salesperson_id`` are fixed at import from the
    customer's territory history and the line (or the shares in force on
    the date): a later move of the customer never re-attributes it. Returns are
    negative lines (``kind = "return"``) and net in every total.
    """

    __tablename__ = "sales_planning_sale"
    __tixi_label__ = _l("Sales line")
    __table_args__ = (Index("ix_sales_planning_sale_company_date", "company_id", "sale_date"),)

    batch_id: Mapped[int] = mapped_column(ForeignKey("sales_planning_import.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    sale_date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(8), default="sale", info={"selection": SALE_KIND})
    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_product.id"), nullable=True)
    salesperson_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True, index=True)
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories_territory.id"), nullable=True, index=True)
    settlement: Mapped[str | None] = mapped_column(String(16), nullable=True)
    quantity: Mapped[Decimal] = mapped_column(QTY, default=Decimal("0"))
    amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    gross_profit: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    share: Mapped[Decimal] = mapped_column(PCT, default=Decimal("1"))

    customer: Mapped[Customer] = relationship()
    product: Mapped[Product | None] = relationship()


class SaleMonth(IdMixin, CompanyMixin, Base):
    """Monthly summary of :class:`Sale` by territory, salesperson and product (kept on import).

    Settlement is left out on purpose: it would multiply the rows by the
    methods in use; a request by settlement reads the sales lines.
    """

    __tablename__ = "sales_planning_sale_month"
    __tixi_label__ = _l("Monthly sales summary")
    __table_args__ = (Index("ix_sales_planning_sale_month_key", "company_id", "month", "territory_id", "product_id"),)

    month: Mapped[dt.date] = mapped_column(Date)
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories_territory.id"), nullable=True)
    salesperson_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_product.id"), nullable=True)
    amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    quantity: Mapped[Decimal] = mapped_column(QTY, default=Decimal("0"))
    gross_profit: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))


class SaleTerritoryMonth(IdMixin, CompanyMixin, Base):
    """Monthly summary of :class:`Sale` by territory and product only (kept with :class:`SaleMonth`).

    Without the salesperson it holds a fraction of the fine summary's rows, so
    a whole company's plan vs actual reads it in a few milliseconds. It cannot
    carry a salesperson's "own rows" rule, so only users whom no rule narrows
    read it (``Summary(unrestricted_only=True)``); the others read the fine one.
    """

    __tablename__ = "sales_planning_sale_territory_month"
    __tixi_label__ = _l("Monthly sales by territory")
    __table_args__ = (Index("ix_sales_planning_sale_territory_month_key", "company_id", "month", "territory_id"),)

    month: Mapped[dt.date] = mapped_column(Date)
    territory_id: Mapped[int | None] = mapped_column(ForeignKey("territories_territory.id"), nullable=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_product.id"), nullable=True)
    amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    quantity: Mapped[Decimal] = mapped_column(QTY, default=Decimal("0"))
    gross_profit: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))


class Share(BusinessMixin, Base):
    """A shared customer (共享客户): the part of its sales credited to a salesperson over a date range.

    When shares are in force for a customer on a sale's date, the sale is split
    between them by ``percent`` (to the cent, largest remainder); otherwise the
    whole sale goes to the line's salesperson or the customer's owner.
    """

    __tablename__ = "sales_planning_share"
    __tixi_label__ = _l("Customer share")

    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id"), index=True)
    salesperson_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    percent: Mapped[Decimal] = mapped_column(PCT)
    date_from: Mapped[dt.date] = mapped_column(Date)
    date_to: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    customer: Mapped[Customer] = relationship()
    salesperson: Mapped[Employee] = relationship()


class Forecast(BusinessMixin, Base):
    """A salesperson's rolling forecast (流动销售预测) for one customer (and product) and month.

    Made in ``made_in`` (the first day of the month it was entered) for one of
    the next three months; a later forecast for the same month is a new row,
    so accuracy can be tracked per horizon (1, 2 or 3 months ahead).
    """

    __tablename__ = "sales_planning_forecast"
    __tixi_label__ = _l("Sales forecast")
    __table_args__ = (UniqueConstraint("company_id", "salesperson_id", "customer_id", "product_id", "month",
                                       "made_in", name="uq_sales_planning_forecast_entry"),)

    salesperson_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_product.id"), nullable=True)
    month: Mapped[dt.date] = mapped_column(Date, index=True)
    made_in: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    quantity: Mapped[Decimal | None] = mapped_column(QTY, nullable=True)

    customer: Mapped[Customer] = relationship()
