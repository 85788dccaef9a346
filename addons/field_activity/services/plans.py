"""Routes, plans and the weekly review (the Saturday meeting).

* the weekly fixed route (周定点拜访路线): an ordered list of customers per
  weekday and salesperson, with a suggested order from the customers' known
  locations (nearest neighbour);
* the weekly action plan: visits planned for next week (from the route, plus
  key visits), submitted by the salesperson and confirmed, changed or returned
  by the manager through the kernel approvals (workflow ``field_activity.plan``);
* the meeting page: a territory manager's salespeople side by side: planned vs
  done last week, key visits next week, customers not visited for N days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, select

from addons.masterdata.models import Customer, Employee
from core.errors import ValidationError
from core.i18n import _, _l
from core.security import approvals
from core.security.approvals import Transition, Workflow

from ..models import CustomerLocation, DailyReport, Plan, PlanLine, RouteStop, Visit
from .common import (
    distance_m,
    local_today,
    my_employee_ids,
    parse_date,
    require_me,
    salesperson_in_reach,
    settings,
    text,
    week_start,
)

if TYPE_CHECKING:
    from core.security.env import Env

SALES = ["core.group_salesperson"]
MANAGERS = ["core.group_territory_manager", "core.group_director", "core.group_general_manager"]

PLAN_WORKFLOW = Workflow(
    code="field_activity.plan",
    model="field_activity_plan",
    state_field="state",
    states={"draft": _l("Draft"), "submitted": _l("Waiting for the manager"),
            "confirmed": _l("Confirmed"), "returned": _l("Returned")},
    initial="draft",
    transitions=[
        Transition("submit", ["draft", "returned"], "submitted", groups=SALES, label=_l("Submit to the manager")),
        Transition("confirm", ["submitted"], "confirmed", groups=MANAGERS, not_by_requester=True,
                   label=_l("Confirm")),
        Transition("return", ["submitted"], "returned", groups=MANAGERS, not_by_requester=True,
                   label=_l("Return for changes")),
    ],
)


# ----- the weekly fixed route ------------------------------------------------------------------
def route(env: Env, salesperson_id: int, weekday: int | None = None) -> list[RouteStop]:
    """The route stops of a person (one weekday or all), in order."""
    where = [RouteStop.salesperson_id == salesperson_id]
    if weekday is not None:
        where.append(RouteStop.weekday == weekday)
    return env.search(RouteStop, *where, order_by=[RouteStop.weekday, RouteStop.sequence, RouteStop.id])


def set_route(env: Env, salesperson_id: int, weekday: int, customer_ids: Sequence[int]) -> list[RouteStop]:
    """Replace one weekday's route with ``customer_ids`` in that order."""
    if weekday not in range(7):
        raise ValidationError(_("Choose a weekday."))
    salesperson_in_reach(env, salesperson_id)
    ids = [int(c) for c in customer_ids]
    if len(set(ids)) != len(ids):
        raise ValidationError(_("A customer appears twice on the same day's route."))
    found = set(env.scalars(env.select(Customer, "read", Customer.id).where(Customer.id.in_(ids)))) if ids else set()
    if found != set(ids):
        raise ValidationError(_("Choose customers you may see."))
    with env.session.begin_nested():
        for stop in route(env, salesperson_id, weekday):
            env.delete(stop)
        env.session.flush()
        return [env.create(RouteStop, {"salesperson_id": salesperson_id, "weekday": weekday,
                                       "sequence": (i + 1) * 10, "customer_id": cid}) for i, cid in enumerate(ids)]


def suggested_order(env: Env, customer_ids: Sequence[int], start: tuple[float, float] | None = None) -> list[int]:
    """A visiting order: nearest neighbour over the known locations (from ``start`` or the first),
    customers without a location last, in the given order."""
    ids = [int(c) for c in customer_ids]
    sudo = env.sudo()
    locs = {r.customer_id: (float(r.latitude), float(r.longitude))
            for r in sudo.search(CustomerLocation, CustomerLocation.customer_id.in_(ids))} if ids else {}
    known = [c for c in ids if c in locs]
    out: list[int] = []
    here = start if start is not None else (locs[known[0]] if known else None)
    while known:
        nxt = min(known, key=lambda c: distance_m(here[0], here[1], *locs[c]))
        out.append(nxt)
        known.remove(nxt)
        here = locs[nxt]
    return out + [c for c in ids if c not in locs]


