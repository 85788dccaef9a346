"""Models of the field_activity addon (销售过程管理): settings, visit types, customer
locations, weekly fixed routes, visit plans (the weekly review), visits, daily
reports and the rolling sales forecast (流动销售预测).

Every record of a person's work carries ``salesperson_id`` (a masterdata
employee): the record rules give a salesperson their own, a manager the
subtree of their reporting line and the director everything (security.yaml).
``territory_id`` is the customer's territory ON THE DATE of the fact (stamped
when territories is installed; a plain integer, territories being optional).
Money is ``Numeric``; ``client_key`` is the phone's idempotency key of an
entry synced from the offline queue (unique per company).
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
from core.db import Base, BusinessMixin
from core.i18n import N_, Choices, _l, value_label
from core.i18n import label as text_label

#: the steps a visit type is made of, in the order a company may choose
STEPS = Choices({
    "checkin": N_("Check-in"),
    "photo": N_("Photo of the storefront or equipment"),
    "contacts": N_("Contacts met"),
    "needs": N_("Needs and decision makers"),
    "competitor": N_("Competitors seen and prices heard"),
    "promises": N_("Samples or quotes promised"),
    "next_step": N_("Next step and follow-up date"),
    "checkout": N_("Check-out"),
})
PLAN_STATE = Choices({"draft": N_("Draft"), "submitted": N_("Waiting for the manager"),
                      "confirmed": N_("Confirmed"), "returned": N_("Returned")})
PLAN_KIND = Choices({"week": N_("Weekly action plan"), "month": N_("Monthly action plan")})
REPORT_STATE = Choices({"draft": N_("Draft"), "submitted": N_("Submitted")})
WEEKDAYS = Choices({0: N_("Monday"), 1: N_("Tuesday"), 2: N_("Wednesday"), 3: N_("Thursday"),
                    4: N_("Friday"), 5: N_("Saturday"), 6: N_("Sunday")})


def bilingual(zh: str | None, en: str | None, lang: str | None = None) -> str:
    """Stored reference text in ``lang`` (default: the current language)."""
    return text_label({"zh_CN": zh or "", "en": en or ""}, lang)


class Settings(BusinessMixin, Base):
    """The company's field rules: check-in radius, report cut-off hour, "not visited" days, photo size."""

    __tablename__ = "field_activity_settings"
    __tixi_label__ = _l("Field activity settings")
    __tixi_tracked__ = ("radius_m", "cutoff_hour", "not_visited_days", "max_photo_kb")
    __table_args__ = (UniqueConstraint("company_id"),)

    radius_m: Mapped[int] = mapped_column(Integer, default=500)
    cutoff_hour: Mapped[int] = mapped_column(Integer, default=20)
    not_visited_days: Mapped[int] = mapped_column(Integer, default=30)
    max_photo_kb: Mapped[int] = mapped_column(Integer, default=5120)

    def __str__(self) -> str:
        return f"{self.radius_m} m"


class VisitType(BusinessMixin, Base):
    """A kind of visit made of ordered steps (``steps``: step keys separated by commas)."""

    __tablename__ = "field_activity_visit_type"
    __tixi_label__ = _l("Visit type")
    __tixi_tracked__ = ("steps",)
    __table_args__ = (UniqueConstraint("company_id", "code"),)

    code: Mapped[str] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    steps: Mapped[str] = mapped_column(String(300))
    photo_required: Mapped[bool] = mapped_column(Boolean, default=True)
    sequence: Mapped[int] = mapped_column(Integer, default=10)

    def step_list(self) -> list[str]:
        """The steps in order."""
        return [s.strip() for s in (self.steps or "").split(",") if s.strip()]

    def display(self, lang: str | None = None) -> str:
        """Name in ``lang``."""
        return bilingual(self.name_zh, self.name_en, lang)

    def __str__(self) -> str:
        return self.display()


