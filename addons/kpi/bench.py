"""kpi at scale: generated KPI definitions (its ``tixi_bench_generate`` hookimpl) and a timing script.

Generation (called by ``tixi bench generate`` through the hook), per company without them: the
salesperson's monthly KPIs (sales completion over ``orders.sales_amount``, collections over
``orders.collections``; the orders addon generates the facts).

Timing::

    python3 -m addons.kpi.bench --tier S              # SQLite file + throwaway PostgreSQL
    python3 -m addons.kpi.bench --tier L --engines postgresql
    python3 -m addons.kpi.bench --db URL              # an existing benchmark database

prints, per engine, the median time to compute the monthly scorecards of (up to) 200
salespeople of the main company for the last complete month of deliveries, as the kernel job does
(``services.scorecards.compute``: one grouped query per measure, then the rows written), rolled
back after each run, with SQL counts; and a salesperson's scorecard page data (own scorecard read).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from core.plugins import hookimpl

KPIS = [
    {"code": "sales", "name_zh": "销售目标完成率", "name_en": "Sales target completion", "measure": "orders.sales_amount",
     "target": Decimal("300000"), "weight": Decimal("70"), "curve": "linear", "floor": Decimal("0"),
     "cap": Decimal("150"), "sequence": 10},
    {"code": "collections", "name_zh": "回款完成率", "name_en": "Collections completion",
     "measure": "orders.collections", "target": Decimal("280000"), "weight": Decimal("30"), "curve": "linear",
     "floor": Decimal("0"), "cap": Decimal("120"), "sequence": 20},
]


@hookimpl
def tixi_bench_generate(ctx: Any) -> None:
    """The salesperson's monthly KPIs where a company has none."""
    generate(ctx)


def generate(ctx: Any) -> None:
    """Add kpi's records to a benchmark database."""
    t = ctx.table("kpi_definition")
    for company in ctx.companies:
        have = ctx.conn.execute(select(func.count()).select_from(t).where(
            t.c.company_id == company.id, t.c.position == "salesperson", t.c.period_kind == "month")).scalar()
        if have:
            continue
        rows = []
        for k in KPIS:
            row = ctx.fill("kpi_definition", {"company_id": company.id, "position": "salesperson",
                                              "period_kind": "month", "person_dimension": "salesperson", **k})
            row["id"] = ctx.alloc("kpi_definition", 1)[0]
            rows.append(row)
        ctx.bulk_insert("kpi_definition", rows)


def measure(url: str, repeat: int = 5) -> dict[str, Any]:
    """Time the monthly scorecards of 200 salespeople (rolled back) on a generated database."""
    from sqlalchemy import event

    from addons.kpi.models import Scorecard
    from addons.kpi.services.scorecards import compute
    from addons.masterdata.models import Employee
    from bench.generate import read_meta
    from core.config import Deployment
    from core.models import User
    from core.registry import Registry
    from core.security.env import Env

    meta = read_meta(url)
    registry = Registry(url, Deployment(path=None))
    out: dict[str, Any] = {"engine": meta["engine"], "tier": meta["tier"]["name"],
                           "deliveries": meta["counts"].get("orders_delivery")}
    counter = {"n": 0}
    event.listen(registry.engine, "before_cursor_execute", lambda *_a: counter.__setitem__("n", counter["n"] + 1))
    with registry.Session() as s:
        director = Env(registry, s, s.scalar(select(User.id).where(User.login == meta["users"]["director"])))
        from core.lifecycle import SetupEnv

        kernel = SetupEnv(registry, s, director.company_id)  # what the kernel job's ctx.env is
        from addons.orders.models import Delivery

        last = kernel.scalar(kernel.select(Delivery, "read", func.max(Delivery.delivery_date)))
        # the last complete month (the generator's latest month holds only a few late shipments and returns)
        month = ((last or dt.date.today()).replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        people = [e.id for e in kernel.search(Employee, Employee.position == "salesperson", order_by=[Employee.id],
                                              limit=200)]
        # the bench's KPIs (targets for the generated volumes) instead of the company set-up's defaults
        from addons.kpi.services.definitions import set_definitions

        set_definitions(kernel, "salesperson", "month", [{**k, "target": str(k["target"] / 10)} for k in KPIS])
        out["month"] = f"{month:%Y-%m}"
        out["salespeople"] = len(people)
        times, sql = [], []
        for _ in range(repeat):
            with s.begin_nested() as sp:
                counter["n"] = 0
                t0 = time.perf_counter()
                cards = compute(kernel, "month", month, employee_ids=people)
                s.flush()
                times.append((time.perf_counter() - t0) * 1000)
                sql.append(counter["n"])
                out["scorecards"] = len(cards)
                out["average_score"] = str(sum((c.total_score for c in cards), Decimal(0)) / max(len(cards), 1))
                sp.rollback()
        out["compute_200"] = {"median_ms": round(statistics.median(times), 1),
                              "spread_ms": round(max(times) - min(times), 1), "sql_per_run": statistics.median(sql)}
        # a salesperson reads their own scorecard (computed once, kept for the read)
        with s.begin_nested() as sp:
            compute(kernel, "month", month, employee_ids=people)
            seller = Env(registry, s, s.scalar(select(User.id).where(User.login == meta["users"]["salesperson"])))
            reads = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                seller.search(Scorecard, Scorecard.period_start == month)
                reads.append((time.perf_counter() - t0) * 1000)
            out["own_scorecard_ms"] = round(statistics.median(reads), 2)
            sp.rollback()
    registry.engine.dispose()
    return out


def main() -> None:
    """``python3 -m addons.kpi.bench [--db URL] [--tier S|M|L] [--engines sqlite,postgresql] [--json FILE]``."""
    from bench.common import addon_bench_main

    addon_bench_main("kpi", ["masterdata", "territories", "orders", "kpi"], measure, __doc__.split("\n\n")[0])


if __name__ == "__main__":
    main()
