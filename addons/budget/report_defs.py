"""The budget reports on the report centre (``tixi_reports``): budget execution and the marketing audit.

``budget.marketing_audit`` (营销审计): expenses against budget by territory and category,
profitability, annual plan execution and efficiency over a period
(:mod:`addons.budget.services.audit`); filterable by period, territory and salesperson.

``budget.execution``:

One row per budget line (or per budget) of a year the reader may read: budget (with approved
supplements), committed, spent, remaining, the share used and the share of the year elapsed
on the date chosen. Owners get it every month (``services.execution.deliver_execution``);
the report centre's own subscriptions deliver it too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from wtforms import StringField
from wtforms.fields import DateField
from wtforms.validators import Optional

from core.i18n import _, _l
from core.reports import Column, Link, Report
from core.reports.params import ChoiceField, PeriodParams, RecordField, ReportParams

from .models import OWNER_KIND, Line
from .services.audit import audit_rows, scope_total
from .services.execution import execution_rows, pct

if TYPE_CHECKING:
    from core.security.env import Env

BY = [("line", _l("Budget line")), ("budget", _l("Budget"))]


class ExecutionParams(ReportParams):
    """The year, the date the figures are as of, lines or budgets, one kind of owner."""

    year = StringField(_l("Year"))
    as_of = DateField(_l("As of"), validators=[Optional()])
    by = ChoiceField(_l("One row per"), choices=BY, default="line")
    owner_kind = ChoiceField(_l("Owner"), choices=[("", _l("All"))] + list(OWNER_KIND.items()), default="")

    def check(self, env: Env) -> None:
        """A four-digit year (default: the year of the date, or this year)."""
        text = (self.year.data or "").strip()
        if not text:
            text = str((self.as_of.data or self.today).year)
        if not (text.isdigit() and len(text) == 4):
            self.add_error("year", _("Enter the year, e.g. 2026."))
            return
        self.year.data = text


def execution_query(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The rows of the execution report."""
    year = int(p.get("year") or dt.date.today().year)
    on = p.get("as_of") or dt.date.today()
    return execution_rows(env, year, on, owner_kind=p.get("owner_kind") or None, by=p.get("by") or "line")


def _used_total(rows: Sequence[Mapping[str, Any]], totals: Mapping[str, Any]) -> Any:
    return pct((totals.get("committed") or 0) + (totals.get("spent") or 0), totals.get("amount") or 0)


def execution_columns(env: Env, p: Mapping[str, Any]) -> list[Column]:
    """Budget (and category), owner kind, the four figures, used and elapsed shares."""
    cols = [Column("budget", _l("Budget"), link=lambda row, p: Link.endpoint("budget.budget_page",
                                                                              budget_id=row["budget_id"])),
            Column("owner_kind", _l("Owner"))]
    if (p.get("by") or "line") == "line":
        cols.append(Column("category", _l("Expense category")))
    return cols + [
        Column("amount", _l("Budget"), "money", total="sum"),
        Column("committed", _l("Committed"), "money", total="sum"),
        Column("spent", _l("Spent"), "money", total="sum"),
        Column("remaining", _l("Remaining"), "money", total="sum"),
        Column("used_pct", _l("Used"), "percent", places=1, total=_used_total),
        Column("elapsed_pct", _l("Year elapsed"), "percent", places=1),
    ]


def execution_chart(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], p: Mapping[str, Any]) -> dict | None:
    """Spent and committed against budget per row (stacked bars)."""
    if not rows or len(rows) > 60:
        return None
    names = [r["budget"] + (" · " + r["category"] if r.get("category") else "") for r in rows]
    return {"tooltip": {"trigger": "axis"}, "legend": {}, "grid": {"containLabel": True, "left": 10, "right": 10},
            "yAxis": {"type": "category", "data": names}, "xAxis": {"type": "value"},
            "series": [{"type": "bar", "stack": "used", "name": _("Spent"), "data": [float(r["spent"]) for r in rows]},
                       {"type": "bar", "stack": "used", "name": _("Committed"),
                        "data": [float(r["committed"]) for r in rows]},
                       {"type": "bar", "stack": "used", "name": _("Remaining"),
                        "data": [float(max(r["remaining"], 0)) for r in rows]}]}


# ----- the marketing audit ---------------------------------------------------------------------------
#: roles that reach every territory of the company
ALL_TERRITORIES = ("core.group_director", "core.group_general_manager", "core.group_marketing_admin",
                   "core.group_finance", "core.group_committee")
AUDIT_BY = [("territory", _l("Territory")), ("category", _l("Expense category")),
            ("territory_category", _l("Territory and expense category"))]
