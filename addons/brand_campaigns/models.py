"""Models of the brand_campaigns addon (品牌管理与市场推广); tables are prefixed ``brand_campaigns_``.

* **Brand value positioning** (品牌价值定位) per year: customers' brand value
  needs, competitors' strengths, own strengths, the chosen value proposition;
  approved by the management committee (kernel approvals), history by year.
* **Promotion toolkit** (推广工具包): items (standard statements, brochure,
  product introductions, customer cases, training material), each with
  numbered **versions** per language (zh_CN / en) whose file is a kernel
  attachment; a version is approved before it is published, and publishing
  makes it the *current* one of its item and language.
* **Channels** (推广渠道, seeded, bilingual), **promotion plans** (推广计划) with
  key dates, owner, supervisor, expected effect and a budget line (a plain id:
  the budget addon is optional), and **activities**: promotion activities of a
  plan, market activities and market research (plan, run, evaluate), with
  actual cost (Decimal), attendance, reach and leads.
* **PromotionChannel management** (渠道管理): distributors (经销商), agreements,
  purchases (经销商进货) and periodic evaluations with scores and an
  elimination decision.
* **DistributorEvaluation** (推广效果评估): a short questionnaire sent to customer contacts
  through a tokenised public link (one answer per token; only a hash of the
  token is stored) and the answers.

Money is ``Numeric`` (Python ``Decimal``); datetimes are timezone-aware (UTC).
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

from addons.masterdata.models import Contact, Customer, Employee, Product
from core.db import Base, BusinessMixin, CompanyMixin, IdMixin, UTCDateTime
from core.i18n import N_, Choices, _l
from core.i18n import label as text_label

MONEY = Numeric(18, 2)
QTY = Numeric(18, 3)
SCORE = Numeric(6, 2)

PROPOSITION = Choices({
    "low_cost_technology": N_("Low cost through technology"),
    "stable_quality": N_("Stable quality"),
    "national_brand": N_("National brand"),
    "service": N_("Service"),
    "other": N_("Other"),
})
POSITIONING_STATE = Choices({"draft": N_("Draft"), "submitted": N_("Waiting approval"), "approved": N_("Approved")})
TOOLKIT_KIND = Choices({
    "statement": N_("Standard statement"),
    "brochure": N_("Brochure"),
    "product_intro": N_("Product introduction"),
    "customer_case": N_("Customer case"),
    "training": N_("Training material"),
})
TOOLKIT_LANG = Choices({"zh_CN": N_("Chinese"), "en": N_("English")})
VERSION_STATE = Choices({"draft": N_("Draft"), "submitted": N_("Waiting approval"), "approved": N_("Approved"),
                         "published": N_("Published")})
PLAN_STATE = Choices({"draft": N_("Draft"), "running": N_("Running"), "done": N_("Done"),
                      "cancelled": N_("Cancelled")})
ACTIVITY_KIND = Choices({
    "promotion": N_("Promotion activity"),
    "market_activity": N_("Market activity"),
    "research": N_("Market research"),
})
ACTIVITY_STATE = Choices({"planned": N_("Planned"), "done": N_("Done"), "evaluated": N_("Evaluated")})
DISTRIBUTOR_STATE = Choices({"candidate": N_("Candidate"), "active": N_("Active"), "eliminated": N_("Eliminated")})
DECISION = Choices({"keep": N_("Keep"), "warn": N_("Warn"), "eliminate": N_("Eliminate")})
SURVEY_STATE = Choices({"open": N_("Open"), "closed": N_("Closed")})


def bilingual(zh: str | None, en: str | None, lang: str | None = None) -> str:
    """Stored reference text in ``lang`` (default: the current language)."""
    return text_label({"zh_CN": zh or en or "", "en": en or zh or ""}, lang)


class Positioning(BusinessMixin, Base):
    """The brand value positioning of one year (品牌价值定位), approved by the management committee."""

    __tablename__ = "brand_campaigns_positioning"
    __tixi_label__ = _l("Brand positioning")
    __tixi_tracked__ = ("customer_needs", "competitor_strengths", "own_strengths", "proposition", "statement")
    __table_args__ = (UniqueConstraint("company_id", "year"),)

    year: Mapped[int] = mapped_column(Integer)
    customer_needs: Mapped[str] = mapped_column(Text)
    competitor_strengths: Mapped[str] = mapped_column(Text)
    own_strengths: Mapped[str] = mapped_column(Text)
    proposition: Mapped[str] = mapped_column(String(32), info={"selection": PROPOSITION})
    statement: Mapped[str | None] = mapped_column(Text, nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="draft", info={"selection": POSITIONING_STATE})

    def display(self, lang: str | None = None) -> str:
        """``2026 · 稳定的质量``."""
        return f"{self.year} · {PROPOSITION.label(self.proposition, lang)}"

    def __str__(self) -> str:
        return self.display()


class ToolkitItem(BusinessMixin, Base):
    """A piece of the promotion toolkit (a brochure, a customer case ...), versioned by language."""

    __tablename__ = "brand_campaigns_toolkit_item"
    __tixi_label__ = _l("Toolkit item")

    kind: Mapped[str] = mapped_column(String(16), info={"selection": TOOLKIT_KIND})
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)

    def display(self, lang: str | None = None) -> str:
        """The title in ``lang``."""
        return bilingual(self.title_zh, self.title_en, lang)

    def __str__(self) -> str:
        return self.display()


class ToolkitVersion(BusinessMixin, Base):
    """Version ``number`` of an item in one language; its file is an attachment; published after approval."""

    __tablename__ = "brand_campaigns_toolkit_version"
    __tixi_label__ = _l("Toolkit version")
    __table_args__ = (UniqueConstraint("item_id", "lang", "number"),)

    item_id: Mapped[int] = mapped_column(ForeignKey("brand_campaigns_toolkit_item.id", ondelete="CASCADE"),
                                         index=True)
    lang: Mapped[str] = mapped_column(String(8), info={"selection": TOOLKIT_LANG})
    number: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="draft", info={"selection": VERSION_STATE})
    current: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    item: Mapped[ToolkitItem] = relationship()

    def display(self, lang: str | None = None) -> str:
        """``产品手册 v2 (中文)``."""
        return f"{self.item.display(lang)} v{self.number} ({TOOLKIT_LANG.label(self.lang, lang)})"

    def __str__(self) -> str:
        return self.display()


class PromotionChannel(BusinessMixin, Base):
    """A promotion channel (trade media, academic conferences, exhibitions ...), seeded per company."""

    __tablename__ = "brand_campaigns_channel"
    __tixi_label__ = _l("Promotion channel")
    __table_args__ = (UniqueConstraint("company_id", "code"),)

    code: Mapped[str] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    sequence: Mapped[int] = mapped_column(Integer, default=10)

    def display(self, lang: str | None = None) -> str:
        """The name in ``lang``."""
        return bilingual(self.name_zh, self.name_en, lang)

    def __str__(self) -> str:
        return self.display()


class PromotionPlan(BusinessMixin, Base):
    """A promotion plan (推广计划): channel, dates, owner, supervisor, expected effect, budget line."""

    __tablename__ = "brand_campaigns_plan"
    __tixi_label__ = _l("Promotion plan")
    __tixi_tracked__ = ("state", "start_date", "end_date", "budget_amount", "budget_line_id", "owner_id")

    name: Mapped[str] = mapped_column(String(200))
    channel_id: Mapped[int] = mapped_column(ForeignKey("brand_campaigns_channel.id"), index=True)
    positioning_id: Mapped[int | None] = mapped_column(ForeignKey("brand_campaigns_positioning.id"),
                                                       nullable=True)
    start_date: Mapped[dt.date] = mapped_column(Date, index=True)
    end_date: Mapped[dt.date] = mapped_column(Date)
    key_dates: Mapped[str | None] = mapped_column(Text, nullable=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("masterdata_employee.id"), index=True)
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True)
    expected_effect: Mapped[str | None] = mapped_column(Text, nullable=True)
    expected_reach: Mapped[int] = mapped_column(Integer, default=0)
    expected_leads: Mapped[int] = mapped_column(Integer, default=0)
    expected_score: Mapped[Decimal | None] = mapped_column(SCORE, nullable=True)
    budget_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    # the budget addon's line (budget_line): a plain id, the budget addon is optional
    budget_line_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    state: Mapped[str] = mapped_column(String(16), default="draft", info={"selection": PLAN_STATE})

    channel: Mapped[PromotionChannel] = relationship()
    owner: Mapped[Employee] = relationship(foreign_keys=[owner_id])
    supervisor: Mapped[Employee | None] = relationship(foreign_keys=[supervisor_id])
    positioning: Mapped[Positioning | None] = relationship()

    def __str__(self) -> str:
        return self.name


class MarketActivity(BusinessMixin, Base):
    """An activity: of a promotion plan, or a market activity or research (plan, run, evaluate)."""

    __tablename__ = "brand_campaigns_activity"
    __tixi_label__ = _l("Market activity")
    __tixi_tracked__ = ("state", "actual_cost", "attendance")

    kind: Mapped[str] = mapped_column(String(16), default="promotion", info={"selection": ACTIVITY_KIND})
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("brand_campaigns_plan.id", ondelete="CASCADE"),
                                                nullable=True, index=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("brand_campaigns_channel.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[dt.date] = mapped_column(Date, index=True)
    end_date: Mapped[dt.date] = mapped_column(Date)
    location: Mapped[str | None] = mapped_column(String(200), nullable=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True)
    planned_cost: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    actual_cost: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    attendance: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reach: Mapped[int | None] = mapped_column(Integer, nullable=True)
    leads: Mapped[int | None] = mapped_column(Integer, nullable=True)
    findings: Mapped[str | None] = mapped_column(Text, nullable=True)
    evaluation: Mapped[str | None] = mapped_column(Text, nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="planned", info={"selection": ACTIVITY_STATE})

    plan: Mapped[PromotionPlan | None] = relationship()
    channel: Mapped[PromotionChannel] = relationship()

    def __str__(self) -> str:
        return self.name


class Distributor(BusinessMixin, Base):
    """A distributor (经销商) of the company's products: chosen, agreed with, evaluated, kept or eliminated."""

    __tablename__ = "brand_campaigns_distributor"
    __tixi_label__ = _l("Distributor")
    __tixi_tracked__ = ("state", "owner_id", "territory_id")
    __table_args__ = (UniqueConstraint("company_id", "code"),)

    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    province: Mapped[str | None] = mapped_column(String(32), nullable=True)
    city: Mapped[str | None] = mapped_column(String(64), nullable=True)
    contact_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True, index=True)
    state: Mapped[str] = mapped_column(String(16), default="active", info={"selection": DISTRIBUTOR_STATE})
    since: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    eliminated_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    #: the territory (片区) the distributor sells in: a plain id (territories is optional)
    territory_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    #: the distributor as a customer of masterdata (its orders' deliveries, when orders is enabled)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_customer.id", ondelete="SET NULL"),
                                                    nullable=True, index=True)

    owner: Mapped[Employee | None] = relationship()

    def __str__(self) -> str:
        return self.name