class CustomerLocation(BusinessMixin, Base):
    """Where a customer is (WGS-84 degrees), when known: the base of the check-in distance."""

    __tablename__ = "field_activity_customer_location"
    __tixi_label__ = _l("Customer location")
    __tixi_tracked__ = ("latitude", "longitude")
    __table_args__ = (UniqueConstraint("company_id", "customer_id"),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id"), index=True)
    latitude: Mapped[Decimal] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal] = mapped_column(Numeric(9, 6))

    customer: Mapped[Customer] = relationship()

    def __str__(self) -> str:
        return f"{self.latitude},{self.longitude}"


class RouteStop(BusinessMixin, Base):
    """One customer on a salesperson's weekly fixed route (周定点拜访路线), by weekday and order."""

    __tablename__ = "field_activity_route_stop"
    __tixi_label__ = _l("Route stop")
    __table_args__ = (UniqueConstraint("company_id", "salesperson_id", "weekday", "customer_id"),)

    salesperson_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer, info={"selection": WEEKDAYS})
    sequence: Mapped[int] = mapped_column(Integer, default=10)
    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id"), index=True)

    salesperson: Mapped[Employee] = relationship()
    customer: Mapped[Customer] = relationship()

    def __str__(self) -> str:
        return f"{self.weekday}/{self.sequence}"


class Plan(BusinessMixin, Base):
    """A weekly (or monthly) action plan of a salesperson: the visits planned, reviewed by the manager.

    ``state`` follows the kernel approval workflow ``field_activity.plan``
    (submit, then the territory manager confirms or returns it).
    """

    __tablename__ = "field_activity_plan"
    __tixi_label__ = _l("Visit plan")
    __tixi_tracked__ = ("state", "manager_comment")
    __table_args__ = (UniqueConstraint("company_id", "salesperson_id", "kind", "period_start"),)

    salesperson_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8), default="week", info={"selection": PLAN_KIND})
    period_start: Mapped[dt.date] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(16), default="draft", info={"selection": PLAN_STATE})
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    manager_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    sales_target: Mapped[Decimal | None] = mapped_column(Numeric(16, 2), nullable=True)

    salesperson: Mapped[Employee] = relationship()
    lines: Mapped[list[PlanLine]] = relationship(
        lambda: PlanLine, back_populates="plan", order_by=lambda: (PlanLine.planned_on, PlanLine.id))

    def display(self, lang: str | None = None) -> str:
        """``周行动计划 2026-11-30`` / ``月度行动计划 2026-12`` in ``lang``: the kind and the period."""
        period = self.period_start.strftime("%Y-%m") if self.kind == "month" else self.period_start.isoformat()
        return f"{value_label(self, 'kind', lang)} {period}"

    def __str__(self) -> str:
        return self.display()


class PlanLine(BusinessMixin, Base):
    """A planned visit: customer, day, purpose; ``key`` marks a key visit of the week."""

    __tablename__ = "field_activity_plan_line"
    __tixi_label__ = _l("Planned visit")
    __tixi_tracked__ = ("planned_on", "purpose", "key")

    plan_id: Mapped[int] = mapped_column(ForeignKey("field_activity_plan.id"), index=True)
    salesperson_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id"), index=True)
    planned_on: Mapped[dt.date] = mapped_column(Date, index=True)
    purpose: Mapped[str | None] = mapped_column(String(300), nullable=True)
    key: Mapped[bool] = mapped_column(Boolean, default=False)

    plan: Mapped[Plan] = relationship(Plan, back_populates="lines")  # the class, not the name "Plan" (sales_planning has one)
    customer: Mapped[Customer] = relationship()

    def __str__(self) -> str:
        return f"{self.planned_on} #{self.customer_id}"