def today_route(env: Env, salesperson_id: int, day: dt.date | None = None) -> list[dict[str, Any]]:
    """Today's stops: the route of the weekday plus the plan's visits of the day, with done marks."""
    day = day or local_today(env)
    stops = route(env, salesperson_id, day.weekday())
    planned = env.search(PlanLine, PlanLine.salesperson_id == salesperson_id, PlanLine.planned_on == day,
                         order_by=[PlanLine.id])
    ids: list[int] = [s.customer_id for s in stops]
    purposes: dict[int, str | None] = {}
    keys: set[int] = set()
    for line in planned:
        if line.customer_id not in ids:
            ids.append(line.customer_id)
        purposes[line.customer_id] = line.purpose
        if line.key:
            keys.add(line.customer_id)
    done = set(env.scalars(env.select(Visit, "read", Visit.customer_id).where(
        Visit.salesperson_id == salesperson_id, Visit.visit_date == day)))
    sudo = env.sudo()
    customers = {c.id: c for c in sudo.search(Customer, Customer.id.in_(ids))} if ids else {}
    locs = {r.customer_id: r for r in sudo.search(CustomerLocation, CustomerLocation.customer_id.in_(ids))} if ids else {}
    out = []
    for cid in ids:
        c = customers.get(cid)
        loc = locs.get(cid)
        out.append({"customer_id": cid, "name": c.display() if c else f"#{cid}", "address": (c.address if c else None),
                    "purpose": purposes.get(cid), "key": cid in keys, "done": cid in done,
                    "lat": float(loc.latitude) if loc else None, "lng": float(loc.longitude) if loc else None})
    return out


# ----- plans ------------------------------------------------------------------------------------
def suggested_visits_per_month(env: Env, customer_id: int) -> int | None:
    """The visit frequency of the customer's class policy (crm_cards), when known."""
    if "crm_cards" not in env.enabled:
        return None
    policy = env.hooks.tixi_customer_class_policy(env=env, customer_id=customer_id)
    return int(policy["visits_per_month"]) if policy and policy.get("visits_per_month") is not None else None


def month_start(day: dt.date) -> dt.date:
    """The 1st of ``day``'s month."""
    return day.replace(day=1)


def month_end(first: dt.date) -> dt.date:
    """The 1st of the month after ``first``'s month (exclusive end)."""
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def class_frequencies(env: Env, customer_ids: Sequence[int], month: dt.date) -> dict[int, int]:
    """Visits suggested in ``month`` per customer from its class policy (crm_cards), in two queries.

    ``visits_per_month`` of the class; a class with 0 (D: quarterly) gets one visit in the
    first month of each quarter. Customers without a class are left out. crm_cards' models are
    read lazily, only when it is enabled: the customers were already read through the user's
    rules, their class and the company's policies are read as the kernel (company configuration).
    """
    if "crm_cards" not in env.enabled or not customer_ids:
        return {}
    from addons.crm_cards.models import ClassPolicy, CustomerProfile

    sudo = env.sudo()
    policy = {code: n for code, n in sudo.execute(sudo.select(ClassPolicy, ClassPolicy.class_code,
                                                               ClassPolicy.visits_per_month))}
    classes = sudo.execute(sudo.select(CustomerProfile, CustomerProfile.customer_id, CustomerProfile.class_code)
                           .where(CustomerProfile.customer_id.in_(list(customer_ids)),
                                  CustomerProfile.class_code.is_not(None)))
    out: dict[int, int] = {}
    for cid, code in classes:
        if code not in policy:
            continue
        n = int(policy[code] or 0)
        out[cid] = n if n > 0 else (1 if month.month in (1, 4, 7, 10) else 0)
    return out


