"""Generate ``market_info_demo.yaml``: market information demo data for 贵研催化 (company ``guiyan``), deterministic.

    python3 addons/market_info/demo/generate.py

* competitors of a precious-metal catalyst maker: 庄信万丰 (Johnson Matthey),
  巴斯夫催化剂 (BASF), 优美科 (Umicore), 威孚环保 (Weifu) and 中自科技, with
  their products mapped to our comparable varieties (masterdata's products);
* collection plans: competitor prices for each salesperson (monthly, aggregated
  by 周敏, marketing admin, received by the director and the territory managers'
  role), policy (quarterly, 周敏), technical needs, competitor technology and new
  products (何工), plan execution (徐静);
* price observations Jan–Nov 2026 by the nine salespeople in their regions
  (territory stored: 华北, 华东, 华南), wholesale and tender prices around our
  own levels, drifting with the platinum-group metals; 高阳's December item is
  overdue (his plan's day was 2026-11-30 and nothing was filed in November);
* policy notes (国七, 非道路四阶段, VOCs), competitor technology and new products,
  technical needs of customers at development stages; November's price analysis, issued.
kmtrade gets no market information.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from decimal import Decimal
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
OUT = HERE / "market_info_demo.yaml"
CUSTOMERS = HERE.parent.parent / "masterdata" / "demo" / "customers.yaml"
COMPANY = "company:guiyan"

COMPETITORS = [
    ("jm", "庄信万丰", "Johnson Matthey", "英国伦敦 / 上海", "三元与柴油催化剂全系列，涂层技术领先，主机厂认证多",
     "价格高，交期长"),
    ("basf", "巴斯夫催化剂", "BASF Catalysts", "德国 / 上海", "全球配套经验，SCR 与 DPF 产品线完整", "本地化服务响应慢"),
    ("umicore", "优美科", "Umicore", "比利时 / 苏州", "贵金属回收与催化剂一体化", "重型柴油车份额有限"),
    ("weifu", "威孚环保", "Weifu Environmental", "江苏无锡", "国内重卡后处理份额大，价格灵活", "汽油车高端产品少"),
    ("sinocat", "中自科技", "Sino-Catalyst", "四川成都", "稀土储氧材料与非道路机械后处理", "规模较小"),
]
# competitor, product name, our comparable product, base wholesale price (CNY per piece)
PRODUCTS = [
    ("jm", "JM 紧耦合 TWC", "product_twc_cc_101", "2450"),
    ("jm", "JM DOC", "product_doc_d_110", "1180"),
    ("basf", "BASF SCR 钒基", "product_scr_v_210", "1760"),
    ("basf", "BASF DPF", "product_pf_dpf_310", "3680"),
    ("umicore", "Umicore GPF", "product_pf_gpf_320", "2980"),
    ("umicore", "Umicore 紧耦合 TWC", "product_twc_cc_101", "2380"),
    ("weifu", "威孚 DOC", "product_doc_d_110", "960"),
    ("weifu", "威孚 SCR 铜基", "product_scr_cu_220", "1890"),
    ("sinocat", "中自 非道路 DOC", "product_doc_l_120", "880"),
    ("sinocat", "中自 VOCs 催化剂", "product_ind_voc_510", "5200"),
]
SALES = [  # employee, territory, places
    ("employee_sun_li", "territory_n", ["北京", "天津"]),
    ("employee_ma_chao", "territory_n", ["石家庄", "济南"]),
    ("employee_gao_yang", "territory_n", ["太原", "沈阳"]),
    ("employee_wangwei", "territory_e", ["上海", "苏州"]),
    ("employee_li_na", "territory_e", ["杭州", "宁波"]),
    ("employee_zhou_jie", "territory_e", ["南京", "合肥"]),
    ("employee_huang_lei", "territory_s", ["广州", "佛山"]),
    ("employee_lin_fang", "territory_s", ["深圳", "东莞"]),
    ("employee_wu_di", "territory_s", ["柳州", "厦门"]),
]
SOURCES = ["customer", "customer", "distributor", "quotation", "tender", "exhibition"]
# the platinum-group metals' drift over 2026 (price index by month)
DRIFT = {1: "1.000", 2: "1.004", 3: "1.010", 4: "1.018", 5: "1.025", 6: "1.020", 7: "1.012", 8: "1.015",
         9: "1.028", 10: "1.041", 11: "1.050"}
NOTES = [
    ("policy_industry", "2026-03-12", "国七排放标准征求意见稿发布", "生态环境部发布轻型车国七标准征求意见稿，拟 2028 年实施，"
     "颗粒物数量限值加严，紧耦合催化剂与 GPF 需求将上升。", "生态环境部网站"),
    ("policy_environmental", "2026-05-20", "非道路移动机械第四阶段全面实施检查", "各地开展非道路四阶段抽查，"
     "非道路 DOC/DPF 配套需求增加。", "地方生态环境局通知"),
    ("policy_environmental", "2026-09-08", "重点行业 VOCs 综合治理方案", "石化、涂装行业 VOCs 治理要求提高，"
     "工业催化燃烧催化剂市场扩大。", "工信部"),
    ("competitor_tech", "2026-06-15", "庄信万丰推出低铑三元配方", "JM 在上海车展展示低铑配方，宣称贵金属用量下降 15%。",
     "上海车展"),
    ("competitor_tech", "2026-10-22", "威孚铜基 SCR 耐久性提升", "威孚称其铜基 SCR 通过 70 万公里耐久，"
     "对重卡客户报价下调约 5%。", "客户转述"),
    ("new_product", "2026-08-30", "中自科技发布非道路一体化后处理", "DOC+DPF+SCR 一体式封装，面向农机客户。", "展会"),
    ("competitor_trend", "2026-11-18", "外资品牌年底促销", "巴斯夫、优美科在华东对年底订单给予 3%～4% 折让。", "经销商"),
]
NEEDS = [  # stage, need, product
    ("tech_info", "要求提供国七工况下的起燃温度曲线", "product_twc_cc_101"),
    ("needs", "希望贵金属总量降低 10% 且保持耐久", "product_twc_uf_201"),
    ("test_plan", "台架试验需增加低温冷启动循环", "product_doc_d_110"),
    ("samples", "样件需在 12 月前交付用于标定", "product_scr_cu_220"),
    ("certification", "需配合主机厂完成型式核准资料", "product_pf_gpf_320"),
]


def rec(model: str, rid: str, values: dict) -> dict:
    """One record of the demo file."""
    return {"model": model, "id": rid, "values": {"company_id": COMPANY, **values}}


def customers_by_owner() -> dict[str, list[str]]:
    """Our customers by owner (masterdata's demo), to name where a price was heard."""
    data = yaml.safe_load(CUSTOMERS.read_text(encoding="utf-8"))
    out: dict[str, list[str]] = {}
    for r in data["records"]:
        if r["model"] == "masterdata_customer" and r["values"].get("company_id") == COMPANY:
            owner = str(r["values"].get("owner_id") or "").removeprefix("ref:")
            out.setdefault(owner, []).append(r["id"])
    return out


def build() -> list[dict]:
    """All records, deterministic."""
    rnd = random.Random(20261203)
    out = []
    for code, zh, en, loc, strong, weak in COMPETITORS:
        out.append(rec("market_info_competitor", f"competitor_{code}",
                       {"name_zh": zh, "name_en": en, "location": loc, "strengths": strong, "weaknesses": weak}))
    for i, (code, name, product, _base) in enumerate(PRODUCTS, 1):
        out.append(rec("market_info_competitor_product", f"cproduct_{i:02d}",
                       {"competitor_id": f"ref:competitor_{code}", "name": name, "product_id": f"ref:masterdata.{product}"}))
    # plans
    for emp, _terr, _places in SALES:
        due = "2026-11-30" if emp == "employee_gao_yang" else "2026-12-31"
        pid = f"plan_price_{emp.removeprefix('employee_')}"
        out.append(rec("market_info_plan", pid, {
            "name": f"竞争对手价格收集（{emp.removeprefix('employee_')}）", "kind": "competitor_price",
            "collector_id": f"ref:masterdata.{emp}", "channel": "visit", "frequency": "monthly",
            "aggregator_id": "ref:masterdata.employee_zhou_ops", "analysis": "按品种比较竞争对手批发价与投标价，与上月对比",
            "next_due": due, "remind_days": 3}))
        out.append(rec("market_info_plan_recipient", f"{pid}_director", {"plan_id": f"ref:{pid}",
                                                                          "employee_id": "ref:masterdata.employee_liu_director"}))
        out.append(rec("market_info_plan_recipient", f"{pid}_managers", {"plan_id": f"ref:{pid}",
                                                                          "group_code": "core.group_territory_manager"}))
    others = [
        ("plan_policy", "环保与产业政策跟踪", "policy_industry", "employee_zhou_ops", "publication", "quarterly",
         "2026-12-31"),
        ("plan_policy_env", "环保政策跟踪", "policy_environmental", "employee_zhou_ops", "government", "quarterly",
         "2026-12-31"),
        ("plan_tech_need", "客户技术需求收集", "tech_need", "employee_he_tech", "visit", "monthly", "2026-12-31"),
        ("plan_comp_tech", "竞争对手技术动态", "competitor_tech", "employee_he_tech", "exhibition", "quarterly",
         "2026-12-31"),
        ("plan_new_product", "新产品信息", "new_product", "employee_he_tech", "exhibition", "quarterly", "2026-12-31"),
        ("plan_trend", "竞争对手趋势", "competitor_trend", "employee_zhou_ops", "distributor", "monthly", "2026-12-31"),
        ("plan_execution", "计划执行情况", "plan_execution", "employee_xu_assist", "visit", "monthly", "2026-12-31"),
    ]
    for pid, name, kind, emp, channel, freq, due in others:
        out.append(rec("market_info_plan", pid, {
            "name": name, "kind": kind, "collector_id": f"ref:masterdata.{emp}", "channel": channel, "frequency": freq,
            "aggregator_id": "ref:masterdata.employee_zhou_ops", "next_due": due, "remind_days": 5}))
        out.append(rec("market_info_plan_recipient", f"{pid}_director", {"plan_id": f"ref:{pid}",
                                                                          "group_code": "core.group_director"}))
    # prices
    owners = customers_by_owner()
    n = 0
    for month in range(1, 12):
        for emp, terr, places in SALES:
            if emp == "employee_gao_yang" and month == 11:
                continue  # his November item is overdue
            for _k in range(rnd.choice((2, 3))):
                code, name, product, base = PRODUCTS[rnd.randrange(len(PRODUCTS))]
                cp = PRODUCTS.index((code, name, product, base)) + 1
                kind = "tender" if rnd.random() < 0.2 else "wholesale"
                factor = Decimal(DRIFT[month]) * Decimal(rnd.randint(960, 1040)) / 1000
                if kind == "tender":
                    factor *= Decimal("0.95")
                price = (Decimal(base) * factor).quantize(Decimal("1"))
                day = dt.date(2026, month, rnd.randint(1, 27))
                n += 1
                mine = owners.get(emp) or []
                values = {
                    "plan_id": f"ref:plan_price_{emp.removeprefix('employee_')}", "collector_id": f"ref:masterdata.{emp}",
                    "competitor_id": f"ref:competitor_{code}", "competitor_product_id": f"ref:cproduct_{cp:02d}",
                    "product_id": f"ref:masterdata.{product}", "territory_id": f"ref:territories.{terr}", "observed_on": day.isoformat(),
                    "place": rnd.choice(places), "source": rnd.choice(SOURCES), "price_kind": kind,
                    "price": str(price), "unit": "件",
                }
                if mine and rnd.random() < 0.5:
                    values["customer_id"] = f"ref:masterdata.{rnd.choice(mine)}"
                out.append(rec("market_info_price", f"price_{n:04d}", values))
    # notes
    plan_of = {"policy_industry": "plan_policy", "policy_environmental": "plan_policy_env",
               "competitor_tech": "plan_comp_tech", "new_product": "plan_new_product", "competitor_trend": "plan_trend"}
    collector_of = {"plan_policy": "employee_zhou_ops", "plan_policy_env": "employee_zhou_ops",
                    "plan_comp_tech": "employee_he_tech", "plan_new_product": "employee_he_tech",
                    "plan_trend": "employee_zhou_ops"}
    comp_of = {3: "jm", 4: "weifu", 5: "sinocat", 6: "basf"}
    for i, (kind, day, title, body, source) in enumerate(NOTES):
        pid = plan_of[kind]
        values = {"plan_id": f"ref:{pid}", "collector_id": f"ref:masterdata.{collector_of[pid]}", "kind": kind,
                  "noted_on": day, "title": title, "body": body, "source": source}
        if i in comp_of:
            values["competitor_id"] = f"ref:competitor_{comp_of[i]}"
        out.append(rec("market_info_note", f"note_{i + 1:02d}", values))
    # technical needs: customers of 王伟 and 马超
    pool = (owners.get("employee_wangwei") or [])[:3] + (owners.get("employee_ma_chao") or [])[:2]
    for i, ((stage, need, product), customer) in enumerate(zip(NEEDS, pool, strict=False)):
        out.append(rec("market_info_tech_need", f"need_{i + 1:02d}", {
            "plan_id": "ref:plan_tech_need", "collector_id": "ref:masterdata.employee_he_tech", "customer_id": f"ref:masterdata.{customer}",
            "stage": stage, "noted_on": f"2026-{7 + i:02d}-15", "need": need, "product_id": f"ref:masterdata.{product}"}))
    out.append(rec("market_info_analysis", "analysis_2026_11_wangwei", {
        "plan_id": "ref:plan_price_wangwei", "author_id": "ref:masterdata.employee_zhou_ops", "date_from": "2026-11-01",
        "date_to": "2026-11-30", "title": "华东竞争对手价格分析 2026-11",
        "body": "11 月贵金属价格继续上行，外资品牌批发价较 10 月上涨约 1%；巴斯夫、优美科对年底订单给予折让。"
                "建议对紧耦合 TWC 报价维持，重点客户可给予 2% 年底返利。",
        "records": 3, "state": "issued", "issued_at": "2026-12-02T02:00:00+00:00"}))
    return out


def _typed(value: object) -> object:
    """ISO date and timestamp strings as dates and datetimes, so that YAML writes them unquoted."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return dt.date.fromisoformat(value)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}T[\d:]+\+00:00", value):
        return dt.datetime.fromisoformat(value)
    return value


def main() -> None:
    """Write the demo file."""
    header = ("# market_info demo data for 贵研催化 (company guiyan).\n"
              "# Generated by addons/market_info/demo/generate.py: do not edit by hand.\n")
    OUT.write_text(header + yaml.safe_dump({"records": _typed(build())}, allow_unicode=True, sort_keys=False, width=120),
                   encoding="utf-8")


if __name__ == "__main__":
    main()
