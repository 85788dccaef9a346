"""Competitor prices: recording them and the latest price per product for a customer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from addons.masterdata.models import Customer, Product
from addons.pricing.models import CompetitorPrice
from addons.pricing.services.helpers import fail, money, positive, today
from core.i18n import N_, current_lang, translate

if TYPE_CHECKING:
    from core.security.env import Env


# ----- competitor prices --------------------------------------------------------------------
def record_competitor_price(env: Env, product_id: int, competitor: str, price: Any, *,
                            customer_id: int | None = None, observed_on: dt.date | None = None,
                            source: str = "visit", note: str | None = None) -> CompetitorPrice:
    """Record a competitor's price for a product (and customer)."""
    from addons.pricing.models import SOURCE_LABELS

    env.get(Product, product_id)
    if customer_id is not None:
        env.get(Customer, customer_id)
    competitor = (competitor or "").strip()
    if not competitor:
        raise fail(env, N_("%(field)s is required."), "competitor", field=translate(N_("Competitor"), current_lang(env)))
    value = positive(env, price, "price", N_("Competitor price"))
    if source not in SOURCE_LABELS:
        raise fail(env, N_("Unknown source: %(value)s."), "source", value=source)
    return env.create(CompetitorPrice, {
        "product_id": product_id, "customer_id": customer_id, "competitor": competitor[:200], "price": value,
        "currency": money(env).currency, "observed_on": observed_on or today(env), "source": source, "note": note,
    })


def latest_competitor_prices(env: Env, customer_id: int, product_ids: Iterable[int]) -> dict[int, CompetitorPrice]:
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
