"""Rolling sales forecasts (流动销售预测): the next three months per customer (and product), against plan,
with their accuracy month by month.

A salesperson enters, each month, what they expect each of their customers to
buy in each of the next three months. Entering again in the same month
replaces that month's entry; a forecast made in a later month is kept beside
the earlier one, so accuracy is known per horizon (made 1, 2 or 3 months
ahead). When the ``field_activity`` addon is enabled its forecasts (measure
``field_activity.forecast_amount``) are read instead of the ones entered here.

Accuracy of a month = ``1 - |forecast - actual| / actual`` (0 at worst; a month
with no sales is 1 when nothing was forecast, else 0).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from sqlalchemy import func

from addons.masterdata.models import Customer
from addons.masterdata.services import current_employee
from core.errors import ValidationError
from core.i18n import _
from core.measures import available_measures, measure_value

from ..models import Forecast
from .actuals import actual_measure

if TYPE_CHECKING:
    from core.security.env import Env

HORIZON = 3
PCT = Decimal("0.0001")


def add_months(month: dt.date, n: int) -> dt.date:
    """The first day of the month ``n`` months after ``month``'s."""
    m = month.month - 1 + n
    return dt.date(month.year + m // 12, m % 12 + 1, 1)


def next_months(today: dt.date) -> list[dt.date]:
    """The months a forecast made ``today`` covers."""
    first = today.replace(day=1)
    return [add_months(first, k) for k in range(1, HORIZON + 1)]


def readable(env: Env) -> bool:
    """Whether ``env``'s user may read the forecasts this company uses (the page is theirs)."""
    if not env.can("sales_planning_forecast", "read"):
        return False
    return source(env) == "sales_planning.forecast_amount" or env.can("field_activity_forecast", "read")


def source(env: Env) -> str:
    """The forecast measure read in this company."""
    if "field_activity" in env.enabled and any(m.name == "field_activity.forecast_amount"
                                               for m in available_measures(env)):
        return "field_activity.forecast_amount"
    return "sales_planning.forecast_amount"


def _amount(text: Any) -> Decimal | None:
    raw = str(text if text is not None else "").replace(",", "").strip()
    if raw == "":
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValidationError(_("Enter the amount as a number, e.g. 125000.00.")) from None
    if not value.is_finite() or value < 0:
        raise ValidationError(_("A forecast cannot be negative."))
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError(_("The amount %(amount)s has more than two decimals.", amount=str(value)))
    return value


def save(env: Env, entries: Iterable[tuple[int, int | None, dt.date, Any]], today: dt.date | None = None,
         salesperson_id: int | None = None) -> int:
    """Save the user's forecasts ``(customer, product, month, amount)``; all validated before any write.

    An empty amount leaves the entry alone; a month outside the next three is refused.
    Returns how many entries were written.
    """
    today = today or dt.date.today()
    if salesperson_id is None:
        me = current_employee(env)
        if me is None:
            raise ValidationError(_("You have no employee record in this company."))
        salesperson_id = me.id
    allowed = set(next_months(today))
    rows = []
    for customer_id, product_id, month, raw in entries:
        if month not in allowed:
            raise ValidationError(_("A forecast is for the next %(n)s months only.", n=HORIZON))
        value = _amount(raw)
        if value is not None:
            rows.append({"salesperson_id": salesperson_id, "customer_id": customer_id, "product_id": product_id,
                         "month": month, "amount": value})
    env.check(Forecast, "create")
    env.check_references(Forecast, rows)
    made_in = today.replace(day=1)
    existing = {(f.customer_id, f.product_id, f.month): f for f in env.search(
        Forecast, Forecast.salesperson_id == salesperson_id, Forecast.made_in == made_in)}
    for r in rows:
        old = existing.get((r["customer_id"], r["product_id"], r["month"]))
        if old is None:
            env.create(Forecast, {**r, "made_in": made_in})
        elif old.amount != r["amount"]:
            env.write(old, {"amount": r["amount"]})
    return len(rows)


def my_customers(env: Env) -> list[Customer]:
    """The active customers the user owns (the rows of their forecast form)."""
    me = current_employee(env)
    if me is None:
        return []
    return env.search(Customer, Customer.owner_id == me.id, Customer.status == "active", Customer.active.is_(True),
                      order_by=[Customer.code, Customer.id])


def current_entries(env: Env, today: dt.date | None = None) -> dict[tuple[int, dt.date], Decimal]:
    """What the user forecast this month, by customer and month (products summed)."""
    today = today or dt.date.today()
    me = current_employee(env)
    if me is None:
        return {}
    out: dict[tuple[int, dt.date], Decimal] = defaultdict(Decimal)
    for f in env.search(Forecast, Forecast.salesperson_id == me.id, Forecast.made_in == today.replace(day=1)):
        out[(f.customer_id, f.month)] += f.amount
    return dict(out)


@dataclass
class AccuracyRow:
    """Forecast against actual for a month (and how far ahead it was made)."""

    month: dt.date
    forecast: Decimal
    actual: Decimal
    horizon: int | None = None

    @property
    def accuracy(self) -> Decimal:
        """``1 - |forecast - actual| / actual``, between 0 and 1."""
        if self.actual <= 0:
            return Decimal(1) if self.forecast == 0 else Decimal(0)
        value = 1 - abs(self.forecast - self.actual) / self.actual
        return max(Decimal(0), value).quantize(PCT, ROUND_HALF_UP)


def accuracy(env: Env, months: list[dt.date], salesperson_ids: list[int] | None = None) -> list[AccuracyRow]:
    """Accuracy per past month and horizon (forecasts entered here) — or per month (field_activity's)."""
    filters = {"salesperson": salesperson_ids} if salesperson_ids else {}
    start, end = months[0], add_months(months[-1], 1) - dt.timedelta(days=1)
    actual = {r.period: Decimal(r.value or 0) for r in measure_value(
        env, actual_measure(env, "sales"), period=(start, end), filters=filters, grain="month", labels=False)}
    src = source(env)
    if src != "sales_planning.forecast_amount":
        fc = {r.period: Decimal(r.value or 0) for r in measure_value(
            env, src, period=(start, end), filters=filters, grain="month", labels=False)}
        return [AccuracyRow(m, fc.get(m, Decimal(0)), actual.get(m, Decimal(0))) for m in months]
    stmt = env.select(Forecast, "read", Forecast.month, Forecast.made_in, func.sum(Forecast.amount)).where(
        Forecast.month >= start, Forecast.month <= end)
    if salesperson_ids:
        stmt = stmt.where(Forecast.salesperson_id.in_(salesperson_ids))
    made: dict[tuple[dt.date, int], Decimal] = {}
    for month, made_in, amount in env.execute(stmt.group_by(Forecast.month, Forecast.made_in)):
        h = (month.year - made_in.year) * 12 + month.month - made_in.month
        if 1 <= h <= HORIZON:
            made[(month, h)] = Decimal(amount or 0)
    return [AccuracyRow(m, made[(m, h)], actual.get(m, Decimal(0)), h)
            for m in months for h in range(1, HORIZON + 1) if (m, h) in made]


def against_plan(env: Env, today: dt.date | None = None, salesperson_ids: list[int] | None = None) -> list[dict]:
    """The next three months: forecast (latest) against the territory plans in force."""
    today = today or dt.date.today()
    months = next_months(today)
    filters = {"salesperson": salesperson_ids} if salesperson_ids else {}
    period = (months[0], add_months(months[-1], 1) - dt.timedelta(days=1))
    plan = {r.period: Decimal(r.value or 0) for r in measure_value(
        env, "sales_planning.plan_amount", period=period, filters=filters, grain="month", labels=False)}
    fc = {r.period: Decimal(r.value or 0) for r in measure_value(
        env, source(env), period=period, filters=filters, grain="month", labels=False)}
    return [{"month": m, "plan": plan.get(m, Decimal(0)), "forecast": fc.get(m, Decimal(0)),
             "gap": fc.get(m, Decimal(0)) - plan.get(m, Decimal(0))} for m in months]

