"""Models of the market_info addon (信息管理).

* :class:`CollectionPlan`: an information collection plan for one kind of information
  (客户信息, 计划执行, 竞争对手的质量/批发与零售价格/品种/趋势, 客户技术需求,
  竞争对手技术, 环保与产业政策, 新产品): the collector, the channel, the
  frequency, the aggregator, the analysis made, and the recipients
  (:class:`PlanRecipient`: employees or roles); ``next_due`` is the day the
  next item is due (advanced when the collector files one);
* :class:`Competitor` / :class:`CompetitorProduct`: competitor profiles and
  their products (mapped to our comparable product variety when known);
* :class:`PriceObservation`: a competitor price seen on a date, at a place,
  from a source (all three required), by a salesperson; with the territory
  of the customer ON THAT DATE (territories' history) when a customer is given;
* :class:`Note`: a policy (environmental, industry), competitor technology,
  new product, trend or customer note;
* :class:`TechNeed`: a customer's technical need noted at a development stage;
* :class:`Analysis`: a periodic analysis report drafted from the period's
  records and issued to the plan's recipients.

Records are confidential by default (security.yaml): read by the collector,
the plan's collector, aggregator and recipients (employees and roles), and
the director.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from addons.masterdata.models import Customer, Employee, Product
from core.db import Base, BusinessMixin, UTCDateTime
from core.i18n import N_, Choices, _l, value_label
from core.i18n import label as text_label

KIND = Choices({
    "customer": N_("Customer information"),
    "plan_execution": N_("Plan execution"),
    "competitor_quality": N_("Competitor quality"),
    "competitor_price": N_("Competitor prices (wholesale and retail)"),
    "competitor_variety": N_("Competitor varieties"),
    "competitor_trend": N_("Competitor trends"),
    "tech_need": N_("Customer technical needs"),
    "competitor_tech": N_("Competitor technology"),
    "policy_environmental": N_("Environmental policy"),
    "policy_industry": N_("Industry policy"),
    "new_product": N_("New products"),
})
#: kinds a :class:`Note` may carry (prices and technical needs have their own records)
NOTE_KINDS = tuple(k for k in KIND if k not in ("competitor_price", "tech_need"))
CHANNEL = Choices({
    "visit": N_("Customer visit"),
    "market": N_("Market inspection"),
    "distributor": N_("Distributor"),
    "exhibition": N_("Exhibition"),
    "publication": N_("Publications and websites"),
    "association": N_("Industry association"),
    "government": N_("Government notice"),
})
FREQUENCY = Choices({"weekly": N_("Weekly"), "monthly": N_("Monthly"), "quarterly": N_("Quarterly")})
PRICE_KIND = Choices({"wholesale": N_("Wholesale price"), "retail": N_("Retail price"), "tender": N_("Tender price")})
SOURCE = Choices({
    "customer": N_("Told by the customer"),
    "distributor": N_("Told by a distributor"),
    "quotation": N_("Competitor's quotation"),
    "tender": N_("Tender result"),
    "website": N_("Website or publication"),
    "exhibition": N_("Exhibition"),
})
ANALYSIS_STATE = Choices({"draft": N_("Draft"), "issued": N_("Issued")})
#: the development stages of crm_cards' defaults (codes); crm_cards is optional, so a plain key
STAGE = Choices({
    "tech_info": N_("Technical information"), "needs": N_("Needs"), "training": N_("Customer training"),
    "supply_application": N_("Supply application"), "test_plan": N_("Test plan"),
    "tech_agreement": N_("Technical agreement"), "samples": N_("Samples"),
    "matching_tests": N_("Matching tests and product finalisation"), "certification": N_("Certification"),
    "after_sales": N_("After-sales service"),
})
PRICE = Numeric(18, 4)


class CollectionPlan(BusinessMixin, Base):
    """Who collects one kind of information, how, how often, who aggregates and analyses it, who receives it."""

    __tablename__ = "market_info_plan"
    __tixi_label__ = _l("Information collection plan")
    __tixi_tracked__ = ("collector_id", "aggregator_id", "frequency", "next_due")

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), index=True, info={"selection": KIND})
    collector_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    channel: Mapped[str] = mapped_column(String(32), default="visit", info={"selection": CHANNEL})
    frequency: Mapped[str] = mapped_column(String(16), default="monthly", info={"selection": FREQUENCY})
    aggregator_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True,
                                                      index=True)
    analysis: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_due: Mapped[dt.date] = mapped_column(Date)
    remind_days: Mapped[int] = mapped_column(Integer, default=2)
    reminded_for: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    overdue_for: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    last_collected_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    collector: Mapped[Employee] = relationship(foreign_keys=[collector_id])
    aggregator: Mapped[Employee | None] = relationship(foreign_keys=[aggregator_id])
    recipients: Mapped[list[PlanRecipient]] = relationship(back_populates="plan", cascade="all, delete-orphan",
                                                           order_by="PlanRecipient.id")

    def display(self, lang: str | None = None) -> str:
        """The plan's name."""
        return self.name

    def __str__(self) -> str:
        return self.name


class PlanRecipient(BusinessMixin, Base):
    """A recipient of a plan's information and analyses: an employee, or a role (a group code)."""

    __tablename__ = "market_info_plan_recipient"
    __tixi_label__ = _l("Recipient")

    plan_id: Mapped[int] = mapped_column(ForeignKey("market_info_plan.id", ondelete="CASCADE"), index=True)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True, index=True)
    group_code: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)

    plan: Mapped[CollectionPlan] = relationship(back_populates="recipients")
    employee: Mapped[Employee | None] = relationship()


