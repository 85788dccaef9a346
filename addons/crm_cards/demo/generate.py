"""Generate ``crm_demo.yaml``: crm_cards demo data for company ``guiyan`` (deterministic).

    python3 addons/crm_cards/demo/generate.py [--last-month 2026-10]

Reads masterdata's demo customers (``addons/masterdata/demo/customers.yaml``)
and writes, for the active ones: the company's development stages, profiles
(class, key account, stage, risk flags), class history, six months of monthly
cards up to ``--last-month`` (two of 王伟's customers miss the last one, so the
reminder has something to show), strategy cards (one of 王伟's waiting for
张东's approval), a key account with an approved plan behind schedule. The
months are fixed in the file: regenerate it to move them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from decimal import Decimal
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CUSTOMERS = HERE.parent.parent / "masterdata" / "demo" / "customers.yaml"
DEFAULTS = HERE.parent / "data" / "defaults.yaml"
COMPANY = "company:guiyan"


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--last-month", default="2026-10")
    args = parser.parse_args()
    year, month = (int(x) for x in args.last_month.split("-"))
    last = dt.date(year, month, 1)
    rng = random.Random(20261123)
    doc = yaml.safe_load(CUSTOMERS.read_text(encoding="utf-8"))
    customers = [r for r in doc["records"] if r["model"] == "masterdata_customer" and r["values"]["status"] == "active"]
    stages = yaml.safe_load(DEFAULTS.read_text(encoding="utf-8"))["stages"]
    records: list[dict] = []

    def add(model: str, xmlid: str, values: dict) -> None:
        records.append({"model": model, "id": xmlid, "values": {"company_id": COMPANY, **values}})

    for st in stages:
        add("crm_cards_stage", f"stage_{st['code']}", dict(st))
    wang = [c for c in customers if c["values"]["owner_id"] == "ref:employee_wangwei"]
    missing = {c["id"] for c in wang[:2]}
    key_id = wang[2]["id"] if len(wang) > 2 else customers[0]["id"]
    for c in customers:
        cid, v = c["id"], c["values"]
        ref = f"ref:masterdata.{cid}"
        owner = v["owner_id"].replace("ref:", "ref:masterdata.")
        limit = Decimal(v.get("credit_limit") or "0") or Decimal(rng.choice([200000, 500000, 1000000, 3000000]))
        klass = "A" if cid == key_id else rng.choice("ABBCCCDD")
        over = rng.random() < 0.06
        overdue = rng.random() < 0.08
        stage = rng.choice(stages[:9])
        add("crm_cards_profile", f"profile_{cid}", {
            "customer_id": ref, "class_code": klass, "class_since": dt.date(2026, 1, 5), "is_key_account": cid == key_id,
            "stage_id": f"ref:stage_{stage['code']}", "stage_since": add_months(last, -rng.randint(0, 5)),
            "over_credit": over, "overdue": overdue, "custodian_id": owner,
            "tech_data": json.dumps({
                "发动机型号": rng.choice(["1.5T GDI", "2.0T", "4.5L 柴油", "125cc"]),
                "控制系统": rng.choice(["博世 ME17", "联电 M7", "德尔福"]),
                "排放目标": rng.choice(["国六a", "国六b", "欧六"]),
            }, ensure_ascii=False),
        })
        add("crm_cards_customer_class", f"class_{cid}", {
            "customer_id": ref, "class_code": klass, "reason": "年初分类（演示数据）", "source": "manual",
            "set_on": dt.date(2026, 1, 5),
        })
        add("crm_cards_customer_stage", f"stage_of_{cid}", {
            "customer_id": ref, "stage_id": f"ref:stage_{stage['code']}", "entered_on": add_months(last, -2),
        })
        for i in range(6):
            m = add_months(last, -i)
            if i == 0 and cid in missing:
                continue
            plan = Decimal(rng.randrange(50, 500)) * 1000
            actual = (plan * Decimal(rng.randrange(70, 125)) / 100).quantize(Decimal("1"))
            used = (limit * Decimal(rng.randrange(20, 95)) / 100).quantize(Decimal("1"))
            if over and i == 0:
                used = limit + 50000
            add("crm_cards_monthly", f"monthly_{cid}_{m:%Y%m}", {
                "customer_id": ref, "month": m, "owner_id": owner,
                "sales_plan": str(plan), "sales_actual": str(actual),
                "collections_plan": str(plan), "collections": str((actual * Decimal("0.9")).quantize(Decimal("1"))),
                "overdue_amount": str(Decimal(30000) if overdue and i == 0 else Decimal(0)),
                "credit_limit": str(limit), "credit_used": str(used), "enthusiasm": rng.randint(2, 5),
                "risks": rng.choice(["", "竞争对手降价", "回款偏慢", "新车型推迟"]) or None,
                "next_actions": rng.choice(["技术交流", "送样", "商务谈判", "回款跟进"]),
                "state": "reviewed" if i > 0 else "draft",
            })
    for c in wang[:4]:
        cid = c["id"]
        state = "submitted" if cid == wang[0]["id"] else "approved"
        if cid == key_id:
            state = "approved"
        add("crm_cards_strategy", f"strategy_{cid}", {
            "customer_id": f"ref:masterdata.{cid}", "year": year, "goals": "年销售额增长 20%",
            "opportunities": "新平台国六车型配套", "difficulties": "竞争对手价格低 5%", "strategy": "以技术服务换份额",
            "resources_people": "王伟、技术支持何工", "budget": "80000", "owner_id": "ref:masterdata.employee_wangwei",
            "state": state,
        })
        add("core_approval", f"approval_strategy_{cid}", {
            "workflow": "crm_cards.strategy", "model": "crm_cards_strategy", "res_id": f"ref:strategy_{cid}",
            "state": state, "requested_by_id": "ref:masterdata.user_wangwei",
        })
    add("crm_cards_key_account", f"key_{key_id}", {
        "customer_id": f"ref:masterdata.{key_id}", "attractiveness": "9", "feasibility": "7", "status": "key",
        "screened_on": dt.date(2026, 1, 10), "note": "国六新平台主机厂",
    })
    add("crm_cards_ka_plan", f"plan_{key_id}", {
        "customer_id": f"ref:masterdata.{key_id}", "year": year, "stage_goals": "完成匹配试验并取得认证",
        "strategy": "技术领先、联合开发", "staffing": "王伟、何工、张东", "budget": "300000", "spent": "120000",
        "owner_id": "ref:masterdata.employee_wangwei", "state": "approved",
    })
    add("core_approval", f"approval_plan_{key_id}", {
        "workflow": "crm_cards.ka_plan", "model": "crm_cards_ka_plan", "res_id": f"ref:plan_{key_id}",
        "state": "approved", "requested_by_id": "ref:masterdata.user_wangwei",
    })
    for n, (text, due, done) in enumerate([("送样", add_months(last, -3), True), ("匹配试验", add_months(last, -1), False),
                                           ("认证", add_months(last, 3), False)]):
        add("crm_cards_ka_goal", f"goal_{key_id}_{n}", {
            "customer_id": f"ref:masterdata.{key_id}", "plan_id": f"ref:plan_{key_id}", "description": text,
            "due_date": due, "target_amount": "1000000" if n == 2 else None, "done": done,
        })
    out = HERE / "crm_demo.yaml"
    header = ("# crm_cards demo data for 贵研催化 (company guiyan).\n"
              "# Generated by addons/crm_cards/demo/generate.py: do not edit by hand.\n")
    out.write_text(header + yaml.safe_dump({"records": records}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    print(f"{out}: {len(records)} records")


if __name__ == "__main__":
    main()
