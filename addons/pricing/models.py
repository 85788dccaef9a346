"""Models of the pricing addon (定价管理); tables are prefixed with ``pricing_``.

Cost inputs (monthly metal prices, product costs, formulas), the yearly pricing
strategy (targets, strategy matrix, rules), authority bands per role, quotes
and bids (报价/投标) with their lines, customer reactions and competitor prices.

Money is ``Numeric`` end to end (Python ``Decimal``); the currency and rounding
of a company are in :class:`PricingSettings`. Choice fields are short keys whose
labels are the :class:`core.i18n.Choices` ``*_LABELS`` below (English msgids,
Chinese in the addon's catalog).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from addons.masterdata.models import Customer, Employee, Product
from core.db import Base, BusinessMixin, CompanyMixin, IdMixin
from core.i18n import N_, Choices, _l

#: Groups that may see costs and margins (a salesperson sees the band only).
COST_GROUPS = ["core.group_director", "core.group_territory_manager", "core.group_finance"]

QUOTE_TYPE_LABELS = Choices({
    "high": N_("High quote"),
    "competitive": N_("Competitive quote"),
    "low": N_("Low quote"),
    "probing": N_("Probing quote"),
})
LEVEL_LABELS = Choices({
    "high": N_("High"),
    "low": N_("Low"),
})
LIFECYCLE_LABELS = Choices({
    "introduction": N_("Introduction"),
    "growth": N_("Growth"),
    "maturity": N_("Maturity"),
    "decline": N_("Decline"),
})
CHANNEL_LABELS = Choices({
    "direct": N_("Direct (OEM)"),
    "distributor": N_("Distributor"),
})
METHOD_LABELS = Choices({
    "cost_margin": N_("Cost x margin range"),
    "list_discount": N_("List price with discount limits"),
})
QUOTE_KIND_LABELS = Choices({
    "quote": N_("Quote"),
    "bid": N_("Bid"),
})
QUOTE_STATE_LABELS = Choices({
    "draft": N_("Draft"),
    "waiting": N_("Waiting approval"),
    "approved": N_("Approved"),
    "sent": N_("Sent"),
    "won": N_("Won"),
    "lost": N_("Lost"),
    "expired": N_("Expired"),
    "superseded": N_("Superseded"),
})
BID_DECISION_LABELS = Choices({
    "pending": N_("Not requested (bid)"),
    "requested": N_("Waiting for the manager"),
    "go": N_("Go"),
    "no_go": N_("No go"),
})
REACTION_LABELS = Choices({
    "accepted": N_("Accepted"),
    "countered": N_("Countered"),
    "lost": N_("Lost to a competitor"),
})
SOURCE_LABELS = Choices({
    "visit": N_("Visit"),
    "market": N_("Market"),
    "reaction": N_("Customer reaction"),
})

PRICE = Numeric(18, 4)
MONEY = Numeric(18, 2)
PCT = Numeric(9, 4)
QTY = Numeric(18, 3)
GRAMS = Numeric(18, 6)
#: a sum of price x quantity, exact (price scale 4 + quantity scale 3)
COST_SUM = Numeric(24, 7)



class PricingSettings(BusinessMixin, Base):
    """Currency and rounding of prices for one company (one row per company)."""

    __tablename__ = "pricing_settings"
    __tixi_label__ = _l("Pricing settings")
    __table_args__ = (UniqueConstraint("company_id"),)

    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    decimals: Mapped[int] = mapped_column(Integer, default=2)
    rounding: Mapped[str] = mapped_column(String(16), default="ROUND_HALF_UP")
    quote_validity_days: Mapped[int] = mapped_column(Integer, default=30)


class Metal(BusinessMixin, Base):
    """A precious metal whose market price drives cost (Pt, Pd, Rh; configurable)."""

    __tablename__ = "pricing_metal"
    __tixi_label__ = _l("Metal")
    __table_args__ = (UniqueConstraint("company_id", "code"),)

    code: Mapped[str] = mapped_column(String(16))
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    sequence: Mapped[int] = mapped_column(Integer, default=10)

    def __str__(self) -> str:
        return self.code


class MonthlyMetalPrice(BusinessMixin, Base):
    """Finance's market price of a metal for a month (per gram, company currency)."""

    __tablename__ = "pricing_metal_price"
    __tixi_label__ = _l("Monthly metal price")
    __tixi_tracked__ = ("price_per_gram",)
    __table_args__ = (UniqueConstraint("company_id", "month", "metal_id"),)

    month: Mapped[dt.date] = mapped_column(Date)
    metal_id: Mapped[int] = mapped_column(ForeignKey("pricing_metal.id"), index=True)
    price_per_gram: Mapped[Decimal] = mapped_column(PRICE)

    metal: Mapped[Metal] = relationship()


