"""Pricing services: cost of a product for a month, strategy bands, authority, quotes.

Every public function validates its input first and raises
:class:`core.errors.ValidationError` (message in the user's language, nothing
written) or :class:`core.errors.AccessDenied`; writes happen inside a savepoint,
so an operation is all or nothing within the caller's transaction.

Costs are read with the company filter but without the user's access rights
(the computation is the system's, like Odoo's ``sudo``): a salesperson gets the
band computed from costs they may not read, and never the cost itself (the
quote line's cost and margin are restricted fields).
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select

from addons.masterdata.models import Customer, Product
from addons.pricing.lang import N_, tr
from addons.pricing.models import (
    CHANNEL_LABELS,
    COST_GROUPS,
    LEVEL_LABELS,
    METHOD_LABELS,
    QUOTE_TYPE_LABELS,
    REACTION_LABELS,
    AuthorityBand,
    CompetitorPrice,
    CustomerAssessment,
    Metal,
    MonthlyMetalPrice,
    PriceReaction,
    PricingSettings,
    PricingStrategy,
    ProductCost,
    ProductFormula,
    ProductPricing,
    Quote,
    QuoteLine,
    StrategyMatrix,
    StrategyRule,
    StrategyTarget,
)
from addons.pricing.workflows import BID_WORKFLOW, QUOTE_WORKFLOW
from core.errors import AccessDenied, ValidationError
from core.security import approvals

HUNDRED = Decimal("100")
COST_Q = Decimal("0.0001")
PCT_Q = Decimal("0.01")

#: Used when a company has not configured its own bands: % below floor per role.
DEFAULT_BANDS: list[tuple[str, int, Decimal | None]] = [
    ("core.group_salesperson", 10, Decimal("0")),
    ("core.group_territory_manager", 20, Decimal("5")),
    ("core.group_director", 30, Decimal("10")),
    ("core.group_committee", 40, None),
]
DEFAULT_METALS = [("Pt", "铂", "Platinum", 10), ("Pd", "钯", "Palladium", 20), ("Rh", "铑", "Rhodium", 30)]
#: attractiveness x ability to win -> quote type (editable per strategy)
DEFAULT_MATRIX = {
    ("high", "high"): "competitive",
    ("high", "low"): "low",
    ("low", "high"): "high",
    ("low", "low"): "probing",
}
DEFAULT_RULES = {
    "high": {"method": "cost_margin", "target_margin_pct": Decimal("30"), "floor_margin_pct": Decimal("22")},
    "competitive": {"method": "cost_margin", "target_margin_pct": Decimal("20"), "floor_margin_pct": Decimal("14")},
    "low": {"method": "cost_margin", "target_margin_pct": Decimal("12"), "floor_margin_pct": Decimal("8")},
    "probing": {"method": "cost_margin", "target_margin_pct": Decimal("25"), "floor_margin_pct": Decimal("15")},
}
OPEN_STATES = ("draft", "waiting", "approved", "sent")


# ----- small helpers ------------------------------------------------------------------------
def fail(env: Any, message: str, field_name: str | None = None, **kwargs: Any) -> ValidationError:
    """A :class:`ValidationError` with ``message`` translated for the env's user."""
    text = tr(env, message, **kwargs)
    return ValidationError(text, {field_name: text} if field_name else {})


def to_decimal(env: Any, value: Any, field_name: str, label: str) -> Decimal:
    """``value`` as a Decimal; floats are refused (money is never float)."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"{field_name}: pass a Decimal, int or string, not {type(value).__name__}")
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str) and value.strip():
        try:
            result = Decimal(value.strip().replace(",", ""))
        except decimal.InvalidOperation:
            raise fail(env, N_("%(field)s is not a number: %(value)s"), field_name, field=tr(env, label), value=value) from None
    else:
        raise fail(env, N_("%(field)s is required."), field_name, field=tr(env, label))
    if not result.is_finite():
        raise fail(env, N_("%(field)s is not a number: %(value)s"), field_name, field=tr(env, label), value=value)
    return result


def positive(env: Any, value: Any, field_name: str, label: str) -> Decimal:
    """A Decimal strictly above zero, else a clear error."""
    result = to_decimal(env, value, field_name, label)
    if result <= 0:
        raise fail(env, N_("%(field)s must be greater than zero (got %(value)s)."), field_name,
                   field=tr(env, label), value=result)
    return result


def not_negative(env: Any, value: Any, field_name: str, label: str) -> Decimal:
    """A Decimal at or above zero, else a clear error."""
    result = to_decimal(env, value, field_name, label)
    if result < 0:
        raise fail(env, N_("%(field)s cannot be negative (got %(value)s)."), field_name,
                   field=tr(env, label), value=result)
    return result


def month_start(day: dt.date) -> dt.date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def month_label(day: dt.date) -> str:
    """``2026-11``."""
    return f"{day.year:04d}-{day.month:02d}"


def today(env: Any) -> dt.date:
    """Today in the company's time zone."""
    from zoneinfo import ZoneInfo

    from core.models import Company

    company = env.session.get(Company, env.company_id)
    tz = ZoneInfo(company.timezone or "Asia/Shanghai") if company else dt.UTC
    return dt.datetime.now(tz).date()


def _product_name(env: Any, product_id: int) -> str:
    product = env.session.get(Product, product_id)
    if product is None:
        return f"#{product_id}"
    return product.display("en" if env_is_en(env) else "zh_CN")


def _label(env: Any, labels: Mapping[str, Mapping[str, str]], key: str) -> str:
    from addons.pricing.models import label

    return label(labels, key, "en" if env_is_en(env) else "zh_CN")


def env_is_en(env: Any) -> bool:
    """Whether the env's user reads English."""
    from addons.pricing.lang import env_lang

    return env_lang(env) == "en"


# ----- settings, rounding -------------------------------------------------------------------
@dataclass(frozen=True)
class Money:
    """Currency and rounding of a company's prices."""

    currency: str
    decimals: int
    rounding: str
    validity_days: int

    @property
    def quantum(self) -> Decimal:
        """``Decimal("0.01")`` for two decimals."""
        return Decimal(1).scaleb(-self.decimals)

    def round(self, value: Decimal) -> Decimal:
        """``value`` rounded to the company's decimals with its rounding mode."""
        return value.quantize(self.quantum, rounding=getattr(decimal, self.rounding, decimal.ROUND_HALF_UP))


def money(env: Any) -> Money:
    """The company's pricing settings (defaults: company currency, 2 decimals, half-up)."""
    row = env.session.scalar(select(PricingSettings).where(PricingSettings.company_id == env.company_id))
    if row is not None:
        return Money(row.currency, row.decimals, row.rounding, row.quote_validity_days)
    from core.models import Company

    company = env.session.get(Company, env.company_id)
    return Money(getattr(company, "currency", None) or "CNY", 2, "ROUND_HALF_UP", 30)