def spread_days(days: Sequence[dt.date], n: int) -> list[dt.date]:
    """``n`` days spread evenly over ``days`` (in order; repeats when ``n`` exceeds them)."""
    if n <= 0 or not days:
        return []
    return [days[min(len(days) - 1, int((i + 0.5) * len(days) / n))] for i in range(n)]


def month_suggestions(env: Env, salesperson_id: int, month: dt.date) -> list[dict[str, Any]]:
    """The monthly action plan suggested from the salesperson's customers: per customer the
    visits of its class policy (crm_cards) on its route weekdays when it has some, else spread
    over the working days; customers without a class: one visit per route day of the month."""
    month = month_start(month)
    end = month_end(month)
    days = [month + dt.timedelta(days=i) for i in range((end - month).days)]
    workdays = [d for d in days if d.weekday() < 5]
    customers = env.search(Customer, Customer.owner_id == salesperson_id, Customer.active.is_(True),
                           order_by=[Customer.name_zh, Customer.id])
    ids = [c.id for c in customers]
    freq = class_frequencies(env, ids, month)
    weekdays: dict[int, list[int]] = {}
    for stop in route(env, salesperson_id):
        weekdays.setdefault(stop.customer_id, []).append(stop.weekday)
    out = []
    for c in customers:
        on_route = [d for d in days if d.weekday() in weekdays.get(c.id, [])]
        n = freq.get(c.id, len(on_route))
        if n <= 0:
            continue
        pool = on_route if len(on_route) >= n else workdays
        out.append({"customer": c, "visits": n, "days": spread_days(pool, n), "from_class": c.id in freq})
    return out


def month_plan(env: Env, salesperson_id: int, month: dt.date) -> Plan:
    """The monthly sales and action plan of ``month``, created when missing: the action plan from
    :func:`month_suggestions`, the sales target from the rolling forecast of that month."""
    from ..models import Forecast

    month = month_start(month)
    salesperson_in_reach(env, salesperson_id)
    plan = get_plan(env, salesperson_id, month, "month")
    if plan is not None:
        return plan
    suggestions = month_suggestions(env, salesperson_id, month)
    target = env.scalar(env.select(Forecast, "read", func.sum(Forecast.amount)).where(
        Forecast.salesperson_id == salesperson_id, Forecast.month == month))
    with env.session.begin_nested():
        plan = env.create(Plan, {"salesperson_id": salesperson_id, "kind": "month", "period_start": month,
                                 "state": "draft", "sales_target": target})
        for item in suggestions:
            for day in item["days"]:
                env.create(PlanLine, {"plan_id": plan.id, "salesperson_id": salesperson_id,
                                      "customer_id": item["customer"].id, "planned_on": day, "key": False})
    env.session.expire(plan, ["lines"])
    return plan


def set_sales_target(env: Env, plan: Plan, amount: Any, note: str | None = None) -> Plan:
    """The monthly sales target (an amount, 2 decimals) and the plan's note."""
    from .common import parse_money

    _check_editable(env, plan)
    values: dict[str, Any] = {"sales_target": parse_money(amount, "sales_target")}
    if note is not None:
        values["note"] = text(note)
    env.write(plan, values)
    return plan


def month_figures(env: Env, plan: Plan) -> dict[str, Any]:
    """Planned vs done of a monthly plan: visits planned, done, customers planned and visited;
    the forecast of the month per customer; delivered sales (orders, when enabled)."""
    from ..models import Forecast

    start, end = plan.period_start, month_end(plan.period_start)
    sp = plan.salesperson_id
    planned = env.count(PlanLine, PlanLine.plan_id == plan.id)
    done = env.count(Visit, Visit.salesperson_id == sp, Visit.visit_date >= start, Visit.visit_date < end)
    forecast = [(c, amount) for c, amount in env.execute(
        env.select(Forecast, "read", Customer.name_zh, func.sum(Forecast.amount))
        .join(Customer, Customer.id == Forecast.customer_id)
        .where(Forecast.salesperson_id == sp, Forecast.month == start)
        .group_by(Customer.name_zh).order_by(Customer.name_zh))]
    sales = None
    if "orders" in env.enabled:
        from core.measures import measure_value, total

        sales = total(measure_value(env, "orders.sales_amount", period=(start, end - dt.timedelta(days=1)),
                                    filters={"salesperson": [sp]}, labels=False))
    return {"planned": planned, "done": done, "forecast": forecast, "sales": sales}


