"""Generate ``sales_planning_demo.yaml``: two years of sales of 贵研催化 and its 2026/2027 plans.

Run ``python3 addons/sales_planning/demo/generate.py`` after the masterdata or
territories demo changes. Deterministic (seeded). What it writes:

* one import of ~800 sales lines, January 2025 to November 2026, of the active
  customers (a product line a quarter, sometimes a red-letter return),
  attributed to the customer's territory (its assignment since 2024) and owner,
  with the monthly summary the measures read;
* the 2026 company target (approved by the general manager, in force): 2025's
  actuals of each region plus growth, 华南 asked for the most (so it is behind
  plan at year end); the three regions' 2026 plans down to their ten largest
  customers: 华北 and 华东 approved, 华南 waiting for the director;
* the 2027 company target, a draft split by 2025-26 shares, for the director
  to rework;
* a shared customer (60/40 between two salespeople).
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))

from addons.sales_planning.services.engine import largest_remainder  # noqa: E402

C = "company:guiyan"
SIZE_AMOUNT = {"large": (180_000, 650_000), "medium": (50_000, 180_000), "small": (8_000, 50_000)}
GROWTH = {"territory_n": Decimal("1.10"), "territory_e": Decimal("1.12"), "territory_s": Decimal("1.45")}
SEASON = [6, 7, 9, 9, 9, 8, 7, 7, 9, 9, 10, 10]


def load(rel: str) -> list[dict]:
    return yaml.safe_load((ROOT / rel).read_text(encoding="utf-8"))["records"]


def month_range(start: dt.date, end: dt.date) -> list[dt.date]:
    out, d = [], start
    while d <= end:
        out.append(d)
        d = dt.date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return out


def records() -> list[dict]:
    rnd = random.Random(20261203)
    customers = [r for r in load("addons/masterdata/demo/customers.yaml") if r["model"] == "masterdata_customer"]
    products = [r["id"] for r in load("addons/masterdata/demo/products.yaml") if r["model"] == "masterdata_product"]
    terr = load("addons/territories/demo/territories.yaml")
    parent = {r["id"]: r["values"].get("parent_id", "").replace("ref:", "") or None
              for r in terr if r["model"] == "territories_territory"}
    region_of = {}
    for tid in parent:
        top = tid
        while parent.get(top):
            top = parent[top]
        region_of[tid] = top
    assigned = {r["values"]["customer_id"].split(".", 1)[1]: r["values"]["territory_id"].replace("ref:", "")
                for r in terr if r["model"] == "territories_customer"}
    out: list[dict] = []

    def add(model: str, rid: str, values: dict) -> None:
        out.append({"model": model, "id": rid, "values": {"company_id": C, **values}})

    # the standard plan types (the company set-up creates the same ones elsewhere, and skips these)
    from addons.sales_planning.services.plans import DEFAULT_TYPES

    for code, zh, en, metric, dims, level in DEFAULT_TYPES:
        add("sales_planning_plan_type", f"type_{code}", {"code": code, "name_zh": zh, "name_en": en, "metric": metric,
                                                          "dimensions": dims, "level": level,
                                                          "warn_behind": "0.1", "warn_elapsed": "0.25"})
    add("sales_planning_import", "import_demo", {"filename": "2025-2026 销售台账.xlsx", "rows": 0,
                                                 "total_amount": "0.00"})
    lines = []
    months = month_range(dt.date(2025, 1, 1), dt.date(2026, 11, 1))
    for cust in customers:
        v = cust["values"]
        if v["status"] != "active" or cust["id"] not in assigned:
            continue
        low, high = SIZE_AMOUNT.get(v.get("size") or "small", SIZE_AMOUNT["small"])
        favourite = rnd.sample(products, 2)
        for q in range(0, len(months), 3):
            if rnd.random() > 0.62:
                continue
            month = months[min(q + rnd.randrange(3), len(months) - 1)]
            day = month.replace(day=rnd.randint(3, 26))
            amount = Decimal(rnd.randrange(low, high)) + Decimal(rnd.randrange(100)) / 100
            prod = rnd.choice(favourite)
            qty = Decimal(rnd.randint(20, 400))
            lines.append((day, cust, prod, qty, amount, "sale"))
            if rnd.random() < 0.04:  # a red-letter return of part of it
                lines.append((day + dt.timedelta(days=9), cust, prod, -(qty // 5), -(amount / 5).quantize(Decimal("0.01")),
                              "return"))
    lines.sort(key=lambda x: (x[0], x[1]["id"]))
    summary: dict[tuple, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0), Decimal(0)])
    actual_by: dict[tuple, Decimal] = defaultdict(Decimal)  # (region, year, month) -> amount
    by_customer_2025: dict[str, Decimal] = defaultdict(Decimal)
    total = Decimal(0)
    for n, (day, cust, prod, qty, amount, kind) in enumerate(lines, start=2):
        v = cust["values"]
        t = assigned[cust["id"]]
        gp = (amount * Decimal("0.18")).quantize(Decimal("0.01"))
        add("sales_planning_sale", f"sale_{n:05d}", {
            "batch_id": "ref:import_demo", "line_no": n, "sale_date": day, "kind": kind,
            "customer_id": f"ref:masterdata.{cust['id']}", "product_id": f"ref:masterdata.{prod}",
            "salesperson_id": v["owner_id"].replace("ref:", "ref:masterdata."), "territory_id": f"ref:territories.{t}",
            "settlement": v.get("settlement_method"), "quantity": str(qty), "amount": str(amount),
            "gross_profit": str(gp), "share": "1"})
        key = (day.replace(day=1), t, v["owner_id"], prod)
        summary[key][0] += amount
        summary[key][1] += qty
        summary[key][2] += gp
        actual_by[(region_of[t], day.year, day.month)] += amount
        if day.year == 2025:
            by_customer_2025[cust["id"]] += amount
        total += amount
    next(r for r in out if r["id"] == "import_demo")["values"].update(rows=len(lines), total_amount=str(total))
    for i, (key, (amount, qty, gp)) in enumerate(sorted(summary.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2], kv[0][3]))):
        month, t, owner, prod = key
        add("sales_planning_sale_month", f"sale_month_{i:05d}", {
            "month": month, "territory_id": f"ref:territories.{t}", "salesperson_id": owner.replace("ref:", "ref:masterdata."),
            "product_id": f"ref:masterdata.{prod}", "amount": str(amount), "quantity": str(qty),
            "gross_profit": str(gp)})
    coarse: dict[tuple, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0), Decimal(0)])
    for (month, t, _owner, prod), values in summary.items():
        for j in range(3):
            coarse[(month, t, prod)][j] += values[j]
    for i, (key, (amount, qty, gp)) in enumerate(sorted(coarse.items())):
        month, t, prod = key
        add("sales_planning_sale_territory_month", f"sale_territory_month_{i:05d}", {
            "month": dt.date(month.year, month.month, 1),  # a new object: YAML would alias a shared one
            "territory_id": f"ref:territories.{t}", "product_id": f"ref:masterdata.{prod}",
            "amount": str(amount), "quantity": str(qty), "gross_profit": str(gp)})
    # ----- 2026 company target: 2025 per region x growth, spread like 2025's months
    regions = ["territory_n", "territory_e", "territory_s"]
    add("sales_planning_plan", "plan_target_2026", {
        "name": "2026 年度销售目标", "plan_type_id": "ref:type_company_target", "year": 2026, "revision": 1,
        "state": "approved", "in_force": True, "horizon": 1, "total_amount": "0.00",
        "owner_id": "ref:masterdata.employee_zhou_ops", "note": "按 2025 年实际加增长率分解（华南重点开拓）"})
    target_total = Decimal(0)
    region_target: dict[str, Decimal] = {}
    for region in regions:
        last = sum((actual_by[(region, 2025, m)] for m in range(1, 13)), Decimal(0))
        goal = (last * GROWTH[region] / 10000).quantize(Decimal("1")) * 10000
        region_target[region] = goal
        parts = largest_remainder(goal, [actual_by[(region, 2025, m)] or Decimal(SEASON[m - 1]) for m in range(1, 13)])
        for m, part in enumerate(parts, start=1):
            add("sales_planning_cell", f"cell_t26_{region}_{m:02d}", {
                "plan_id": "ref:plan_target_2026", "period": dt.date(2026, m, 1),
                "territory_id": f"ref:territories.{region}", "amount": str(part), "locked": False})
        target_total += goal
    next(r for r in out if r["id"] == "plan_target_2026")["values"]["total_amount"] = str(target_total)
    add("core_approval", "approval_target_2026", {
        "workflow": "sales_planning.plan", "model": "sales_planning_plan", "res_id": "ref:plan_target_2026",
        "state": "approved", "amount": str(target_total), "requested_by_id": "ref:masterdata.user_zhou_ops"})
    # ----- the regions' 2026 plans: their ten largest 2025 customers, by 2025 share
    managers = {"territory_n": "zhao_north", "territory_e": "zhang_east", "territory_s": "chen_south"}
    states = {"territory_n": "approved", "territory_e": "approved", "territory_s": "submitted"}
    names = {"territory_n": "华北", "territory_e": "华东", "territory_s": "华南"}
    for region in regions:
        pid = f"plan_{region}_2026"
        top = sorted((c for c in customers if c["id"] in by_customer_2025 and region_of[assigned[c["id"]]] == region),
                     key=lambda c: -by_customer_2025[c["id"]])[:10]
        goal = region_target[region] * (Decimal("0.97") if region == "territory_s" else Decimal(1))
        goal = goal.quantize(Decimal("0.01"))
        add("sales_planning_plan", pid, {
            "name": f"2026 {names[region]}片区销售计划", "plan_type_id": "ref:type_territory_plan", "year": 2026,
            "revision": 1, "state": states[region], "in_force": states[region] == "approved", "horizon": 1,
            "territory_id": f"ref:territories.{region}", "target_id": "ref:plan_target_2026",
            "owner_id": f"ref:masterdata.employee_{managers[region]}", "total_amount": str(goal)})
        per_customer = largest_remainder(goal, [by_customer_2025[c["id"]] for c in top])
        for c, amount in zip(top, per_customer, strict=True):
            for m, part in enumerate(largest_remainder(amount, SEASON), start=1):
                add("sales_planning_cell", f"cell_{region}_{c['id']}_{m:02d}", {
                    "plan_id": f"ref:{pid}", "period": dt.date(2026, m, 1), "territory_id": f"ref:territories.{region}",
                    "customer_id": f"ref:masterdata.{c['id']}",
                    "salesperson_id": c["values"]["owner_id"].replace("ref:", "ref:masterdata."),
                    "amount": str(part), "locked": False})
        add("core_approval", f"approval_{pid}", {
            "workflow": "sales_planning.plan", "model": "sales_planning_plan", "res_id": f"ref:{pid}",
            "state": states[region], "amount": str(goal),
            "requested_by_id": f"ref:masterdata.user_{managers[region]}"})
    # ----- the 2027 target: a draft, split by the regions' shares of 2026 so far
    add("sales_planning_plan", "plan_target_2027", {
        "name": "2027 年度销售目标（草案）", "plan_type_id": "ref:type_company_target", "year": 2027, "revision": 1,
        "state": "draft", "in_force": False, "horizon": 1, "total_amount": "0.00",
        "owner_id": "ref:masterdata.employee_zhou_ops"})
    goal27 = (target_total * Decimal("1.15") / 10000).quantize(Decimal("1")) * 10000
    shares = [sum((actual_by[(r, 2026, m)] for m in range(1, 12)), Decimal(0)) for r in regions]
    for region, amount in zip(regions, largest_remainder(goal27, shares), strict=True):
        for m, part in enumerate(largest_remainder(amount, SEASON), start=1):
            add("sales_planning_cell", f"cell_t27_{region}_{m:02d}", {
                "plan_id": "ref:plan_target_2027", "period": dt.date(2027, m, 1),
                "territory_id": f"ref:territories.{region}", "amount": str(part), "locked": False})
    next(r for r in out if r["id"] == "plan_target_2027")["values"]["total_amount"] = str(goal27)
    # ----- a shared customer
    shared = next(c for c in customers if c["values"]["status"] == "active")
    add("sales_planning_share", "share_1", {"customer_id": f"ref:masterdata.{shared['id']}",
                                            "salesperson_id": shared["values"]["owner_id"].replace("ref:", "ref:masterdata."),
                                            "percent": "0.6", "date_from": dt.date(2026, 1, 1)})
    add("sales_planning_share", "share_2", {"customer_id": f"ref:masterdata.{shared['id']}",
                                            "salesperson_id": "ref:masterdata.employee_wangwei",
                                            "percent": "0.4", "date_from": dt.date(2026, 1, 1)})
    return out


def main() -> None:
    """Write the demo file."""
    recs = records()
    # plan types are the company set-up's; the demo names them by external id
    head = ("# Demo plans and sales of 贵研催化 (two years of sales, the 2026 and 2027 targets, the regions' plans).\n"
            "# Generated by addons/sales_planning/demo/generate.py: do not edit by hand.\n")
    body = yaml.safe_dump({"records": recs}, allow_unicode=True, sort_keys=False, width=200)
    (HERE / "sales_planning_demo.yaml").write_text(head + body, encoding="utf-8")
    print(f"{len(recs)} records")


if __name__ == "__main__":
    main()
