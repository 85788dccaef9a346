"""The field activity reports on the report centre (``tixi_reports``), each filterable by period,
territory (when territories is enabled) and salesperson:

* 销售员工作周/月统计表 ``field_activity.activity``: per salesperson over a week or a month: visits,
  visit days, visits per day, minutes per visit, flagged check-ins, orders taken on visits, cost
  per visit (daily report expenses / visits), daily reports and punctuality; with orders enabled,
  revenue and contract amount per visit, new customers won and customers lost (read through the
  orders measures, never orders' models);
* 周/月工作计划表 ``field_activity.work_plan``: the weekly and monthly plans (state, planned visits,
  key visits, visits done in the plan's period, sales target);
* ``field_activity.month_summaries`` (月度工作总结 with next month's key points),
  ``field_activity.inspections`` (市场巡视工作报告), ``field_activity.competitors`` (竞争产品分析).

Built on ``env.select`` (a salesperson gets their own rows, a manager their
reporting line's, the director everybody)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, func

from addons.masterdata.models import Employee
from core.i18n import _, _l
from core.reports import Column, Link, Report
from core.reports.params import ChoiceField, PeriodParams, RecordField

from .models import (
    PLAN_KIND,
    PLAN_STATE,
    CompetitorRecord,
    DailyReport,
    MarketInspection,
    MonthSummary,
    Plan,
    PlanLine,
    Visit,
)

if TYPE_CHECKING:
    from core.security.env import Env

#: a customer is lost when this many days pass after their last delivery with no new one
LOST_AFTER_DAYS = 180


class FieldParams(PeriodParams):
    """Period, territory (when territories is enabled) and salesperson."""

    territory = RecordField(_l("Territory"), model="territories_territory", requires="territories")
    salesperson = RecordField(_l("Salesperson"), model="masterdata_employee")


class PlanParams(FieldParams):
    """... and the kind of plan (weekly or monthly action plan)."""

    kind = ChoiceField(_l("Plan"), choices=[("", _l("All")), *PLAN_KIND.items()])


def territory_ids(env: Env, territory_id: int | None) -> list[int] | None:
    """The territory and its subtree (territories' closure, read lazily), or None for no filter."""
    if not territory_id or "territories" not in env.enabled:
        return None
    from addons.territories.services import subtree_query

    return list(env.sudo().scalars(subtree_query([territory_id])))


def _where(env: Env, model: Any, p: Mapping[str, Any], territory: bool = True) -> list[Any]:
    """The salesperson and territory filters of a report on ``model``."""
    out = []
    if p.get("salesperson"):
        out.append(model.salesperson_id == p["salesperson"])
    ids = territory_ids(env, p.get("territory")) if territory else None
    if ids is not None:
        out.append(model.territory_id.in_(ids))
    return out


def _ratio(a: Any, b: Any, places: str = "0.01") -> Decimal | None:
    return (Decimal(a) / Decimal(b)).quantize(Decimal(places)) if b else None


def _orders_figures(env: Env, p: Mapping[str, Any], rows: dict[int, dict[str, Any]], row: Any) -> None:
    """Revenue and contract amount per salesperson, new customers won and customers lost (orders measures)."""
    from core.measures import measure_value

    start, end = p["date_from"], p["date_to"]
    filters: dict[str, Any] = {}
    if p.get("salesperson"):
        filters["salesperson"] = [p["salesperson"]]
    ids = territory_ids(env, p.get("territory"))
    if ids is not None:
        filters["territory"] = ids
    for name, key in (("orders.sales_amount", "revenue"), ("orders.contract_amount", "contracts")):
        for r in measure_value(env, name, period=(start, end), filters=filters, group_by=["salesperson"],
                               labels=False):
            if r.dims["salesperson"] is not None:
                row(r.dims["salesperson"])[key] = Decimal(r.value or 0)
    # won: first delivery in the period (nothing delivered before it)
    sold = [r for r in measure_value(env, "orders.sales_amount", period=(start, end), filters=filters,
                                     group_by=["customer", "salesperson"], labels=False) if r.value > 0]
    if sold:
        before = {r.dims["customer"] for r in measure_value(
            env, "orders.sales_amount", period=(dt.date(1990, 1, 1), start - dt.timedelta(days=1)),
            filters={"customer": list({r.dims["customer"] for r in sold})}, group_by=["customer"], labels=False)
            if r.value > 0}
        won: dict[int, set[int]] = {}
        for r in sold:
            if r.dims["customer"] not in before and r.dims["salesperson"] is not None:
                won.setdefault(r.dims["salesperson"], set()).add(r.dims["customer"])
        for sp, customers in won.items():
            row(sp)["won"] = len(customers)
    # lost: the last delivery was LOST_AFTER_DAYS before a day of the period, none since
    gap = dt.timedelta(days=LOST_AFTER_DAYS)
    window = [r for r in measure_value(env, "orders.sales_amount", period=(start - gap, end - gap), filters=filters,
                                       group_by=["customer", "salesperson"], labels=False) if r.value > 0]
    if window:
        since = {r.dims["customer"] for r in measure_value(
            env, "orders.sales_amount", period=(end - gap + dt.timedelta(days=1), end),
            filters={"customer": list({r.dims["customer"] for r in window})}, group_by=["customer"], labels=False)
            if r.value > 0}
        lost: dict[int, set[int]] = {}
        for r in window:
            if r.dims["customer"] not in since and r.dims["salesperson"] is not None:
                lost.setdefault(r.dims["salesperson"], set()).add(r.dims["customer"])
        for sp, customers in lost.items():
            row(sp)["lost"] = len(customers)


def activity_rows(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per salesperson with visits or reports in the period."""
    start, end = p["date_from"], p["date_to"]
    rows: dict[int, dict[str, Any]] = {}

    def row(sp: int) -> dict[str, Any]:
        return rows.setdefault(sp, {"salesperson_id": sp, "visits": 0, "days": 0, "per_day": Decimal("0"),
                                    "flagged": 0, "orders": Decimal("0"), "reports": 0, "on_time": 0,
                                    "punctuality": Decimal("0"), "minutes": 0, "timed": 0, "per_visit_min": None,
                                    "expenses": Decimal("0"), "cost_per_visit": None, "revenue": Decimal("0"),
                                    "contracts": Decimal("0"), "won": 0, "lost": 0})

    stmt = (env.select(Visit, "read", Visit.salesperson_id, func.count(Visit.id),
                       func.count(func.distinct(Visit.visit_date)), func.sum(func.cast(Visit.flagged, Integer)),
                       func.sum(Visit.order_amount), func.sum(Visit.duration_min), func.count(Visit.duration_min))
            .where(Visit.visit_date >= start, Visit.visit_date <= end, *_where(env, Visit, p))
            .group_by(Visit.salesperson_id))
    for sp, n, days, flagged, orders, minutes, timed in env.execute(stmt):
        r = row(sp)
        r.update(visits=n, days=days, flagged=int(flagged or 0), orders=Decimal(orders or 0), minutes=int(minutes or 0),
                 timed=int(timed or 0))
        r["per_day"] = (Decimal(n) / Decimal(days)).quantize(Decimal("0.01")) if days else Decimal("0")
    stmt = (env.select(DailyReport, "read", DailyReport.salesperson_id, func.count(DailyReport.id),
                       func.sum(func.cast(DailyReport.on_time, Integer)), func.sum(DailyReport.expenses_amount))
            .where(DailyReport.state == "submitted", DailyReport.report_date >= start, DailyReport.report_date <= end,
                   *_where(env, DailyReport, p, territory=False))
            .group_by(DailyReport.salesperson_id))
    for sp, n, on_time, expenses in env.execute(stmt):
        if p.get("territory") and sp not in rows:
            continue  # a territory's report: the salespeople with visits there
        r = row(sp)
        r.update(reports=n, on_time=int(on_time or 0), expenses=Decimal(expenses or 0))
        r["punctuality"] = (Decimal(100 * int(on_time or 0)) / Decimal(n)).quantize(Decimal("0.1")) if n else Decimal(0)
    if "orders" in env.enabled:
        _orders_figures(env, p, rows, row)
    for r in rows.values():
        r["per_visit_min"] = _ratio(r["minutes"], r["timed"], "0.1")
        r["cost_per_visit"] = _ratio(r["expenses"], r["visits"])
        r["revenue_per_visit"] = _ratio(r["revenue"], r["visits"])
        r["contracts_per_visit"] = _ratio(r["contracts"], r["visits"])
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


def _per_visit_min(rows: Sequence[Mapping[str, Any]], totals: Mapping[str, Any]) -> Any:
    return _ratio(sum(r["minutes"] for r in rows), sum(r["timed"] for r in rows), "0.1")


def _per_visit(key: str) -> Any:
    def total(rows: Sequence[Mapping[str, Any]], totals: Mapping[str, Any]) -> Any:
        return _ratio(sum(r[key] for r in rows), sum(r["visits"] for r in rows))

    return total


COLUMNS = [
    Column("salesperson", _l("Salesperson")),
    Column("visits", _l("Visits"), "integer", total="sum"),
    Column("days", _l("Days with visits"), "integer", total="sum"),
    Column("per_day", _l("Visits per day"), "decimal", places=2, total=_per_day),
    Column("per_visit_min", _l("Minutes per visit"), "decimal", places=1, total=_per_visit_min),
    Column("flagged", _l("Flagged check-ins"), "integer", total="sum"),
    Column("orders", _l("Orders taken on visits"), "money", total="sum"),
    Column("cost_per_visit", _l("Cost per visit"), "money", total=_per_visit("expenses")),
    Column("reports", _l("Daily reports submitted"), "integer", total="sum"),
    Column("punctuality", _l("Report punctuality"), "percent", total=_punctuality),
]
ORDER_COLUMNS = [
    Column("revenue_per_visit", _l("Revenue per visit"), "money", total=_per_visit("revenue")),
    Column("contracts_per_visit", _l("Contract amount per visit"), "money", total=_per_visit("contracts")),
    Column("won", _l("New customers won"), "integer", total="sum"),
    Column("lost", _l("Customers lost"), "integer", total="sum"),
]


def activity_columns(env: Env, p: Mapping[str, Any]) -> list[Column]:
    """The columns; those read from orders only when orders is enabled."""
    return COLUMNS + (ORDER_COLUMNS if "orders" in env.enabled else [])


def activity_chart(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], p: Mapping[str, Any]) -> dict | None:
    """Visits per salesperson (bars)."""
    if not rows:
        return None
    return {"tooltip": {"trigger": "axis"}, "grid": {"containLabel": True, "left": 10, "right": 10},
            "xAxis": {"type": "category", "data": [r["salesperson"] for r in rows]}, "yAxis": {"type": "value"},
            "series": [{"type": "bar", "name": _("Visits"), "data": [r["visits"] for r in rows]}]}


# ----- 周/月工作计划表 -------------------------------------------------------------------------------
def plan_rows(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per weekly or monthly plan starting in the period: state, planned and key visits,
    visits done in the plan's period, the sales target (three grouped queries)."""
    where = [Plan.period_start >= p["date_from"], Plan.period_start <= p["date_to"], *_where(env, Plan, p, False)]
    if p.get("kind"):
        where.append(Plan.kind == p["kind"])
    plans = env.search(Plan, *where, order_by=[Plan.period_start, Plan.salesperson_id])
    if p.get("territory"):
        ids = territory_ids(env, p["territory"]) or []
        people = set(env.scalars(env.select(Visit, "read", Visit.salesperson_id).where(
            Visit.territory_id.in_(ids), Visit.visit_date >= p["date_from"]).distinct()))
        plans = [x for x in plans if x.salesperson_id in people]
    if not plans:
        return []
    counts = {pid: (n, k) for pid, n, k in env.execute(
        env.select(PlanLine, "read", PlanLine.plan_id, func.count(PlanLine.id),
                   func.count(PlanLine.id).filter(PlanLine.key.is_(True)))
        .where(PlanLine.plan_id.in_([x.id for x in plans])).group_by(PlanLine.plan_id))}
    people_ids = {x.salesperson_id for x in plans}
    first = min(x.period_start for x in plans)
    last = max(x.period_start for x in plans) + dt.timedelta(days=31)
    done: dict[tuple[int, dt.date], int] = {}
    for sp, day, n in env.execute(env.select(Visit, "read", Visit.salesperson_id, Visit.visit_date, func.count(Visit.id))
                                  .where(Visit.salesperson_id.in_(people_ids), Visit.visit_date >= first,
                                         Visit.visit_date < last).group_by(Visit.salesperson_id, Visit.visit_date)):
        done[(sp, day)] = n
    names = {e.id: e.display() for e in env.sudo().search(Employee, Employee.id.in_(people_ids))}
    out = []
    for x in plans:
        from .services.plans import month_end

        end = x.period_start + dt.timedelta(days=7) if x.kind == "week" else month_end(x.period_start)
        n, k = counts.get(x.id, (0, 0))
        out.append({"plan_id": x.id, "salesperson": names.get(x.salesperson_id, ""), "kind": str(PLAN_KIND.label(x.kind)),
                    "period_start": x.period_start, "state": str(PLAN_STATE.label(x.state)), "planned": n, "key": k,
                    "done": sum(v for (sp, day), v in done.items() if sp == x.salesperson_id and
                                x.period_start <= day < end),
                    "sales_target": x.sales_target, "comment": x.manager_comment or ""})
    return out


PLAN_COLUMNS = [
    Column("salesperson", _l("Salesperson")), Column("kind", _l("Plan")),
    Column("period_start", _l("From"), "date"), Column("state", _l("State")),
    Column("planned", _l("Planned"), "integer", total="sum"), Column("key", _l("Key visits"), "integer", total="sum"),
    Column("done", _l("Done"), "integer", total="sum"), Column("sales_target", _l("Sales target"), "money", total="sum"),
    Column("comment", _l("Manager's comment")),
]


def _plan_link(row: Mapping[str, Any], p: Mapping[str, Any]) -> Link | None:
    return Link.endpoint("field_activity.plan_page", plan_id=row["plan_id"])


# ----- 月度工作总结, 市场巡视工作报告, 竞争产品分析 --------------------------------------------------------------
def summary_rows(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The monthly work summaries of the months in the period."""
    rows = env.search(MonthSummary, MonthSummary.month >= p["date_from"].replace(day=1),
                      MonthSummary.month <= p["date_to"], *_where(env, MonthSummary, p, False),
                      order_by=[MonthSummary.month, MonthSummary.salesperson_id])
    names = {e.id: e.display() for e in env.sudo().search(Employee, Employee.id.in_({r.salesperson_id for r in rows}))}
    return [{"id": r.id, "month": f"{r.month:%Y-%m}", "salesperson": names.get(r.salesperson_id, ""),
             "state": str(PLAN_STATE.label("submitted") if r.state == "submitted" else PLAN_STATE.label("draft")),
             "summary": r.summary or "", "next_key_points": r.next_key_points or ""} for r in rows]


SUMMARY_COLUMNS = [Column("month", _l("Month")), Column("salesperson", _l("Salesperson")), Column("state", _l("State")),
                   Column("summary", _l("Work done")), Column("next_key_points", _l("Next month's key points"))]


def inspection_rows(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The market inspection reports of the period."""
    rows = env.search(MarketInspection, MarketInspection.date_from <= p["date_to"],
                      MarketInspection.date_to >= p["date_from"], *_where(env, MarketInspection, p),
                      order_by=[MarketInspection.date_from, MarketInspection.id])
    names = {e.id: e.display() for e in env.sudo().search(Employee, Employee.id.in_({r.salesperson_id for r in rows}))}
    return [{"id": r.id, "date_from": r.date_from, "date_to": r.date_to, "salesperson": names.get(r.salesperson_id, ""),
             "area": r.area, "market_situation": r.market_situation or "",
             "competitor_activity": r.competitor_activity or "", "suggestions": r.suggestions or ""} for r in rows]


INSPECTION_COLUMNS = [
    Column("date_from", _l("From"), "date"), Column("date_to", _l("To"), "date"),
    Column("salesperson", _l("Salesperson")), Column("area", _l("Area inspected")),
    Column("market_situation", _l("Market situation")), Column("competitor_activity", _l("Competitor activity")),
    Column("suggestions", _l("Suggestions")),
]


def competitor_rows(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Competitor products seen in the period, grouped by competitor and product: records, customers,
    average competitor price and our price, average market share (one grouped query)."""
    stmt = (env.select(CompetitorRecord, "read", CompetitorRecord.competitor, CompetitorRecord.competitor_product,
                       func.count(CompetitorRecord.id), func.count(func.distinct(CompetitorRecord.customer_id)),
                       func.avg(CompetitorRecord.competitor_price), func.avg(CompetitorRecord.our_price),
                       func.avg(CompetitorRecord.market_share), func.max(CompetitorRecord.record_date))
            .where(CompetitorRecord.record_date >= p["date_from"], CompetitorRecord.record_date <= p["date_to"],
                   *_where(env, CompetitorRecord, p))
            .group_by(CompetitorRecord.competitor, CompetitorRecord.competitor_product))
    out = []
    for name, product, n, customers, price, ours, share, last in env.execute(stmt):
        def q(x: Any) -> Decimal | None:
            return Decimal(x).quantize(Decimal("0.01")) if x is not None else None

        out.append({"competitor": name, "competitor_product": product or "", "records": n, "customers": customers,
                    "competitor_price": q(price), "our_price": q(ours), "market_share": q(share), "last": last})
    return sorted(out, key=lambda r: (-r["records"], r["competitor"], r["competitor_product"]))


COMPETITOR_COLUMNS = [
    Column("competitor", _l("Competitor")), Column("competitor_product", _l("Competitor product")),
    Column("records", _l("Records"), "integer", total="sum"), Column("customers", _l("Customers"), "integer"),
    Column("competitor_price", _l("Competitor price (average)"), "money"),
    Column("our_price", _l("Our price (average)"), "money"),
    Column("market_share", _l("Market share (average)"), "percent"), Column("last", _l("Last seen"), "date"),
]


REPORTS = [
    Report(
        code="field_activity.activity",
        title=_l("Salesperson work statistics (weekly / monthly)"),
        description=_l("Per salesperson: visits, visits per day, time per visit, flagged check-ins, orders, cost "
                       "per visit, report punctuality; with orders: revenue per visit, customers won and lost."),
        query=activity_rows, columns=activity_columns, params=FieldParams, totals=True, chart=activity_chart,
        model=Visit.__tablename__,
    ),
    Report(
        code="field_activity.work_plan",
        title=_l("Weekly / monthly work plans"),
        description=_l("The salespeople's weekly and monthly action plans: state, planned and key visits, visits "
                       "done, sales target."),
        query=plan_rows, columns=PLAN_COLUMNS, params=PlanParams, totals=True, row_link=_plan_link,
        model=Plan.__tablename__,
    ),
    Report(
        code="field_activity.month_summaries",
        title=_l("Monthly work summaries"),
        description=_l("What each salesperson did in the month and next month's key points."),
        query=summary_rows, columns=SUMMARY_COLUMNS, params=FieldParams, model=MonthSummary.__tablename__,
    ),
    Report(
        code="field_activity.inspections",
        title=_l("Market inspection reports"),
        description=_l("Areas toured, the market seen, competitor activity and suggestions."),
        query=inspection_rows, columns=INSPECTION_COLUMNS, params=FieldParams,
        model=MarketInspection.__tablename__,
    ),
    Report(
        code="field_activity.competitors",
        title=_l("Competitor product analysis"),
        description=_l("Competitor products seen at customers: how often, at how many customers, prices and "
                       "market share against ours."),
        query=competitor_rows, columns=COMPETITOR_COLUMNS, params=FieldParams, totals=True,
        model=CompetitorRecord.__tablename__,
    ),
]
