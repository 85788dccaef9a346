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

from sqlalchemy import case, func, select
from wtforms.fields import DateField
from wtforms.validators import Optional

from addons.masterdata.models import Customer, Employee
from core.i18n import _, _l, current_lang
from core.reports import Column, Report
from core.reports.params import ChoiceField, ReportParams

from .models import Delivery
from .regional import REPORT as REGIONAL

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
    top = ChoiceField(_l("Show"), choices=[("200", _l("The 200 largest")), ("1000", _l("The 1000 largest")),
                                           ("0", _l("All"))], default="200")

    def check(self, env: Env) -> None:
        """Territory only where territories is enabled."""
        if self.by.data == "territory" and "territories" not in env.enabled:
            self.add_error("by", _("Territories are not enabled for this company."))


def _name_subquery(env: Env, by: str) -> Any:
    """``(nid, nzh, nen)`` of the groups' records, read past the rules (the names of the user's own documents)."""
    if by == "customer":
        return env.sudo().select(Customer, Customer.id.label("nid"), Customer.name_zh.label("nzh"),
                                 Customer.name_en.label("nen")).subquery()
    if by == "salesperson":
        return env.sudo().select(Employee, Employee.id.label("nid"), Employee.name_zh.label("nzh"),
                                 Employee.name_en.label("nen")).subquery()
    from addons.territories.models import Territory

    return env.sudo().select(Territory, Territory.id.label("nid"), Territory.name_zh.label("nzh"),
                             Territory.name_en.label("nen")).subquery()


def ageing_rows(env: Env, by: str = "customer", as_of: dt.date | None = None,
                top: int | None = None) -> list[dict[str, Any]]:
    """One row per group: the four buckets and the total (open amounts, returns netted), largest first.

    One grouped query (the group's name joined in SQL), whatever the number of
    groups; ``top`` keeps the largest groups only (sorted and cut in SQL, before
    the names are joined; by customer, the largest customers are found first on
    their total alone, then their buckets summed: two queries).
    """
    if as_of is None:
        from .services.common import today

        as_of = today(env)
    key = BY[by]
    d30, d60, d90 = (as_of - dt.timedelta(days=n) for n in (30, 60, 90))
    amount, day = Delivery.open_amount, Delivery.delivery_date
    booked = (Delivery.state.in_(("shipped", "confirmed")), Delivery.open_amount != 0)
    keep: list[Any] = []
    if top and by == "customer":
        # the largest customers first, on one sum (the four buckets' sums cost more than the grouping): the
        # buckets are then summed for those customers only (their notes, through ix_orders_delivery_open)
        largest = list(env.scalars(env.select(Delivery, "read", key).where(*booked).group_by(key).order_by(
            func.sum(amount).desc(), key).limit(top)))
        if not largest:
            return []
        keep = [key.in_(largest)]
    facts = env.select(
        Delivery, "read", key.label("key"),
        func.sum(case((day >= d30, amount), else_=0)).label("d0_30"),
        func.sum(case(((day < d30) & (day >= d60), amount), else_=0)).label("d31_60"),
        func.sum(case(((day < d60) & (day >= d90), amount), else_=0)).label("d61_90"),
        func.sum(case((day < d90, amount), else_=0)).label("d90"),
        func.sum(amount).label("total"),
    ).where(*booked, *keep).group_by(key)
    if top and not keep:
        # cut before the names are joined: only the largest groups meet the (large) customer table
        facts = facts.order_by(func.sum(amount).desc(), key).limit(top)
    facts = facts.subquery()
    names = _name_subquery(env, by)
    # the outer select reads only the two sub-queries, both checked selects (env.execute verifies it)
    stmt = select(*facts.c, names.c.nzh, names.c.nen).select_from(facts).outerjoin(
        names, names.c.nid == facts.c.key).order_by(facts.c.total.desc(), facts.c.key)
    en = current_lang(env) == "en"
    unset = _("Not set")
    zero = Decimal("0")
    rows = []
    for k, a, b, c, d, t, zh, en_name in env.execute(stmt):
        name = (en_name or zh) if en else (zh or en_name)
        rows.append({"key": k, "name": name or (unset if k is None else f"#{k}"), "d0_30": Decimal(a or zero),
                     "d31_60": Decimal(b or zero), "d61_90": Decimal(c or zero), "d90": Decimal(d or zero),
                     "total": Decimal(t or zero)})
    rows.sort(key=lambda r: (-r["total"], r["name"]))
    return rows


def ageing_query(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The report's rows."""
    return ageing_rows(env, p.get("by") or "customer", p.get("as_of"), int(p.get("top") or 0) or None)


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
    REGIONAL,
]
