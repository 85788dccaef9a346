"""sales_planning at scale: generated records (its ``tixi_bench_generate`` hookimpl) and a timing script.

Generation (called by ``tixi bench generate`` through the hook), per company:
every line of ``bench_sales_line`` (1,000,000 at tier L in the main company)
becomes an imported sales line, attributed to the customer's territory *on the
line's date* (the generator moves some customers half-way) and to its owner,
with the monthly summary; the plan types; the 2026 company target (in force)
by region and month, 2025's actuals per region plus 10 %.

Timing::

    python3 -m addons.sales_planning.bench --tier S            # SQLite file + throwaway PostgreSQL
    python3 -m addons.sales_planning.bench --db URL            # an existing benchmark database

prints, per engine and role, the median time of plan vs actual by territory x
product x month (through the kernel measures: the summary answers), with SQL
counts, and of an allocation that writes a 100,000-cell plan (preview + apply,
rolled back).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, and_, cast, func, insert, literal, or_, select

from core.plugins import hookimpl

TYPES = (("company_target", "年度销售目标", "Annual sales target", "sales", "territory", "company"),
         ("territory_plan", "片区销售计划", "Territory sales plan", "sales", "customer,salesperson,product", "territory"))


@hookimpl
def tixi_bench_generate(ctx: Any) -> None:
    """Sales lines as of their date, the monthly summary and the 2026 target of every company."""
    generate(ctx)


def _month(ctx: Any, column: Any) -> Any:
    if ctx.engine == "postgresql":
        return cast(func.date_trunc("month", column), Date)
    return func.date(column, "start of month")


def generate(ctx: Any) -> None:
    """Add sales_planning's records to a benchmark database (see the module docstring)."""
    if not ctx.has_table("bench_sales_line"):
        return
    line, cust, ct = ctx.table("bench_sales_line"), ctx.table("masterdata_customer"), ctx.table("territories_customer")
    sale, month_t, ptype = ctx.table("sales_planning_sale"), ctx.table("sales_planning_sale_month"), \
        ctx.table("sales_planning_plan_type")
    terr, closure = ctx.table("territories_territory"), ctx.table("territories_territory_closure")
    for company in ctx.companies:
        cid = company.id
        batch = ctx.fill("sales_planning_import", {"company_id": cid, "filename": "bench.xlsx", "rows": 0,
                                                   "total_amount": Decimal(0)})
        batch["id"] = ctx.alloc("sales_planning_import", 1)[0]
        ctx.bulk_insert("sales_planning_import", [batch])
        territory_on_date = (
            select(ct.c.territory_id)
            .where(ct.c.customer_id == line.c.customer_id, ct.c.date_from <= line.c.date,
                   or_(ct.c.date_to.is_(None), ct.c.date_to > line.c.date))
            .order_by(ct.c.date_from.desc()).limit(1).scalar_subquery()
        )
        rows = select(
            line.c.id, line.c.company_id, literal(batch["id"]), line.c.id, line.c.date, literal("sale"),
            line.c.customer_id, line.c.product_id, line.c.salesperson_id, territory_on_date, cust.c.settlement_method,
            line.c.quantity, line.c.amount, func.round(line.c.amount * Decimal("0.18"), 2), literal(Decimal(1)),
        ).select_from(line.join(cust, cust.c.id == line.c.customer_id)).where(line.c.company_id == cid)
        ctx.conn.execute(insert(sale).from_select(
            ["id", "company_id", "batch_id", "line_no", "sale_date", "kind", "customer_id", "product_id",
             "salesperson_id", "territory_id", "settlement", "quantity", "amount", "gross_profit", "share"], rows))
        month = _month(ctx, sale.c.sale_date)
        keys = (sale.c.territory_id, sale.c.salesperson_id, sale.c.product_id)
        ctx.conn.execute(insert(month_t).from_select(
            ["company_id", "month", "territory_id", "salesperson_id", "product_id", "amount", "quantity",
             "gross_profit"],
            select(sale.c.company_id, month.label("month"), *keys, func.sum(sale.c.amount), func.sum(sale.c.quantity),
                   func.sum(sale.c.gross_profit)).where(sale.c.company_id == cid)
            .group_by(sale.c.company_id, month, *keys)))
        coarse_t = ctx.table("sales_planning_sale_territory_month")
        coarse_keys = (month_t.c.company_id, month_t.c.month, month_t.c.territory_id, month_t.c.product_id)
        ctx.conn.execute(insert(coarse_t).from_select(
            ["company_id", "month", "territory_id", "product_id", "amount", "quantity", "gross_profit"],
            select(*coarse_keys, func.sum(month_t.c.amount), func.sum(month_t.c.quantity),
                   func.sum(month_t.c.gross_profit)).where(month_t.c.company_id == cid).group_by(*coarse_keys)))
        have = set(ctx.conn.scalars(select(ptype.c.code).where(ptype.c.company_id == cid)))
        type_ids = dict(ctx.conn.execute(select(ptype.c.code, ptype.c.id).where(ptype.c.company_id == cid)).all())
        for code, zh, en, metric, dims, level in TYPES:
            if code not in have:
                row = ctx.fill("sales_planning_plan_type", {
                    "company_id": cid, "code": code, "name_zh": zh, "name_en": en, "metric": metric,
                    "dimensions": dims, "level": level, "warn_behind": Decimal("0.1"), "warn_elapsed": Decimal("0.25")})
                row["id"] = ctx.alloc("sales_planning_plan_type", 1)[0]
                ctx.bulk_insert("sales_planning_plan_type", [row])
                type_ids[code] = row["id"]
        # the 2026 target: each region's 2025 actuals + 10 %, by month
        regions = list(ctx.conn.scalars(select(terr.c.id).where(terr.c.company_id == cid, terr.c.parent_id.is_(None))))
        by_region: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
        for region, mon, amount in ctx.conn.execute(
            select(closure.c.ancestor_id, month_t.c.month, func.sum(month_t.c.amount))
            .join(closure, closure.c.descendant_id == month_t.c.territory_id)
            .where(month_t.c.company_id == cid, closure.c.ancestor_id.in_(regions),
                   and_(month_t.c.month >= dt.date(2025, 1, 1), month_t.c.month < dt.date(2026, 1, 1)))
            .group_by(closure.c.ancestor_id, month_t.c.month)
        ):
            m = mon if isinstance(mon, dt.date) else dt.date.fromisoformat(str(mon))
            by_region[(region, m.month)] += Decimal(amount)
        plan = ctx.fill("sales_planning_plan", {
            "company_id": cid, "name": "2026 年度销售目标", "plan_type_id": type_ids["company_target"], "year": 2026,
            "revision": 1, "state": "approved", "in_force": True, "horizon": 1, "total_amount": Decimal(0)})
        plan["id"] = ctx.alloc("sales_planning_plan", 1)[0]
        plan["root_id"] = plan["id"]
        cells = []
        for region in regions:
            for m in range(1, 13):
                amount = (by_region.get((region, m), Decimal(0)) * Decimal("1.1")).quantize(Decimal("0.01"))
                cells.append(ctx.fill("sales_planning_cell", {
                    "company_id": cid, "plan_id": plan["id"], "period": dt.date(2026, m, 1), "territory_id": region,
                    "amount": amount, "locked": False}))
        plan["total_amount"] = sum((c["amount"] for c in cells), Decimal(0))
        ctx.bulk_insert("sales_planning_plan", [plan])
        ctx.bulk_insert("sales_planning_cell", cells)


