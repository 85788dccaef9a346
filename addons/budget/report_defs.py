"""The budget execution report on the report centre (``tixi_reports``).

One row per budget line (or per budget) of a year the reader may read: budget (with approved
supplements), committed, spent, remaining, the share used and the share of the year elapsed
on the date chosen. Owners get it every month (``services.execution.deliver_execution``);
the report centre's own subscriptions deliver it too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from wtforms import StringField
from wtforms.fields import DateField
from wtforms.validators import Optional

from core.i18n import _, _l
from core.reports import Column, Link, Report
from core.reports.params import ChoiceField, ReportParams

from .models import OWNER_KIND, Line
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


REPORTS = [
    Report(
        code="budget.execution",
        title=_l("Budget execution"),
        description=_l("Budget, committed, spent and remaining per budget line, against the share of the year elapsed."),
        query=execution_query, columns=execution_columns, params=ExecutionParams, totals=True,
        chart=execution_chart, model=Line.__tablename__, max_days=None,
    ),
]
