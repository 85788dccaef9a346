"""Strategy and price bands: the year's strategy, customer class, assessment, band of a product for a customer."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from addons.masterdata.models import Customer
from addons.pricing.models import (
    CHANNEL_LABELS,
    LEVEL_LABELS,
    QUOTE_TYPE_LABELS,
    CustomerAssessment,
    PricingStrategy,
    ProductPricing,
    QuoteLine,
    StrategyTarget,
)
from addons.pricing.services.costs import product_costs
from addons.pricing.services.helpers import HUNDRED, PCT_Q, _product_name, fail, money
from core.i18n import N_, current_lang

if TYPE_CHECKING:
    from core.security.env import Env


# ----- strategy and bands -------------------------------------------------------------------
def strategy_for(env: Env, year: int) -> PricingStrategy:
    """The company's strategy for a year, else a clear error."""
    # the company's strategy prices every quote, whoever prices it
    strategy = next(iter(env.sudo().search(
        PricingStrategy, PricingStrategy.year == year, PricingStrategy.active.is_(True), limit=1,
    )), None)
    if strategy is None:
        raise fail(env, N_("There is no pricing strategy for %(year)s: the Director must set it up first."), "year", year=year)
    return strategy


def customer_class(env: Env, customer_id: int, year: int | None = None) -> str | None:
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
    # the recorded class is an input of the price, whoever prices the quote
    sudo = env.sudo()
    stmt = sudo.select(CustomerAssessment, CustomerAssessment.customer_class).where(
        CustomerAssessment.customer_id == customer_id,
    )
    if year is not None:
        stmt = stmt.where(CustomerAssessment.year <= year)
    return sudo.scalar(stmt.order_by(CustomerAssessment.year.desc()).limit(1))


def assess_customer(env: Env, customer_id: int, year: int, attractiveness: str, ability: str,
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
    # one assessment per customer and year (an upsert): env.create/env.write check the rights
    row = next(iter(env.sudo().search(
        CustomerAssessment, CustomerAssessment.customer_id == customer_id, CustomerAssessment.year == year, limit=1,
    )), None)
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
    env: Env,
    customer_id: int,
    product_ids: Sequence[int],
    on_date: dt.date,
    channel: str | None = None,
    quote_type: str | None = None,
) -> dict[int, Band]:
    """Target price and floor of each product for the customer (batched queries)."""
    ids = sorted(set(product_ids))
    strategy = strategy_for(env, on_date.year)
    # the customer's place in the matrix and the list prices are inputs of the band, whoever prices
    sudo = env.sudo()
    assessment = next(iter(sudo.search(
        CustomerAssessment, CustomerAssessment.customer_id == customer_id, CustomerAssessment.year <= on_date.year,
        order_by=[CustomerAssessment.year.desc()], limit=1,
    )), None)
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
                   qtype=QUOTE_TYPE_LABELS.label(qtype, current_lang(env)))
    pricing = {p.product_id: p for p in sudo.search(
        ProductPricing, ProductPricing.year == on_date.year, ProductPricing.product_id.in_(ids),
    )}
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


def band_for(env: Env, customer_id: int, product_id: int, on_date: dt.date, **kwargs: Any) -> Band:
    """The band of one product for a customer (see :func:`compute_bands`)."""
    return compute_bands(env, customer_id, [product_id], on_date, **kwargs)[product_id]


def price_for_hook(env: Env, customer_id: int, product_id: int, on_date: dt.date) -> dict[str, Any]:
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
