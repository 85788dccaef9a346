"""The field activity reports on the report centre (``tixi_reports``), each filterable by period,
territory (when territories is enabled; one outside the user's reach is refused) and salesperson:

* 销售员工作周/月统计表 ``field_activity.activity``: per salesperson for the period, or per
  salesperson and week or month (``by``): visits, customers visited, new customers visited (first
  visit by that salesperson in the row's period), visit days, visits per day, minutes per visit,
  flagged check-ins, orders taken on visits, cost per visit (daily report expenses / visits), daily
  reports submitted and on time, punctuality; with orders enabled, revenue and contract amount per
  visit, new customers won and customers lost (read through the orders measures, never orders' models);
* 周/月工作计划表 ``field_activity.work_plan``: the weekly and monthly plans, per plan or per plan and
  customer (``by=customer``): state, planned visits, key visits, visits done in the plan's period,
  planned visits done, completion, sales target;
* ``field_activity.month_summaries`` (月度工作总结 with next month's key points),
  ``field_activity.inspections`` (市场巡视工作报告), ``field_activity.competitors`` (竞争产品分析).

Built on ``env.select`` (a salesperson gets their own rows, a manager their
reporting line's, the director everybody)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, func, select

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


#: roles that reach every territory of the company
ALL_TERRITORIES = ("core.group_director", "core.group_general_manager", "core.group_marketing_admin")


def reachable_territories(env: Env) -> set[int] | None:
    """Territories the user may filter on (``None``: all): see ``addons.territories.services.reachable_territories``."""
    from addons.territories.services import reachable_territories as reach

    return reach(env, ALL_TERRITORIES)


class FieldParams(PeriodParams):
    """Period, territory (when territories is enabled, within the user's reach) and salesperson."""

    territory = RecordField(_l("Territory"), model="territories_territory", requires="territories")
    salesperson = RecordField(_l("Salesperson"), model="masterdata_employee")

    def check(self, env: Env) -> None:
        """The period (kernel: a clear message for an end before the start) and a territory the user reaches."""
        super().check(env)
        field = self._fields.get("territory")
        if field is not None and field.data:
            reach = reachable_territories(env)
            if reach is not None and field.data not in reach:
                self.add_error("territory", _("This territory is outside your reach."))


class ActivityParams(FieldParams):
    """... and one row per salesperson for the whole period, or per week or per month."""

    by = ChoiceField(_l("One row per"), choices=[("", _l("Salesperson")), ("week", _l("Salesperson and week")),
                                                  ("month", _l("Salesperson and month"))])


class PlanParams(FieldParams):
    """... the kind of plan (weekly or monthly action plan), one row per plan or per plan and customer."""

    kind = ChoiceField(_l("Plan"), choices=[("", _l("All")), *PLAN_KIND.items()])
    by = ChoiceField(_l("One row per"), choices=[("", _l("Plan")), ("customer", _l("Plan and customer"))])


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


def _orders_figures(env: Env, p: Mapping[str, Any], rows: Any, row: Any) -> None:
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


def bucket_bounds(first: dt.date, by: str | None, p: Mapping[str, Any]) -> tuple[dt.date, dt.date]:
    """The days of a row period inside the report's period (both included)."""
    if by == "week":
        last = first + dt.timedelta(days=6)
    elif by == "month":
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    else:
        last = p["date_to"]
    return max(first, p["date_from"]), min(last, p["date_to"])


def bucket_label(first: dt.date, by: str | None, p: Mapping[str, Any]) -> str:
    """``2026-11`` for a month, ``2026-11-23 ~ 11-29`` for a week (cut to the period), the period otherwise."""
    if by == "month":
        return f"{first:%Y-%m}"
    a, b = bucket_bounds(first, by, p)
    return f"{a.isoformat()} ~ {b:%m-%d}" if a.year == b.year else f"{a.isoformat()} ~ {b.isoformat()}"


def _bucket_sql(env: Env, column: Any, by: str | None) -> list[Any]:
    """SQL for the first day of the row period of a date column: its week's Monday or its month's 1st
    (nothing to group on for one row per salesperson)."""
    from sqlalchemy import Date, DateTime, cast

    if by not in ("week", "month"):
        return []
    if env.session.get_bind().dialect.name == "postgresql":
        return [cast(func.date_trunc(by, cast(column, DateTime())), Date())]
    if by == "month":
        return [func.strftime("%Y-%m-01", column)]
    return [func.date(column, "-6 days", "weekday 1")]  # the Monday on or before the day


def _split(values: list[Any], by: str | None, start: dt.date) -> tuple[dt.date, list[Any]]:
    """``(first day of the row period, the other values)`` of a grouped row."""
    if by not in ("week", "month"):
        return start, values
    first = values[0]
    if isinstance(first, dt.datetime):
        first = first.date()
    elif not isinstance(first, dt.date):
        first = dt.date.fromisoformat(str(first)[:10])
    return first, values[1:]


def activity_rows(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per salesperson (and week or month with ``by``) with visits or reports in the period.

    Four grouped queries whatever the period, grouped in SQL by salesperson and row period: visits
    (visits, visit days, customers visited, flagged, orders, minutes), the first visit of each
    customer by each salesperson (new customers visited: the first visit falls in the row's
    period), the submitted daily reports (on time, expenses), the names; with orders, the orders
    measures per row period."""
    start, end = p["date_from"], p["date_to"]
    by = p.get("by") or None
    rows: dict[tuple[int, dt.date], dict[str, Any]] = {}

    def row(sp: int, first: dt.date) -> dict[str, Any]:
        key = (sp, first)
        if key not in rows:
            rows[key] = {"salesperson_id": sp, "bucket": first, "period": bucket_label(first, by, p),
                         "visits": 0, "customers": 0, "new_customers": 0, "days": 0, "per_day": Decimal("0"),
                         "flagged": 0, "orders": Decimal("0"), "reports": 0, "on_time": 0,
                         "punctuality": Decimal("0"), "minutes": 0, "timed": 0, "per_visit_min": None,
                         "expenses": Decimal("0"), "cost_per_visit": None, "revenue": Decimal("0"),
                         "contracts": Decimal("0"), "won": 0, "lost": 0}
        return rows[key]

    where = _where(env, Visit, p)
    vb = _bucket_sql(env, Visit.visit_date, by)
    stmt = (env.select(Visit, "read", Visit.salesperson_id, *vb, func.count(Visit.id),
                       func.count(func.distinct(Visit.visit_date)), func.count(func.distinct(Visit.customer_id)),
                       func.sum(func.cast(Visit.flagged, Integer)), func.sum(Visit.order_amount),
                       func.sum(Visit.duration_min), func.count(Visit.duration_min))
            .where(Visit.visit_date >= start, Visit.visit_date <= end, *where)
            .group_by(Visit.salesperson_id, *vb))
    for sp, *got in env.execute(stmt):
        first, (n, days, customers, flagged, orders, minutes, timed) = _split(got, by, start)
        r = row(sp, first)
        r.update(visits=n, days=days, customers=customers, flagged=int(flagged or 0), orders=Decimal(orders or 0),
                 minutes=int(minutes or 0), timed=int(timed or 0))
    # new customers visited: the salesperson's first visit of the customer falls in the row's period
    # (counted per row period in SQL: only the rows come back, not one line per customer)
    first_visit = func.min(Visit.visit_date)
    firsts = (env.select(Visit, "read", Visit.salesperson_id.label("sp"), first_visit.label("first_day")).where(*where)
              .group_by(Visit.salesperson_id, Visit.customer_id).having(first_visit >= start)
              .having(first_visit <= end).subquery())
    fb = _bucket_sql(env, firsts.c.first_day, by)
    stmt = select(firsts.c.sp, *fb, func.count()).group_by(firsts.c.sp, *fb)
    for sp, *got in env.execute(stmt):
        first, (n,) = _split(got, by, start)
        row(sp, first)["new_customers"] = n
    people = {sp for sp, _b in rows}
    rb = _bucket_sql(env, DailyReport.report_date, by)
    stmt = (env.select(DailyReport, "read", DailyReport.salesperson_id, *rb, func.count(DailyReport.id),
                       func.sum(func.cast(DailyReport.on_time, Integer)), func.sum(DailyReport.expenses_amount))
            .where(DailyReport.state == "submitted", DailyReport.report_date >= start, DailyReport.report_date <= end,
                   *_where(env, DailyReport, p, territory=False))
            .group_by(DailyReport.salesperson_id, *rb))
    for sp, *got in env.execute(stmt):
        first, (n, on_time, expenses) = _split(got, by, start)
        if p.get("territory") and sp not in people:
            continue  # a territory's report: the salespeople with visits there
        r = row(sp, first)
        r.update(reports=n, on_time=int(on_time or 0), expenses=Decimal(expenses or 0))
    if "orders" in env.enabled:
        for first in sorted({b for _sp, b in rows} if by else {start}):
            a, b = bucket_bounds(first, by, p)
            _orders_figures(env, {**p, "date_from": a, "date_to": b}, rows, lambda sp, f=first: row(sp, f))
    for r in rows.values():
        r["per_day"] = (Decimal(r["visits"]) / Decimal(r["days"])).quantize(Decimal("0.01")) if r["days"] else \
            Decimal("0")
        r["punctuality"] = (Decimal(100 * r["on_time"]) / Decimal(r["reports"])).quantize(Decimal("0.1")) \
            if r["reports"] else Decimal(0)
        r["per_visit_min"] = _ratio(r["minutes"], r["timed"], "0.1")
        r["cost_per_visit"] = _ratio(r["expenses"], r["visits"])
        r["revenue_per_visit"] = _ratio(r["revenue"], r["visits"])
        r["contracts_per_visit"] = _ratio(r["contracts"], r["visits"])
    names = _names(env, people | {sp for sp, _b in rows})
    for (sp, _b), r in rows.items():
        r["salesperson"] = names.get(sp, f"#{sp}")
    return sorted(rows.values(), key=lambda r: (r["bucket"], -r["visits"], r["salesperson"]))


def _names(env: Env, ids: set[int]) -> dict[int, str]:
    """Display names of the rows' salespeople (names only, read as the kernel: the rows are the user's)."""
    if not ids:
        return {}
    return {e.id: e.display() for e in env.sudo().search(Employee, Employee.id.in_(list(ids)))}


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
    Column("customers", _l("Customers visited"), "integer"),
    Column("new_customers", _l("New customers visited"), "integer", total="sum"),
    Column("days", _l("Days with visits"), "integer", total="sum"),
    Column("per_day", _l("Visits per day"), "decimal", places=2, total=_per_day),
    Column("per_visit_min", _l("Minutes per visit"), "decimal", places=1, total=_per_visit_min),
    Column("flagged", _l("Flagged check-ins"), "integer", total="sum"),
    Column("orders", _l("Orders taken on visits"), "money", total="sum"),
    Column("cost_per_visit", _l("Cost per visit"), "money", total=_per_visit("expenses")),
    Column("reports", _l("Daily reports submitted"), "integer", total="sum"),
    Column("on_time", _l("Daily reports on time"), "integer", total="sum"),
    Column("punctuality", _l("Report punctuality"), "percent", total=_punctuality),
]
ORDER_COLUMNS = [
    Column("revenue_per_visit", _l("Revenue per visit"), "money", total=_per_visit("revenue")),
    Column("contracts_per_visit", _l("Contract amount per visit"), "money", total=_per_visit("contracts")),
    Column("won", _l("New customers won"), "integer", total="sum"),
    Column("lost", _l("Customers lost"), "integer", total="sum"),
]
PERIOD_COLUMN = Column("period", _l("Week or month"))


def activity_columns(env: Env, p: Mapping[str, Any]) -> list[Column]:
    """The columns: the row's week or month first when the report is per week or month; those read
    from orders only when orders is enabled."""
    return ([PERIOD_COLUMN] if p.get("by") else []) + COLUMNS + (ORDER_COLUMNS if "orders" in env.enabled else [])


def activity_chart(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], p: Mapping[str, Any]) -> dict | None:
    """Visits and customers visited per salesperson (bars); per week or month, each salesperson's
    visits stacked over the weeks or months."""
    if not rows:
        return None
    base = {"tooltip": {"trigger": "axis"}, "legend": {"type": "scroll", "bottom": 0},
            "grid": {"containLabel": True, "left": 10, "right": 10, "bottom": 40}, "yAxis": {"type": "value"}}
    if not p.get("by"):
        return {**base, "xAxis": {"type": "category", "data": [r["salesperson"] for r in rows]},
                "series": [{"type": "bar", "name": _("Visits"), "data": [r["visits"] for r in rows]},
                           {"type": "bar", "name": _("Customers visited"), "data": [r["customers"] for r in rows]}]}
    periods = sorted({(r["bucket"], r["period"]) for r in rows})
    people = sorted({r["salesperson"] for r in rows})
    value = {(r["salesperson"], r["bucket"]): r["visits"] for r in rows}
    return {**base, "xAxis": {"type": "category", "data": [label for _b, label in periods]},
            "series": [{"type": "bar", "stack": "visits", "name": name,
                        "data": [value.get((name, b), 0) for b, _label in periods]} for name in people]}


# ----- 周/月工作计划表 -------------------------------------------------------------------------------
def plan_rows(env: Env, p: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per weekly or monthly plan starting in the period (``by=customer``: per plan and
    customer, with the customers visited in the plan's period outside the plan as unplanned rows):
    state, planned and key visits, visits done in the plan's period, planned visits done (per
    customer at most the planned number), completion (planned done / planned), the sales target.
    Four queries whatever the number of plans: plans, lines per plan and customer, visits per
    salesperson, day and customer over the plans' periods, the names."""
    from .services.plans import month_end

    where = [Plan.period_start >= p["date_from"], Plan.period_start <= p["date_to"], *_where(env, Plan, p, False)]
    if p.get("kind"):
        where.append(Plan.kind == p["kind"])
    plans = env.search(Plan, *where, order_by=[Plan.period_start, Plan.salesperson_id, Plan.kind])
    if p.get("territory"):
        ids = territory_ids(env, p["territory"]) or []
        people = set(env.scalars(env.select(Visit, "read", Visit.salesperson_id).where(
            Visit.territory_id.in_(ids), Visit.visit_date >= p["date_from"],
            Visit.visit_date <= p["date_to"] + dt.timedelta(days=31)).distinct()))
        plans = [x for x in plans if x.salesperson_id in people]
    if not plans:
        return []
    lines: dict[int, dict[int, list[int]]] = {}
    for pid, customer, n, k in env.execute(
            env.select(PlanLine, "read", PlanLine.plan_id, PlanLine.customer_id, func.count(PlanLine.id),
                       func.count(PlanLine.id).filter(PlanLine.key.is_(True)))
            .where(PlanLine.plan_id.in_([x.id for x in plans])).group_by(PlanLine.plan_id, PlanLine.customer_id)):
        lines.setdefault(pid, {})[customer] = [n, k]
    people_ids = {x.salesperson_id for x in plans}
    ends = {x.id: x.period_start + dt.timedelta(days=7) if x.kind == "week" else month_end(x.period_start)
            for x in plans}
    first, last = min(x.period_start for x in plans), max(ends.values())
    done: dict[int, list[tuple[dt.date, int, int]]] = {}
    for sp, day, customer, n in env.execute(
            env.select(Visit, "read", Visit.salesperson_id, Visit.visit_date, Visit.customer_id, func.count(Visit.id))
            .where(Visit.salesperson_id.in_(people_ids), Visit.visit_date >= first, Visit.visit_date < last)
            .group_by(Visit.salesperson_id, Visit.visit_date, Visit.customer_id)):
        done.setdefault(sp, []).append((day, customer, n))
    names = _names(env, people_ids)
    by_customer = p.get("by") == "customer"
    customer_names: dict[int, str] = {}
    out = []
    for x in plans:
        visited: dict[int, int] = {}
        for day, customer, n in done.get(x.salesperson_id, ()):
            if x.period_start <= day < ends[x.id]:
                visited[customer] = visited.get(customer, 0) + n
        planned = lines.get(x.id, {})
        base = {"plan_id": x.id, "salesperson_id": x.salesperson_id, "salesperson": names.get(x.salesperson_id, ""),
                "kind": str(PLAN_KIND.label(x.kind)), "period_start": x.period_start,
                "state": str(PLAN_STATE.label(x.state))}
        if not by_customer:
            n = sum(v[0] for v in planned.values())
            hit = sum(min(v[0], visited.get(c, 0)) for c, v in planned.items())
            out.append({**base, "planned": n, "key": sum(v[1] for v in planned.values()),
                        "done": sum(visited.values()), "planned_done": hit, "completion": _percent(hit, n),
                        "sales_target": x.sales_target, "comment": x.manager_comment or ""})
            continue
        for customer in [*planned, *(c for c in visited if c not in planned)]:
            n, k = planned.get(customer, (0, 0))
            hit = min(n, visited.get(customer, 0))
            customer_names[customer] = ""
            out.append({**base, "customer_id": customer, "planned": n, "key": k, "done": visited.get(customer, 0),
                        "planned_done": hit, "completion": _percent(hit, n)})
    if by_customer:
        from addons.masterdata.models import Customer

        # the rows' customers are the user's plan lines and visits: their names only
        names_c = {c.id: c.display() for c in env.sudo().search(Customer, Customer.id.in_(list(customer_names)))}
        for r in out:
            r["customer"] = names_c.get(r["customer_id"], f"#{r['customer_id']}")
        out.sort(key=lambda r: (r["period_start"], r["salesperson"], r["plan_id"], r["planned"] == 0, r["customer"]))
    return out


def _percent(a: int, b: int) -> Decimal | None:
    return (Decimal(100 * a) / Decimal(b)).quantize(Decimal("0.1")) if b else None


def _completion(rows: Sequence[Mapping[str, Any]], totals: Mapping[str, Any]) -> Any:
    return _percent(sum(r["planned_done"] for r in rows), sum(r["planned"] for r in rows))


PLAN_COLUMNS = [
    Column("salesperson", _l("Salesperson")), Column("kind", _l("Plan")),
    Column("period_start", _l("From"), "date"), Column("state", _l("State")),
    Column("planned", _l("Planned"), "integer", total="sum"), Column("key", _l("Key visits"), "integer", total="sum"),
    Column("done", _l("Done"), "integer", total="sum"),
    Column("planned_done", _l("Planned visits done"), "integer", total="sum"),
    Column("completion", _l("Plan completion"), "percent", places=1, total=_completion),
    Column("sales_target", _l("Sales target"), "money", total="sum"),
    Column("comment", _l("Manager's comment")),
]
PLAN_CUSTOMER_COLUMNS = [*PLAN_COLUMNS[:4], Column("customer", _l("Customer")), *PLAN_COLUMNS[4:9]]


def plan_columns(env: Env, p: Mapping[str, Any]) -> list[Column]:
    """Per plan, or per plan and customer (no sales target nor comment: they are the plan's)."""
    return PLAN_CUSTOMER_COLUMNS if p.get("by") == "customer" else PLAN_COLUMNS


def plan_chart(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column], p: Mapping[str, Any]) -> dict | None:
    """Planned visits, planned visits done and all visits done per salesperson (bars)."""
    if not rows:
        return None
    people: dict[str, list[int]] = {}
    for r in rows:
        acc = people.setdefault(r["salesperson"], [0, 0, 0])
        acc[0] += r["planned"]
        acc[1] += r["planned_done"]
        acc[2] += r["done"]
    names = sorted(people)
    return {"tooltip": {"trigger": "axis"}, "legend": {"bottom": 0},
            "grid": {"containLabel": True, "left": 10, "right": 10, "bottom": 40},
            "xAxis": {"type": "category", "data": names}, "yAxis": {"type": "value"},
            "series": [{"type": "bar", "name": _("Planned"), "data": [people[n][0] for n in names]},
                       {"type": "bar", "name": _("Planned visits done"), "data": [people[n][1] for n in names]},
                       {"type": "bar", "name": _("Done"), "data": [people[n][2] for n in names]}]}


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
        description=_l("Per salesperson, for the period or per week or month: visits, customers visited, new "
                       "customers visited, visits per day, time per visit, flagged check-ins, orders, cost per "
                       "visit, daily reports on time; with orders: revenue per visit, customers won and lost."),
        query=activity_rows, columns=activity_columns, params=ActivityParams, totals=True, chart=activity_chart,
        model=Visit.__tablename__,
    ),
    Report(
        code="field_activity.work_plan",
        title=_l("Weekly / monthly work plans"),
        description=_l("The salespeople's weekly and monthly action plans, per plan or per plan and customer: "
                       "state, planned and key visits, visits done, planned visits done, completion, sales target."),
        query=plan_rows, columns=plan_columns, params=PlanParams, totals=True, row_link=_plan_link,
        chart=plan_chart,
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
