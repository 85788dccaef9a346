"""brand_campaigns at scale: generated records (its ``tixi_bench_generate`` hookimpl) and a timing script.

Generation (called by ``tixi bench generate`` through the hook): per company
the five channels and ``customers / 50`` distributors (tier L: 2,000 in the
main company), each with an agreement and 2-8 purchases a month over the 24
months of the tier (tier L: about 240,000 purchases), and a quarterly
evaluation for the last four quarters (deterministic, ``ctx.rng``).

Timing::

    python3 -m addons.brand_campaigns.bench --tier S            # SQLite file + throwaway PostgreSQL
    python3 -m addons.brand_campaigns.bench --db URL            # an existing benchmark database

prints, per engine and role, the median server time of the monthly
distributor summary rows (每月经销商管理汇总表, ``monthly_summary`` for the last
month, from the monthly purchase summary) and of the purchase statistics for
the last year (``purchase_stats``: per distributor from the summary, per
distributor and product from the purchases), and of both report pages
through the Flask test client, with SQL counts.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import event, select

from core.plugins import hookimpl

CHANNELS = Path(__file__).resolve().parent / "data" / "channels.yaml"


@hookimpl
def tixi_bench_generate(ctx: Any) -> None:
    """Distributors, agreements, purchases and evaluations per company."""
    generate(ctx)


def generate(ctx: Any) -> None:
    """Add brand_campaigns' records to a benchmark database (see the module docstring)."""
    import yaml

    channels = yaml.safe_load(CHANNELS.read_text(encoding="utf-8"))["channels"]
    ch = ctx.table("brand_campaigns_channel")
    first_y, first_m = ctx.months[0]
    last_y, last_m = ctx.months[-1]
    for company in ctx.companies:
        cid = company.id
        have = set(ctx.conn.execute(select(ch.c.code).where(ch.c.company_id == cid)).scalars())
        ctx.bulk_insert("brand_campaigns_channel", [
            ctx.fill("brand_campaigns_channel", {"company_id": cid, "code": c["code"], "name_zh": c["zh"],
                                                 "name_en": c["en"], "sequence": (i + 1) * 10})
            for i, c in enumerate(channels) if c["code"] not in have])
        products = company.products or ctx.ids.get("product", [])
        if not products:
            continue
        n = max(10, int(ctx.tier.customers * company.scale) // 50)
        dists, agreements, purchases, evaluations = [], [], [], []
        sellers = list(company.salespeople)
        for i in range(n):
            # looked after by a salesperson (in their leaf territory); a fifth are also customers (orders' figures)
            owner = sellers[i % len(sellers)] if sellers else None
            d = ctx.fill("brand_campaigns_distributor", {
                "company_id": cid, "code": f"JX{i + 1:05d}", "name": f"经销商{i + 1:05d}",
                "province": ctx.rng.choice(["四川", "云南", "贵州", "广东", "河南", "陕西"]), "state": "active",
                "since": dt.date(first_y, first_m, 1), "owner_id": owner,
                "territory_id": company.leaf_of.get(owner) if owner else None,
                "customer_id": company.customers[i * 5 % len(company.customers)]
                if company.customers and i % 5 == 0 else None})
            d["id"] = ctx.alloc("brand_campaigns_distributor", 1)[0]
            dists.append(d)
            agreements.append(ctx.fill("brand_campaigns_agreement", {
                "company_id": cid, "distributor_id": d["id"], "number": f"XY{i + 1:05d}",
                "start_date": dt.date(last_y, 1, 1), "end_date": dt.date(last_y, 12, 31),
                "target_amount": Decimal(ctx.rng.choice([500_000, 1_000_000, 2_000_000]))}))
            for y, m in ctx.months:
                for _k in range(ctx.rng.randint(2, 8)):
                    qty = Decimal(ctx.rng.randint(1, 50))
                    purchases.append(ctx.fill("brand_campaigns_purchase", {
                        "company_id": cid, "distributor_id": d["id"], "product_id": ctx.rng.choice(products),
                        "purchase_date": dt.date(y, m, ctx.rng.randint(1, 28)), "quantity": qty,
                        "amount": qty * Decimal(ctx.rng.choice([1800, 2400, 3200]))}))
            for q in range(4):
                scores = [ctx.rng.randint(45, 98) for _ in range(4)]
                total = (Decimal(scores[0]) * Decimal("0.4") + Decimal(scores[1]) * Decimal("0.3")
                         + Decimal(scores[2]) * Decimal("0.2") + Decimal(scores[3]) * Decimal("0.1"))
                evaluations.append(ctx.fill("brand_campaigns_evaluation", {
                    "company_id": cid, "distributor_id": d["id"], "period": f"{last_y}-Q{q + 1}",
                    "evaluated_on": dt.date(last_y, min(last_m, q * 3 + 3), 28),
                    "sales_score": scores[0], "payment_score": scores[1], "market_score": scores[2],
                    "service_score": scores[3], "total_score": total.quantize(Decimal("0.01")),
                    "decision": "keep" if total >= 75 else ("warn" if total >= 60 else "eliminate")}))
        ctx.bulk_insert("brand_campaigns_distributor", dists)
        ctx.bulk_insert("brand_campaigns_agreement", agreements)
        ctx.bulk_insert("brand_campaigns_purchase", purchases)
        ctx.bulk_insert("brand_campaigns_evaluation", evaluations)
        from addons.brand_campaigns.summary import rebuild_rows

        rows = rebuild_rows(ctx.conn.execute, ctx.engine, cid)
        ctx.counts["brand_campaigns_purchase_month"] = ctx.counts.get("brand_campaigns_purchase_month", 0) + rows


def _median_ms(fn: Any, repeat: int) -> tuple[float, float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times) - min(times), result


def measure(url: str, repeat: int = 5) -> dict[str, Any]:
    """Time the report rows and the two report pages on a generated database (see the module docstring)."""
    from addons.brand_campaigns.services.distributors import monthly_summary, purchase_stats
    from bench.generate import read_meta
    from core.config import Deployment
    from core.errors import AccessDenied
    from core.models import User
    from core.registry import Registry
    from core.security.env import Env
    from core.web.app import create_app

    meta = read_meta(url)
    end_y, end_m = meta["end"]
    month = dt.date(end_y, end_m, 1)
    year = (dt.date(end_y, 1, 1), dt.date(end_y, 12, 31))
    registry = Registry(url, Deployment(path=None))
    out: dict[str, Any] = {"engine": meta["engine"], "tier": meta["tier"]["name"],
                           "distributors": meta["counts"].get("brand_campaigns_distributor"),
                           "purchases": meta["counts"].get("brand_campaigns_purchase"),
                           "summary_table_rows": meta["counts"].get("brand_campaigns_purchase_month"),
                           "summary_rows": {}, "purchase_stats": {}, "purchase_stats_by_product": {},
                           "summary_page": {}, "purchases_page": {}}
    counter = {"n": 0}
    event.listen(registry.engine, "before_cursor_execute", lambda *_a: counter.__setitem__("n", counter["n"] + 1))
    with registry.Session() as s:
        for role, login in meta["users"].items():
            env = Env(registry, s, s.scalar(select(User.id).where(User.login == login)))
            for key, fn in (("summary_rows", lambda env=env: monthly_summary(env, month)),
                            ("purchase_stats", lambda env=env: purchase_stats(env, *year, by_product=False)),
                            ("purchase_stats_by_product", lambda env=env: purchase_stats(env, *year))):
                try:
                    fn()
                except AccessDenied:
                    out[key][role] = "denied"
                    continue
                counter["n"] = 0
                med, spread, rows = _median_ms(fn, repeat)
                out[key][role] = {"median_ms": round(med, 2), "spread_ms": round(spread, 2), "rows": len(rows),
                                  "sql_per_run": counter["n"] / repeat}
    app = create_app(registry=registry, test_config={"TESTING": True})
    pages = {"summary_page": f"/reports/brand_campaigns.distributor_monthly?month={month:%Y-%m}",
             "purchases_page": f"/reports/brand_campaigns.distributor_purchases?period=custom"
                               f"&date_from={year[0]}&date_to={year[1]}"}
    for role in ("salesperson", "province_manager", "director"):
        client = app.test_client()
        page = client.get("/login")
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page.text).group(1)
        client.post("/login", data={"login": meta["users"][role], "password": meta["passwords"]["others"],
                                    "csrf_token": token})
        for key, path in pages.items():
            status = client.get(path).status_code
            counter["n"] = 0
            med, spread, _r = _median_ms(lambda c=client, path=path: c.get(path), repeat)
            out[key][role] = {"status": status, "median_ms": round(med, 2), "spread_ms": round(spread, 2),
                              "sql_per_request": counter["n"] / repeat}
    registry.engine.dispose()
    return out


def main() -> None:
    """``python3 -m addons.brand_campaigns.bench [--db URL] [--tier S|M|L] [--engines sqlite,postgresql] [--json FILE]``."""
    from bench.common import addon_bench_main

    addon_bench_main("brand_campaigns", ["masterdata", "brand_campaigns"], measure, __doc__.split("\n\n")[0])


if __name__ == "__main__":
    main()
