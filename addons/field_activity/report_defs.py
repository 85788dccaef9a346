"""The field activity report on the report centre (``tixi_reports``): per salesperson over a period,
visits, visit days, visits per day, flagged check-ins, orders taken, daily reports and punctuality.

Built on ``env.select`` (a salesperson gets their own row, a manager their
reporting line's, the director everybody); four grouped queries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, func

from addons.masterdata.models import Employee
from core.i18n import _, _l
from core.reports import Column, Report
from core.reports.params import PeriodParams

from .models import DailyReport, Visit

if TYPE_CHECKING:
    from core.security.env import Env


def activity_rows(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per salesperson with visits or reports in the period."""
    start, end = p["date_from"], p["date_to"]
    rows: dict[int, dict[str, Any]] = {}

    def row(sp: int) -> dict[str, Any]:
        return rows.setdefault(sp, {"salesperson_id": sp, "visits": 0, "days": 0, "per_day": Decimal("0"),
                                    "flagged": 0, "orders": Decimal("0"), "reports": 0, "on_time": 0,
                                    "punctuality": Decimal("0")})

    stmt = (env.select(Visit, "read", Visit.salesperson_id, func.count(Visit.id),
                       func.count(func.distinct(Visit.visit_date)), func.sum(func.cast(Visit.flagged, Integer)),
                       func.sum(Visit.order_amount))
            .where(Visit.visit_date >= start, Visit.visit_date <= end).group_by(Visit.salesperson_id))
    for sp, n, days, flagged, orders in env.execute(stmt):
        r = row(sp)
        r.update(visits=n, days=days, flagged=int(flagged or 0), orders=Decimal(orders or 0))
        r["per_day"] = (Decimal(n) / Decimal(days)).quantize(Decimal("0.01")) if days else Decimal("0")
    stmt = (env.select(DailyReport, "read", DailyReport.salesperson_id, func.count(DailyReport.id),
                       func.sum(func.cast(DailyReport.on_time, Integer)))
            .where(DailyReport.state == "submitted", DailyReport.report_date >= start, DailyReport.report_date <= end)
            .group_by(DailyReport.salesperson_id))
    for sp, n, on_time in env.execute(stmt):
        r = row(sp)
        r.update(reports=n, on_time=int(on_time or 0))
        r["punctuality"] = (Decimal(100 * int(on_time or 0)) / Decimal(n)).quantize(Decimal("0.1")) if n else Decimal(0)
    names = {e.id: e.display() for e in env.sudo().search(Employee, Employee.id.in_(list(rows)))} if rows else {}
    for sp, r in rows.items():
        r["salesperson"] = names.get(sp, f"#{sp}")
    return sorted(rows.values(), key=lambda r: (-r["visits"], r["salesperson"]))


def _per_day(rows: Sequence[Mapping[str, Any]], totals: Mapping[str, Any]) -> Any:
    days = sum(r["days"] for r in rows)
    return (Decimal(sum(r["visits"] for r in rows)) / Decimal(days)).quantize(Decimal("0.01")) if days else None


def _punctuality(rows: Sequence[Mapping[str, Any]], totals: Mapping[str, Any]) -> Any:
    n = sum(r["reports"] for r in rows)
    return (Decimal(100 * sum(r["on_time"] for r in rows)) / Decimal(n)).quantize(Decimal("0.1")) if n else None


COLUMNS = [
    Column("salesperson", _l("Salesperson")),
    Column("visits", _l("Visits"), "integer", total="sum"),
    Column("days", _l("Days with visits"), "integer", total="sum"),
    Column("per_day", _l("Visits per day"), "decimal", places=2, total=_per_day),
    Column("flagged", _l("Flagged check-ins"), "integer", total="sum"),
    Column("orders", _l("Orders taken on visits"), "money", total="sum"),
    Column("reports", _l("Daily reports submitted"), "integer", total="sum"),
    Column("punctuality", _l("Report punctuality"), "percent", total=_punctuality),
]


def activity_chart(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], p: Mapping[str, Any]) -> dict | None:
    """Visits per salesperson (bars)."""
    if not rows:
        return None
    return {"tooltip": {"trigger": "axis"}, "grid": {"containLabel": True, "left": 10, "right": 10},
            "xAxis": {"type": "category", "data": [r["salesperson"] for r in rows]}, "yAxis": {"type": "value"},
            "series": [{"type": "bar", "name": _("Visits"), "data": [r["visits"] for r in rows]}]}


REPORTS = [
    Report(
        code="field_activity.activity",
        title=_l("Field activity per salesperson"),
        description=_l("Visits, visits per day, flagged check-ins, orders taken and daily report punctuality."),
        query=activity_rows, columns=COLUMNS, params=PeriodParams, totals=True, chart=activity_chart,
        model=Visit.__tablename__,
    ),
]
