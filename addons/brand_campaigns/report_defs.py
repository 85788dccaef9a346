"""The distributor reports on the report centre (``tixi_reports``).

* ``brand_campaigns.distributor_monthly`` — 每月经销商管理汇总表: per distributor,
  the month's purchases, the year's to date against the agreements' target, the
  latest evaluation score and decision;
* ``brand_campaigns.distributor_purchases`` — 经销商进货情况统计表: quantity and
  amount per distributor (or per distributor and product variety) over a
  period, with each distributor's share, and — when orders is enabled — the
  deliveries to the distributor's customer record over the same period, read
  through orders' kernel measure ``orders.sales_amount`` (never orders' tables).

Both filter by territory (the distributor's, and the ones below it; within the
user's reach) and salesperson (the distributor's owner). Rows come from
:mod:`addons.brand_campaigns.services.distributors` (built on ``env.select``:
a salesperson reads the distributors they look after, a territory manager and
the management all the company's).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from wtforms import StringField

from core.i18n import _, _l
from core.reports import Column, Link, Report
from core.reports.params import ChoiceField, PeriodParams, RecordField, ReportParams

from .models import DECISION, DISTRIBUTOR_STATE, DistributorPurchase
from .services.distributors import monthly_summary, orders_sales, purchase_stats

if TYPE_CHECKING:
    from core.security.env import Env

#: roles that reach every territory of the company
ALL_TERRITORIES = ("core.group_director", "core.group_general_manager", "core.group_marketing_admin")


def reachable_territories(env: Env) -> set[int] | None:
    """Territories the user may filter on (``None``: all): see ``addons.territories.services.reachable_territories``."""
    from addons.territories.services import reachable_territories as reach

    return reach(env, ALL_TERRITORIES)


class _ScopeMixin:
    """Territory (when territories is enabled, within the user's reach) and salesperson."""

    territory = RecordField(_l("Territory"), model="territories_territory", requires="territories")
    salesperson = RecordField(_l("Salesperson"), model="masterdata_employee")

    def _check_scope(self, env: Env) -> None:
        field = self._fields.get("territory")
        if field is not None and field.data:
            reach = reachable_territories(env)
            if reach is not None and field.data not in reach:
                self.add_error("territory", _("This territory is outside your reach."))


class MonthParams(_ScopeMixin, ReportParams):
    """A month (``2026-11``; default the current one), territory, salesperson."""

    month = StringField(_l("Month"))

    def check(self, env: Env) -> None:
        """``YYYY-MM``; a territory the user reaches."""
        raw = (self.month.data or "").strip() or self.today.strftime("%Y-%m")
        try:
            self.month.data = dt.date.fromisoformat(raw + "-01").strftime("%Y-%m")
        except ValueError:
            self.add_error("month", _("Enter the month as YYYY-MM (2026-11)."))
        self._check_scope(env)


BY = [("distributor", _l("Distributor")), ("product", _l("Distributor and product variety"))]


class PurchaseParams(_ScopeMixin, PeriodParams):
    """Period (an end before the start is refused), one row per distributor or per product, territory, salesperson."""

    by = ChoiceField(_l("One row per"), choices=BY, default="distributor")

    def check(self, env: Env) -> None:
        """The period (kernel) and a territory the user reaches."""
        super().check(env)
        self._check_scope(env)


def _link(row: Mapping[str, Any], p: Mapping[str, Any]) -> Link:
    return Link.endpoint("brand_campaigns.distributor", distributor_id=row["distributor_id"])


def monthly_query(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The summary rows of the month, labels in the reader's language."""
    rows = monthly_summary(env, dt.date.fromisoformat(p["month"] + "-01"), territory_id=p.get("territory"),
                           salesperson=p.get("salesperson"))
    # one label per value, not per row (2,000 distributors at tier L)
    states = {k: DISTRIBUTOR_STATE.label(k) for k in DISTRIBUTOR_STATE}
    decisions = {k: DECISION.label(k) for k in DECISION}
    for r in rows:
        r["state_label"] = states.get(r["state"], r["state"])
        r["decision_label"] = decisions.get(r["decision"], "") if r["decision"] else ""
    return rows


def _achievement(rows: Sequence[Mapping[str, Any]], totals: Mapping[str, Any]) -> Any:
    target = sum((r["target"] for r in rows), Decimal(0))
    return (sum((r["ytd_amount"] for r in rows), Decimal(0)) / target * 100).quantize(Decimal("0.01")) if target else None


MONTHLY_COLUMNS = [
    Column("code", _l("Code")), Column("name", _l("Distributor"), link=_link), Column("area", _l("Area")),
    Column("salesperson", _l("Salesperson")),
    Column("state_label", _l("State")), Column("purchases", _l("Purchases"), "integer", total="sum"),
    Column("month_amount", _l("Month's purchases"), "money", total="sum"),
    Column("ytd_amount", _l("Purchases this year"), "money", total="sum"),
    Column("target", _l("Purchase target"), "money", total="sum"),
    Column("achievement", _l("Achieved"), "percent", total=_achievement),
    Column("score", _l("Latest score"), "decimal", places=2), Column("decision_label", _l("Decision")),
]


def monthly_chart(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], p: Mapping[str, Any]) -> dict | None:
    """The month's and the year's purchases of the 20 largest distributors of the year (bars)."""
    if not rows:
        return None
    top = sorted(rows, key=lambda r: -r["ytd_amount"])[:20]
    return {"tooltip": {"trigger": "axis"}, "legend": {}, "grid": {"containLabel": True, "left": 10, "right": 10},
            "xAxis": {"type": "category", "data": [r["name"] for r in top]}, "yAxis": {"type": "value"},
            "series": [{"type": "bar", "name": _("Month's purchases"), "data": [float(r["month_amount"]) for r in top]},
                       {"type": "bar", "name": _("Purchases this year"), "data": [float(r["ytd_amount"]) for r in top]}]}


def _share(rows: Sequence[Mapping[str, Any]], totals: Mapping[str, Any]) -> Any:
    return Decimal("100.00") if rows and totals.get("amount") else None


def purchase_columns(env: Env, p: Mapping[str, Any]) -> list[Column]:
    """Distributor (and product), salesperson, purchases, quantity, amount, share; orders' deliveries."""
    cols = [Column("code", _l("Code")), Column("name", _l("Distributor"), link=_link),
            Column("salesperson", _l("Salesperson"))]
    if p.get("by") == "product":
        cols.append(Column("product", _l("Product variety")))
    cols += [Column("purchases", _l("Purchases"), "integer", total="sum"),
             Column("quantity", _l("Quantity"), "decimal", places=3, total="sum"),
             Column("amount", _l("Amount"), "money", total="sum"),
             Column("share", _l("Share of purchases"), "percent", total=_share)]
    if "orders" in env.enabled and p.get("by") != "product":
        cols.append(Column("delivered", _l("Delivered (orders)"), "money", total="sum"))
    return cols


def purchase_query(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Purchases per distributor (and product) over the period; orders' deliveries per distributor."""
    by_product = p.get("by") == "product"
    rows = purchase_stats(env, p["date_from"], p["date_to"], by_product=by_product,
                          territory_id=p.get("territory"), salesperson=p.get("salesperson"))
    total = sum((r["amount"] for r in rows), Decimal(0))
    for r in rows:
        r["share"] = (r["amount"] * 100 / total).quantize(Decimal("0.01"), ROUND_HALF_UP) if total else None
    if not by_product:
        sales = orders_sales(env, {r["customer_id"] for r in rows if r["customer_id"]}, p["date_from"], p["date_to"])
        if sales is not None:
            for r in rows:
                r["delivered"] = sales.get(r["customer_id"], Decimal("0.00")) if r["customer_id"] else None
    return rows


def purchase_chart(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], p: Mapping[str, Any]) -> dict | None:
    """Amount per distributor (a bar chart, the 20 largest)."""
    if not rows:
        return None
    totals: dict[str, Any] = {}
    for r in rows:
        totals[r["name"]] = totals.get(r["name"], 0) + r["amount"]
    names = list(totals)[:20]
    return {"tooltip": {"trigger": "axis"}, "grid": {"containLabel": True, "left": 10, "right": 10},
            "xAxis": {"type": "category", "data": names}, "yAxis": {"type": "value"},
            "series": [{"type": "bar", "name": _("Amount"), "data": [float(totals[n]) for n in names]}]}


REPORTS = [
    Report(code="brand_campaigns.distributor_monthly", title=_l("Monthly distributor management summary"),
           description=_l("Per distributor: the month's purchases, the year's against the target, the latest "
                          "evaluation and decision."),
           query=monthly_query, columns=MONTHLY_COLUMNS, params=MonthParams, totals=True, chart=monthly_chart,
           model="brand_campaigns_distributor", max_days=None, sequence=60),
    Report(code="brand_campaigns.distributor_purchases", title=_l("Distributor purchases statistics"),
           description=_l("Quantity and amount purchased per distributor (or product variety) over a period, "
                          "with the deliveries of orders when it is used."),
           query=purchase_query, columns=purchase_columns, params=PurchaseParams, totals=True, chart=purchase_chart,
           model=DistributorPurchase.__tablename__, sequence=61),
]
