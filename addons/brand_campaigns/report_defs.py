"""The distributor reports on the report centre (``tixi_reports``).

* ``brand_campaigns.distributor_monthly`` — 每月经销商管理汇总表: per distributor,
  the month's purchases, the year's to date against the agreements' target, the
  latest evaluation score and decision;
* ``brand_campaigns.distributor_purchases`` — 经销商进货情况统计表: quantity and
  amount per distributor and product (品种) over a period.

Rows come from :mod:`addons.brand_campaigns.services.distributors` (built on
``env.select``: who may read distributors and purchases sees them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from wtforms import StringField

from core.i18n import _, _l
from core.reports import Column, Link, Report
from core.reports.params import PeriodParams, ReportParams

from .models import DECISION, DISTRIBUTOR_STATE, DistributorPurchase
from .services.distributors import monthly_summary, purchase_stats

if TYPE_CHECKING:
    from core.security.env import Env


class MonthParams(ReportParams):
    """A month (``2026-11``; default the current one)."""

    month = StringField(_l("Month"))

    def check(self, env: Env) -> None:
        """``YYYY-MM``."""
        raw = (self.month.data or "").strip() or self.today.strftime("%Y-%m")
        try:
            self.month.data = dt.date.fromisoformat(raw + "-01").strftime("%Y-%m")
        except ValueError:
            self.add_error("month", _("Enter the month as YYYY-MM (2026-11)."))


def _link(row: Mapping[str, Any], p: Mapping[str, Any]) -> Link:
    return Link.endpoint("brand_campaigns.distributor", distributor_id=row["distributor_id"])


def monthly_query(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The summary rows of the month, labels in the reader's language."""
    rows = monthly_summary(env, dt.date.fromisoformat(p["month"] + "-01"))
    for r in rows:
        r["state_label"] = DISTRIBUTOR_STATE.label(r["state"])
        r["decision_label"] = DECISION.label(r["decision"]) if r["decision"] else ""
    return rows


def _achievement(rows: Sequence[Mapping[str, Any]], totals: Mapping[str, Any]) -> Any:
    from decimal import Decimal

    target = sum((r["target"] for r in rows), Decimal(0))
    return (sum((r["ytd_amount"] for r in rows), Decimal(0)) / target * 100).quantize(Decimal("0.01")) if target else None


MONTHLY_COLUMNS = [
    Column("code", _l("Code")), Column("name", _l("Distributor"), link=_link), Column("area", _l("Area")),
    Column("state_label", _l("State")), Column("purchases", _l("Purchases"), "integer", total="sum"),
    Column("month_amount", _l("Month's purchases"), "money", total="sum"),
    Column("ytd_amount", _l("Purchases this year"), "money", total="sum"),
    Column("target", _l("Purchase target"), "money", total="sum"),
    Column("achievement", _l("Achieved"), "percent", total=_achievement),
    Column("score", _l("Latest score"), "decimal", places=2), Column("decision_label", _l("Decision")),
]

PURCHASE_COLUMNS = [
    Column("code", _l("Code")), Column("name", _l("Distributor"), link=_link), Column("product", _l("Product variety")),
    Column("purchases", _l("Purchases"), "integer", total="sum"),
    Column("quantity", _l("Quantity"), "decimal", places=3, total="sum"),
    Column("amount", _l("Amount"), "money", total="sum"),
]


def purchase_query(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Purchases per distributor and product over the period."""
    return purchase_stats(env, p["date_from"], p["date_to"])


def purchase_chart(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], p: Mapping[str, Any]) -> dict | None:
    """Amount per distributor (a bar chart)."""
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
           query=monthly_query, columns=MONTHLY_COLUMNS, params=MonthParams, totals=True,
           model="brand_campaigns_distributor", max_days=None, sequence=60),
    Report(code="brand_campaigns.distributor_purchases", title=_l("Distributor purchases statistics"),
           description=_l("Quantity and amount purchased per distributor and product variety over a period."),
           query=purchase_query, columns=PURCHASE_COLUMNS, params=PeriodParams, totals=True, chart=purchase_chart,
           model=DistributorPurchase.__tablename__, sequence=61),
]
