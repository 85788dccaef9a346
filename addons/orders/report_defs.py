"""The receivables ageing report (应收账龄) on the report centre (``tixi_reports``).

Open amounts of booked delivery notes (returns' unused credit netted) per
customer, salesperson or territory, in the buckets 0-30, 31-60, 61-90 and
over 90 days since the delivery date, as of a day (default today). One
grouped query over ``env.select`` (a salesperson sees their customers').
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func
from wtforms.fields import DateField
from wtforms.validators import Optional

from addons.masterdata.models import Customer, Employee
from core.i18n import _, _l, current_lang
from core.reports import Column, Report
from core.reports.params import ChoiceField, ReportParams

from .models import Delivery

if TYPE_CHECKING:
    from core.security.env import Env

BUCKETS = (("d0_30", _l("0-30 days")), ("d31_60", _l("31-60 days")), ("d61_90", _l("61-90 days")),
           ("d90", _l("Over 90 days")))
BY = {"customer": Delivery.customer_id, "salesperson": Delivery.salesperson_id, "territory": Delivery.territory_id}


class AgeingParams(ReportParams):
    """Group by customer, salesperson or territory; ages as of a day."""

    by = ChoiceField(_l("Group by"), choices=[("customer", _l("Customer")), ("salesperson", _l("Salesperson")),
                                              ("territory", _l("Territory"))], default="customer")
    as_of = DateField(_l("As of"), validators=[Optional()])

    def check(self, env: Env) -> None:
        """Territory only where territories is enabled."""
        if self.by.data == "territory" and "territories" not in env.enabled:
            self.add_error("by", _("Territories are not enabled for this company."))


def ageing_rows(env: Env, by: str = "customer", as_of: dt.date | None = None) -> list[dict[str, Any]]:
    """One row per group: the four buckets and the total (open amounts, returns netted)."""
    if as_of is None:
        from .services.common import today

        as_of = today(env)
    key = BY[by]
    d30, d60, d90 = (as_of - dt.timedelta(days=n) for n in (30, 60, 90))
    amount = Delivery.open_amount
    stmt = env.select(
        Delivery, "read", key.label("key"),
        func.sum(case((Delivery.delivery_date >= d30, amount), else_=0)).label("d0_30"),
        func.sum(case(((Delivery.delivery_date < d30) & (Delivery.delivery_date >= d60), amount), else_=0)).label(
            "d31_60"),
        func.sum(case(((Delivery.delivery_date < d60) & (Delivery.delivery_date >= d90), amount), else_=0)).label(
            "d61_90"),
        func.sum(case((Delivery.delivery_date < d90, amount), else_=0)).label("d90"),
        func.sum(amount).label("total"),
    ).where(Delivery.state.in_(("shipped", "confirmed")), Delivery.open_amount != 0).group_by(key)
    rows = [dict(r._mapping) for r in env.execute(stmt)]
    names = _names(env, by, [r["key"] for r in rows if r["key"] is not None])
    for r in rows:
        for k in ("d0_30", "d31_60", "d61_90", "d90", "total"):
            r[k] = Decimal(r[k] or 0).quantize(Decimal("0.01"))
        r["name"] = names.get(r["key"], _("Not set")) if r["key"] is not None else _("Not set")
    return sorted(rows, key=lambda r: (-r["total"], r["name"]))


def _names(env: Env, by: str, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    lang = current_lang(env)
    if by == "customer":
        # sudo: the names of the customers the user's own documents are for
        return {c.id: c.display(lang) if hasattr(c, "display") else c.name_zh
                for c in env.sudo().search(Customer, Customer.id.in_(ids))}
    if by == "salesperson":
        return {e.id: e.display(lang) for e in env.sudo().search(Employee, Employee.id.in_(ids))}
    from addons.territories.models import Territory

    return {t.id: str(t) for t in env.sudo().search(Territory, Territory.id.in_(ids))}


def ageing_query(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The report's rows."""
    return ageing_rows(env, p.get("by") or "customer", p.get("as_of"))


def ageing_columns(env: Env, p: Mapping[str, Any]) -> list[Column]:
    """The group, the four buckets, the total."""
    head = {"customer": _l("Customer"), "salesperson": _l("Salesperson"), "territory": _l("Territory")}
    return [Column("name", head.get(p.get("by") or "customer", _l("Customer")))] + [
        Column(k, label, "money", total="sum") for k, label in BUCKETS] + [
        Column("total", _l("Total"), "money", total="sum")]


def ageing_chart(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], p: Mapping[str, Any]) -> dict | None:
    """The buckets of the ten largest groups, stacked."""
    if not rows:
        return None
    top = list(rows)[:10]
    return {"tooltip": {"trigger": "axis"}, "legend": {}, "grid": {"containLabel": True, "left": 10, "right": 10},
            "xAxis": {"type": "category", "data": [r["name"] for r in top]}, "yAxis": {"type": "value"},
            "series": [{"type": "bar", "stack": "age", "name": str(label), "data": [str(r[k]) for r in top]}
                       for k, label in BUCKETS]}


REPORTS = [
    Report(code="orders.ageing", title=_l("Receivables ageing"),
           description=_l("Open amounts by age since delivery (0-30, 31-60, 61-90, over 90 days), returns netted."),
           query=ageing_query, columns=ageing_columns, params=AgeingParams, totals=True, chart=ageing_chart,
           model=Delivery.__tablename__, max_days=None),
]