def get_plan(env: Env, salesperson_id: int, start: dt.date, kind: str = "week") -> Plan | None:
    """The person's plan for the week (or month) starting ``start``."""
    return env.scalar(env.select(Plan).where(Plan.salesperson_id == salesperson_id, Plan.kind == kind,
                                             Plan.period_start == start))


def week_plan(env: Env, salesperson_id: int, start: dt.date) -> Plan:
    """The weekly plan starting on Monday ``start``, created from the fixed route when missing."""
    start = week_start(start)
    salesperson_in_reach(env, salesperson_id)
    plan = get_plan(env, salesperson_id, start)
    if plan is not None:
        return plan
    with env.session.begin_nested():
        plan = env.create(Plan, {"salesperson_id": salesperson_id, "kind": "week", "period_start": start,
                                 "state": "draft"})
        for stop in route(env, salesperson_id):
            env.create(PlanLine, {"plan_id": plan.id, "salesperson_id": salesperson_id, "customer_id": stop.customer_id,
                                  "planned_on": start + dt.timedelta(days=stop.weekday), "key": False})
    env.session.expire(plan, ["lines"])
    return plan


def _check_editable(env: Env, plan: Plan) -> None:
    mine = plan.salesperson_id in my_employee_ids(env)
    if plan.state == "confirmed" or (mine and plan.state == "submitted"):
        raise ValidationError(_("This plan is %(state)s: it cannot be changed now.",
                                state=PLAN_WORKFLOW.states[plan.state]))


def add_line(env: Env, plan: Plan, customer_id: int, planned_on: Any, purpose: str | None = None,
             key: bool = False) -> PlanLine:
    """Add a planned visit (a key visit with ``key``) inside the plan's week."""
    _check_editable(env, plan)
    day = parse_date(planned_on, "planned_on")
    end = plan.period_start + dt.timedelta(days=7) if plan.kind == "week" else month_end(plan.period_start)
    if day is None or not (plan.period_start <= day < end):
        message = _("The planned day must be inside the plan's period.")
        raise ValidationError(message, {"planned_on": message})
    line = env.create(PlanLine, {"plan_id": plan.id, "salesperson_id": plan.salesperson_id,
                                 "customer_id": int(customer_id), "planned_on": day, "purpose": text(purpose, 300),
                                 "key": bool(key)})
    env.session.expire(plan, ["lines"])
    return line


def submit_plan(env: Env, plan: Plan, comment: str | None = None) -> Plan:
    """The salesperson submits a plan to the manager: a weekly plan needs at least one key visit,
    a monthly plan a sales target or at least one planned visit."""
    if plan.kind == "week" and not env.count(PlanLine, PlanLine.plan_id == plan.id, PlanLine.key.is_(True)):
        raise ValidationError(_("Mark at least one key visit before submitting the plan."))
    if plan.kind == "month" and not plan.sales_target and not env.count(PlanLine, PlanLine.plan_id == plan.id):
        raise ValidationError(_("Give the month's sales target or plan at least one visit before submitting."))
    approvals.fire(env, PLAN_WORKFLOW, plan, "submit", comment=comment)
    return plan