class Visit(BusinessMixin, Base):
    """A visit of a customer: check-in (position, time, distance, flag), the type's steps, check-out.

    ``flagged``: the check-in was farther than the company's radius from the
    customer's known location (never blocked; the manager sees it).
    ``no_position``: the phone gave no position (allowed, marked).
    """

    __tablename__ = "field_activity_visit"
    __tixi_label__ = _l("Visit")
    __tixi_tracked__ = ("visit_date", "customer_id", "notes", "next_step", "follow_up_on")
    __table_args__ = (UniqueConstraint("company_id", "client_key"),
                      Index("ix_field_activity_visit_customer_date", "customer_id", "visit_date"),
                      Index("ix_field_activity_visit_salesperson_date", "salesperson_id", "visit_date"))

    salesperson_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id"), index=True)
    visit_type_id: Mapped[int | None] = mapped_column(ForeignKey("field_activity_visit_type.id"), nullable=True)
    plan_line_id: Mapped[int | None] = mapped_column(ForeignKey("field_activity_plan_line.id"), nullable=True)
    territory_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    visit_date: Mapped[dt.date] = mapped_column(Date, index=True)
    checkin_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    checkout_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    duration_min: Mapped[int | None] = mapped_column(Integer, nullable=True)  # check-in to check-out
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6), nullable=True)
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6), nullable=True)
    accuracy_m: Mapped[int | None] = mapped_column(Integer, nullable=True)
    no_position: Mapped[bool] = mapped_column(Boolean, default=False)
    distance_m: Mapped[int | None] = mapped_column(Integer, nullable=True)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    contacts_met: Mapped[str | None] = mapped_column(String(300), nullable=True)
    needs: Mapped[str | None] = mapped_column(Text, nullable=True)
    competitor: Mapped[str | None] = mapped_column(Text, nullable=True)
    promises: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_step: Mapped[str | None] = mapped_column(String(300), nullable=True)
    follow_up_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    order_amount: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=Decimal("0"))
    client_key: Mapped[str | None] = mapped_column(String(64), nullable=True)

    salesperson: Mapped[Employee] = relationship()
    customer: Mapped[Customer] = relationship()
    visit_type: Mapped[VisitType | None] = relationship()

    def __str__(self) -> str:
        return f"{self.visit_date} #{self.customer_id}"


class DailyReport(BusinessMixin, Base):
    """The daily sales report (每日销售报告) of one salesperson and day; locked once submitted."""

    __tablename__ = "field_activity_daily_report"
    __tixi_label__ = _l("Daily sales report")
    __tixi_tracked__ = ("state", "orders_amount", "collections_amount", "expenses_amount", "problems")
    __table_args__ = (UniqueConstraint("company_id", "salesperson_id", "report_date"),
                      UniqueConstraint("company_id", "client_key"))

    salesperson_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    report_date: Mapped[dt.date] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(16), default="draft", info={"selection": REPORT_STATE})
    submitted_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    on_time: Mapped[bool] = mapped_column(Boolean, default=False)
    visits_count: Mapped[int] = mapped_column(Integer, default=0)
    visits_summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    orders_amount: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=Decimal("0"))
    collections_amount: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=Decimal("0"))
    expenses_amount: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=Decimal("0"))
    problems: Mapped[str | None] = mapped_column(Text, nullable=True)
    tomorrow: Mapped[str | None] = mapped_column(Text, nullable=True)
    client_key: Mapped[str | None] = mapped_column(String(64), nullable=True)

    salesperson: Mapped[Employee] = relationship()

    def __str__(self) -> str:
        return f"{self.report_date}"


class Forecast(BusinessMixin, Base):
    """A rolling sales forecast row (流动销售预测): customer, product, month (1st), quantity and amount.

    The shared contract: sales_planning reads these rows through the measure
    ``field_activity.forecast_amount``.
    """

    __tablename__ = "field_activity_forecast"
    __tixi_label__ = _l("Sales forecast")
    __tixi_tracked__ = ("quantity", "amount")
    __table_args__ = (UniqueConstraint("company_id", "salesperson_id", "customer_id", "product_id", "month"),)

    salesperson_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("masterdata_product.id"), index=True)
    territory_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    month: Mapped[dt.date] = mapped_column(Date, index=True)
    quantity: Mapped[Decimal] = mapped_column(Numeric(16, 3), default=Decimal("0"))
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=Decimal("0"))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)

    customer: Mapped[Customer] = relationship()
    product: Mapped[Product] = relationship()

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} #{self.customer_id}/{self.product_id}"