class ProductCost(BusinessMixin, Base):
    """Manufacturing and carrier cost of one unit of a product for a month."""

    __tablename__ = "pricing_product_cost"
    __tixi_label__ = _l("Monthly product cost")
    __tixi_tracked__ = ("manufacturing_cost", "carrier_cost")
    __table_args__ = (UniqueConstraint("company_id", "product_id", "month"),)

    product_id: Mapped[int] = mapped_column(ForeignKey("masterdata_product.id"), index=True)
    month: Mapped[dt.date] = mapped_column(Date)
    manufacturing_cost: Mapped[Decimal] = mapped_column(PRICE, default=Decimal("0"))
    carrier_cost: Mapped[Decimal] = mapped_column(PRICE, default=Decimal("0"))


class ProductFormula(BusinessMixin, Base):
    """Metal content of one unit of a product (grams), optionally for one customer.

    A customer-specific formula (``customer_id`` set) replaces the general one
    of the product for that customer as a whole.
    """

    __tablename__ = "pricing_formula"
    __tixi_label__ = _l("Product formula")
    __tixi_tracked__ = ("grams_per_unit",)
    __table_args__ = (Index("ix_pricing_formula_product", "company_id", "product_id", "customer_id"),)

    product_id: Mapped[int] = mapped_column(ForeignKey("masterdata_product.id"))
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("masterdata_customer.id"), nullable=True
    )
    metal_id: Mapped[int] = mapped_column(ForeignKey("pricing_metal.id"))
    grams_per_unit: Mapped[Decimal] = mapped_column(GRAMS)

    metal: Mapped[Metal] = relationship()
    #: for record rules (a customer's own formula follows the customer)
    customer: Mapped[Customer | None] = relationship(foreign_keys=[customer_id], viewonly=True)


class ProductPricing(BusinessMixin, Base):
    """A product's life-cycle stage and list price for a year."""

    __tablename__ = "pricing_product_pricing"
    __tixi_label__ = _l("Product pricing data")
    __tixi_tracked__ = ("list_price", "lifecycle_stage")
    __table_args__ = (UniqueConstraint("company_id", "product_id", "year"),)

    product_id: Mapped[int] = mapped_column(ForeignKey("masterdata_product.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    lifecycle_stage: Mapped[str] = mapped_column(
        String(16), default="growth", info={"selection": LIFECYCLE_LABELS}
    )
    list_price: Mapped[Decimal | None] = mapped_column(PRICE, nullable=True)


class PricingStrategy(BusinessMixin, Base):
    """The pricing strategy of a company for a year (定价策略)."""

    __tablename__ = "pricing_strategy"
    __tixi_label__ = _l("Pricing strategy")
    __tixi_tracked__ = ("channel_markup_pct", "default_quote_type")
    __table_args__ = (UniqueConstraint("company_id", "year"),)

    year: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    default_quote_type: Mapped[str] = mapped_column(
        String(16), default="competitive", info={"selection": QUOTE_TYPE_LABELS}
    )
    #: the distributor's resale markup: a distributor's price is the direct
    #: (OEM) price divided by ``1 + markup``.
    channel_markup_pct: Mapped[Decimal] = mapped_column(PCT, default=Decimal("0"))
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)

    matrix: Mapped[list[StrategyMatrix]] = relationship(viewonly=True)
    rules: Mapped[list[StrategyRule]] = relationship(viewonly=True)
    targets: Mapped[list[StrategyTarget]] = relationship(viewonly=True)


class StrategyMatrix(BusinessMixin, Base):
    """One cell of the strategy matrix: attractiveness x ability to win -> quote type."""

    __tablename__ = "pricing_strategy_matrix"
    __tixi_label__ = _l("Strategy matrix")
    __table_args__ = (UniqueConstraint("strategy_id", "attractiveness", "ability"),)

    strategy_id: Mapped[int] = mapped_column(ForeignKey("pricing_strategy.id", ondelete="CASCADE"))
    attractiveness: Mapped[str] = mapped_column(String(8), info={"selection": LEVEL_LABELS})
    ability: Mapped[str] = mapped_column(String(8), info={"selection": LEVEL_LABELS})
    quote_type: Mapped[str] = mapped_column(String(16), info={"selection": QUOTE_TYPE_LABELS})


