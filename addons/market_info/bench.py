"""market_info at scale: generated records (its ``tixi_bench_generate`` hookimpl) and a timing script.

Generation (called by ``tixi bench generate`` through the hook), per company: 20 competitors with
two products each (mapped to our varieties), a competitor-price collection plan per salesperson
(monthly, aggregated by the director) and one price observation per customer of the tier over
2026 (100,000 at tier L in the main company), filed by the customer's owner, in their territory.

Timing::

    python3 -m addons.market_info.bench --tier S              # SQLite file + throwaway PostgreSQL
    python3 -m addons.market_info.bench --tier L --engines postgresql
    python3 -m addons.market_info.bench --db URL              # an existing benchmark database

prints, per engine and role (the director: every row; a region manager: his own and the plans
naming him; a salesperson: his own), the median time of the market status report for November
2026 through the report centre (``run_report("market_info.market_status")``), with SQL counts.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core.plugins import hookimpl

YEAR = 2026
NAMES = ["庄信万丰", "巴斯夫", "优美科", "威孚环保", "中自科技", "凯龙高科", "艾可蓝", "科特环保", "银轮股份", "奥福环保",
         "恒光催化", "华源催化", "蓝天环保", "金源催化", "博世催化", "东方催化", "中汽环保", "长城催化", "远大环保", "天一催化"]
SOURCES = ("customer", "distributor", "quotation", "tender", "website", "exhibition")


@hookimpl
def tixi_bench_generate(ctx: Any) -> None:
    """Competitors, plans and price observations (see the module docstring)."""
    generate(ctx)


def generate(ctx: Any) -> None:
    """Add market_info's records to a benchmark database."""
    cust = ctx.table("masterdata_customer")
    rng = ctx.rng
    for company in ctx.companies:
        cid = company.id
        products = list(company.products) or [None]
        comps, cprods, plans, prices = [], [], [], []
        comp_ids = list(ctx.alloc("market_info_competitor", len(NAMES)))
        for i, name in zip(comp_ids, NAMES, strict=True):
            comps.append(ctx.fill("market_info_competitor", {"id": i, "company_id": cid, "name_zh": name}))
        pairs: list[tuple[int, int, int | None, Decimal]] = []  # competitor, competitor product, product, base
        cp_ids = iter(ctx.alloc("market_info_competitor_product", 2 * len(comp_ids)))
        for comp in comp_ids:
            for k in range(2):
                pid = rng.choice(products)
                cpid = next(cp_ids)
                cprods.append(ctx.fill("market_info_competitor_product", {
                    "id": cpid, "company_id": cid, "competitor_id": comp, "name": f"产品 {k + 1}", "product_id": pid}))
                pairs.append((comp, cpid, pid, Decimal(rng.randint(500, 5000))))
        plan_of: dict[int, int] = {}
        plan_ids = iter(ctx.alloc("market_info_plan", len(company.salespeople)))
        for sp in company.salespeople:
            pid = next(plan_ids)
            plan_of[sp] = pid
            plans.append(ctx.fill("market_info_plan", {
                "id": pid, "company_id": cid, "name": f"竞争对手价格 {sp}", "kind": "competitor_price",
                "collector_id": sp, "channel": "visit", "frequency": "monthly", "aggregator_id": company.director,
                "next_due": dt.date(YEAR, 12, 31), "remind_days": 2}))
        owners = ctx.conn.execute(select(cust.c.id, cust.c.owner_id).where(cust.c.company_id == cid)).all()
        for customer_id, owner in owners:
            if owner is None or owner not in plan_of:
                continue
            comp, cpid, pid, base = pairs[rng.randrange(len(pairs))]
            day = dt.date(YEAR, rng.randint(1, 11), rng.randint(1, 28))
            prices.append(ctx.fill("market_info_price", {
                "company_id": cid, "plan_id": plan_of[owner], "collector_id": owner, "competitor_id": comp,
                "competitor_product_id": cpid, "product_id": pid, "customer_id": customer_id,
                "territory_id": company.leaf_of.get(owner), "observed_on": day, "place": "市场",
                "source": rng.choice(SOURCES), "price_kind": "tender" if rng.random() < 0.2 else "wholesale",
                "price": base * Decimal(rng.randint(900, 1100)) / 1000, "currency": "CNY"}))
        for r, i in zip(prices, ctx.alloc("market_info_price", len(prices)), strict=True):
            r["id"] = i
        for table, rows in (("market_info_competitor", comps), ("market_info_competitor_product", cprods),
                            ("market_info_plan", plans), ("market_info_price", prices)):
            ctx.bulk_insert(table, rows)


def _median_ms(fn: Any, repeat: int) -> tuple[float, float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times) - min(times), result


def measure(url: str, repeat: int = 5) -> dict[str, Any]:
    """Time the market status report for November 2026 on a generated database."""
    from sqlalchemy import event

    from addons.market_info.models import PriceObservation
    from bench.generate import read_meta
    from core.config import Deployment
    from core.models import User
    from core.registry import Registry
    from core.reports import run_report
    from core.security.env import Env

    meta = read_meta(url)
    registry = Registry(url, Deployment(path=None))
    out: dict[str, Any] = {"engine": meta["engine"], "tier": meta["tier"]["name"], "market_status": {}}
    counter = {"n": 0}
    event.listen(registry.engine, "before_cursor_execute", lambda *_a: counter.__setitem__("n", counter["n"] + 1))
    params = {"period": "custom", "date_from": f"{YEAR}-11-01", "date_to": f"{YEAR}-11-30"}
    with registry.Session() as s:
        logins = {"director": meta["users"]["director"], "region_manager": meta["users"]["region_manager"],
                  "salesperson": meta["users"]["salesperson"]}
        admin = Env(registry, s, s.scalar(select(User.id).where(User.login == logins["director"])))
        out["observations"] = admin.sudo().count(PriceObservation)
        for role, login in logins.items():
            env = Env(registry, s, s.scalar(select(User.id).where(User.login == login)))

            def run(env: Env = env) -> Any:
                return run_report(env, "market_info.market_status", params)

            try:
                run()  # warm the env (rules, context) and the caches
            except Exception as exc:  # noqa: BLE001 - a role without access is reported, not fatal
                out["market_status"][role] = {"error": str(exc)}
                continue
            counter["n"] = 0
            med, spread, res = _median_ms(run, repeat)
            out["market_status"][role] = {"median_ms": round(med, 1), "spread_ms": round(spread, 1),
                                          "rows": len(res.rows), "sql_per_run": counter["n"] / repeat}
    registry.engine.dispose()
    return out


def main() -> None:
    """``python3 -m addons.market_info.bench [--db URL] [--tier S|M|L] [--engines sqlite,postgresql] [--json FILE]``."""
    from bench.common import addon_bench_main

    addon_bench_main("market_info", ["masterdata", "territories", "market_info"], measure,
                     __doc__.split("\n\n")[0])


if __name__ == "__main__":
    main()
