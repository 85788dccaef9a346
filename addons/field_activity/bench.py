"""field_activity at scale: generated records (its ``tixi_bench_generate`` hookimpl) and a timing script.

Generation (called by ``tixi bench generate`` through the hook), for the main company: the
first 30 salespeople of the benchmark region manager's team (exactly the meeting page's first
page, ``MEETING_PAGE``; the others of the team get a month like everybody else) get two years of
visits, about 100 per salesperson per month (4-5 per working day, one in twelve flagged), a
daily report for every working day, a weekly fixed route, and last week's and next week's
plans (with key visits); the other salespeople get a month of visits. Deterministic (``ctx.rng``).

Timing::

    python3 -m addons.field_activity.bench --tier S            # SQLite file + throwaway PostgreSQL
    python3 -m addons.field_activity.bench --db URL            # an existing benchmark database

prints, per engine, the median server time and SQL count of the weekly-meeting page
(``/field_activity/meeting``, whole request through the Flask test client, as the region
manager), the time of a sync of 50 queued visits (as one of the team's salespeople, rolled back) and
the report-centre pages of the two standard reports (销售员工作周/月统计表 ``field_activity.activity``,
周/月工作计划表 ``field_activity.work_plan``, :func:`report_cases`) as the region manager and the director.
Goals: meeting page <= 150 ms on PostgreSQL at tier L with <= 30 SQL statements; sync of 50 <= 1 s;
each report <= 1 s.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import time
import uuid
from typing import Any

from sqlalchemy import event, select

from core.plugins import hookimpl

VISITS_PER_DAY = (3, 4, 5, 5, 6)
TEAM = 30  # the meeting's team: salespeople with two years of visits (one page of the meeting)
GOAL_MS, GOAL_SQL, GOAL_SYNC_S = 150, 30, 1.0
GOAL_REPORT_S = 1.0


def report_cases(end: tuple[int, int]) -> list[tuple[str, str]]:
    """The standard reports (issue 23) timed as report-centre pages: ``(report, query string)``, over
    the generator's last month (``end``), its year to date and two years (the longest period allowed)."""
    month = dt.date(end[0], end[1], 1)
    last = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    two_years = (month.replace(year=month.year - 2) + dt.timedelta(days=32)).replace(day=1)
    after = (last + dt.timedelta(days=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)

    def custom(a: dt.date, b: dt.date, extra: str = "") -> str:
        return f"period=custom&date_from={a.isoformat()}&date_to={b.isoformat()}{extra}"

    return [
        ("field_activity.activity", custom(month, last)),
        ("field_activity.activity", custom(month, last, "&by=week")),
        ("field_activity.activity", custom(month.replace(month=1), last, "&by=month")),
        ("field_activity.activity", custom(two_years, last, "&by=month")),
        ("field_activity.work_plan", custom(month, after)),
        ("field_activity.work_plan", custom(month, after, "&by=customer")),
    ]


@hookimpl
def tixi_bench_generate(ctx: Any) -> None:
    """Two years of visits and reports for the benchmark region manager's team."""
    generate(ctx)


def _team(ctx: Any, manager_id: int) -> list[int]:
    """The first :data:`TEAM` salespeople below ``manager_id`` in the meeting page's order (name, id):
    the salespeople of the meeting's first page (two levels: province managers, then salespeople)."""
    emp = ctx.table("masterdata_employee")
    rows = ctx.conn.execute(select(emp.c.id, emp.c.manager_id, emp.c.position, emp.c.name_zh)).all()
    below: dict[int, list[tuple[int, str, str]]] = {}
    for eid, mid, pos, name in rows:
        below.setdefault(mid, []).append((eid, pos, name))
    out, todo = [], [manager_id]
    while todo:
        cur = todo.pop()
        for eid, pos, name in below.get(cur, []):
            if pos == "salesperson":
                out.append((name, eid))
            else:
                todo.append(eid)
    return [eid for _name, eid in sorted(out)[:TEAM]]


def generate(ctx: Any) -> None:
    """Add field_activity's records to a benchmark database (see the module docstring)."""
    rng = ctx.rng
    company = ctx.companies[0]
    cid = company.id
    rm = company.region_managers[1 if len(company.region_managers) > 1 else 0]
    team = _team(ctx, rm)
    cust = ctx.table("masterdata_customer")
    owned: dict[int, list[int]] = {}
    for c, owner in ctx.conn.execute(select(cust.c.id, cust.c.owner_id).where(cust.c.company_id == cid)):
        owned.setdefault(owner, []).append(c)
    end = ctx.now.date()
    this_week = end - dt.timedelta(days=end.weekday())
    settings = ctx.table("field_activity_settings")
    if ctx.conn.execute(select(settings.c.id).where(settings.c.company_id == cid)).first() is None:
        ctx.bulk_insert("field_activity_settings", [ctx.fill("field_activity_settings", {
            "company_id": cid, "radius_m": 500, "cutoff_hour": 20, "not_visited_days": 30, "max_photo_kb": 5120})])
    locations = [ctx.fill("field_activity_customer_location", {
        "company_id": cid, "customer_id": c, "latitude": f"{30 + rng.random():.6f}", "longitude": f"{110 + rng.random():.6f}"})
        for sp in team for c in owned.get(sp, [])[:40]]
    ctx.bulk_insert("field_activity_customer_location", locations)
    for sp in company.salespeople:
        mine = owned.get(sp, [])
        if not mine:
            continue
        in_team = sp in team
        start = end - dt.timedelta(days=730 if in_team else 30)
        visits, reports, stops = [], [], []
        for weekday in range(5):
            day_customers = list(dict.fromkeys(mine[(weekday * 4 + seq) % len(mine)] for seq in range(4)))
            for seq, customer in enumerate(day_customers):
                stops.append(ctx.fill("field_activity_route_stop", {
                    "company_id": cid, "salesperson_id": sp, "weekday": weekday, "sequence": (seq + 1) * 10,
                    "customer_id": customer}))
        day = start
        while day <= end:
            if day.weekday() < 5:
                n = rng.choice(VISITS_PER_DAY) if in_team else rng.choice((0, 1, 2))
                for k in range(n):
                    at = dt.datetime.combine(day, dt.time(1 + k, rng.randrange(60)), tzinfo=dt.UTC)
                    flagged = rng.random() < 0.08
                    visits.append(ctx.fill("field_activity_visit", {
                        "company_id": cid, "salesperson_id": sp, "customer_id": rng.choice(mine), "visit_date": day,
                        "checkin_at": at, "checkout_at": at + dt.timedelta(minutes=45), "no_position": False,
                        "distance_m": rng.randrange(1000, 5000) if flagged else rng.randrange(5, 400),
                        "flagged": flagged, "order_amount": "0.00"}))
                if in_team and day < end:
                    on_time = rng.random() < 0.85
                    reports.append(ctx.fill("field_activity_daily_report", {
                        "company_id": cid, "salesperson_id": sp, "report_date": day, "state": "submitted",
                        "submitted_at": dt.datetime.combine(day, dt.time(11 if on_time else 14), tzinfo=dt.UTC),
                        "on_time": on_time, "visits_count": n, "orders_amount": "0.00",
                        "collections_amount": "0.00", "expenses_amount": "0.00"}))
            day += dt.timedelta(days=1)
        ctx.bulk_insert("field_activity_route_stop", stops)
        ctx.bulk_insert("field_activity_visit", visits)
        ctx.bulk_insert("field_activity_daily_report", reports)
        if in_team:
            for week in (this_week - dt.timedelta(days=7), this_week + dt.timedelta(days=7)):
                plan = ctx.fill("field_activity_plan", {"company_id": cid, "salesperson_id": sp, "kind": "week",
                                                        "period_start": week, "state": "confirmed"})
                plan["id"] = ctx.alloc("field_activity_plan", 1)[0]
                ctx.bulk_insert("field_activity_plan", [plan])
                ctx.bulk_insert("field_activity_plan_line", [ctx.fill("field_activity_plan_line", {
                    "company_id": cid, "plan_id": plan["id"], "salesperson_id": sp, "customer_id": s["customer_id"],
                    "planned_on": week + dt.timedelta(days=s["weekday"]), "key": i % 5 == 0})
                    for i, s in enumerate(stops)])


def _median_ms(fn: Any, repeat: int) -> tuple[float, float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times) - min(times), result


def _client(app: Any, login: str, password: str) -> Any:
    client = app.test_client()
    page = client.get("/login")
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page.text).group(1)
    client.post("/login", data={"login": login, "password": password, "csrf_token": token})
    return client


