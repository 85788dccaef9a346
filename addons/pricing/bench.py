"""pricing at scale: generated records for ``tixi bench generate`` (``tixi_bench_generate``).

For every company: metals (Pt, Pd, Rh), a strategy per year of the benchmark
months (matrix and rules), monthly metal prices, a formula and monthly costs
per product, and quotes of ten lines each, ``tier.lines`` quote lines for the
main company (scaled for the others), spread over the months, with each
quote's customer class and territory snapshot, band, cost and margin, so the
margin report (territory x month x class) runs over as many lines as the
sales data. Deterministic (``ctx.rng``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core.plugins import hookimpl

METALS = [("Pt", "铂", "Platinum", Decimal("220")), ("Pd", "钯", "Palladium", Decimal("240")),
          ("Rh", "铑", "Rhodium", Decimal("1050"))]
MATRIX = {("high", "high"): "competitive", ("high", "low"): "low", ("low", "high"): "high", ("low", "low"): "probing"}
RULES = {"high": (Decimal("30"), Decimal("22")), "competitive": (Decimal("20"), Decimal("14")),
         "low": (Decimal("12"), Decimal("8")), "probing": (Decimal("25"), Decimal("15"))}
STATES = ["approved", "sent", "won", "won", "lost", "draft"]
LINES_PER_QUOTE = 10
Q2 = Decimal("0.01")
Q4 = Decimal("0.0001")


@hookimpl
def tixi_bench_generate(ctx: Any) -> None:
    """Metals, strategies, monthly prices and costs, and quotes with tier.lines lines."""
    generate(ctx)


def generate(ctx: Any) -> None:
    """Add pricing's records to a benchmark database (see the module docstring)."""
    rng = ctx.rng
    months = [dt.date(y, m, 1) for y, m in ctx.months]
    cust = ctx.table("masterdata_customer")
    for company in ctx.companies:
        cid = company.id
        metal_rows = [ctx.fill("pricing_metal", {"company_id": cid, "code": c, "name_zh": zh, "name_en": en,
                                                 "sequence": (i + 1) * 10})
                      for i, (c, zh, en, _p) in enumerate(METALS)]
        ctx.bulk_insert("pricing_metal", metal_rows)
        metal_ids = [r["id"] for r in metal_rows]
        strategies = {}
        for year in sorted({m.year for m in months}):
            row = ctx.fill("pricing_strategy", {"company_id": cid, "year": year, "name": f"{year}",
                                                "default_quote_type": "competitive", "channel_markup_pct": Decimal("8")})
            ctx.bulk_insert("pricing_strategy", [row])
            strategies[year] = row["id"]
            ctx.bulk_insert("pricing_strategy_matrix", [
                ctx.fill("pricing_strategy_matrix", {"company_id": cid, "strategy_id": row["id"], "attractiveness": a,
                                                     "ability": b, "quote_type": q})
                for (a, b), q in MATRIX.items()])
            ctx.bulk_insert("pricing_strategy_rule", [
                ctx.fill("pricing_strategy_rule", {"company_id": cid, "strategy_id": row["id"], "quote_type": q,
                                                   "method": "cost_margin", "target_margin_pct": t, "floor_margin_pct": f})
                for q, (t, f) in RULES.items()])
        price: dict[tuple[dt.date, int], Decimal] = {}
        price_rows = []
        for month in months:
            for (_c, _zh, _en, base), mid in zip(METALS, metal_ids, strict=True):
                value = (base * Decimal(str(round(rng.uniform(0.9, 1.1), 3)))).quantize(Q2)
                price[(month, mid)] = value
                price_rows.append({"company_id": cid, "month": month, "metal_id": mid, "price_per_gram": value})
        ctx.bulk_insert("pricing_metal_price", (ctx.fill("pricing_metal_price", r) for r in price_rows))
        products = list(company.products)
        if not products:
            continue
        grams: dict[int, list[tuple[int, Decimal]]] = {}
        formula_rows = []
        for pid in products:
            chosen = rng.sample(metal_ids, rng.choice((1, 2, 3)))
            grams[pid] = [(mid, Decimal(str(round(rng.uniform(0.05, 2.5), 3)))) for mid in chosen]
            formula_rows += [{"company_id": cid, "product_id": pid, "customer_id": None, "metal_id": mid,
                              "grams_per_unit": g} for mid, g in grams[pid]]
        ctx.bulk_insert("pricing_formula", (ctx.fill("pricing_formula", r) for r in formula_rows))
        unit_cost: dict[tuple[int, dt.date], Decimal] = {}
        cost_rows = []
        for pid in products:
            man = Decimal(rng.randint(50, 400))
            car = Decimal(rng.randint(50, 500))
            for month in months:
                metal = sum((g * price[(month, mid)] for mid, g in grams[pid]), Decimal("0"))
                unit_cost[(pid, month)] = (metal + man + car).quantize(Q4)
                cost_rows.append({"company_id": cid, "product_id": pid, "month": month,
                                  "manufacturing_cost": man, "carrier_cost": car})
        ctx.bulk_insert("pricing_product_cost", (ctx.fill("pricing_product_cost", r) for r in cost_rows))
        customers = list(ctx.conn.execute(select(cust.c.id, cust.c.owner_id).where(cust.c.company_id == cid)))
        if not customers:
            continue
        n_lines = max(LINES_PER_QUOTE, int(ctx.tier.lines * company.scale))
        n_quotes = max(1, n_lines // LINES_PER_QUOTE)
        quote_ids = ctx.alloc("pricing_quote", n_quotes)
        quotes = []
        lines = []
        for n, qid in enumerate(quote_ids):
            customer_id, owner = customers[rng.randrange(len(customers))]
            month = months[n % len(months)]
            day = month + dt.timedelta(days=rng.randrange(27))
            state = rng.choice(STATES)
            total = Decimal("0")
            worst = Decimal("0")
            for k in range(LINES_PER_QUOTE):
                pid = products[rng.randrange(len(products))]
                cost = unit_cost[(pid, month)]
                target = (cost * Decimal("1.20")).quantize(Q2)
                floor = (cost * Decimal("1.14")).quantize(Q2)
                unit = (target * Decimal(str(round(rng.uniform(0.9, 1.02), 3)))).quantize(Q2)
                qty = Decimal(rng.randint(10, 500))
                amount = (unit * qty).quantize(Q2)
                dev = ((floor - unit) / floor * 100).quantize(Q2) if unit < floor else Decimal("0")
                worst = max(worst, dev)
                total += amount
                lines.append({"company_id": cid, "quote_id": qid, "sequence": (k + 1) * 10, "product_id": pid,
                              "quantity": qty, "unit_price": unit, "amount": amount, "target_price": target,
                              "floor_price": floor, "list_price": None, "deviation_pct": dev,
                              "quote_type": "competitive", "strategy_id": strategies[month.year], "cost_month": month,
                              "cost": cost, "margin_amount": (amount - cost * qty).quantize(Q2),
                              "margin_pct": ((unit - cost) / unit * 100).quantize(Q2)})
            quotes.append({"id": qid, "company_id": cid, "number": f"B{cid}-{n + 1:07d}", "revision": 1,
                           "root_id": qid, "previous_id": None, "kind": "quote", "customer_id": customer_id,
                           "owner_id": owner, "territory_id": company.leaf_of.get(owner),
                           "customer_class": rng.choice("ABBCCCDD"), "channel": "direct", "currency": "CNY",
                           "quote_date": day, "valid_until": day + dt.timedelta(days=30), "state": state,
                           "bid_decision": None, "amount_total": total, "max_deviation_pct": worst,
                           "required_group": "core.group_territory_manager" if worst > 0 else None,
                           "lost_reason": None, "lost_to": None, "lost_price": None, "note": None})
        ctx.bulk_insert("pricing_quote", (ctx.fill("pricing_quote", q) for q in quotes))
        ctx.bulk_insert("pricing_quote_line", (ctx.fill("pricing_quote_line", r) for r in lines))
        if ctx.has_table("pricing_margin_month"):
            from addons.pricing.summary import rebuild_rows

            # bulk rows bypass the on-write maintenance: sum them into the monthly margin summary once
            rebuild_rows(ctx.conn.execute, ctx.engine, cid)
