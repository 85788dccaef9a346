"""Generate ``orders.yaml``: two years of demo orders for company ``guiyan`` (deterministic).

Run ``python3 addons/orders/demo/generate.py``. Reads masterdata's demo
customers (owner, settlement, payment days, credit limit), territories' demo
assignments (the territory of the date: the demo assignments run from
2024-01-01) and pricing's demo products (list price, metal content and
November 2026 cost, so gross profit is known). For 24 customers, contracts
from January 2025 to November 2026, one or two (partial) deliveries each,
a few red-letter returns, collections confirmed by finance and allocated
oldest first; the latest ones still open or waiting for finance. The counters
continue the numbers without gaps.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))

from addons.orders.services.workdays import next_workday  # noqa: E402

C = "company:guiyan"
END = dt.date(2026, 11, 30)
CENT = Decimal("0.01")


def money(v: Decimal) -> Decimal:
    return v.quantize(CENT, rounding=ROUND_HALF_UP)


def unit_cost(xmlid: str) -> Decimal:
    from addons.pricing.demo.generate import PRICES, PRODUCTS

    pt, pd, rh, man, car, _lst = PRODUCTS[xmlid]
    prices = [Decimal(p) for p in PRICES["2026-11-01"]]
    grams = [Decimal(g or "0") for g in (pt, pd, rh)]
    return (sum(g * p for g, p in zip(grams, prices, strict=True)) + Decimal(man) + Decimal(car)).quantize(
        Decimal("0.0001"))


def records() -> list[dict]:
    from addons.pricing.demo.generate import PRODUCTS  # the demo products, prices and costs

    rng = random.Random(17)
    customers = [r for r in yaml.safe_load((ROOT / "addons/masterdata/demo/customers.yaml").read_text("utf-8"))["records"]
                 if r["model"] == "masterdata_customer" and r["values"].get("owner_id")
                 and r["values"].get("status") == "active"][:24]
    terr = {r["values"]["customer_id"].removeprefix("ref:masterdata."): r["values"]["territory_id"]
            for r in yaml.safe_load((ROOT / "addons/territories/demo/territories.yaml").read_text("utf-8"))["records"]
            if r["model"] == "territories_customer"}
    products = list(PRODUCTS)
    counters: dict[tuple[str, int], int] = defaultdict(int)
    out: list[dict] = []

    def number(kind: str, prefix: str, on: dt.date) -> str:
        counters[(kind, on.year)] += 1
        return f"{prefix}{on.year}-{counters[(kind, on.year)]:05d}"

    docs: list[tuple[dt.date, int, dict]] = []  # contracts made first, in date order (numbers follow dates)
    for cust in customers:
        v = cust["values"]
        on = dt.date(2025, 1, 2) + dt.timedelta(days=rng.randrange(0, 80))
        while on < END - dt.timedelta(days=10):
            docs.append((on, len(docs), cust))
            on += dt.timedelta(days=rng.randrange(60, 130))
    docs.sort(key=lambda d: (d[0], d[1]))
    open_notes: dict[str, list[dict]] = defaultdict(list)  # customer xmlid -> booked notes with open amounts
    collections: list[tuple[dt.date, dict]] = []
    for on, _n, cust in docs:
        v, cx = cust["values"], cust["id"]
        facts = {"company_id": C, "customer_id": f"ref:masterdata.{cx}", "salesperson_id": v["owner_id"].replace(
            "ref:", "ref:masterdata."), "territory_id": f"ref:territories.{terr[cx].removeprefix('ref:')}"
            if cx in terr else None, "settlement": v.get("settlement_method")}
        days = int(v.get("payment_days") or 0) or 30
        cid = f"contract_{len([o for o in out if o['model'] == 'orders_contract']) + 1:04d}"
        lines = []
        for seq, px in enumerate(rng.sample(products, rng.choice((1, 1, 2))), start=1):
            qty = Decimal(rng.choice((5, 10, 20, 30, 50)))
            price = money(Decimal(PRODUCTS[px][5]) * Decimal(rng.choice(("0.96", "0.98", "1.00", "1.02"))))
            lines.append({"id": f"{cid}_l{seq}", "product": px, "qty": qty, "price": price, "seq": seq * 10,
                          "cost": unit_cost(px)})
        total = sum(money(li["qty"] * li["price"]) for li in lines)
        out.append({"model": "orders_contract", "id": cid, "values": {
            **facts, "number": number("contract", "HT", on), "contract_date": on, "filed_on": on, "late_filing": False,
            "deviates": False, "state": "confirmed", "payment_days": days, "amount_total": str(total)}})
        for li in lines:
            out.append({"model": "orders_contract_line", "id": li["id"], "values": {
                "company_id": C, "contract_id": f"ref:{cid}", "sequence": li["seq"],
                "product_id": f"ref:masterdata.{li['product']}", "quantity": str(li["qty"]),
                "unit_price": str(li["price"]), "amount": str(money(li["qty"] * li["price"])),
                "quoted_price": str(li["price"]), "unit_cost": str(li["cost"])}})
        parts = [Decimal("1")] if rng.random() < 0.6 else [Decimal("0.4"), Decimal("0.6")]
        approved = on + dt.timedelta(days=rng.randrange(1, 6))
        for k, share in enumerate(parts):
            if approved > END:
                break
            shipped = next_workday(approved) if rng.random() < 0.9 else next_workday(next_workday(approved))
            if shipped > END:
                shipped = None
            did = f"{cid}_d{k + 1}"
            d_lines, d_total = [], Decimal("0")
            for li in lines:
                q = (li["qty"] * share).quantize(Decimal("1"))
                amount = money(q * li["price"])
                d_total += amount
                d_lines.append((li, q, amount))
            state = "draft" if shipped is None else ("confirmed" if (END - shipped).days > 20 else "shipped")
            note = {"id": did, "total": d_total, "open": d_total if shipped else Decimal("0"), "due": (
                shipped + dt.timedelta(days=days)) if shipped else None, "shipped": shipped}
            out.append({"model": "orders_delivery", "id": did, "values": {
                **facts, "number": number("delivery", "CK", approved), "contract_id": f"ref:{cid}",
                "is_return": False, "state": state, "approved_on": approved, "delivery_date": shipped,
                "due_date": note["due"], "shipped_late": bool(shipped and shipped > next_workday(approved)),
                "customer_confirmed_on": shipped + dt.timedelta(days=3) if state == "confirmed" else None,
                "amount_total": str(d_total), "open_amount": "0"}})
            for seq, (li, q, amount) in enumerate(d_lines, start=1):
                out.append({"model": "orders_delivery_line", "id": f"{did}_l{seq}", "values": {
                    "company_id": C, "delivery_id": f"ref:{did}", "contract_line_id": f"ref:{li['id']}",
                    "sequence": seq * 10, "product_id": f"ref:masterdata.{li['product']}", "quantity": str(q),
                    "unit_price": str(li["price"]), "amount": str(amount), "cost_amount": str(money(q * li["cost"]))}})
            note["record"] = out[-1 - len(d_lines)]
            if shipped:
                open_notes[cx].append(note)
                # a few red-letter returns: one unit of the first line, a week later
                if rng.random() < 0.06 and d_lines[0][1] > 1 and shipped + dt.timedelta(days=7) < END:
                    ron = shipped + dt.timedelta(days=7)
                    li, _q, _a = d_lines[0]
                    amount = -money(li["price"])
                    rid = f"{did}_r"
                    out.append({"model": "orders_delivery", "id": rid, "values": {
                        **facts, "number": number("return", "TH", ron), "contract_id": f"ref:{cid}",
                        "is_return": True, "original_id": f"ref:{did}", "state": "shipped", "approved_on": ron,
                        "delivery_date": ron, "due_date": ron + dt.timedelta(days=days), "shipped_late": False,
                        "amount_total": str(amount), "open_amount": "0"}})
                    out.append({"model": "orders_delivery_line", "id": f"{rid}_l1", "values": {
                        "company_id": C, "delivery_id": f"ref:{rid}", "contract_line_id": f"ref:{li['id']}",
                        "sequence": 10, "product_id": f"ref:masterdata.{li['product']}", "quantity": "-1",
                        "unit_price": str(li["price"]), "amount": str(amount), "cost_amount": str(-money(li["cost"]))}})
                    note["open"] += amount  # nets against the original
                # the customer pays around the due date (later for some); the latest ones are still open
                pay = note["due"] + dt.timedelta(days=rng.choice((-5, 0, 3, 10, 25, 50)))
                if pay <= END and note["open"] > 0:
                    collections.append((pay, {"customer": cx, "facts": facts, "amount": note["open"],
                                              "waiting": (END - pay).days < 7}))
            approved = (shipped or approved) + dt.timedelta(days=rng.randrange(10, 40))
    # collections in date order, allocated to the customer's open notes oldest first
    allocs = 0
    for pay, col in sorted(collections, key=lambda c: (c[0], c[1]["customer"])):
        colid = f"collection_{len([o for o in out if o['model'] == 'orders_collection']) + 1:04d}"
        waiting = col["waiting"]
        out.append({"model": "orders_collection", "id": colid, "values": {
            **col["facts"], "number": number("collection", "HK", pay), "amount": str(col["amount"]),
            "requested_on": pay - dt.timedelta(days=1), "confirmed_on": None if waiting else pay,
            "state": "sales_confirmed" if waiting else "confirmed", "reference": f"BANK-{pay:%Y%m%d}"}})
        if waiting:
            continue
        left = col["amount"]
        for note in sorted(open_notes[col["customer"]], key=lambda n: (n["due"], n["id"])):
            if left <= 0:
                break
            if note["open"] <= 0:
                continue
            used = min(left, note["open"])
            note["open"] -= used
            left -= used
            allocs += 1
            out.append({"model": "orders_allocation", "id": f"allocation_{allocs:05d}", "values": {
                "company_id": C, "collection_id": f"ref:{colid}", "delivery_id": f"ref:{note['id']}",
                "amount": str(used)}})
    for notes in open_notes.values():
        for note in notes:
            note["record"]["values"]["open_amount"] = str(note["open"])
    for (kind, year), last in sorted(counters.items()):
        out.append({"model": "orders_counter", "id": f"counter_{kind}_{year}", "values": {
            "company_id": C, "kind": kind, "year": year, "last": last}})
    return out


def main() -> None:
    """Write ``orders.yaml`` next to this script."""
    recs = records()
    header = ("# Demo orders for 贵研催化 (guiyan): two years of contracts, delivery notes, red-letter returns,\n"
              "# collections and allocations, consistent with the masterdata, territories and pricing demo.\n"
              "# Generated by addons/orders/demo/generate.py: do not edit by hand.\n")
    body = yaml.safe_dump({"records": recs}, allow_unicode=True, sort_keys=False, width=200)
    (HERE / "orders.yaml").write_text(header + body, encoding="utf-8")
    print(len(recs), "records")


if __name__ == "__main__":
    main()
