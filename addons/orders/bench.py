"""orders at scale: generated records for ``tixi bench generate`` (``tixi_bench_generate``), and timings.

For every company, ``tier.lines / 5`` contracts (tier L: 200,000) over the
benchmark months, one line each, one delivery note per contract (shipped;
every 25th a red-letter return of a unit), collections for most of them
(confirmed by finance, allocated), so the receivables have every age.
Documents carry the customer's owner, territory and settlement, as the
services store them. Deterministic (``ctx.rng``).

Timings::

    python3 -m addons.orders.bench --tier M                 # generate on SQLite and PostgreSQL, then time
    python3 -m addons.orders.bench --db URL                 # an existing benchmark database

prints, per engine and role, the median time of the receivables ageing rows
(``ageing_rows``, grouped by customer), of the contract list page as a
salesperson (``/orders/``, the whole request through the Flask test client)
and of the regional sales report over twelve months (``run_report`` per role,
by territory, by salesperson, one region; the report page per role).
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import time
from decimal import Decimal
from typing import Any

from sqlalchemy import event, select

from core.plugins import hookimpl

Q2 = Decimal("0.01")


@hookimpl
def tixi_bench_generate(ctx: Any) -> None:
    """Contracts, delivery notes, returns, collections and allocations (see the module docstring)."""
    generate(ctx)


def generate(ctx: Any) -> None:
    """Add orders' records to a benchmark database."""
    rng = ctx.rng
    months = [dt.date(y, m, 1) for y, m in ctx.months]
    cust = ctx.table("masterdata_customer")
    has_terr = ctx.has_table("territories_customer")
    for company in ctx.companies:
        cid = company.id
        if not company.customers or not company.products:
            continue
        facts = {r.id: (r.owner_id, r.settlement_method) for r in ctx.conn.execute(
            select(cust.c.id, cust.c.owner_id, cust.c.settlement_method).where(cust.c.company_id == cid))}
        terr: dict[int, int] = {}
        if has_terr:
            tc = ctx.table("territories_customer")
            terr = dict(ctx.conn.execute(select(tc.c.customer_id, tc.c.territory_id).where(tc.c.company_id == cid)).all())
        n = max(10, int(ctx.tier.lines * company.scale) // 5)
        customers, products = list(company.customers), list(company.products)
        c_ids, cl_ids = ctx.alloc("orders_contract", n), ctx.alloc("orders_contract_line", n)
        d_ids, dl_ids = ctx.alloc("orders_delivery", n), ctx.alloc("orders_delivery_line", n)
        contracts, clines, deliveries, dlines, collections, allocs = [], [], [], [], [], []
        counters: dict[tuple[str, int], int] = {}
        returns = []
        end = ctx.now.date()
        for i in range(n):
            customer = customers[rng.randrange(len(customers))]
            owner, settlement = facts.get(customer, (None, None))
            month = months[i * len(months) // n]
            on = month + dt.timedelta(days=rng.randrange(0, 27))
            head = {"company_id": cid, "customer_id": customer, "salesperson_id": owner,
                    "territory_id": terr.get(customer), "settlement": settlement}
            qty = Decimal(rng.choice((5, 10, 20, 50)))
            price = Decimal(rng.randrange(300, 3000))
            amount = (qty * price).quantize(Q2)
            cost = (price * Decimal("0.75")).quantize(Q2)
            for kind in ("contract", "delivery"):
                counters[(kind, on.year)] = counters.get((kind, on.year), 0) + 1
            contracts.append(ctx.fill("orders_contract", {
                "id": c_ids[i], **head, "number": f"HT{on.year}-{counters[('contract', on.year)]:06d}",
                "contract_date": on, "filed_on": on, "late_filing": False, "deviates": False, "state": "confirmed",
                "payment_days": 30, "amount_total": amount}))
            clines.append(ctx.fill("orders_contract_line", {
                "id": cl_ids[i], "company_id": cid, "contract_id": c_ids[i], "sequence": 10,
                "product_id": products[rng.randrange(len(products))], "quantity": qty, "unit_price": price,
                "amount": amount, "quoted_price": price, "unit_cost": cost}))
            shipped = min(end, on + dt.timedelta(days=2))
            paid = shipped + dt.timedelta(days=rng.choice((20, 30, 45, 70, 100)))
            is_paid = paid < end and rng.random() < 0.8
            deliveries.append(ctx.fill("orders_delivery", {
                "id": d_ids[i], **head, "number": f"CK{on.year}-{counters[('delivery', on.year)]:06d}",
                "contract_id": c_ids[i], "is_return": False, "state": "confirmed", "approved_on": on,
                "delivery_date": shipped, "due_date": shipped + dt.timedelta(days=30), "shipped_late": False,
                "amount_total": amount, "open_amount": Decimal("0") if is_paid else amount}))
            dlines.append(ctx.fill("orders_delivery_line", {
                "id": dl_ids[i], "company_id": cid, "delivery_id": d_ids[i], "contract_line_id": cl_ids[i],
                "sequence": 10, "product_id": clines[-1]["product_id"], "quantity": qty, "unit_price": price,
                "amount": amount, "cost_amount": (qty * cost).quantize(Q2)}))
            if is_paid:
                counters[("collection", paid.year)] = counters.get(("collection", paid.year), 0) + 1
                collections.append(ctx.fill("orders_collection", {
                    **head, "number": f"HK{paid.year}-{counters[('collection', paid.year)]:06d}", "amount": amount,
                    "requested_on": paid, "confirmed_on": paid, "state": "confirmed"}))
                allocs.append((len(collections) - 1, d_ids[i], amount))
            elif i % 25 == 0:
                returns.append((i, head, shipped, price, cost))
        ctx.bulk_insert("orders_contract", contracts)
        ctx.bulk_insert("orders_contract_line", clines)
        ctx.bulk_insert("orders_delivery", deliveries)
        ctx.bulk_insert("orders_delivery_line", dlines)
        col_ids = ctx.alloc("orders_collection", len(collections))
        for k, row in enumerate(collections):
            row["id"] = col_ids[k]
        ctx.bulk_insert("orders_collection", collections)
        ctx.bulk_insert("orders_allocation", (ctx.fill("orders_allocation", {
            "company_id": cid, "collection_id": col_ids[k], "delivery_id": d, "amount": a}) for k, d, a in allocs))
        r_ids, rl_ids = ctx.alloc("orders_delivery", len(returns)), ctx.alloc("orders_delivery_line", len(returns))
        r_rows, rl_rows = [], []
        for k, (i, head, shipped, price, cost) in enumerate(returns):
            on = shipped + dt.timedelta(days=5)
            counters[("return", on.year)] = counters.get(("return", on.year), 0) + 1
            r_rows.append(ctx.fill("orders_delivery", {
                "id": r_ids[k], **head, "number": f"TH{on.year}-{counters[('return', on.year)]:06d}",
                "contract_id": c_ids[i], "is_return": True, "original_id": d_ids[i], "state": "shipped",
                "approved_on": on, "delivery_date": on, "due_date": on + dt.timedelta(days=30),
                "amount_total": -price, "open_amount": -price}))
            rl_rows.append(ctx.fill("orders_delivery_line", {
                "id": rl_ids[k], "company_id": cid, "delivery_id": r_ids[k], "contract_line_id": cl_ids[i],
                "sequence": 10, "product_id": dlines[i]["product_id"], "quantity": Decimal("-1"), "unit_price": price,
                "amount": -price, "cost_amount": -cost}))
        ctx.bulk_insert("orders_delivery", r_rows)
        ctx.bulk_insert("orders_delivery_line", rl_rows)
        ctx.bulk_insert("orders_counter", (ctx.fill("orders_counter", {
            "company_id": cid, "kind": kind, "year": year, "last": last}) for (kind, year), last in counters.items()))


def _median_ms(fn: Any, repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


#: the regional sales report over the benchmark's last twelve months (the calendar ends in 2026-10)
YEAR = {"period": "custom", "date_from": "2025-11-01", "date_to": "2026-10-31"}
YEAR_QS = "period=custom&date_from=2025-11-01&date_to=2026-10-31"


def regional(registry: Any, s: Any, meta: dict[str, Any], repeat: int) -> dict[str, Any]:
    """The regional sales report (``run_report``: parameters, queries, totals, chart) per role and filter."""
    from addons.territories.models import Territory
    from core.models import User
    from core.reports.run import run_report
    from core.security.env import Env

    out: dict[str, Any] = {}
    for role in ("director", "province_manager", "salesperson"):
        env = Env(registry, s, s.scalar(select(User.id).where(User.login == meta["users"][role])))
        cases = {"by_territory": YEAR, "by_salesperson": {**YEAR, "by": "salesperson"}}
        if role == "director":
            region = env.sudo().scalar(env.sudo().select(Territory, Territory.id).where(
                Territory.parent_id.is_(None)).order_by(Territory.id).limit(1))
            cases["region"] = {**YEAR, "territory": region}
            cases["region_by_salesperson"] = {**YEAR, "territory": region, "by": "salesperson"}
        for name, params in cases.items():
            run_report(env, "orders.regional_sales", params)  # warm
            med, res = _median_ms(lambda env=env, params=params: run_report(env, "orders.regional_sales", params),
                                  repeat)
            out[f"{role}_{name}"] = {"median_ms": round(med, 2), "rows": len(res.rows)}
    return out


def measure(url: str, repeat: int = 5) -> dict[str, Any]:
    """Time the ageing rows (per role) and the contract list page (salesperson) on a generated database."""
    from addons.orders.report_defs import ageing_rows
    from bench.generate import read_meta
    from core.config import Deployment
    from core.models import User
    from core.registry import Registry
    from core.security.env import Env
    from core.web.app import create_app

    meta = read_meta(url)
    registry = Registry(url, Deployment(path=None))
    out: dict[str, Any] = {"engine": meta["engine"], "tier": meta["tier"]["name"],
                           "deliveries": meta["counts"].get("orders_delivery"), "ageing": {}, "contract_list": {}}
    counter = {"n": 0}
    event.listen(registry.engine, "before_cursor_execute", lambda *_a: counter.__setitem__("n", counter["n"] + 1))
    with registry.Session() as s:
        for role in ("director", "province_manager", "salesperson"):
            env = Env(registry, s, s.scalar(select(User.id).where(User.login == meta["users"][role])))
            ageing_rows(env)  # warm the env (rules, context)
            counter["n"] = 0
            med, rows = _median_ms(lambda env=env: ageing_rows(env), repeat)
            out["ageing"][role] = {"median_ms": round(med, 2), "rows": len(rows), "sql_per_run": counter["n"] / repeat}
            med, rows = _median_ms(lambda env=env: ageing_rows(env, top=200), repeat)
            out["ageing"][f"{role}_top200"] = {"median_ms": round(med, 2), "rows": len(rows)}
            for by in ("salesperson", "territory"):
                med, rows = _median_ms(lambda env=env, by=by: ageing_rows(env, by), repeat)
                out["ageing"][f"{role}_by_{by}"] = {"median_ms": round(med, 2), "rows": len(rows)}
            if role == "salesperson":
                from addons.orders.views import latest_contracts

                med, rows = _median_ms(lambda env=env: latest_contracts(env), repeat)
                out["contract_list_query"] = {"median_ms": round(med, 2), "rows": len(rows)}
        out["regional"] = regional(registry, s, meta, repeat)
    app = create_app(registry=registry, test_config={"TESTING": True})
    for role in ("salesperson", "director"):
        client = app.test_client()
        page = client.get("/login")
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page.text).group(1)
        client.post("/login", data={"login": meta["users"][role], "password": meta["passwords"]["others"],
                                    "csrf_token": token})
        status = client.get("/orders/").status_code
        counter["n"] = 0
        med, _r = _median_ms(lambda c=client: c.get("/orders/"), repeat)
        out["contract_list"][role] = {"status": status, "median_ms": round(med, 2),
                                      "sql_per_request": counter["n"] / repeat}
        page = f"/reports/orders.regional_sales?{YEAR_QS}"
        status = client.get(page).status_code
        counter["n"] = 0
        med, _r = _median_ms(lambda c=client, page=page: c.get(page), repeat)
        out["regional"][f"{role}_page"] = {"status": status, "median_ms": round(med, 2),
                                           "sql_per_request": counter["n"] / repeat}
    registry.engine.dispose()
    return out


def main() -> None:
    """``python3 -m addons.orders.bench [--db URL] [--tier S|M|L] [--engines sqlite,postgresql] [--json FILE]``."""
    from bench.common import addon_bench_main

    addon_bench_main("orders", ["masterdata", "territories", "orders"], measure, __doc__.split("\n\n")[0])


if __name__ == "__main__":
    main()