class StrategyRule(BusinessMixin, Base):
    """How a quote type sets the target price and the band floor.

    ``cost_margin``: target = cost x (1 + target margin), floor = cost x (1 + floor margin).
    ``list_discount``: target = list x (1 - target discount), floor = list x (1 - max discount).
    """

    __tablename__ = "pricing_strategy_rule"
    __tixi_label__ = _l("Strategy rule (model)")
    #: margins are restricted like cost: target = cost x (1 + margin) gives the cost back from a
    #: visible target price (issue 13, item 3); discounts of list prices are not secrets
    __tixi_restricted_fields__ = {"target_margin_pct": COST_GROUPS, "floor_margin_pct": COST_GROUPS}
    __tixi_tracked__ = ("target_margin_pct", "floor_margin_pct", "target_discount_pct", "max_discount_pct")
    __table_args__ = (UniqueConstraint("strategy_id", "quote_type"),)

    strategy_id: Mapped[int] = mapped_column(ForeignKey("pricing_strategy.id", ondelete="CASCADE"))
    quote_type: Mapped[str] = mapped_column(String(16), info={"selection": QUOTE_TYPE_LABELS})
    method: Mapped[str] = mapped_column(String(16), default="cost_margin", info={"selection": METHOD_LABELS})
    target_margin_pct: Mapped[Decimal | None] = mapped_column(PCT, nullable=True)
    floor_margin_pct: Mapped[Decimal | None] = mapped_column(PCT, nullable=True)
    target_discount_pct: Mapped[Decimal | None] = mapped_column(PCT, nullable=True)
    max_discount_pct: Mapped[Decimal | None] = mapped_column(PCT, nullable=True)


class StrategyTarget(BusinessMixin, Base):
    """A pricing target by customer class and/or product life-cycle stage.

    ``adjust_pct`` (percentage points) raises the margins (or lowers the
    discounts) of the rule for matching lines: e.g. -3 for mature products.
    The most specific matching row wins (class and stage > one of them > none).
    """

    __tablename__ = "pricing_strategy_target"
    __tixi_label__ = _l("Pricing target")
    #: an adjustment of the margins reveals the cost as the margins do
    __tixi_restricted_fields__ = {"adjust_pct": COST_GROUPS, "target_margin_pct": COST_GROUPS}
    __tixi_tracked__ = ("adjust_pct", "target_margin_pct")

    strategy_id: Mapped[int] = mapped_column(ForeignKey("pricing_strategy.id", ondelete="CASCADE"), index=True)
    customer_class: Mapped[str | None] = mapped_column(String(8), nullable=True)
    lifecycle_stage: Mapped[str | None] = mapped_column(
        String(16), nullable=True, info={"selection": LIFECYCLE_LABELS}
    )
    adjust_pct: Mapped[Decimal] = mapped_column(PCT, default=Decimal("0"))
    #: the yearly margin target (for reports: realised vs target)
    target_margin_pct: Mapped[Decimal | None] = mapped_column(PCT, nullable=True)