# ----- company set-up -----------------------------------------------------------------------
def setup_company(env: Any, year: int | None = None) -> PricingStrategy:
    """Create the default metals (Pt, Pd, Rh) and a default strategy for ``year`` if missing.

    Runs with the user's rights (Finance for metals, the Director for the
    strategy; an administrator for both).
    """
    existing = {m.code for m in env.search(Metal)} if env.can(Metal, "read") else set()
    for code, zh, en, seq in DEFAULT_METALS:
        if code not in existing:
            env.create(Metal, {"code": code, "name_zh": zh, "name_en": en, "sequence": seq})
    year = year or today(env).year
    strategy = env.session.scalar(
        select(PricingStrategy).where(PricingStrategy.company_id == env.company_id, PricingStrategy.year == year)
    )
    if strategy is None:
        strategy = create_strategy(env, year)
    return strategy


def create_strategy(
    env: Any,
    year: int,
    name: str | None = None,
    matrix: Mapping[tuple[str, str], str] | None = None,
    rules: Mapping[str, Mapping[str, Any]] | None = None,
    channel_markup_pct: Any = Decimal("0"),
    default_quote_type: str = "competitive",
) -> PricingStrategy:
    """Create a year's strategy with its matrix and one rule per quote type (validated first)."""
    matrix = dict(matrix or DEFAULT_MATRIX)
    rules = {k: dict(v) for k, v in (rules or DEFAULT_RULES).items()}
    if not 2000 <= int(year) <= 2100:
        raise fail(env, N_("The year %(year)s is not valid."), "year", year=year)
    markup = not_negative(env, channel_markup_pct, "channel_markup_pct", N_("Channel markup"))
    for (attr, ability), qtype in matrix.items():
        if attr not in LEVEL_LABELS or ability not in LEVEL_LABELS or qtype not in QUOTE_TYPE_LABELS:
            raise fail(env, N_("Unknown strategy matrix entry: %(entry)s."), "matrix", entry=f"{attr}/{ability}->{qtype}")
    if default_quote_type not in QUOTE_TYPE_LABELS:
        raise fail(env, N_("Unknown quote type: %(value)s."), "default_quote_type", value=default_quote_type)
    cleaned = {qtype: clean_rule(env, qtype, values) for qtype, values in rules.items()}
    missing = sorted((set(matrix.values()) | {default_quote_type}) - set(cleaned))
    if missing:
        raise fail(env, N_("The strategy has no rule for the quote type %(qtype)s."), "rules",
                   qtype=_label(env, QUOTE_TYPE_LABELS, missing[0]))
    exists = env.session.scalar(
        select(PricingStrategy.id).where(PricingStrategy.company_id == env.company_id, PricingStrategy.year == year)
    )
    if exists:
        raise fail(env, N_("There is already a pricing strategy for %(year)s."), "year", year=year)
    with env.session.begin_nested():
        strategy = env.create(PricingStrategy, {
            "year": int(year), "name": name or f"{year}", "channel_markup_pct": markup,
            "default_quote_type": default_quote_type,
        })
        for (attr, ability), qtype in matrix.items():
            env.create(StrategyMatrix, {"strategy_id": strategy.id, "attractiveness": attr, "ability": ability, "quote_type": qtype})
        for qtype, values in cleaned.items():
            env.create(StrategyRule, {"strategy_id": strategy.id, "quote_type": qtype, **values})
    return strategy


