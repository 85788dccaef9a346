"""The rolling sales forecast (流动销售预测): per customer and product, the next 3 months.

The rows follow the shared contract (``field_activity_forecast``: salesperson,
customer, product, month = 1st of the month, quantity, amount, submitted_at);
``field_activity.forecast_amount`` exposes them to sales_planning. Saving a
month again replaces that row (audited), never adds a second one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from addons.masterdata.models import Customer, Product
from core.db import utcnow
from core.errors import ValidationError
from core.i18n import _

from ..models import Forecast
from .common import (
    local_today,
    parse_date,
    parse_money,
    require_me,
    salesperson_in_reach,
    territory_on,
)

if TYPE_CHECKING:
    from core.security.env import Env

HORIZON = 3


def forecast_months(today: dt.date) -> list[dt.date]:
    """The first days of the next ``HORIZON`` months after ``today``'s."""
    out, y, m = [], today.year, today.month
    for _i in range(HORIZON):
        m += 1
        if m > 12:
            y, m = y + 1, 1
        out.append(dt.date(y, m, 1))
    return out


def save_forecast(env: Env, rows: Sequence[Mapping[str, Any]], salesperson_id: int | None = None) -> list[Forecast]:
    """Save forecast rows (``customer_id``, ``product_id``, ``month``, ``quantity``, ``amount``); all or nothing."""
    sp = salesperson_id or require_me(env).id
    salesperson_in_reach(env, sp)
    months = set(forecast_months(local_today(env)))
    clean = []
    for row in rows:
        month = parse_date(row.get("month"), "month")
        if month is None or month.day != 1 or month not in months:
            message = _("A forecast is for one of the next %(n)s months (the 1st of the month).", n=HORIZON)
            raise ValidationError(message, {"month": message})
        qty = parse_money(row.get("quantity"), "quantity") if row.get("quantity") not in (None, "") else 0
        clean.append({"customer_id": int(row["customer_id"]), "product_id": int(row["product_id"]), "month": month,
                      "quantity": qty, "amount": parse_money(row.get("amount"), "amount")})
    env.check_references(Forecast, clean)
    for c in clean:
        env.get(Customer, c["customer_id"])
        env.sudo().get(Product, c["product_id"])
    out = []
    now = utcnow()
    with env.session.begin_nested():
        for c in clean:
            found = env.scalar(env.select(Forecast).where(
                Forecast.salesperson_id == sp, Forecast.customer_id == c["customer_id"],
                Forecast.product_id == c["product_id"], Forecast.month == c["month"]))
            values = {"quantity": c["quantity"], "amount": c["amount"], "submitted_at": now}
            if found is None:
                found = env.create(Forecast, {**c, **values, "salesperson_id": sp,
                                              "territory_id": territory_on(env, c["customer_id"], c["month"])})
            else:
                env.write(found, values)
            out.append(found)
    return out