SOURCES = [("auto", _l("Orders when used, else imported sales")), ("orders", _l("Orders (delivered)")),
           ("sales_planning", _l("Imported sales"))]


def reachable_territories(env: Env) -> set[int] | None:
    """Territories the user may filter on (``None``: all): see ``addons.territories.services.reachable_territories``."""
    from addons.territories.services import reachable_territories as reach

    return reach(env, ALL_TERRITORIES)


class AuditParams(PeriodParams):
    """Period (an end before the start is refused), territory (within reach), salesperson, rows, sales source."""

    territory = RecordField(_l("Territory"), model="territories_territory")
    salesperson = RecordField(_l("Salesperson"), model="masterdata_employee")
    by = ChoiceField(_l("One row per"), choices=AUDIT_BY, default="territory")
    source = ChoiceField(_l("Sales from"), choices=SOURCES, default="auto")

    def check(self, env: Env) -> None:
        """The period (kernel), a territory the user reaches, a sales source the company has."""
        super().check(env)
        if self.territory.data:
            reach = reachable_territories(env)
            if reach is not None and self.territory.data not in reach:
                self.add_error("territory", _("This territory is outside your reach."))
        if self.source.data == "orders" and "orders" not in env.enabled:
            self.add_error("source", _("Orders are not used by this company."))


def _total_of(key: str) -> Any:
    return lambda rows, totals: scope_total(rows, key)


def _ratio_total(part: str, whole: str, scale: int = 100) -> Any:
    from .services.audit import ratio

    return lambda rows, totals: ratio(totals.get(part), totals.get(whole), Decimal(scale))


def audit_columns(env: Env, p: Mapping[str, Any]) -> list[Column]:
    """Territory and/or category, the expense figures, profitability, plan execution, efficiency."""
    by = p.get("by") or "territory"
    cols = []
    if by != "category":
        cols.append(Column("territory", _l("Territory")))
    if by != "territory":
        cols.append(Column("category", _l("Expense category")))
    return cols + [
        Column("budget", _l("Budget"), "money", total="sum"),
        Column("spent", _l("Spent"), "money", total="sum"),
        Column("remaining", _l("Remaining"), "money", total="sum"),
        Column("used_pct", _l("Used"), "percent", total=_ratio_total("spent", "budget")),
        Column("sales", _l("Sales"), "money", total=_total_of("sales")),
        Column("gross_profit", _l("Gross profit"), "money", total=_total_of("gross_profit")),
        Column("margin_pct", _l("Gross margin"), "percent", total=_ratio_total("gross_profit", "sales")),
        Column("target", _l("Sales target"), "money", total=_total_of("target")),
        Column("achieved_pct", _l("Target achieved"), "percent", total=_ratio_total("sales", "target")),
        Column("per_10k", _l("Expense per 10,000 of sales"), "money", total=_ratio_total("spent", "sales", 10000)),
        Column("expense_gp_pct", _l("Expense / gross profit"), "percent",
               total=_ratio_total("spent", "gross_profit")),
    ]


def audit_chart(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], p: Mapping[str, Any]) -> dict | None:
    """Budget and spend per row (bars) and the expense per 10,000 of sales (a line on a second axis)."""
    if not rows or len(rows) > 60:
        return None
    names = [" · ".join(filter(None, (r["territory"], r["category"]))) for r in rows]
    return {"tooltip": {"trigger": "axis"}, "legend": {}, "grid": {"containLabel": True, "left": 10, "right": 10},
            "xAxis": {"type": "category", "data": names},
            "yAxis": [{"type": "value"}, {"type": "value"}],
            "series": [{"type": "bar", "name": _("Budget"), "data": [float(r["budget"]) for r in rows]},
                       {"type": "bar", "name": _("Spent"), "data": [float(r["spent"]) for r in rows]},
                       {"type": "line", "yAxisIndex": 1, "name": _("Expense per 10,000 of sales"),
                        "data": [float(r["per_10k"]) if r["per_10k"] is not None else None for r in rows]}]}


REPORTS = [
    Report(
        code="budget.execution",
        title=_l("Budget execution"),
        description=_l("Budget, committed, spent and remaining per budget line, against the share of the year elapsed."),
        query=execution_query, columns=execution_columns, params=ExecutionParams, totals=True,
        chart=execution_chart, model=Line.__tablename__, max_days=None,
    ),
    Report(
        code="budget.marketing_audit",
        title=_l("Marketing audit"),
        description=_l("Expenses against budget by territory and category, sales and gross profit, the annual "
                       "plan's execution and the expense per 10,000 of sales."),
        query=audit_rows, columns=audit_columns, params=AuditParams,
        totals=True, chart=audit_chart, model=Line.__tablename__,
        sequence=90,
    ),
]