def clean_rule(env: Any, quote_type: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a strategy rule: its method's fields present, and the band not inverted."""
    if quote_type not in QUOTE_TYPE_LABELS:
        raise fail(env, N_("Unknown quote type: %(value)s."), "quote_type", value=quote_type)
    method = values.get("method", "cost_margin")
    if method not in METHOD_LABELS:
        raise fail(env, N_("Unknown pricing method: %(value)s."), "method", value=method)
    out: dict[str, Any] = {"method": method}
    if method == "cost_margin":
        target = to_decimal(env, values.get("target_margin_pct"), "target_margin_pct", N_("Target margin %"))
        floor = to_decimal(env, values.get("floor_margin_pct"), "floor_margin_pct", N_("Floor margin %"))
        if floor > target:
            raise fail(env, N_("The band is inverted: the floor (%(floor)s) is above the target (%(target)s)."),
                       "floor_margin_pct", floor=f"{floor}%", target=f"{target}%")
        if floor <= -HUNDRED:
            raise fail(env, N_("%(field)s must be greater than zero (got %(value)s)."), "floor_margin_pct",
                       field=tr(env, N_("Floor margin %")), value=floor)
        out.update(target_margin_pct=target, floor_margin_pct=floor)
    else:
        target = not_negative(env, values.get("target_discount_pct"), "target_discount_pct", N_("Target discount %"))
        floor = not_negative(env, values.get("max_discount_pct"), "max_discount_pct", N_("Maximum discount %"))
        if floor >= HUNDRED:
            raise fail(env, N_("%(field)s must be below 100."), "max_discount_pct", field=tr(env, N_("Maximum discount %")))
        if target > floor:
            raise fail(env, N_("The band is inverted: the floor (%(floor)s) is above the target (%(target)s)."),
                       "max_discount_pct", floor=f"-{floor}%", target=f"-{target}%")
        out.update(target_discount_pct=target, max_discount_pct=floor)
    return out


def save_rule(env: Any, strategy: PricingStrategy, quote_type: str, values: Mapping[str, Any]) -> StrategyRule:
    """Create or change the rule of a quote type (validated; an inverted band is refused)."""
    cleaned = clean_rule(env, quote_type, values)
    for key in ("target_margin_pct", "floor_margin_pct", "target_discount_pct", "max_discount_pct"):
        cleaned.setdefault(key, None)
    rule = env.session.scalar(
        select(StrategyRule).where(StrategyRule.strategy_id == strategy.id, StrategyRule.quote_type == quote_type)
    )
    if rule is None:
        return env.create(StrategyRule, {"strategy_id": strategy.id, "quote_type": quote_type, **cleaned})
    env.write(rule, cleaned)
    return rule


def save_target(env: Any, strategy: PricingStrategy, customer_class: str | None, lifecycle_stage: str | None,
                adjust_pct: Any, target_margin_pct: Any = None) -> StrategyTarget:
    """Create or change a pricing target for a customer class and/or life-cycle stage."""
    from addons.pricing.models import LIFECYCLE_LABELS

    if lifecycle_stage is not None and lifecycle_stage not in LIFECYCLE_LABELS:
        raise fail(env, N_("Unknown life-cycle stage: %(value)s."), "lifecycle_stage", value=lifecycle_stage)
    adjust = to_decimal(env, adjust_pct, "adjust_pct", N_("Adjustment (points)"))
    target = None if target_margin_pct in (None, "") else to_decimal(env, target_margin_pct, "target_margin_pct", N_("Target margin %"))
    row = env.session.scalar(select(StrategyTarget).where(
        StrategyTarget.strategy_id == strategy.id,
        StrategyTarget.customer_class.is_(None) if customer_class is None else StrategyTarget.customer_class == customer_class,
        StrategyTarget.lifecycle_stage.is_(None) if lifecycle_stage is None else StrategyTarget.lifecycle_stage == lifecycle_stage,
    ))
    values = {"adjust_pct": adjust, "target_margin_pct": target}
    if row is None:
        return env.create(StrategyTarget, {"strategy_id": strategy.id, "customer_class": customer_class,
                                           "lifecycle_stage": lifecycle_stage, **values})
    env.write(row, values)
    return row


# ----- cost inputs (Finance) ----------------------------------------------------------------
def metal_by_code(env: Any, code: str) -> Metal:
    """A metal of the company by code (case-insensitive), else a clear error."""
    metal = env.session.scalar(
        select(Metal).where(Metal.company_id == env.company_id, func.lower(Metal.code) == str(code).strip().lower())
    )
    if metal is None:
        raise fail(env, N_("Unknown metal: %(metal)s."), "metal", metal=code)
    return metal


def set_metal_price(env: Any, metal: str | Metal, month: dt.date, price: Any) -> MonthlyMetalPrice:
    """Enter (or correct) a metal's market price per gram for a month."""
    metal_obj = metal if isinstance(metal, Metal) else metal_by_code(env, metal)
    value = positive(env, price, "price_per_gram", N_("Price per gram"))
    month = month_start(month)
    row = env.session.scalar(select(MonthlyMetalPrice).where(
        MonthlyMetalPrice.company_id == env.company_id, MonthlyMetalPrice.month == month,
        MonthlyMetalPrice.metal_id == metal_obj.id,
    ))
    if row is None:
        return env.create(MonthlyMetalPrice, {"month": month, "metal_id": metal_obj.id, "price_per_gram": value})
    env.write(row, {"price_per_gram": value})
    return row


def set_product_cost(env: Any, product_id: int, month: dt.date, manufacturing_cost: Any, carrier_cost: Any) -> ProductCost:
    """Enter (or correct) a product's manufacturing and carrier cost per unit for a month."""
    env.get(Product, product_id)
    manufacturing = not_negative(env, manufacturing_cost, "manufacturing_cost", N_("Manufacturing cost"))
    carrier = not_negative(env, carrier_cost, "carrier_cost", N_("Carrier cost"))
    month = month_start(month)
    row = env.session.scalar(select(ProductCost).where(
        ProductCost.company_id == env.company_id, ProductCost.product_id == product_id, ProductCost.month == month,
    ))
    values = {"manufacturing_cost": manufacturing, "carrier_cost": carrier}
    if row is None:
        return env.create(ProductCost, {"product_id": product_id, "month": month, **values})
    env.write(row, values)
    return row


def set_formula(env: Any, product_id: int, grams: Mapping[str, Any], customer_id: int | None = None) -> list[ProductFormula]:
    """Replace a product's formula (grams of each metal per unit), optionally for one customer."""
    env.get(Product, product_id)
    if customer_id is not None:
        env.get(Customer, customer_id)
    if not grams:
        raise fail(env, N_("A formula needs the content of at least one metal."), "grams")
    cleaned = []
    for code, value in grams.items():
        metal = metal_by_code(env, code)
        cleaned.append((metal, positive(env, value, "grams_per_unit", N_("Grams per unit"))))
    with env.session.begin_nested():
        old = env.session.scalars(select(ProductFormula).where(
            ProductFormula.company_id == env.company_id, ProductFormula.product_id == product_id,
            ProductFormula.customer_id.is_(None) if customer_id is None else ProductFormula.customer_id == customer_id,
        )).all()
        for row in old:
            env.delete(row)
        return [
            env.create(ProductFormula, {"product_id": product_id, "customer_id": customer_id,
                                        "metal_id": metal.id, "grams_per_unit": g})
            for metal, g in cleaned
        ]


@dataclass
class Cost:
    """The cost of one unit of a product for a month, and how it was made up."""

    product_id: int
    month: dt.date
    metals: dict[str, Decimal]
    manufacturing: Decimal
    carrier: Decimal

    @property
    def total(self) -> Decimal:
        """Metals + manufacturing + carrier, to 4 decimals."""
        return (sum(self.metals.values(), Decimal("0")) + self.manufacturing + self.carrier).quantize(COST_Q)


def product_costs(env: Any, product_ids: Iterable[int], on_date: dt.date, customer_id: int | None = None) -> dict[int, Cost]:
    """Cost of each product for the month of ``on_date`` (three queries whatever the count).

    Raises a clear error for a product without a formula, a metal without a
    price that month, or a product without manufacturing/carrier cost that month.
    """
    ids = sorted(set(product_ids))
    month = month_start(on_date)
    cid = env.company_id
    formulas = env.session.execute(
        select(ProductFormula.product_id, ProductFormula.customer_id, Metal.code, ProductFormula.grams_per_unit, Metal.id)
        .join(Metal, Metal.id == ProductFormula.metal_id)
        .where(ProductFormula.company_id == cid, ProductFormula.product_id.in_(ids), ProductFormula.active.is_(True),
               (ProductFormula.customer_id.is_(None)) | (ProductFormula.customer_id == customer_id))
    ).all()
    general: dict[int, list] = {}
    specific: dict[int, list] = {}
    for pid, cust, code, grams, metal_id in formulas:
        (specific if cust is not None else general).setdefault(pid, []).append((code, grams, metal_id))
    prices = dict(env.session.execute(
        select(MonthlyMetalPrice.metal_id, MonthlyMetalPrice.price_per_gram)
        .where(MonthlyMetalPrice.company_id == cid, MonthlyMetalPrice.month == month)
    ).all())
    costs = {row.product_id: row for row in env.session.scalars(
        select(ProductCost).where(ProductCost.company_id == cid, ProductCost.month == month, ProductCost.product_id.in_(ids))
    )}
    out: dict[int, Cost] = {}
    for pid in ids:
        parts = specific.get(pid) or general.get(pid)
        if not parts:
            raise fail(env, N_("The product %(product)s has no formula: enter its metal content first."),
                       "product_id", product=_product_name(env, pid))
        metals: dict[str, Decimal] = {}
        for code, grams, metal_id in parts:
            price = prices.get(metal_id)
            if price is None:
                raise fail(env, N_("There is no %(metal)s price for %(month)s: Finance must enter the month's metal prices first."),
                           "month", metal=code, month=month_label(month))
            metals[code] = Decimal(grams) * Decimal(price)
        row = costs.get(pid)
        if row is None:
            raise fail(env, N_("There is no cost data for %(product)s in %(month)s: Finance must enter the month's product costs first."),
                       "month", product=_product_name(env, pid), month=month_label(month))
        out[pid] = Cost(pid, month, metals, Decimal(row.manufacturing_cost), Decimal(row.carrier_cost))
    return out


def product_cost(env: Any, product_id: int, on_date: dt.date, customer_id: int | None = None) -> Cost:
    """Cost of one product for the month of ``on_date`` (see :func:`product_costs`)."""
    return product_costs(env, [product_id], on_date, customer_id)[product_id]


# ----- strategy and bands -------------------------------------------------------------------
def strategy_for(env: Any, year: int) -> PricingStrategy:
    """The company's strategy for a year, else a clear error."""
    strategy = env.session.scalar(
        select(PricingStrategy).where(PricingStrategy.company_id == env.company_id, PricingStrategy.year == year,
                                      PricingStrategy.active.is_(True))
    )
    if strategy is None:
        raise fail(env, N_("There is no pricing strategy for %(year)s: the Director must set it up first."), "year", year=year)
    return strategy


def customer_class(env: Any, customer_id: int, year: int | None = None) -> str | None:
    """The customer's class (A/B/C/D).

    From ``tixi_customer_class_policy`` (crm_cards) when an enabled addon
    answers; else the class recorded on the pricing assessment; else None (the
    strategy's default band applies).
    """
    try:
        hook = env.hooks.tixi_customer_class_policy
    except AttributeError:  # the hookspec does not exist in this kernel
        hook = None
    if hook is not None:
        answer = hook(env=env, customer_id=customer_id)
        if isinstance(answer, Mapping):
            code = answer.get("class_code") or answer.get("class")
            if code:
                return str(code)
    stmt = select(CustomerAssessment.customer_class).where(
        CustomerAssessment.company_id == env.company_id, CustomerAssessment.customer_id == customer_id,
    )
    if year is not None:
        stmt = stmt.where(CustomerAssessment.year <= year)
    return env.session.scalar(stmt.order_by(CustomerAssessment.year.desc()).limit(1))


def assess_customer(env: Any, customer_id: int, year: int, attractiveness: str, ability: str,
                    channel: str = "direct", customer_class_: str | None = None) -> CustomerAssessment:
    """Place a customer in the strategy matrix for a year (and set its channel)."""
    env.get(Customer, customer_id)
    if attractiveness not in LEVEL_LABELS:
        raise fail(env, N_("Unknown level: %(value)s."), "attractiveness", value=attractiveness)
    if ability not in LEVEL_LABELS:
        raise fail(env, N_("Unknown level: %(value)s."), "ability", value=ability)
    if channel not in CHANNEL_LABELS:
        raise fail(env, N_("Unknown channel: %(value)s."), "channel", value=channel)
    values = {"attractiveness": attractiveness, "ability": ability, "channel": channel, "customer_class": customer_class_}
    row = env.session.scalar(select(CustomerAssessment).where(
        CustomerAssessment.company_id == env.company_id, CustomerAssessment.customer_id == customer_id,
        CustomerAssessment.year == year,
    ))
    if row is None:
        return env.create(CustomerAssessment, {"customer_id": customer_id, "year": year, **values})
    env.write(row, values)
    return row


@dataclass
class Band:
    """The suggested price and allowed band of a product for a customer on a date."""

    product_id: int
    customer_id: int
    on_date: dt.date
    quote_type: str
    strategy_id: int
    method: str
    cost: Decimal
    cost_month: dt.date
    list_price: Decimal | None
    target: Decimal
    floor: Decimal
    currency: str
    lifecycle_stage: str | None
    customer_class: str | None
    channel: str
    details: dict[str, Any] = field(default_factory=dict)

    def deviation(self, price: Decimal) -> Decimal:
        """How far ``price`` is below the floor, in percent of the floor (0 inside the band)."""
        if price >= self.floor:
            return Decimal("0")
        return ((self.floor - price) / self.floor * HUNDRED).quantize(PCT_Q, rounding=decimal.ROUND_UP)


def quote_type_for(strategy: PricingStrategy, attractiveness: str | None, ability: str | None) -> str:
    """The strategy matrix cell of a customer (the strategy's default when not assessed)."""
    if attractiveness and ability:
        for cell in strategy.matrix:
            if cell.attractiveness == attractiveness and cell.ability == ability:
                return cell.quote_type
    return strategy.default_quote_type


def compute_bands(
    env: Any,
    customer_id: int,
    product_ids: Sequence[int],
    on_date: dt.date,
    channel: str | None = None,
    quote_type: str | None = None,
) -> dict[int, Band]:
    """Target price and floor of each product for the customer (batched queries)."""
    ids = sorted(set(product_ids))
    strategy = strategy_for(env, on_date.year)
    assessment = env.session.scalar(select(CustomerAssessment).where(
        CustomerAssessment.company_id == env.company_id, CustomerAssessment.customer_id == customer_id,
        CustomerAssessment.year <= on_date.year,
    ).order_by(CustomerAssessment.year.desc()).limit(1))
    klass = customer_class(env, customer_id, on_date.year)
    channel = channel or (assessment.channel if assessment else "direct")
    if channel not in CHANNEL_LABELS:
        raise fail(env, N_("Unknown channel: %(value)s."), "channel", value=channel)
    if quote_type is not None and quote_type not in QUOTE_TYPE_LABELS:
        raise fail(env, N_("Unknown quote type: %(value)s."), "quote_type", value=quote_type)
    qtype = quote_type or quote_type_for(
        strategy, assessment.attractiveness if assessment else None, assessment.ability if assessment else None
    )
    rule = next((r for r in strategy.rules if r.quote_type == qtype and r.active), None)
    if rule is None:
        raise fail(env, N_("The strategy has no rule for the quote type %(qtype)s."), "quote_type",
                   qtype=_label(env, QUOTE_TYPE_LABELS, qtype))
    pricing = {p.product_id: p for p in env.session.scalars(select(ProductPricing).where(
        ProductPricing.company_id == env.company_id, ProductPricing.year == on_date.year,
        ProductPricing.product_id.in_(ids),
    ))}
    costs = product_costs(env, ids, on_date, customer_id)
    m = money(env)
    targets = list(strategy.targets)
    markup = Decimal(strategy.channel_markup_pct or 0)
    out: dict[int, Band] = {}
    for pid in ids:
        pp = pricing.get(pid)
        stage = pp.lifecycle_stage if pp else None
        adjust = _adjustment(targets, klass, stage)
        cost = costs[pid].total
        list_price = Decimal(pp.list_price) if pp and pp.list_price is not None else None
        if rule.method == "cost_margin":
            target = cost * (1 + (Decimal(rule.target_margin_pct) + adjust) / HUNDRED)
            floor = cost * (1 + (Decimal(rule.floor_margin_pct) + adjust) / HUNDRED)
        else:
            if list_price is None:
                raise fail(env, N_("The product %(product)s has no list price for %(year)s."), "product_id",
                           product=_product_name(env, pid), year=on_date.year)
            target = list_price * (1 - (Decimal(rule.target_discount_pct) - adjust) / HUNDRED)
            floor = list_price * (1 - (Decimal(rule.max_discount_pct) - adjust) / HUNDRED)
        if channel == "distributor" and markup:
            target = target / (1 + markup / HUNDRED)
            floor = floor / (1 + markup / HUNDRED)
        target, floor = m.round(target), m.round(floor)
        if floor <= 0:
            raise fail(env, N_("The band of %(product)s has a floor at or below zero: check the strategy rule."),
                       "floor_price", product=_product_name(env, pid))
        if floor > target:
            raise fail(env, N_("The band is inverted: the floor (%(floor)s) is above the target (%(target)s)."),
                       "floor_price", floor=floor, target=target)
        out[pid] = Band(
            product_id=pid, customer_id=customer_id, on_date=on_date, quote_type=qtype, strategy_id=strategy.id,
            method=rule.method, cost=cost, cost_month=costs[pid].month, list_price=list_price,
            target=target, floor=floor, currency=m.currency, lifecycle_stage=stage, customer_class=klass,
            channel=channel, details={"adjust_pct": adjust, "metals": costs[pid].metals},
        )
    return out


def _adjustment(targets: list[StrategyTarget], klass: str | None, stage: str | None) -> Decimal:
    best: tuple[int, Decimal] | None = None
    for t in targets:
        if not t.active:
            continue
        if t.customer_class is not None and t.customer_class != klass:
            continue
        if t.lifecycle_stage is not None and t.lifecycle_stage != stage:
            continue
        score = (t.customer_class is not None) + (t.lifecycle_stage is not None)
        if best is None or score > best[0]:
            best = (score, Decimal(t.adjust_pct or 0))
    return best[1] if best else Decimal("0")


def band_for(env: Any, customer_id: int, product_id: int, on_date: dt.date, **kwargs: Any) -> Band:
    """The band of one product for a customer (see :func:`compute_bands`)."""
    return compute_bands(env, customer_id, [product_id], on_date, **kwargs)[product_id]


def price_for_hook(env: Any, customer_id: int, product_id: int, on_date: dt.date) -> dict[str, Any]:
    """The answer of ``tixi_price_for``: the band, with the cost only for cost roles."""
    env.get(Customer, customer_id)
    band = band_for(env, customer_id, product_id, on_date)
    answer = {
        "target": band.target, "floor": band.floor, "list_price": band.list_price, "quote_type": band.quote_type,
        "currency": band.currency, "cost_month": band.cost_month, "channel": band.channel,
        "strategy_id": band.strategy_id,
    }
    if env.field_visible(QuoteLine, "cost"):
        answer["cost"] = band.cost
    return answer


# ----- authority ----------------------------------------------------------------------------
def bands(env: Any) -> list[tuple[str, int, Decimal | None]]:
    """(group, sequence, % below floor allowed; None = no limit), lowest role first."""
    rows = env.session.scalars(select(AuthorityBand).where(
        AuthorityBand.company_id == env.company_id, AuthorityBand.active.is_(True)
    ).order_by(AuthorityBand.sequence)).all()
    if not rows:
        return list(DEFAULT_BANDS)
    return [(r.group_code, r.sequence, None if r.max_below_floor_pct is None else Decimal(r.max_below_floor_pct)) for r in rows]


def configure_bands(env: Any, spec: Sequence[tuple[str, Any]]) -> list[AuthorityBand]:
    """Set the company's bands, lowest role first: ``[(group, pct or None), ...]``.

    Each role's band must be at least as wide as the one before it (else the
    chain of approvers would be inverted); a percentage is 0 or more.
    """
    cleaned: list[tuple[str, Decimal | None]] = []
    previous: Decimal | None = Decimal("0")
    for group, pct in spec:
        value = None if pct is None else not_negative(env, pct, "max_below_floor_pct", N_("% below floor"))
        if previous is None and value is not None or (value is not None and previous is not None and value < previous):
            raise fail(env, N_("The bands are inverted: %(group)s may go less far below the floor than the role before it."),
                       "max_below_floor_pct", group=group)
        previous = value
        cleaned.append((group, value))
    with env.session.begin_nested():
        for row in env.session.scalars(select(AuthorityBand).where(AuthorityBand.company_id == env.company_id)).all():
            env.delete(row)
        return [
            env.create(AuthorityBand, {"group_code": g, "sequence": (i + 1) * 10, "max_below_floor_pct": v})
            for i, (g, v) in enumerate(cleaned)
        ]


def user_limit(env: Any) -> Decimal | None:
    """How far below the floor the user may price without approval (None: no limit)."""
    best: Decimal | None = Decimal("0")
    for group, _seq, limit in bands(env):
        if env.in_group(group):
            if limit is None:
                return None
            best = max(best, limit)
    return best


def required_group(env: Any, deviation: Decimal) -> str | None:
    """The lowest role whose band covers ``deviation`` (None when inside every band)."""
    if deviation <= 0:
        return None
    for group, _seq, limit in bands(env):
        if limit is None or deviation <= limit:
            return group
    return bands(env)[-1][0]


def covers(limit: Decimal | None, deviation: Decimal) -> bool:
    """Whether a band limit covers a deviation."""
    return limit is None or deviation <= limit


# ----- quotes -------------------------------------------------------------------------------
@dataclass
class LineInput:
    """A validated quote line before it is written."""

    product_id: int
    quantity: Decimal
    unit_price: Decimal | None


def _clean_lines(env: Any, lines: Sequence[Mapping[str, Any]]) -> list[LineInput]:
    if not lines:
        raise fail(env, N_("A quote needs at least one line."), "lines")
    out = []
    for n, raw in enumerate(lines, start=1):
        pid = raw.get("product_id")
        if not pid:
            raise fail(env, N_("Line %(line)s: choose a product."), "product_id", line=n)
        qty = raw.get("quantity")
        try:
            quantity = positive(env, qty, "quantity", N_("Quantity"))
            price = raw.get("unit_price")
            unit_price = None if price in (None, "") else positive(env, price, "unit_price", N_("Unit price"))
        except ValidationError as exc:
            text = tr(env, N_("Line %(line)s: %(error)s"), line=n, error=str(exc))
            raise ValidationError(text, {**exc.errors, "line": text}) from None
        out.append(LineInput(int(pid), quantity, unit_price))
    readable = set(env.session.scalars(env.select(Product, "read", Product.id).where(
        Product.id.in_({li.product_id for li in out}))))
    for n, li in enumerate(out, start=1):
        if li.product_id not in readable:
            raise fail(env, N_("Line %(line)s: unknown product."), "product_id", line=n)
    return out


def _next_number(env: Any, year: int) -> str:
    prefix = f"Q{year}-"
    last = env.session.scalar(select(func.max(Quote.number)).where(
        Quote.company_id == env.company_id, Quote.number.like(f"{prefix}%")))
    seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def _owner_id(env: Any, customer: Customer) -> int | None:
    from addons.masterdata.services import current_employee

    emp = current_employee(env)
    return emp.id if emp is not None else customer.owner_id


def _territory_id(env: Any, customer_id: int) -> int | None:
    if "territories" not in env.enabled:
        return None
    from addons.territories.models import CustomerTerritory

    return env.session.scalar(select(CustomerTerritory.territory_id).where(
        CustomerTerritory.company_id == env.company_id, CustomerTerritory.customer_id == customer_id,
        CustomerTerritory.date_to.is_(None),
    ).limit(1))


def _line_values(m: Money, band: Band, li: LineInput) -> tuple[dict[str, Any], dict[str, Any]]:
    price = m.round(li.unit_price if li.unit_price is not None else band.target)
    amount = m.round(price * li.quantity)
    cost_amount = band.cost * li.quantity
    margin = m.round(amount - cost_amount)
    margin_pct = ((price - band.cost) / price * HUNDRED).quantize(PCT_Q) if price else Decimal("0")
    public = {
        "product_id": li.product_id, "quantity": li.quantity, "unit_price": price, "amount": amount,
        "target_price": band.target, "floor_price": band.floor, "list_price": band.list_price,
        "deviation_pct": band.deviation(price), "quote_type": band.quote_type, "strategy_id": band.strategy_id,
        "cost_month": band.cost_month,
    }
    restricted = {"cost": band.cost, "margin_amount": margin, "margin_pct": margin_pct}
    return public, restricted


def create_quote(
    env: Any,
    customer_id: int,
    lines: Sequence[Mapping[str, Any]],
    *,
    kind: str = "quote",
    channel: str | None = None,
    quote_type: str | None = None,
    quote_date: dt.date | None = None,
    valid_until: dt.date | None = None,
    note: str | None = None,
) -> Quote:
    """Create a draft quote (or bid) with its lines priced from today's cost and strategy.

    ``lines``: ``[{"product_id", "quantity", "unit_price" (optional: the target)}]``.
    """
    env.check(Quote, "create")
    customer = env.get(Customer, customer_id)
    if kind not in ("quote", "bid"):
        raise fail(env, N_("Unknown quote kind: %(value)s."), "kind", value=kind)
    quote_date = quote_date or today(env)
    m = money(env)
    valid_until = valid_until or quote_date + dt.timedelta(days=m.validity_days)
    if valid_until < quote_date:
        raise fail(env, N_("The quote cannot be valid until a date before the quote date."), "valid_until")
    cleaned = _clean_lines(env, lines)
    priced = compute_bands(env, customer_id, [li.product_id for li in cleaned], quote_date, channel, quote_type)
    first = next(iter(priced.values()))
    with env.session.begin_nested():
        quote = env.create(Quote, {
            "number": _next_number(env, quote_date.year), "revision": 1, "kind": kind,
            "customer_id": customer_id, "owner_id": _owner_id(env, customer),
            "territory_id": _territory_id(env, customer_id), "customer_class": first.customer_class,
            "channel": first.channel, "currency": m.currency, "quote_date": quote_date,
            "valid_until": valid_until, "state": "draft", "bid_decision": "pending" if kind == "bid" else None,
            "note": note,
        })
        _write_lines(env, quote, cleaned, priced, m, {"root_id": quote.id})
    return quote


def _write_lines(env: Any, quote: Quote, cleaned: list[LineInput], priced: dict[int, Band], m: Money,
                 extra: Mapping[str, Any] | None = None) -> None:
    """Insert the lines in bulk: rights checked once, rules checked in one query, one audit entry.

    Lines are part of their quote: the quote's audit entry lists them, and
    ``tixi_records_imported`` (one call for all lines) replaces a
    ``tixi_record_event`` per line.
    """
    env.check(QuoteLine, "create")
    rows = []
    for seq, li in enumerate(cleaned, start=1):
        public, restricted = _line_values(m, priced[li.product_id], li)
        rows.append({
            "company_id": env.company_id, "created_by_id": env.user_id, "updated_by_id": env.user_id,
            "quote_id": quote.id, "sequence": seq * 10, **public, **restricted,
        })
    # one executemany (a statement prepared once), not an ORM flush of N objects
    env.session.execute(insert(QuoteLine), rows)
    lines = list(env.session.scalars(select(QuoteLine).where(QuoteLine.quote_id == quote.id)
                                     .order_by(QuoteLine.sequence)))
    ids = [r.id for r in lines]
    allowed = env.session.scalar(
        env.select(QuoteLine, "create", func.count(QuoteLine.id)).where(QuoteLine.quote_id == quote.id)
    )
    if allowed != len(ids):
        raise AccessDenied(f"record rules do not allow creating these {QuoteLine.__tablename__} rows")
    env.audit(Quote.__tablename__, quote.id, "lines", {
        "lines": [[r.product_id, str(r.quantity), str(r.unit_price), str(r.floor_price), str(r.target_price)] for r in lines]
    })
    try:
        hook = env.hooks.tixi_records_imported
    except AttributeError:
        hook = None
    if hook is not None:
        hook(env=env, model=QuoteLine.__tablename__, ids=ids)
    refresh_totals(env, quote, extra)


def refresh_totals(env: Any, quote: Quote, extra: Mapping[str, Any] | None = None) -> None:
    """Recompute the quote's total, largest deviation and required approver role (one write)."""
    row = env.session.execute(select(
        func.coalesce(func.sum(QuoteLine.amount), 0), func.coalesce(func.max(QuoteLine.deviation_pct), 0),
    ).where(QuoteLine.quote_id == quote.id)).one()
    deviation = Decimal(row[1]).quantize(PCT_Q)
    env.write(quote, {
        "amount_total": Decimal(row[0]).quantize(Decimal("0.01")), "max_deviation_pct": deviation,
        "required_group": required_group(env, deviation), **(extra or {}),
    })


def lines_of(env: Any, quote: Quote) -> list[QuoteLine]:
    """The quote's lines the user may read, in order."""
    return env.search(QuoteLine, QuoteLine.quote_id == quote.id, order_by=[QuoteLine.sequence])


def set_line_price(env: Any, line: QuoteLine, unit_price: Any, quantity: Any = None) -> QuoteLine:
    """Change a draft line's price (and quantity); band, deviation and margin follow."""
    quote = env.get(Quote, line.quote_id, "write")
    if quote.state != "draft":
        raise fail(env, N_("Only a draft quote can be changed; make a new version instead."), "state")
    price = positive(env, unit_price, "unit_price", N_("Unit price"))
    qty = line.quantity if quantity in (None, "") else positive(env, quantity, "quantity", N_("Quantity"))
    m = money(env)
    price = m.round(price)
    amount = m.round(price * qty)
    cost = Decimal(line.cost) if line.cost is not None else None
    with env.session.begin_nested():
        band = Band(line.product_id, quote.customer_id, quote.quote_date, line.quote_type, line.strategy_id or 0,
                    "", cost or Decimal(0), line.cost_month, line.list_price, line.target_price, line.floor_price,
                    quote.currency, None, quote.customer_class, quote.channel)
        env.write(line, {"unit_price": price, "quantity": qty, "amount": amount, "deviation_pct": band.deviation(price)})
        if cost is not None:
            line.margin_amount = m.round(amount - cost * qty)
            line.margin_pct = ((price - cost) / price * HUNDRED).quantize(PCT_Q)
        env.session.flush()
        refresh_totals(env, quote)
    return line


def _fire(env: Any, quote: Quote, transition: str, comment: str | None = None, amount: Decimal | None = None) -> str:
    row = approvals.fire(env, QUOTE_WORKFLOW, quote, transition, comment=comment, amount=amount)
    env.write(quote, {"state": row.state})
    return row.state


def submit_quote(env: Any, quote: Quote, comment: str | None = None) -> str:
    """Inside the user's band: approved at once; outside: waits for the right approver."""
    if quote.state != "draft":
        raise fail(env, N_("Only a draft quote can be submitted."), "state")
    if not env.count(QuoteLine, QuoteLine.quote_id == quote.id):
        raise fail(env, N_("A quote needs at least one line."), "lines")
    if quote.kind == "bid" and quote.bid_decision != "go":
        raise fail(env, N_("A bid needs the manager's go before its quote can be submitted."), "bid_decision")
    if quote.valid_until < today(env):
        raise fail(env, N_("The quote's validity has passed; make a new version."), "valid_until")
    deviation = Decimal(quote.max_deviation_pct)
    if covers(user_limit(env), deviation):
        return _fire(env, quote, "confirm", comment, deviation)
    return _fire(env, quote, "submit", comment, deviation)


def approve_quote(env: Any, quote: Quote, comment: str | None = None) -> str:
    """Approve a price outside the requester's band: the approver's own band must cover it."""
    if quote.state != "waiting":
        raise fail(env, N_("This quote is not waiting for approval."), "state")
    deviation = Decimal(quote.max_deviation_pct)
    limit = user_limit(env)
    if not covers(limit, deviation):
        from core.models import Group

        group = required_group(env, deviation)
        name = env.session.scalar(select(Group).where(Group.code == group)) if group else None
        role = (name.display("en" if env_is_en(env) else "zh_CN") if name else group) or ""
        raise AccessDenied(tr(env, N_("This price is %(deviation)s%% below the floor and your authority covers %(limit)s%%: it must be approved by %(role)s."),
                              deviation=deviation, limit=limit, role=role))
    return _fire(env, quote, "approve", comment, deviation)


def reject_quote(env: Any, quote: Quote, comment: str | None = None) -> str:
    """Send a waiting quote back to draft (with the reason)."""
    if quote.state != "waiting":
        raise fail(env, N_("This quote is not waiting for approval."), "state")
    if not comment:
        raise fail(env, N_("Give a reason for the rejection."), "comment")
    return _fire(env, quote, "reject", comment)


def send_quote(env: Any, quote: Quote, comment: str | None = None) -> str:
    """Send an approved quote to the customer; refused before approval."""
    if quote.state in ("draft", "waiting"):
        raise fail(env, N_("The quote cannot be sent before it is approved."), "state")
    if quote.state != "approved":
        raise fail(env, N_("Only an approved quote can be sent."), "state")
    if quote.valid_until < today(env):
        raise fail(env, N_("The quote's validity has passed; make a new version."), "valid_until")
    return _fire(env, quote, "send", comment)


def record_reaction(
    env: Any,
    quote: Quote,
    kind: str,
    *,
    line_id: int | None = None,
    counter_price: Any = None,
    competitor: str | None = None,
    competitor_price: Any = None,
    note: str | None = None,
    on_date: dt.date | None = None,
) -> PriceReaction:
    """Record the customer's reaction: accepted (won), countered at X, lost to Y at Z."""
    if kind not in REACTION_LABELS:
        raise fail(env, N_("Unknown reaction: %(value)s."), "kind", value=kind)
    if quote.state != "sent":
        raise fail(env, N_("Reactions are recorded on a quote that was sent."), "state")
    line = None
    if line_id is not None:
        line = env.get(QuoteLine, line_id)
        if line.quote_id != quote.id:
            raise fail(env, N_("This line belongs to another quote."), "line_id")
    counter = None
    comp_price = None
    competitor = (competitor or "").strip() or None
    if kind == "countered":
        counter = positive(env, counter_price, "counter_price", N_("Counter price"))
    if kind == "lost":
        if not competitor and not note:
            raise fail(env, N_("Say who won or why the quote was lost."), "competitor")
        if competitor_price not in (None, ""):
            comp_price = positive(env, competitor_price, "competitor_price", N_("Competitor price"))
    on_date = on_date or today(env)
    with env.session.begin_nested():
        reaction = env.create(PriceReaction, {
            "quote_id": quote.id, "line_id": line_id, "kind": kind, "counter_price": counter,
            "competitor": competitor, "competitor_price": comp_price, "reacted_on": on_date, "note": note,
        })
        if kind == "accepted":
            _fire(env, quote, "win", note)
        elif kind == "lost":
            _fire(env, quote, "lose", note)
            env.write(quote, {"lost_reason": note, "lost_to": competitor, "lost_price": comp_price})
            if competitor and comp_price is not None:
                products = [line.product_id] if line is not None else sorted(
                    {li.product_id for li in lines_of(env, quote)})
                for pid in products:
                    record_competitor_price(env, pid, competitor, comp_price, customer_id=quote.customer_id,
                                            observed_on=on_date, source="reaction", note=note)
    return reaction


def revise_quote(env: Any, quote: Quote, prices: Mapping[int, Any] | None = None,
                 quote_date: dt.date | None = None, valid_until: dt.date | None = None) -> Quote:
    """Re-quote: a new version (same number, revision + 1) priced from today's data.

    The earlier version is kept unchanged apart from its state (superseded).
    ``prices`` maps product ids to new unit prices; other lines keep theirs.
    """
    if quote.state not in OPEN_STATES:
        raise fail(env, N_("Only an open quote can be re-quoted."), "state")
    prices = dict(prices or {})
    old_lines = lines_of(env, quote)
    lines = [{"product_id": li.product_id, "quantity": li.quantity,
              "unit_price": prices.get(li.product_id, li.unit_price)} for li in old_lines]
    cleaned = _clean_lines(env, lines)
    quote_date = quote_date or today(env)
    m = money(env)
    valid_until = valid_until or quote_date + dt.timedelta(days=m.validity_days)
    if valid_until < quote_date:
        raise fail(env, N_("The quote cannot be valid until a date before the quote date."), "valid_until")
    qtype = old_lines[0].quote_type if old_lines else None
    priced = compute_bands(env, quote.customer_id, [li.product_id for li in cleaned], quote_date, quote.channel, qtype)
    root = quote.root_id or quote.id
    last = env.session.scalar(select(func.max(Quote.revision)).where(
        Quote.company_id == env.company_id, Quote.number == quote.number))
    first = next(iter(priced.values()))
    with env.session.begin_nested():
        new = env.create(Quote, {
            "number": quote.number, "revision": (last or 1) + 1, "root_id": root, "previous_id": quote.id,
            "kind": quote.kind, "customer_id": quote.customer_id, "owner_id": quote.owner_id,
            "territory_id": _territory_id(env, quote.customer_id), "customer_class": first.customer_class,
            "channel": quote.channel, "currency": m.currency, "quote_date": quote_date, "valid_until": valid_until,
            "state": "draft", "bid_decision": quote.bid_decision, "note": quote.note,
        })
        _write_lines(env, new, cleaned, priced, m)
        _fire(env, quote, "revise", f"-> {new.display_number}")
    return new


def versions(env: Any, quote: Quote) -> list[Quote]:
    """Every version of a quote, oldest first."""
    return env.search(Quote, Quote.number == quote.number, order_by=[Quote.revision])


def expire_quotes(env: Any, on_date: dt.date | None = None) -> int:
    """Expire the open quotes (that the user may change) whose validity has passed."""
    on_date = on_date or today(env)
    n = 0
    for quote in env.search(Quote, Quote.state.in_(OPEN_STATES), Quote.valid_until < on_date):
        if env.allowed(quote, "write"):
            _fire(env, quote, "expire")
            n += 1
    return n


def hand_over_quotes(env: Any, from_employee_id: int, to_employee_id: int) -> int:
    """Give a leaving salesperson's open quotes to a successor (history kept, audited)."""
    n = 0
    for quote in env.search(Quote, Quote.owner_id == from_employee_id, Quote.state.in_(OPEN_STATES)):
        env.write(quote, {"owner_id": to_employee_id})
        n += 1
    return n


# ----- bids ---------------------------------------------------------------------------------
def request_bid(env: Any, quote: Quote, comment: str | None = None) -> str:
    """Ask the manager to decide whether to bid."""
    if quote.kind != "bid":
        raise fail(env, N_("Only a bid needs a go/no-go decision."), "kind")
    row = approvals.fire(env, BID_WORKFLOW, quote, "request", comment=comment)
    env.write(quote, {"bid_decision": row.state})
    return row.state


def decide_bid(env: Any, quote: Quote, go: bool, comment: str | None = None) -> str:
    """The manager's go or no-go on a bid."""
    if quote.kind != "bid":
        raise fail(env, N_("Only a bid needs a go/no-go decision."), "kind")
    row = approvals.fire(env, BID_WORKFLOW, quote, "go" if go else "no_go", comment=comment)
    env.write(quote, {"bid_decision": row.state})
    return row.state


# ----- competitor prices --------------------------------------------------------------------
def record_competitor_price(env: Any, product_id: int, competitor: str, price: Any, *,
                            customer_id: int | None = None, observed_on: dt.date | None = None,
                            source: str = "visit", note: str | None = None) -> CompetitorPrice:
    """Record a competitor's price for a product (and customer)."""
    from addons.pricing.models import SOURCE_LABELS

    env.get(Product, product_id)
    if customer_id is not None:
        env.get(Customer, customer_id)
    competitor = (competitor or "").strip()
    if not competitor:
        raise fail(env, N_("%(field)s is required."), "competitor", field=tr(env, N_("Competitor")))
    value = positive(env, price, "price", N_("Competitor price"))
    if source not in SOURCE_LABELS:
        raise fail(env, N_("Unknown source: %(value)s."), "source", value=source)
    return env.create(CompetitorPrice, {
        "product_id": product_id, "customer_id": customer_id, "competitor": competitor[:200], "price": value,
        "currency": money(env).currency, "observed_on": observed_on or today(env), "source": source, "note": note,
    })


def latest_competitor_prices(env: Any, customer_id: int, product_ids: Iterable[int]) -> dict[int, CompetitorPrice]:
    """The latest competitor price of each product, for this customer if known, else the market's."""
    ids = list(set(product_ids))
    rows = env.search(CompetitorPrice, CompetitorPrice.product_id.in_(ids),
                      (CompetitorPrice.customer_id == customer_id) | CompetitorPrice.customer_id.is_(None),
                      order_by=[CompetitorPrice.observed_on.desc(), CompetitorPrice.id.desc()])
    out: dict[int, CompetitorPrice] = {}
    for row in rows:
        current = out.get(row.product_id)
        if current is None or (current.customer_id is None and row.customer_id is not None):
            out[row.product_id] = row
    return out


def cost_visible(env: Any) -> bool:
    """Whether the user may see costs and margins."""
    return env.field_visible(QuoteLine, "cost")


__all__ = [
    "COST_GROUPS", "Band", "Cost", "DEFAULT_BANDS", "Money", "approve_quote", "band_for", "bands",
    "compute_bands", "configure_bands", "create_quote", "create_strategy", "decide_bid", "expire_quotes",
    "latest_competitor_prices", "money", "product_cost", "product_costs", "record_competitor_price",
    "record_reaction", "reject_quote", "request_bid", "revise_quote", "send_quote", "set_formula",
    "set_line_price", "set_metal_price", "set_product_cost", "setup_company", "submit_quote", "user_limit",
    "versions",
]