def review_plan(env: Env, plan: Plan, confirm: bool, comment: str | None = None,
                changes: Iterable[dict[str, Any]] = ()) -> Plan:
    """The manager comments, changes lines (``{"id", "planned_on", "key", "purpose"}``) and confirms or returns."""
    for change in changes:
        line = env.get(PlanLine, int(change["id"]), "write")
        if line.plan_id != plan.id:
            raise ValidationError(_("Choose lines of this plan."))
        values: dict[str, Any] = {}
        if "planned_on" in change:
            values["planned_on"] = parse_date(change["planned_on"], "planned_on")
        if "key" in change:
            values["key"] = bool(change["key"])
        if "purpose" in change:
            values["purpose"] = text(change["purpose"], 300)
        env.write(line, values)
    env.session.expire(plan, ["lines"])
    if comment:
        env.write(plan, {"manager_comment": text(comment)})
    approvals.fire(env, PLAN_WORKFLOW, plan, "confirm" if confirm else "return", comment=comment)
    return plan


def plans_waiting(env: Env) -> list[Plan]:
    """Submitted plans of other people the user reaches (what waits for their review)."""
    mine = my_employee_ids(env)
    return [p for p in env.search(Plan, Plan.state == "submitted", order_by=[Plan.period_start, Plan.id])
            if p.salesperson_id not in mine]


# ----- the weekly meeting -------------------------------------------------------------------------
def team(env: Env, manager_id: int | None = None) -> list[Employee]:
    """The salespeople below ``manager_id`` (default: the user) in the reporting line."""
    from addons.masterdata.services import subordinate_ids_query

    if manager_id is None:
        manager_id = require_me(env).id
    else:
        salesperson_in_reach(env, manager_id)
    sudo = env.sudo()
    ids = select(subordinate_ids_query(manager_id).subquery().c[0])
    return sudo.search(Employee, Employee.id.in_(ids), Employee.position == "salesperson",
                       order_by=[Employee.name_zh, Employee.id])


MEETING_PAGE = 30  # salespeople side by side on one page of the meeting


