"""Generate ``budget_demo.yaml``: a year (2026) of marketing budgets and expenses of 贵研催化.

Run ``python3 addons/budget/demo/generate.py`` after the masterdata, territories or sales
planning demo changes. Deterministic (seeded). What it writes:

* the standard expense categories of the company;
* the 2026 budgets of the three regions (华北, 华东, 华南), 1.2% of each region's 2026 sales
  target in force (sales_planning's demo), phased like the target's months and split over the
  categories by their weights (the planning engine), owned by the region's manager and approved
  by the general manager; a department budget of the marketing office and a brand campaign budget;
* January to November 2026: the salespeople's and managers' claims (paid up to October,
  approved or waiting in November), a few expense requests; 华东's entertainment line is left
  with 300.00 (王伟's next dinner needs a supplementary budget);
* an approved supplementary budget for 华南's conferences (a fair in June), approved by the director;
* an advance to 王伟 for the September fair, 1,800.00 of it deducted from his claim;
* January to October closed by finance.
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

from addons.sales_planning.services.engine import allocate, largest_remainder, months_of  # noqa: E402

C = "company:guiyan"
YEAR = 2026
SHARE = Decimal("0.012")
REGIONS = {"territory_n": ("华北", "zhao_north", ["sun_li", "ma_chao", "gao_yang"]),
           "territory_e": ("华东", "zhang_east", ["wangwei", "li_na", "zhou_jie"]),
           "territory_s": ("华南", "chen_south", ["huang_lei", "lin_fang", "wu_di"])}
PURPOSE = {
    "travel": ["拜访客户差旅", "出差上海", "出差长春一汽", "高铁往返", "住宿费"],
    "entertainment": ["招待客户", "客户宴请", "商务接待"],
    "samples": ["样品寄送", "样品制备"],
    "testing": ["台架试验检测费", "第三方检测"],
    "advertising": ["行业杂志广告", "展板制作"],
    "conferences": ["行业会议注册费", "展会展位费"],
    "rent": ["办事处租金"],
}


def load(rel: str) -> list[dict]:
    return yaml.safe_load((ROOT / rel).read_text(encoding="utf-8"))["records"]


def money(d: Decimal) -> str:
    return f"{d:.2f}"


def approval(rid: str, workflow: str, model: str, state: str, user: str | None) -> dict:
    values = {"company_id": C, "workflow": workflow, "model": model, "res_id": f"ref:{rid}", "state": state}
    if user:
        values["requested_by_id"] = f"ref:masterdata.user_{user}"
    return {"model": "core_approval", "id": f"approval_{rid}", "values": values}


def records() -> list[dict]:
    rnd = random.Random(20261203)
    cats = yaml.safe_load((ROOT / "addons/budget/data/categories.yaml").read_text(encoding="utf-8"))["categories"]
    plan = load("addons/sales_planning/demo/sales_planning_demo.yaml")
    target: dict[str, dict[dt.date, Decimal]] = defaultdict(dict)
    for r in plan:
        v = r["values"]
        if r["model"] == "sales_planning_cell" and v.get("plan_id") == "ref:plan_target_2026":
            terr = v["territory_id"].split(".")[-1]
            period = v["period"] if isinstance(v["period"], dt.date) else dt.date.fromisoformat(str(v["period"]))
            target[terr][period] = target[terr].get(period, Decimal(0)) + Decimal(str(v["amount"]))
    out: list[dict] = []
    for c in cats:
        out.append({"model": "budget_category", "id": f"category_{c['code']}",
                    "values": {"company_id": C, **c}})
    months = months_of(YEAR)
    weights = {c["code"]: Decimal(c["weight"]) for c in cats}
    lines: dict[tuple[str, str], Decimal] = {}
    budgets: list[tuple[str, str, str | None, Decimal, dict]] = []
    for terr, (name, _manager, _people) in REGIONS.items():
        season = target[terr]
        total = (sum(season.values()) * SHARE).quantize(Decimal("0.01"))
        budgets.append((f"budget_{terr}", f"{name}营销预算", terr, total, season))
    budgets.append(("budget_marketing", "市场部营销预算", None, Decimal("360000.00"), {}))
    budgets.append(("budget_campaign_expo", "上海国际汽车展品牌活动", None, Decimal("150000.00"), {}))
    owners = {"budget_marketing": "zhou_ops", "budget_campaign_expo": "zhou_ops"}
    for bid, name, terr, total, season in budgets:
        kind = "territory" if terr else ("campaign" if "campaign" in bid else "department")
        values = {"company_id": C, "name": name, "year": YEAR, "owner_kind": kind, "state": "approved",
                  "total_amount": money(total),
                  "owner_id": f"ref:masterdata.employee_{REGIONS[terr][1] if terr else owners[bid]}"}
        if terr:
            values["territory_id"] = f"ref:territories.{terr}"
            values["basis"] = "2026 年度销售目标的 1.2%，按目标月度分布分解"
        elif kind == "department":
            values["department"] = "市场部"
            values["basis"] = "市场部年度费用"
        else:
            values["campaign_code"] = "EXPO-2026"
            values["basis"] = "品牌活动：上海国际汽车展"
        out.append({"model": "budget_budget", "id": bid, "values": values})
        out.append(approval(bid, "budget.budget", "budget_budget", "approved", "liu_director"))
        codes = [c["code"] for c in cats] if terr else (
            ["advertising", "conferences", "travel"] if kind == "department" else ["advertising", "conferences"])
        cells = allocate(total, codes, {k: weights[k] for k in codes}, months,
                         (lambda _m, season=season: season) if season else None)
        for code in codes:
            lid = f"line_{bid[7:]}_{code}"
            amount = sum((cells[(code, m)] for m in months), Decimal(0))
            lines[(bid, code)] = amount
            out.append({"model": "budget_line", "id": lid,
                        "values": {"company_id": C, "budget_id": f"ref:{bid}", "category_id": f"ref:category_{code}",
                                   "amount": money(amount)}})
            for m in months:
                out.append({"model": "budget_phase", "id": f"phase_{bid[7:]}_{code}_{m.month:02d}",
                            "values": {"company_id": C, "line_id": f"ref:{lid}", "month": m,
                                       "amount": money(cells[(code, m)])}})
    # claims, January to November
    spent: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    n = 0

    def claim(bid: str, code: str, who: str, day: dt.date, amount: Decimal, state: str, text: str,
              deducted: Decimal = Decimal(0)) -> str:
        nonlocal n
        n += 1
        cid = f"claim_{n:04d}"
        values = {"company_id": C, "line_id": f"ref:line_{bid[7:]}_{code}",
                  "employee_id": f"ref:masterdata.employee_{who}", "expense_date": day, "amount": money(amount),
                  "description": text, "state": state}
        if state == "paid":
            values["paid_on"] = min(day + dt.timedelta(days=12), dt.date(YEAR, 11, 30))
            if deducted:
                values["advance_deducted"] = money(deducted)
        out.append({"model": "budget_claim", "id": cid, "values": values})
        out.append(approval(cid, "budget.claim", "budget_claim", state, who))
        spent[(bid, code)] += amount
        return cid

    for terr, (_name, manager, people) in REGIONS.items():
        bid = f"budget_{terr}"
        for month in range(1, 12):
            for who in people + [manager]:
                for _ in range(rnd.randint(1, 3)):
                    code = rnd.choices(["travel", "entertainment", "samples", "testing", "conferences"],
                                       [5, 3, 2, 1, 1])[0]
                    cap = lines[(bid, code)] * Decimal("0.78") - spent[(bid, code)]
                    amount = Decimal(rnd.randint(300, 4200)).quantize(Decimal("1")) + Decimal(rnd.randint(0, 99)) / 100
                    if terr == "territory_e" and code == "entertainment":
                        cap = lines[(bid, code)] * Decimal("0.9") - spent[(bid, code)]
                    if amount > cap:
                        continue
                    day = dt.date(YEAR, month, rnd.randint(1, 28))
                    state = "paid" if month <= 10 else rnd.choice(["approved", "submitted"])
                    claim(bid, code, who, day, amount, state, rnd.choice(PURPOSE[code]))
            if month == 1:
                rent = lines[(bid, "rent")]
                for m, part in zip(range(1, 12), largest_remainder(rent * 11 / 12, [1] * 11), strict=True):
                    claim(bid, "rent", manager, dt.date(YEAR, m, 5), part, "paid" if m <= 10 else "approved",
                          "办事处租金")
    # the marketing office: monthly advertising, the Shanghai auto show in April
    for month in range(1, 12):
        claim("budget_marketing", "advertising", "zhou_ops", dt.date(YEAR, month, 15),
              Decimal(rnd.randint(12000, 26000)), "paid" if month <= 10 else "submitted", "行业杂志广告")
    claim("budget_campaign_expo", "conferences", "zhou_ops", dt.date(YEAR, 4, 25), Decimal("86000.00"), "paid",
          "上海国际汽车展展位")
    claim("budget_campaign_expo", "advertising", "zhou_ops", dt.date(YEAR, 4, 10), Decimal("31500.00"), "paid",
          "车展宣传物料")
    # 王伟's advance for the September fair, partly deducted from his claim
    out.append({"model": "budget_advance", "id": "advance_wangwei_fair",
                "values": {"company_id": C, "employee_id": "ref:masterdata.employee_wangwei", "amount": "3000.00",
                           "advanced_on": dt.date(YEAR, 9, 1), "purpose": "九月展会差旅借支"}})
    fair = claim("budget_territory_e", "travel", "wangwei", dt.date(YEAR, 9, 20), Decimal("1800.00"), "paid",
                 "展会差旅", deducted=Decimal("1800.00"))
    out.append({"model": "budget_advance_deduction", "id": "deduction_wangwei_fair",
                "values": {"company_id": C, "advance_id": "ref:advance_wangwei_fair",
                           "employee_id": "ref:masterdata.employee_wangwei", "claim_id": f"ref:{fair}",
                           "kind": "claim", "amount": "1800.00", "deducted_on": dt.date(YEAR, 10, 2)}})
    # 华东 entertainment: 王伟's November dinners leave exactly 300.00
    key = ("budget_territory_e", "entertainment")
    last = lines[key] - spent[key] - Decimal("300.00")
    if last > 0:
        claim(key[0], key[1], "wangwei", dt.date(YEAR, 11, 18), last, "approved", "客户宴请")
    # 华南's conference fair in June: an approved supplementary budget (the director's band)
    out.append({"model": "budget_supplement", "id": "supplement_south_fair",
                "values": {"company_id": C, "line_id": "ref:line_territory_s_conferences",
                           "employee_id": "ref:masterdata.employee_huang_lei", "amount": "20000.00",
                           "reason": "广州汽车零部件展会展位与接待", "state": "approved",
                           "decided_on": dt.date(YEAR, 5, 28)}})
    out.append(approval("supplement_south_fair", "budget.supplement", "budget_supplement", "approved", "huang_lei"))
    claim("budget_territory_s", "conferences", "huang_lei", dt.date(YEAR, 6, 12), Decimal("18650.00"), "paid",
          "广州展会展位费")
    # a few expense requests: one approved (committed), one used by a claim
    out.append({"model": "budget_request", "id": "request_li_na_testing",
                "values": {"company_id": C, "line_id": "ref:line_territory_e_testing",
                           "employee_id": "ref:masterdata.employee_li_na", "amount": "6000.00",
                           "needed_on": dt.date(YEAR, 12, 10), "purpose": "客户台架试验检测", "state": "approved"}})
    out.append(approval("request_li_na_testing", "budget.request", "budget_request", "approved", "li_na"))
    for m in range(1, 11):
        out.append({"model": "budget_closed_month", "id": f"closed_{YEAR}_{m:02d}",
                    "values": {"company_id": C, "month": dt.date(YEAR, m, 1)}})
    return out


def main() -> None:
    """Write the YAML next to this script."""
    head = ("# Demo budgets and expenses of 贵研催化 (2026: budgets, claims, a supplementary budget, an advance).\n"
            "# Generated by addons/budget/demo/generate.py: do not edit by hand.\n")
    body = yaml.safe_dump({"records": records()}, allow_unicode=True, sort_keys=False, width=120)
    (HERE / "budget_demo.yaml").write_text(head + body, encoding="utf-8")


if __name__ == "__main__":
    main()