def measure(url: str, repeat: int = 5) -> dict[str, Any]:
    """Time the meeting page (as the region manager) and a sync of 50 visits (as a team salesperson)."""
    from bench.generate import read_meta
    from core.config import Deployment
    from core.models import User
    from core.registry import Registry
    from core.security.env import Env
    from core.web.app import create_app

    from .models import Visit
    from .services import sync

    meta = read_meta(url)
    registry = Registry(url, Deployment(path=None))
    out: dict[str, Any] = {"engine": meta["engine"], "tier": meta["tier"]["name"],
                           "visits": meta["counts"].get("field_activity_visit")}
    counter = {"n": 0}
    event.listen(registry.engine, "before_cursor_execute", lambda *_a: counter.__setitem__("n", counter["n"] + 1))
    app = create_app(registry=registry, test_config={"TESTING": True})
    client = _client(app, meta["users"]["region_manager"], meta["passwords"]["others"])
    first = client.get("/field_activity/meeting")
    rows = first.text.count("data-employee=")
    counter["n"] = 0
    med, spread, _r = _median_ms(lambda: client.get("/field_activity/meeting"), repeat)
    out["meeting_page"] = {"status": first.status_code, "salespeople": rows, "median_ms": round(med, 2),
                           "spread_ms": round(spread, 2), "sql_per_request": counter["n"] / repeat,
                           "goal": f"<= {GOAL_MS} ms (PostgreSQL, tier L), <= {GOAL_SQL} SQL"}
    # the slowest statements of one more request (where the time goes)
    timings: list[tuple[float, str]] = []
    started: dict[int, float] = {}

    def _before(conn: Any, cursor: Any, statement: str, *_a: Any) -> None:
        started[id(cursor)] = time.perf_counter()

    def _after(conn: Any, cursor: Any, statement: str, *_a: Any) -> None:
        timings.append(((time.perf_counter() - started.pop(id(cursor), time.perf_counter())) * 1000,
                        " ".join(statement.split())[:160]))

    event.listen(registry.engine, "before_cursor_execute", _before)
    event.listen(registry.engine, "after_cursor_execute", _after)
    client.get("/field_activity/meeting")
    event.remove(registry.engine, "before_cursor_execute", _before)
    event.remove(registry.engine, "after_cursor_execute", _after)
    out["meeting_page"]["sql_ms"] = round(sum(t for t, _s in timings), 2)
    out["meeting_page"]["slowest_sql"] = [f"{t:.1f} ms {q}" for t, q in sorted(timings, reverse=True)[:4]]
    out["reports"] = []
    for role in ("region_manager", "director"):
        who = client if role == "region_manager" else _client(app, meta["users"][role], meta["passwords"]["others"])
        for code, query in report_cases(tuple(meta["end"])):
            url_r = f"/reports/{code}?{query}"
            page = who.get(url_r)
            counter["n"] = 0
            med_r, spread_r, _p = _median_ms(lambda u=url_r, w=who: w.get(u), max(3, repeat // 2))
            sql_r = counter["n"] / max(3, repeat // 2)
            # the report's own part (parameters, queries, totals, chart), without the page's cell formatting
            with registry.Session() as s:
                from urllib.parse import parse_qsl

                from core.reports.run import run_report

                uid = s.scalar(select(User.id).where(User.login == meta["users"][role]))
                env = Env(registry, s, uid)
                data = dict(parse_qsl(query))
                med_q, _sq, result = _median_ms(lambda e=env, c=code, d=data: run_report(e, c, d), max(3, repeat // 2))
            out["reports"].append({"report": code, "query": query, "as": role, "status": page.status_code,
                                   "rows": len(result.rows), "page_median_ms": round(med_r, 1),
                                   "page_spread_ms": round(spread_r, 1), "sql_per_request": sql_r,
                                   "query_median_ms": round(med_q, 1),
                                   "goal": f"<= {GOAL_REPORT_S * 1000:.0f} ms"})
    with registry.Session() as s:
        from addons.masterdata.models import Customer, Employee

        rm_login = meta["users"]["region_manager"]
        rm_user = s.scalar(select(User.id).where(User.login == rm_login))
        rm_emp = s.scalar(select(Employee.id).where(Employee.user_id == rm_user))
        from addons.masterdata.services import subordinate_ids_query

        sub = set(s.scalars(subordinate_ids_query(rm_emp)))
        sp = s.scalars(select(Employee).where(Employee.id.in_(sub), Employee.position == "salesperson")
                       .order_by(Employee.id)).first()
        env = Env(registry, s, sp.user_id)
        customers = list(s.scalars(select(Customer.id).where(Customer.owner_id == sp.id).limit(10)))
        day = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).date().isoformat()
        entries = [{"key": uuid.uuid4().hex, "kind": "visit",
                    "data": {"customer_id": customers[i % len(customers)], "visit_date": day,
                             "latitude": 30.5, "longitude": 110.5, "next_step": "bench"}} for i in range(50)]
        before = s.scalar(select(Visit.id).order_by(Visit.id.desc()).limit(1))
        counter["n"] = 0
        t0 = time.perf_counter()
        results = sync(env, entries)
        first_s = time.perf_counter() - t0
        sql_first = counter["n"]
        t0 = time.perf_counter()
        again = sync(env, entries)
        retry_s = time.perf_counter() - t0
        s.rollback()
        out["sync_50"] = {"seconds": round(first_s, 3), "sql": sql_first, "retry_seconds": round(retry_s, 3),
                          "created": sum(r["status"] == "created" for r in results),
                          "duplicates_on_retry": sum(r["status"] == "duplicate" for r in again),
                          "goal": f"<= {GOAL_SYNC_S} s", "last_visit_id_before": before}
    registry.engine.dispose()
    return out


def main() -> None:
    """``python3 -m addons.field_activity.bench [--db URL] [--tier S|M|L] [--engines sqlite,postgresql] [--json FILE]``."""
    from bench.common import addon_bench_main

    addon_bench_main("field_activity", ["masterdata", "territories", "field_activity"], measure, __doc__.split("\n\n")[0])


if __name__ == "__main__":
    main()