def meeting(env: Env, manager_id: int | None = None, today: dt.date | None = None,
            days: int | None = None, page: int = 1) -> dict[str, Any]:
    """The weekly-meeting table: one row per salesperson; a fixed handful of grouped queries.

    A large team is shown :data:`MEETING_PAGE` salespeople at a time (``page``, from 1)."""
    today = today or local_today(env)
    days = days or settings(env).not_visited_days
    this_week = week_start(today)
    last_week, next_week = this_week - dt.timedelta(days=7), this_week + dt.timedelta(days=7)
    everyone = team(env, manager_id)
    pages = max(1, -(-len(everyone) // MEETING_PAGE))
    page = min(max(1, int(page or 1)), pages)
    people = everyone[(page - 1) * MEETING_PAGE:page * MEETING_PAGE]
    ids = [p.id for p in people]
    rows = {p.id: {"employee": p, "planned": 0, "done": 0, "planned_done": 0, "flagged": 0, "reports": 0,
                   "key_next": [], "not_visited": 0, "not_visited_names": [], "plan_state": None} for p in people}
    head = {"last_week": last_week, "next_week": next_week, "days": days, "page": page, "pages": pages,
            "team_size": len(everyone)}
    if not ids:
        return {"rows": [], **head}
    # planned last week, and how many of those the salesperson visited in that week (one query)
    seen = (env.select(Visit, "read", Visit.salesperson_id.label("sp"), Visit.customer_id.label("cu"))
            .where(Visit.salesperson_id.in_(ids), Visit.visit_date >= last_week, Visit.visit_date < this_week)
            .group_by(Visit.salesperson_id, Visit.customer_id).subquery())
    plan_q = (env.select(PlanLine, "read", PlanLine.salesperson_id, func.count(func.distinct(PlanLine.id)),
                         func.count(func.distinct(case((seen.c.cu.is_not(None), PlanLine.id)))))
              .outerjoin(seen, (seen.c.sp == PlanLine.salesperson_id) & (seen.c.cu == PlanLine.customer_id))
              .where(PlanLine.salesperson_id.in_(ids), PlanLine.planned_on >= last_week,
                     PlanLine.planned_on < this_week).group_by(PlanLine.salesperson_id))
    for sp, n, done in env.execute(plan_q):
        rows[sp]["planned"], rows[sp]["planned_done"] = n, done
    # done last week, flagged
    for sp, n, flagged in env.execute(env.select(Visit, "read", Visit.salesperson_id, func.count(Visit.id),
                                                 func.sum(func.cast(Visit.flagged, _int()))).where(
            Visit.salesperson_id.in_(ids), Visit.visit_date >= last_week, Visit.visit_date < this_week)
            .group_by(Visit.salesperson_id)):
        rows[sp]["done"], rows[sp]["flagged"] = n, int(flagged or 0)
    # daily reports submitted last week
    for sp, n in env.execute(env.select(DailyReport, "read", DailyReport.salesperson_id, func.count(DailyReport.id))
                             .where(DailyReport.salesperson_id.in_(ids), DailyReport.state == "submitted",
                                    DailyReport.report_date >= last_week, DailyReport.report_date < this_week)
                             .group_by(DailyReport.salesperson_id)):
        rows[sp]["reports"] = n
    # next week's plan states and key visits
    for sp, state in env.execute(env.select(Plan, "read", Plan.salesperson_id, Plan.state).where(
            Plan.salesperson_id.in_(ids), Plan.kind == "week", Plan.period_start == next_week)):
        rows[sp]["plan_state"] = state
    key_q = (env.select(PlanLine, "read", PlanLine.salesperson_id, PlanLine.planned_on, Customer.name_zh, PlanLine.purpose)
             .join(Customer, Customer.id == PlanLine.customer_id)
             .where(PlanLine.salesperson_id.in_(ids), PlanLine.key.is_(True), PlanLine.planned_on >= next_week,
                    PlanLine.planned_on < next_week + dt.timedelta(days=7))
             .order_by(PlanLine.planned_on, PlanLine.id))
    for sp, day, name, purpose in env.execute(key_q):
        rows[sp]["key_next"].append({"day": day, "customer": name, "purpose": purpose})
    # customers (owned) not visited for N days: no visit of the team since the cut-off. The team's
    # recent visits are few (index salesperson_id, visit_date): one hashed NOT IN, not a probe per customer
    cutoff = today - dt.timedelta(days=days)
    recent = Customer.id.in_(env.select(Visit, "read", Visit.customer_id)
                             .where(Visit.salesperson_id.in_(ids), Visit.visit_date >= cutoff))
    # counted and ranked in SQL: only the first five names per salesperson come back
    stale = (env.select(Customer, "read", Customer.owner_id.label("owner"), Customer.id.label("cid"),
                        Customer.name_zh.label("name"), func.count().over(partition_by=Customer.owner_id).label("n"),
                        func.row_number().over(partition_by=Customer.owner_id,
                                               order_by=(Customer.name_zh, Customer.id)).label("rn"))
             .where(Customer.owner_id.in_(ids), Customer.active.is_(True), ~recent).subquery())
    stale_q = (select(stale.c.owner, stale.c.cid, stale.c.name, stale.c.n).where(stale.c.rn <= 5)
               .order_by(stale.c.owner, stale.c.rn))
    named: dict[int, dict[str, Any]] = {}
    for sp, cust_id, name, n in env.execute(stale_q):
        row = rows[sp]
        row["not_visited"] = n
        item = {"customer": name, "last": None}
        row["not_visited_names"].append(item)
        named[cust_id] = item
    if named:  # the last visit of the customers named (a handful)
        last = (env.select(Visit, "read", func.max(Visit.visit_date))
                .where(Visit.customer_id == Customer.id).scalar_subquery())  # an index seek per customer
        last_q = env.select(Customer, "read", Customer.id, last).where(Customer.id.in_(list(named)))
        for cust_id, last_day in env.execute(last_q):
            named[cust_id]["last"] = last_day
    return {"rows": [rows[i] for i in ids], **head}


def _int() -> Any:
    from sqlalchemy import Integer

    return Integer()

