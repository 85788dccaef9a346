"""Cost inputs (Finance): metal prices, product costs, formulas, and the cost of a product for a month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func

from addons.masterdata.models import Customer, Product
from addons.pricing.models import Metal, MonthlyMetalPrice, ProductCost, ProductFormula, QuoteLine
from addons.pricing.services.helpers import (
    COST_Q,
    _product_name,
    fail,
    month_label,
    month_start,
    not_negative,
    positive,
)
from core.i18n import N_

if TYPE_CHECKING:
    from core.security.env import Env


# ----- cost inputs (Finance) ----------------------------------------------------------------
def metal_by_code(env: Env, code: str) -> Metal:
    """A metal of the company by code (case-insensitive), else a clear error."""
    # the company's list of metals, named by whoever enters a formula or imports a file
    metal = next(iter(env.sudo().search(Metal, func.lower(Metal.code) == str(code).strip().lower(), limit=1)), None)
    if metal is None:
        raise fail(env, N_("Unknown metal: %(metal)s."), "metal", metal=code)
    return metal


def set_metal_price(env: Env, metal: str | Metal, month: dt.date, price: Any) -> MonthlyMetalPrice:
    """Enter (or correct) a metal's market price per gram for a month."""
    metal_obj = metal if isinstance(metal, Metal) else metal_by_code(env, metal)
    value = positive(env, price, "price_per_gram", N_("Price per gram"))
    month = month_start(month)
    # one price per metal and month (an upsert): env.create/env.write check the rights
    row = next(iter(env.sudo().search(
        MonthlyMetalPrice, MonthlyMetalPrice.month == month, MonthlyMetalPrice.metal_id == metal_obj.id, limit=1,
    )), None)
    if row is None:
        return env.create(MonthlyMetalPrice, {"month": month, "metal_id": metal_obj.id, "price_per_gram": value})
    env.write(row, {"price_per_gram": value})
    return row


def set_product_cost(env: Env, product_id: int, month: dt.date, manufacturing_cost: Any, carrier_cost: Any) -> ProductCost:
    """Enter (or correct) a product's manufacturing and carrier cost per unit for a month."""
    env.get(Product, product_id)
    manufacturing = not_negative(env, manufacturing_cost, "manufacturing_cost", N_("Manufacturing cost"))
    carrier = not_negative(env, carrier_cost, "carrier_cost", N_("Carrier cost"))
    month = month_start(month)
    # one cost row per product and month (an upsert): env.create/env.write check the rights
    row = next(iter(env.sudo().search(
        ProductCost, ProductCost.product_id == product_id, ProductCost.month == month, limit=1,
    )), None)
    values = {"manufacturing_cost": manufacturing, "carrier_cost": carrier}
    if row is None:
        return env.create(ProductCost, {"product_id": product_id, "month": month, **values})
    env.write(row, values)
    return row


def set_formula(env: Env, product_id: int, grams: Mapping[str, Any], customer_id: int | None = None) -> list[ProductFormula]:
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
        # the formula being replaced, whoever wrote it: env.delete checks the rights
        old = env.sudo().search(
            ProductFormula, ProductFormula.product_id == product_id,
            ProductFormula.customer_id.is_(None) if customer_id is None else ProductFormula.customer_id == customer_id,
        )
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


def product_costs(env: Env, product_ids: Iterable[int], on_date: dt.date, customer_id: int | None = None) -> dict[int, Cost]:
    """Cost of each product for the month of ``on_date`` (three queries whatever the count).

    Raises a clear error for a product without a formula, a metal without a
    price that month, or a product without manufacturing/carrier cost that month.
    """
    ids = sorted(set(product_ids))
    month = month_start(on_date)
    # costs price every quote, though a salesperson may not see them (they see the band only)
    sudo = env.sudo()
    formulas = sudo.execute(
        sudo.select(ProductFormula, ProductFormula.product_id, ProductFormula.customer_id, Metal.code,
                    ProductFormula.grams_per_unit, Metal.id)
        .join(Metal, Metal.id == ProductFormula.metal_id)
        .where(ProductFormula.product_id.in_(ids), ProductFormula.active.is_(True),
               (ProductFormula.customer_id.is_(None)) | (ProductFormula.customer_id == customer_id))
    ).all()
    general: dict[int, list] = {}
    specific: dict[int, list] = {}
    for pid, cust, code, grams, metal_id in formulas:
        (specific if cust is not None else general).setdefault(pid, []).append((code, grams, metal_id))
    prices = dict(sudo.execute(
        sudo.select(MonthlyMetalPrice, MonthlyMetalPrice.metal_id, MonthlyMetalPrice.price_per_gram)
        .where(MonthlyMetalPrice.month == month)
    ).all())
    costs = {row.product_id: row for row in sudo.search(
        ProductCost, ProductCost.month == month, ProductCost.product_id.in_(ids))}
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


def product_cost(env: Env, product_id: int, on_date: dt.date, customer_id: int | None = None) -> Cost:
    """Cost of one product for the month of ``on_date`` (see :func:`product_costs`)."""
    return product_costs(env, [product_id], on_date, customer_id)[product_id]



def cost_visible(env: Env) -> bool:
    """Whether the user may see costs and margins."""
    return env.field_visible(QuoteLine, "cost")
