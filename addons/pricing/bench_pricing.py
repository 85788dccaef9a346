"""Timing of the pricing addon: pricing a 200-line quote, and the margin report at scale.

Usage::

    python3 -m addons.pricing.bench_pricing [--engine sqlite|postgresql] [--lines 200]
                                            [--report-lines 100000] [--runs 5]

Builds a throwaway database (kernel + masterdata + territories + pricing), a
company with ``--lines`` products (formulas, monthly costs), then times
``create_quote`` with that many lines (median of ``--runs``, each in its own
transaction rolled back) and ``margin_report`` grouped by territory x month x
customer class over ``--report-lines`` generated quote lines (bulk inserted).
Aims (issue 7): quote <= 100 ms, report <= 1 s on PostgreSQL for 1,000,000 lines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from decimal import Decimal
from typing import Any

D = Decimal


def _world(db: Any, n_products: int) -> dict[str, Any]:
    from addons.masterdata.models import Customer, Employee, Product
    from addons.pricing import services as svc
    from addons.pricing.models import MonthlyMetalPrice, ProductCost, ProductFormula
    from addons.territories.models import Territory
    from addons.territories.services import assign_customer
    from core.testing import make_env, make_user

    db.install("masterdata", "territories", "pricing", companies=["acme"])
    root = make_user(db, "root", ["core.group_admin"], is_admin=True)
    rep = make_user(db, "rep", ["core.group_salesperson"])
    out: dict[str, Any] = {"rep": rep, "root": root}
    with db.session() as s:
        env = make_env(db, s, root)
        emp = env.create(Employee, {"name_zh": "王伟", "position": "salesperson", "user_id": rep})
        terrs = [env.create(Territory, {"code": c, "name_zh": n}) for c, n in (("E", "华东"), ("N", "华北"), ("S", "华南"))]
        customers = []
        for i in range(30):
            c = env.create(Customer, {"name_zh": f"客户{i}", "owner_id": emp.id, "status": "active"})
            assign_customer(env, c, terrs[i % 3], dt.date(2026, 1, 1))
            customers.append(c.id)
        svc.setup_company(env, 2026)
        metals = {m.code: m.id for m in env.search(__import__("addons.pricing.models", fromlist=["Metal"]).Metal)}
        month = dt.date(2026, 11, 1)
        for code, price in (("Pt", "200"), ("Pd", "250"), ("Rh", "1000")):
            svc.set_metal_price(env, code, month, D(price))
        products = []
        for i in range(n_products):
            p = Product(company_id=env.company_id, code=f"P{i:05d}", name_zh=f"品种{i}")
            s.add(p)
            products.append(p)
        s.flush()
        s.add_all([ProductFormula(company_id=env.company_id, product_id=p.id, metal_id=metals["Pt"],
                                  grams_per_unit=D("1.5")) for p in products])
        s.add_all([ProductCost(company_id=env.company_id, product_id=p.id, month=month,
                               manufacturing_cost=D("100"), carrier_cost=D("20")) for p in products])
        s.flush()
        assert s.query(MonthlyMetalPrice).count() == 3
        out.update(customers=customers, products=[p.id for p in products], territories=[t.id for t in terrs])
    return out


def time_quote(db: Any, w: dict[str, Any], runs: int) -> list[float]:
    """Milliseconds to price and save a quote with one line per product (rolled back)."""
    from addons.pricing import services as svc
    from core.testing import make_env

    times = []
    for _ in range(runs):
        with db.registry.Session() as s:
            env = make_env(db, s, w["rep"])
            lines = [{"product_id": pid, "quantity": D("10")} for pid in w["products"]]
            t0 = time.perf_counter()
            quote = svc.create_quote(env, w["customers"][0], lines, quote_date=dt.date(2026, 11, 16))
            times.append((time.perf_counter() - t0) * 1000)
            assert quote.amount_total > 0
            s.rollback()
    return times


def fill_lines(db: Any, w: dict[str, Any], n: int, summary: bool = True) -> None:
    """Bulk insert ``n`` quote lines over 2026 (one quote per 10 lines) for the report.

    The bulk rows bypass the on-write maintenance of the monthly margin
    summary: ``summary`` rebuilds it at the end (``False``: the caller does,
    to time it).
    """
    from sqlalchemy import insert

    from addons.pricing.models import Quote, QuoteLine
    from core.db import utcnow

    rnd = random.Random(7)
    now = utcnow()
    with db.registry.engine.begin() as conn:
        cid = conn.exec_driver_sql("select id from core_company where code='acme'").scalar()
        emp = conn.exec_driver_sql("select id from masterdata_employee limit 1").scalar()
        n_quotes = max(1, n // 10)
        stamp = {"company_id": cid, "created_at": now, "updated_at": now, "version": 1, "active": True}
        batch = 20_000
        qid0 = (conn.exec_driver_sql("select coalesce(max(id), 0) from pricing_quote").scalar() or 0) + 1
        for start in range(0, n_quotes, batch):
            rows = []
            for i in range(start, min(n_quotes, start + batch)):
                day = dt.date(2026, 1, 1) + dt.timedelta(days=i % 330)
                rows.append({**stamp, "id": qid0 + i, "number": f"B{i:07d}", "revision": 1, "kind": "quote",
                             "customer_id": w["customers"][i % 30], "owner_id": emp,
                             "territory_id": w["territories"][i % 3], "customer_class": "ABCD"[i % 4],
                             "channel": "direct", "currency": "CNY", "quote_date": day, "valid_until": day,
                             "state": ("approved", "sent", "won")[i % 3], "amount_total": D("0"),
                             "max_deviation_pct": D("0")})
            conn.execute(insert(Quote.__table__), rows)
        for start in range(0, n, batch):
            rows = []
            for i in range(start, min(n, start + batch)):
                price = D(900 + rnd.randint(0, 200))
                rows.append({**stamp, "quote_id": qid0 + i // 10, "sequence": i % 10, "product_id": w["products"][i % len(w["products"])],
                             "quantity": D("10"), "unit_price": price, "amount": price * 10, "target_price": D("1000"),
                             "floor_price": D("950"), "deviation_pct": D("0"), "quote_type": "competitive",
                             "cost_month": dt.date(2026, 11, 1), "cost": D("420"), "margin_amount": (price - 420) * 10,
                             "margin_pct": D("50")})
            conn.execute(insert(QuoteLine.__table__), rows)
        if summary:
            from addons.pricing.summary import rebuild_rows

            rebuild_rows(conn.execute, conn.dialect.name, cid)
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("analyze pricing_quote")
            conn.exec_driver_sql("analyze pricing_quote_line")


def time_report(db: Any, w: dict[str, Any], runs: int) -> tuple[list[float], int]:
    """Milliseconds for the margin report by territory x month x class (as the admin)."""
    from addons.pricing.reports import margin_report
    from core.testing import make_env

    times = []
    n = 0
    for _ in range(runs):
        with db.registry.Session() as s:
            env = make_env(db, s, w["root"])
            t0 = time.perf_counter()
            _h, rows = margin_report(env, by=("territory", "month", "customer_class"))
            times.append((time.perf_counter() - t0) * 1000)
            n = len(rows)
    return times, n


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the figures."""
    from core.testing import TixiTestDB, new_database

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engine", default="sqlite", choices=("sqlite", "postgresql"))
    ap.add_argument("--lines", type=int, default=200)
    ap.add_argument("--report-lines", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    url, drop = new_database(args.engine)
    db = TixiTestDB(url)
    try:
        t0 = time.perf_counter()
        w = _world(db, args.lines)
        print(f"set-up ({args.engine}, {args.lines} products): {time.perf_counter() - t0:.1f} s")
        qt = time_quote(db, w, args.runs)
        print(f"quote with {args.lines} lines: median {statistics.median(qt):.0f} ms (runs: {', '.join(f'{t:.0f}' for t in qt)})")
        if args.report_lines:
            t0 = time.perf_counter()
            fill_lines(db, w, args.report_lines)
            print(f"generated {args.report_lines} quote lines in {time.perf_counter() - t0:.1f} s")
            rt, n = time_report(db, w, args.runs)
            print(f"margin report territory x month x class over {args.report_lines} lines: "
                  f"median {statistics.median(rt):.0f} ms, {n} groups (runs: {', '.join(f'{t:.0f}' for t in rt)})")
    finally:
        db.dispose()
        drop()


if __name__ == "__main__":
    main()