class CustomerAssessment(BusinessMixin, Base):
    """A customer's place in the strategy matrix for a year, and its channel."""

    __tablename__ = "pricing_assessment"
    __tixi_label__ = _l("Customer pricing assessment")
    __tixi_tracked__ = ("attractiveness", "ability", "customer_class")
    __table_args__ = (UniqueConstraint("company_id", "customer_id", "year"),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    attractiveness: Mapped[str] = mapped_column(String(8), default="high", info={"selection": LEVEL_LABELS})
    ability: Mapped[str] = mapped_column(String(8), default="high", info={"selection": LEVEL_LABELS})
    channel: Mapped[str] = mapped_column(String(16), default="direct", info={"selection": CHANNEL_LABELS})
    #: used when the crm_cards addon (customer classes) does not answer
    customer_class: Mapped[str | None] = mapped_column(String(8), nullable=True)

    customer: Mapped[Customer] = relationship(foreign_keys=[customer_id])


class AuthorityBand(BusinessMixin, Base):
    """How far below the band floor a role may quote without approval (per company).

    ``max_below_floor_pct`` None means no limit (e.g. the management committee).
    """

    __tablename__ = "pricing_authority_band"
    __tixi_label__ = _l("Pricing authority (model)")
    __tixi_tracked__ = ("max_below_floor_pct",)
    __table_args__ = (UniqueConstraint("company_id", "group_code"),)

    group_code: Mapped[str] = mapped_column(String(128))
    sequence: Mapped[int] = mapped_column(Integer, default=10)
    max_below_floor_pct: Mapped[Decimal | None] = mapped_column(PCT, nullable=True)


class Quote(BusinessMixin, Base):
    """A quote or bid (报价/投标) to a customer; re-quotes are new revisions."""

    __tablename__ = "pricing_quote"
    __tixi_label__ = _l("Quote")
    __tixi_tracked__ = ("state", "valid_until", "amount_total", "bid_decision", "lost_reason")
    __table_args__ = (
        UniqueConstraint("company_id", "number", "revision"),
        Index("ix_pricing_quote_customer", "company_id", "customer_id"),
        Index("ix_pricing_quote_state_date", "company_id", "state", "quote_date"),
    )

    number: Mapped[str] = mapped_column(String(32))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    root_id: Mapped[int | None] = mapped_column(ForeignKey("pricing_quote.id"), nullable=True, index=True)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("pricing_quote.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(8), default="quote", info={"selection": QUOTE_KIND_LABELS})
    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True, index=True)
    #: snapshot of the customer's territory when quoted (territories addon), for reports
    territory_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    #: snapshot of the customer's class when quoted
    customer_class: Mapped[str | None] = mapped_column(String(8), nullable=True)
    channel: Mapped[str] = mapped_column(String(16), default="direct", info={"selection": CHANNEL_LABELS})
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    quote_date: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default="draft", info={"selection": QUOTE_STATE_LABELS})
    bid_decision: Mapped[str | None] = mapped_column(
        String(16), nullable=True, info={"selection": BID_DECISION_LABELS}
    )
    amount_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    #: largest % below a line's floor; 0 when every line is inside its band
    max_deviation_pct: Mapped[Decimal] = mapped_column(PCT, default=Decimal("0"))
    #: the lowest role whose band covers ``max_deviation_pct``
    required_group: Mapped[str | None] = mapped_column(String(128), nullable=True)
    lost_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    lost_to: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lost_price: Mapped[Decimal | None] = mapped_column(PRICE, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    customer: Mapped[Customer] = relationship(foreign_keys=[customer_id])
    owner: Mapped[Employee | None] = relationship(foreign_keys=[owner_id])
    lines: Mapped[list[QuoteLine]] = relationship(
        order_by="QuoteLine.sequence", viewonly=True
    )

    @property
    def display_number(self) -> str:
        """``Q2026-0001`` or ``Q2026-0001-R2`` for a revision."""
        return self.number if self.revision == 1 else f"{self.number}-R{self.revision}"

    def __str__(self) -> str:
        return self.display_number


class QuoteLine(BusinessMixin, Base):
    """A line of a quote: price, band, strategy used, and the cost when quoted.

    ``cost``, ``margin_amount`` and ``margin_pct`` are visible only to the
    Director, territory managers and Finance; a salesperson sees the band.
    """

    __tablename__ = "pricing_quote_line"
    __tixi_label__ = _l("Quote line")
    __tixi_audit__ = False
    __tixi_tracked__ = ("unit_price", "quantity")
    __tixi_restricted_fields__ = {
        "cost": COST_GROUPS,
        "margin_amount": COST_GROUPS,
        "margin_pct": COST_GROUPS,
    }
    __table_args__ = (Index("ix_pricing_quote_line_quote", "quote_id", "sequence"),)

    quote_id: Mapped[int] = mapped_column(ForeignKey("pricing_quote.id", ondelete="CASCADE"))
    sequence: Mapped[int] = mapped_column(Integer, default=10)
    product_id: Mapped[int] = mapped_column(ForeignKey("masterdata_product.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(QTY)
    unit_price: Mapped[Decimal] = mapped_column(PRICE)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    target_price: Mapped[Decimal] = mapped_column(PRICE)
    floor_price: Mapped[Decimal] = mapped_column(PRICE)
    list_price: Mapped[Decimal | None] = mapped_column(PRICE, nullable=True)
    deviation_pct: Mapped[Decimal] = mapped_column(PCT, default=Decimal("0"))
    quote_type: Mapped[str] = mapped_column(String(16), info={"selection": QUOTE_TYPE_LABELS})
    strategy_id: Mapped[int | None] = mapped_column(ForeignKey("pricing_strategy.id"), nullable=True)
    cost_month: Mapped[dt.date] = mapped_column(Date)
    cost: Mapped[Decimal | None] = mapped_column(PRICE, nullable=True)
    margin_amount: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    margin_pct: Mapped[Decimal | None] = mapped_column(PCT, nullable=True)

    quote: Mapped[Quote] = relationship(foreign_keys=[quote_id])
    product: Mapped[Product] = relationship(foreign_keys=[product_id])


class MarginMonth(IdMixin, CompanyMixin, Base):
    """Monthly margin summary (docs/performance.md section 6): one row per month and key of priced lines.

    Maintained on write by :mod:`addons.pricing.summary` (in the same
    transaction as the quote or line change) from the lines of quotes in a
    priced state (``PRICED_STATES``: approved, sent, won); read by the margin
    report when its period falls on whole months. Carries the columns the
    quote rules use (``owner_id``, ``customer_id``) and the same rules
    (security.yaml); readable by cost roles only. Not audited: it is derived data
    (:func:`addons.pricing.summary.rebuild` recomputes it).
    """

    __tablename__ = "pricing_margin_month"
    __tixi_label__ = _l("Monthly margin summary")
    __tixi_audit__ = False
    __tixi_restricted_fields__ = {"cost": COST_GROUPS, "margin": COST_GROUPS}
    __table_args__ = (
        Index("ix_pricing_margin_month_slice", "company_id", "customer_id", "month"),
        Index("ix_pricing_margin_month_month", "company_id", "month"),
    )

    #: first day of the quote date's month
    month: Mapped[dt.date] = mapped_column(Date)
    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id", ondelete="CASCADE"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_employee.id"), nullable=True)
    territory_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    customer_class: Mapped[str | None] = mapped_column(String(8), nullable=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("masterdata_product.id", ondelete="CASCADE"))
    revenue: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0"))
    #: sum of cost x quantity (unrounded: price scale + quantity scale)
    cost: Mapped[Decimal | None] = mapped_column(COST_SUM, nullable=True)
    margin: Mapped[Decimal | None] = mapped_column(MONEY, nullable=True)
    lines: Mapped[int] = mapped_column(Integer, default=0)

    customer: Mapped[Customer] = relationship(foreign_keys=[customer_id])


class PriceReaction(BusinessMixin, Base):
    """The customer's reaction to a quote, recorded by the rep (feeds pricing reviews)."""

    __tablename__ = "pricing_reaction"
    __tixi_label__ = _l("Price reaction")

    quote_id: Mapped[int] = mapped_column(ForeignKey("pricing_quote.id", ondelete="CASCADE"), index=True)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("pricing_quote_line.id", ondelete="CASCADE"), nullable=True)
    kind: Mapped[str] = mapped_column(String(16), info={"selection": REACTION_LABELS})
    counter_price: Mapped[Decimal | None] = mapped_column(PRICE, nullable=True)
    competitor: Mapped[str | None] = mapped_column(String(200), nullable=True)
    competitor_price: Mapped[Decimal | None] = mapped_column(PRICE, nullable=True)
    reacted_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    quote: Mapped[Quote] = relationship()


class CompetitorPrice(BusinessMixin, Base):
    """A competitor's price for a product (and customer), from a visit or the market."""

    __tablename__ = "pricing_competitor_price"
    __tixi_label__ = _l("Competitor price")
    __table_args__ = (Index("ix_pricing_competitor_price_product", "company_id", "product_id", "observed_on"),)

    product_id: Mapped[int] = mapped_column(ForeignKey("masterdata_product.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("masterdata_customer.id"), nullable=True, index=True)
    product: Mapped[Product] = relationship(foreign_keys=[product_id])
    competitor: Mapped[str] = mapped_column(String(200))
    price: Mapped[Decimal] = mapped_column(PRICE)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    observed_on: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16), default="visit", info={"selection": SOURCE_LABELS})
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    customer: Mapped[Customer | None] = relationship(foreign_keys=[customer_id])