class MonthSummary(BusinessMixin, Base):
    """The monthly work summary (月度工作总结) of a salesperson, with next month's key points.

    The month's figures (visits, reports, orders) are read live from the facts;
    the salesperson writes what was done, the problems and next month's key points.
    """

    __tablename__ = "field_activity_month_summary"
    __tixi_label__ = _l("Monthly work summary")
    __tixi_tracked__ = ("state", "summary", "next_key_points")
    __table_args__ = (UniqueConstraint("company_id", "salesperson_id", "month"),
                      UniqueConstraint("company_id", "client_key"))

    salesperson_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    client_key: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the phone's idempotency key
    month: Mapped[dt.date] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(16), default="draft", info={"selection": REPORT_STATE})
    submitted_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    summary: Mapped[str | None] = mapped_column(Text, nullable=True)
    problems: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_key_points: Mapped[str | None] = mapped_column(Text, nullable=True)
    manager_comment: Mapped[str | None] = mapped_column(Text, nullable=True)

    salesperson: Mapped[Employee] = relationship()

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class MarketInspection(BusinessMixin, Base):
    """A market inspection report (市场巡视工作报告): the area toured, the market, competitors, suggestions."""

    __tablename__ = "field_activity_market_inspection"
    __tixi_label__ = _l("Market inspection report")
    __tixi_tracked__ = ("market_situation", "competitor_activity", "suggestions")
    __table_args__ = (UniqueConstraint("company_id", "client_key"),)

    salesperson_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    client_key: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the phone's idempotency key
    date_from: Mapped[dt.date] = mapped_column(Date, index=True)
    date_to: Mapped[dt.date] = mapped_column(Date)
    territory_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    area: Mapped[str] = mapped_column(String(200))
    customers_seen: Mapped[str | None] = mapped_column(Text, nullable=True)
    market_situation: Mapped[str | None] = mapped_column(Text, nullable=True)
    competitor_activity: Mapped[str | None] = mapped_column(Text, nullable=True)
    problems: Mapped[str | None] = mapped_column(Text, nullable=True)
    suggestions: Mapped[str | None] = mapped_column(Text, nullable=True)

    salesperson: Mapped[Employee] = relationship()

    def __str__(self) -> str:
        return f"{self.date_from} {self.area}"


class CompetitorRecord(BusinessMixin, Base):
    """A competitor product seen at a customer (竞争产品分析): who, what, price, strengths, our answer.

    Written from a visit (``visit_id``) or on its own; the competitor product
    analysis report groups them by competitor and product.
    """

    __tablename__ = "field_activity_competitor"
    __tixi_label__ = _l("Competitor record")
    __tixi_tracked__ = ("competitor_price", "market_share")
    __table_args__ = (UniqueConstraint("company_id", "client_key"),)

    salesperson_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    client_key: Mapped[str | None] = mapped_column(String(64), nullable=True)  # the phone's idempotency key
    record_date: Mapped[dt.date] = mapped_column(Date, index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_customer.id"), nullable=True, index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_product.id"), nullable=True, index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("field_activity_visit.id"), nullable=True, index=True)
    territory_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    competitor: Mapped[str] = mapped_column(String(200))
    competitor_product: Mapped[str | None] = mapped_column(String(200), nullable=True)
    competitor_price: Mapped[Decimal | None] = mapped_column(Numeric(16, 2), nullable=True)
    our_price: Mapped[Decimal | None] = mapped_column(Numeric(16, 2), nullable=True)
    market_share: Mapped[Decimal | None] = mapped_column(Numeric(5, 2), nullable=True)
    strengths: Mapped[str | None] = mapped_column(Text, nullable=True)
    weaknesses: Mapped[str | None] = mapped_column(Text, nullable=True)
    countermeasures: Mapped[str | None] = mapped_column(Text, nullable=True)

    salesperson: Mapped[Employee] = relationship()
    customer: Mapped[Customer | None] = relationship()
    product: Mapped[Product | None] = relationship()

    def __str__(self) -> str:
        return f"{self.competitor} {self.competitor_product or ''}".strip()