class DistributorAgreement(BusinessMixin, Base):
    """A distribution agreement (经销协议): period, territory covered, purchase target."""

    __tablename__ = "brand_campaigns_agreement"
    __tixi_label__ = _l("Distribution agreement")

    distributor_id: Mapped[int] = mapped_column(
        ForeignKey("brand_campaigns_distributor.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(32))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    area: Mapped[str | None] = mapped_column(String(200), nullable=True)
    target_amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    terms: Mapped[str | None] = mapped_column(Text, nullable=True)

    distributor: Mapped[Distributor] = relationship()

    def __str__(self) -> str:
        return self.number


class DistributorPurchase(BusinessMixin, Base):
    """A distributor's purchase from the company (经销商进货): product, quantity, amount, date."""

    __tablename__ = "brand_campaigns_purchase"
    __tixi_label__ = _l("Distributor purchase")

    distributor_id: Mapped[int] = mapped_column(
        ForeignKey("brand_campaigns_distributor.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("masterdata_product.id"), index=True)
    purchase_date: Mapped[dt.date] = mapped_column(Date, index=True)
    quantity: Mapped[Decimal] = mapped_column(QTY)
    amount: Mapped[Decimal] = mapped_column(MONEY)

    distributor: Mapped[Distributor] = relationship()
    product: Mapped[Product] = relationship()


class PurchaseMonth(IdMixin, CompanyMixin, Base):
    """Monthly purchase summary (docs/performance.md section 6): one row per distributor and month.

    Maintained on write by :mod:`addons.brand_campaigns.summary` (in the same
    transaction as the purchase or distributor change) from the purchases;
    read by the distributor reports and the purchase measures when the period
    falls on whole months. Carries the columns the purchase rules use
    (``owner_id``: the distributor's salesperson) and the same rules. Not
    audited: derived data (:func:`addons.brand_campaigns.summary.rebuild`).
    """

    __tablename__ = "brand_campaigns_purchase_month"
    __tixi_label__ = _l("Monthly distributor purchases")
    __tixi_audit__ = False
    __table_args__ = (
        Index("ix_brand_campaigns_purchase_month_slice", "company_id", "distributor_id", "month"),
        Index("ix_brand_campaigns_purchase_month_month", "company_id", "month"),
    )

    #: first day of the purchase date's month
    month: Mapped[dt.date] = mapped_column(Date)
    distributor_id: Mapped[int] = mapped_column(ForeignKey("brand_campaigns_distributor.id", ondelete="CASCADE"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True)
    territory_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    quantity: Mapped[Decimal] = mapped_column(QTY, default=Decimal("0"))
    amount: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    purchases: Mapped[int] = mapped_column(Integer, default=0)


class DistributorEvaluation(BusinessMixin, Base):
    """A periodic distributor evaluation (经销商评估): scores 0-100, total, decision."""

    __tablename__ = "brand_campaigns_evaluation"
    __tixi_label__ = _l("Distributor evaluation")
    __table_args__ = (UniqueConstraint("distributor_id", "period"),)

    distributor_id: Mapped[int] = mapped_column(
        ForeignKey("brand_campaigns_distributor.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(8))
    evaluated_on: Mapped[dt.date] = mapped_column(Date)
    sales_score: Mapped[int] = mapped_column(Integer)
    payment_score: Mapped[int] = mapped_column(Integer)
    market_score: Mapped[int] = mapped_column(Integer)
    service_score: Mapped[int] = mapped_column(Integer)
    total_score: Mapped[Decimal] = mapped_column(SCORE)
    decision: Mapped[str] = mapped_column(String(16), info={"selection": DECISION})
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)

    distributor: Mapped[Distributor] = relationship()


class BrandSurvey(BusinessMixin, Base):
    """A short bilingual questionnaire on a plan's effect, sent to customer contacts."""

    __tablename__ = "brand_campaigns_survey"
    __tixi_label__ = _l("Questionnaire")

    name: Mapped[str] = mapped_column(String(200))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("brand_campaigns_plan.id", ondelete="SET NULL"),
                                                nullable=True, index=True)
    closes_on: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default="open", info={"selection": SURVEY_STATE})

    plan: Mapped[PromotionPlan | None] = relationship()

    def __str__(self) -> str:
        return self.name


class BrandSurveyToken(BusinessMixin, Base):
    """One contact's invitation: only the SHA-256 of the secret is stored; used once; expires."""

    __tablename__ = "brand_campaigns_survey_token"
    __tixi_label__ = _l("Questionnaire invitation")

    survey_id: Mapped[int] = mapped_column(ForeignKey("brand_campaigns_survey.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_contact.id"), nullable=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    survey: Mapped[BrandSurvey] = relationship()
    customer: Mapped[Customer] = relationship()
    contact: Mapped[Contact | None] = relationship()


class SurveyAnswer(BusinessMixin, Base):
    """One answer to a questionnaire (scores 1-5); the customer's class when it was given."""

    __tablename__ = "brand_campaigns_answer"
    __tixi_label__ = _l("Questionnaire answer")
    __table_args__ = (UniqueConstraint("token_id"),)

    survey_id: Mapped[int] = mapped_column(ForeignKey("brand_campaigns_survey.id", ondelete="CASCADE"), index=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("brand_campaigns_survey_token.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id"), index=True)
    customer_class: Mapped[str | None] = mapped_column(String(8), nullable=True)
    awareness: Mapped[int] = mapped_column(Integer)
    acceptance: Mapped[int] = mapped_column(Integer)
    recommend: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    survey: Mapped[BrandSurvey] = relationship()
    customer: Mapped[Customer] = relationship()