class Competitor(BusinessMixin, Base):
    """A competitor's profile."""

    __tablename__ = "market_info_competitor"
    __tixi_label__ = _l("Competitor")

    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200), nullable=True)
    location: Mapped[str | None] = mapped_column(String(200), nullable=True)
    strengths: Mapped[str | None] = mapped_column(Text, nullable=True)
    weaknesses: Mapped[str | None] = mapped_column(Text, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    def display(self, lang: str | None = None) -> str:
        """Name in ``lang``."""
        return text_label({"zh_CN": self.name_zh or "", "en": self.name_en or self.name_zh or ""}, lang)

    def __str__(self) -> str:
        return self.display()


class CompetitorProduct(BusinessMixin, Base):
    """A competitor's product, with our comparable variety when known."""

    __tablename__ = "market_info_competitor_product"
    __tixi_label__ = _l("Competitor product")

    competitor_id: Mapped[int] = mapped_column(ForeignKey("market_info_competitor.id", ondelete="CASCADE"),
                                               index=True)
    name: Mapped[str] = mapped_column(String(200))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_product.id"), nullable=True, index=True)
    quality: Mapped[str | None] = mapped_column(Text, nullable=True)
    technology: Mapped[str | None] = mapped_column(Text, nullable=True)

    competitor: Mapped[Competitor] = relationship()
    product: Mapped[Product | None] = relationship()

    def display(self, lang: str | None = None) -> str:
        """``竞争对手 产品``."""
        return f"{self.competitor.display(lang) if self.competitor else ''} {self.name}".strip()

    def __str__(self) -> str:
        return self.display()


class PriceObservation(BusinessMixin, Base):
    """A competitor's price seen on a date, at a place, from a source."""

    __tablename__ = "market_info_price"
    __tixi_label__ = _l("Competitor price observation")
    __table_args__ = (Index("ix_market_info_price_date", "company_id", "observed_on"),)

    plan_id: Mapped[int | None] = mapped_column(ForeignKey("market_info_plan.id"), nullable=True, index=True)
    collector_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    competitor_id: Mapped[int] = mapped_column(ForeignKey("market_info_competitor.id"), index=True)
    competitor_product_id: Mapped[int | None] = mapped_column(ForeignKey("market_info_competitor_product.id"),
                                                              nullable=True, index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_product.id"), nullable=True, index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_customer.id"), nullable=True, index=True)
    territory_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    observed_on: Mapped[dt.date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(32), info={"selection": SOURCE})
    price_kind: Mapped[str] = mapped_column(String(16), default="wholesale", info={"selection": PRICE_KIND})
    price: Mapped[Decimal] = mapped_column(PRICE)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    unit: Mapped[str | None] = mapped_column(String(32), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    pricing_price_id: Mapped[int | None] = mapped_column(Integer, nullable=True)

    collector: Mapped[Employee] = relationship(foreign_keys=[collector_id])
    competitor: Mapped[Competitor] = relationship()
    competitor_product: Mapped[CompetitorProduct | None] = relationship()
    product: Mapped[Product | None] = relationship()
    customer: Mapped[Customer | None] = relationship()

    def __str__(self) -> str:
        return f"{self.competitor} {self.price} {self.observed_on}"


class Note(BusinessMixin, Base):
    """A piece of information: policy, competitor technology, new product, trend, customer, plan execution."""

    __tablename__ = "market_info_note"
    __tixi_label__ = _l("Information note")

    plan_id: Mapped[int | None] = mapped_column(ForeignKey("market_info_plan.id"), nullable=True, index=True)
    collector_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True, info={"selection": KIND})
    noted_on: Mapped[dt.date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    source: Mapped[str | None] = mapped_column(String(200), nullable=True)
    competitor_id: Mapped[int | None] = mapped_column(ForeignKey("market_info_competitor.id"), nullable=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_customer.id"), nullable=True)

    collector: Mapped[Employee] = relationship()

    def __str__(self) -> str:
        return self.title


class TechNeed(BusinessMixin, Base):
    """A customer's technical need, noted at a development stage."""

    __tablename__ = "market_info_tech_need"
    __tixi_label__ = _l("Technical need")

    plan_id: Mapped[int | None] = mapped_column(ForeignKey("market_info_plan.id"), nullable=True, index=True)
    collector_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id"), index=True)
    stage: Mapped[str] = mapped_column(String(32), info={"selection": STAGE})
    noted_on: Mapped[dt.date] = mapped_column(Date, index=True)
    need: Mapped[str] = mapped_column(Text)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_product.id"), nullable=True)

    customer: Mapped[Customer] = relationship()

    def display(self, lang: str | None = None) -> str:
        """The customer and the development stage, in ``lang``."""
        customer = self.customer.display(lang) if self.customer is not None else ""
        return f"{customer} {value_label(self, 'stage', lang)}"

    def __str__(self) -> str:
        return self.display()


class Analysis(BusinessMixin, Base):
    """A periodic analysis report of a plan, drafted from the period's records, issued to the recipients."""

    __tablename__ = "market_info_analysis"
    __tixi_label__ = _l("Information analysis")

    plan_id: Mapped[int] = mapped_column(ForeignKey("market_info_plan.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True, index=True)
    date_from: Mapped[dt.date] = mapped_column(Date)
    date_to: Mapped[dt.date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    records: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default="draft", info={"selection": ANALYSIS_STATE})
    issued_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    plan: Mapped[CollectionPlan] = relationship()

    def __str__(self) -> str:
        return self.title