def _median_ms(fn: Any, repeat: int) -> tuple[float, float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times) - min(times), result


def measure(url: str, repeat: int = 5) -> dict[str, Any]:
    """Time plan vs actual and a 100,000-cell allocation on a generated database."""
    from sqlalchemy import event

    from addons.sales_planning.models import Plan, PlanType, Sale, SaleMonth
    from addons.sales_planning.services import allocation, plans
    from addons.sales_planning.services.attainment import attainment
    from bench.generate import read_meta
    from core.config import Deployment
    from core.models import User
    from core.registry import Registry
    from core.security.env import Env

    meta = read_meta(url)
    registry = Registry(url, Deployment(path=None))
    out: dict[str, Any] = {"engine": meta["engine"], "tier": meta["tier"]["name"], "attainment": {}}
    counter = {"n": 0}
    event.listen(registry.engine, "before_cursor_execute", lambda *_a: counter.__setitem__("n", counter["n"] + 1))
    with registry.Session() as s:
        admin = Env(registry, s, s.scalar(select(User.id).where(User.login == meta["users"]["director"])))
        out["sales_lines"] = admin.count(Sale)
        out["summary_rows"] = admin.count(SaleMonth)
        target = admin.scalar(admin.select(Plan).join(PlanType, PlanType.id == Plan.plan_type_id).where(
            PlanType.level == "company", Plan.in_force.is_(True)).limit(1))
        for role in ("director", "region_manager", "salesperson"):
            env = Env(registry, s, s.scalar(select(User.id).where(User.login == meta["users"][role])))

            def run(env: Env = env) -> Any:
                return attainment(env, target, by=["territory", "product"], grain="month",
                                  today=dt.date(2026, 10, 31))

            run()  # warm the env (rules, context) and the caches
            counter["n"] = 0
            med, spread, res = _median_ms(run, repeat)
            out["attainment"][role] = {"median_ms": round(med, 1), "spread_ms": round(spread, 1),
                                       "lines": len(res.lines), "sql_per_run": counter["n"] / repeat,
                                       "actual": str(res.total.actual)}
        # allocation of a 100,000-cell territory plan (8,334 customer x salesperson members x 12 months)
        from addons.territories.models import Territory

        top = admin.search(Territory, Territory.parent_id.is_(None), order_by=[Territory.id], limit=1)[0]
        ptype = plans.plan_type(admin, "territory_plan")
        times = []
        for _ in range(max(1, repeat // 2)):
            with s.begin_nested() as sp:
                plan = plans.create_plan(admin, ptype, 2027, territory_id=top.id)
                members = allocation.default_members(admin, plan)[:8334]
                t0 = time.perf_counter()
                prop = allocation.propose(admin, plan, "123456789.01", "even", members=members)
                allocation.apply(admin, prop)
                times.append((time.perf_counter() - t0) * 1000)
                cells = prop.cell_count
                sp.rollback()
        out["allocation"] = {"cells": cells, "median_ms": round(statistics.median(times), 1)}
    registry.engine.dispose()
    return out


def main() -> None:
    """``python3 -m addons.sales_planning.bench [--db URL] [--tier S|M|L] [--engines sqlite,postgresql] [--json FILE]``."""
    from bench.common import addon_bench_main

    addon_bench_main("sales_planning", ["masterdata", "territories", "sales_planning"], measure, __doc__.split("\n\n")[0])


if __name__ == "__main__":
    main()
