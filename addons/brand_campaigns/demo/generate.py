"""Generate ``brand_campaigns_demo.yaml``: a year of brand and market work of 贵研催化 (deterministic).

Run ``python3 addons/brand_campaigns/demo/generate.py`` after the masterdata or
crm_cards demo changes. What it writes (company ``guiyan``; the brand owner is
周敏, the marketing admin; the director 刘建国 approves):

* the five channels (the same codes as the company set-up seeds, so set-up keeps them);
* the brand value positionings of 2025 and 2026 (approved) and the 2027 draft
  submitted to the management committee (the company set-up gives demo or
  imported records their kernel approval rows: ``services.setup.ensure_approval_rows``);
* the toolkit: one item of each kind, Chinese and English versions published
  (the files are not part of the demo: upload them on the toolkit page), a
  brochure v2 waiting for approval;
* nine promotion plans of 2026 over the channels with their activities: the
  past ones run (actual cost, attendance, reach, leads), December's planned;
  two market research projects and one market activity;
* eight distributors with 2026 agreements, monthly purchases January to
  November and quarterly evaluations; one eliminated after Q3;
* the questionnaire of the November customer seminar: 24 invitations (the
  secrets are thrown away: the demo links do not open) and 17 answers, each
  with the customer's class from the crm_cards demo.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import re
from decimal import Decimal
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
C = "company:guiyan"
OWNER = "ref:masterdata.employee_zhou_ops"
DIRECTOR = "ref:masterdata.employee_liu_director"
PRODUCTS = ["product_twc_cc_101", "product_twc_uf_201", "product_doc_d_110", "product_doc_l_120",
            "product_scr_v_210", "product_mc_m_410", "product_mc_c_420"]


def load(rel: str) -> list[dict]:
    return yaml.safe_load((ROOT / rel).read_text(encoding="utf-8"))["records"]


def rec(model: str, ident: str, **values) -> dict:
    return {"model": model, "id": ident, "values": {"company_id": C, **values}}


def records() -> list[dict]:
    rnd = random.Random(20261203)
    out: list[dict] = []
    channels = yaml.safe_load((HERE.parent / "data" / "channels.yaml").read_text(encoding="utf-8"))["channels"]
    for seq, c in enumerate(channels, start=1):
        out.append(rec("brand_campaigns_channel", f"channel_{c['code']}", code=c["code"], name_zh=c["zh"],
                       name_en=c["en"], sequence=seq * 10))
    # positionings
    pos = [
        (2025, "stable_quality", "approved", "主机厂最看重批次一致性和供货稳定；售后市场看重价格。",
         "巴斯夫、庄信万丰技术领先、品牌认知高；国内同行价格低。", "贵金属全流程（回收—配方—涂覆）掌控，质量稳定。",
         "稳定的质量，让每一批都达标。"),
        (2026, "low_cost_technology", "approved", "国六b和摩托车国四升级：客户要达标且控制贵金属成本。",
         "外资品牌贵金属用量优化强，但价格高、响应慢。", "低贵金属配方与快速标定服务，省钱又达标。",
         "以技术降低排放达标成本。"),
        (2027, "national_brand", "submitted", "自主品牌主机厂出海，需要可信赖的国产配套伙伴。",
         "外资品牌全球配套经验足。", "国内市场份额和国家级技术中心背书。", "值得信赖的民族催化剂品牌。"),
    ]
    for year, prop, state, needs, comp, own, statement in pos:
        ident = f"positioning_{year}"
        out.append(rec("brand_campaigns_positioning", ident, year=year, proposition=prop, state=state,
                       customer_needs=needs, competitor_strengths=comp, own_strengths=own, statement=statement))
    # toolkit
    items = [("statement", "品牌标准说辞", "Standard brand statement"), ("brochure", "国六催化剂产品手册", "China 6 catalyst brochure"),
             ("product_intro", "摩托车催化剂产品介绍", "Motorcycle catalyst introduction"),
             ("customer_case", "宗申摩托国四配套案例", "Zongshen China IV case"),
             ("training", "销售员品牌培训教材", "Brand training for salespeople")]
    for kind, zh, en in items:
        item = f"toolkit_{kind}"
        out.append(rec("brand_campaigns_toolkit_item", item, kind=kind, title_zh=zh, title_en=en))
        for lang in ("zh_CN", "en"):
            v = f"{item}_{lang}_v1"
            out.append(rec("brand_campaigns_toolkit_version", v, item_id=f"ref:{item}", lang=lang, number=1,
                           state="published", current=True, published_at=dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)))
    v2 = "toolkit_brochure_zh_CN_v2"
    out.append(rec("brand_campaigns_toolkit_version", v2, item_id="ref:toolkit_brochure", lang="zh_CN", number=2,
                   note="增加国六b车型配套清单", state="submitted", current=False))
    # plans and activities
    plans = [
        ("trade_media", "《汽车与配件》全年专栏", "2026-01-05", "2026-12-31", 120000, 3000, 40, "4.0"),
        ("academic_conference", "中国内燃机学会排放控制年会", "2026-04-16", "2026-04-18", 80000, 400, 25, "4.2"),
        ("exhibition", "上海国际汽车零部件展", "2026-08-26", "2026-08-29", 260000, 1500, 60, "4.0"),
        ("customer_seminar", "重庆摩托车国四技术研讨会", "2026-11-05", "2026-11-05", 45000, 60, 12, "4.0"),
        ("online", "微信公众号与行业网站推广", "2026-03-01", "2026-12-31", 60000, 20000, 80, "3.8"),
        ("customer_seminar", "华北重卡客户交流会", "2026-06-18", "2026-06-18", 38000, 50, 10, "4.0"),
        ("exhibition", "广州国际摩托车展", "2026-05-22", "2026-05-24", 150000, 900, 35, "3.9"),
        ("academic_conference", "机动车排放控制技术研讨会（北京）", "2026-12-10", "2026-12-11", 50000, 300, 15, "4.2"),
        ("customer_seminar", "华东主机厂2027新品推介会", "2026-12-17", "2026-12-17", 40000, 60, 10, "4.0"),
    ]
    end = dt.date(2026, 11, 30)
    for i, (ch, name, start, stop, budget, reach, leads, score) in enumerate(plans, start=1):
        pid = f"plan_{i:02d}"
        s, e = dt.date.fromisoformat(start), dt.date.fromisoformat(stop)
        state = "done" if e <= end else ("running" if s <= end else "draft")
        out.append(rec("brand_campaigns_plan", pid, name=name, channel_id=f"ref:channel_{ch}",
                       positioning_id="ref:positioning_2026", start_date=start, end_date=stop,
                       key_dates=f"{(s - dt.timedelta(days=30)).isoformat()} 方案确认; {start} 开始",
                       owner_id=OWNER, supervisor_id=DIRECTOR, expected_effect=f"覆盖 {reach} 人，新增线索 {leads} 条",
                       expected_reach=reach, expected_leads=leads, expected_score=score,
                       budget_amount=f"{budget}.00", budget_line_id=None, state=state))
        n = 3 if (e - s).days > 60 else 1
        for k in range(n):
            a_start = s + dt.timedelta(days=k * max(1, (e - s).days // n))
            done = a_start <= end
            share = Decimal(budget) / n
            cost = (share * Decimal(rnd.uniform(0.85, 1.08))).quantize(Decimal("0.01")) if done else None
            out.append(rec("brand_campaigns_activity", f"{pid}_a{k + 1}", kind="promotion", plan_id=f"ref:{pid}",
                           channel_id=f"ref:channel_{ch}", name=name if n == 1 else f"{name}（第{k + 1}期）",
                           start_date=a_start.isoformat(), end_date=(a_start if n > 1 else e).isoformat(),
                           owner_id=OWNER, planned_cost=f"{share.quantize(Decimal('0.01'))}",
                           actual_cost=str(cost) if cost is not None else None,
                           attendance=int(reach / n * rnd.uniform(0.6, 0.9)) if done and ch != "online" else None,
                           reach=int(reach / n * rnd.uniform(0.8, 1.2)) if done else None,
                           leads=int(leads / n * rnd.uniform(0.7, 1.3)) if done else None,
                           state="evaluated" if done else "planned",
                           evaluation="达到预期" if done and rnd.random() < 0.7 else ("低于预期，需调整渠道" if done else None)))
    for ident, kind, name, day, cost, findings in (
            ("research_1", "research", "西南摩托车市场国四升级调研", "2026-02-20", "18000.00", "国四升级集中在重庆、江门，价格敏感"),
            ("research_2", "research", "重卡后处理售后市场调研", "2026-09-10", "22000.00", "售后更换需求上升，渠道分散"),
            ("market_1", "market_activity", "西南经销商年度大会", "2026-03-18", "35000.00", None)):
        out.append(rec("brand_campaigns_activity", ident, kind=kind, channel_id="ref:channel_customer_seminar"
                       if kind == "market_activity" else "ref:channel_online", name=name, start_date=day, end_date=day,
                       owner_id=OWNER, planned_cost=cost, actual_cost=cost, reach=rnd.randint(40, 120),
                       leads=rnd.randint(3, 12), findings=findings, state="evaluated", evaluation="已形成报告"))
    # distributors
    dists = [("JX001", "成都瑞通汽配有限公司", "四川", "成都市"), ("JX002", "重庆渝安汽车配件有限公司", "重庆", "重庆市"),
             ("JX003", "昆明滇润贸易有限公司", "云南", "昆明市"), ("JX004", "贵阳黔通汽配商行", "贵州", "贵阳市"),
             ("JX005", "西安秦川后处理科技有限公司", "陕西", "西安市"), ("JX006", "郑州中原汽配城宏达商行", "河南", "郑州市"),
             ("JX007", "广州粤摩配件有限公司", "广东", "广州市"), ("JX008", "南宁桂安汽车用品有限公司", "广西", "南宁市")]
    quarter_end = {"2026-Q1": "2026-03-31", "2026-Q2": "2026-06-30", "2026-Q3": "2026-09-30"}
    for i, (code, name, prov, city) in enumerate(dists, start=1):
        did = f"distributor_{code.lower()}"
        weak = code == "JX008"
        out.append(rec("brand_campaigns_distributor", did, code=code, name=name, province=prov, city=city,
                       contact_name=rnd.choice(["张", "王", "刘", "陈"]) + rnd.choice(["经理", "总"]),
                       phone=f"139{rnd.randint(10000000, 99999999)}", owner_id=OWNER, since="2024-01-01",
                       state="eliminated" if weak else "active", eliminated_on="2026-10-08" if weak else None))
        target = rnd.choice([800000, 1200000, 1500000, 2000000])
        out.append(rec("brand_campaigns_agreement", f"{did}_agreement_2026", distributor_id=f"ref:{did}",
                       number=f"JXXY-2026-{i:03d}", start_date="2026-01-01", end_date="2026-12-31",
                       area=f"{prov}省售后市场" if prov not in ("重庆",) else "重庆市售后市场",
                       target_amount=f"{target}.00", terms="按季度结算，年度返利 2%"))
        last_month = 9 if weak else 11
        for month in range(1, last_month + 1):
            for n in range(rnd.randint(1, 2)):
                prod = rnd.choice(PRODUCTS)
                qty = Decimal(rnd.randint(5, 60))
                price = Decimal(rnd.choice([1800, 2400, 3200, 4500]))
                amount = qty * price * (Decimal("0.5") if weak else Decimal(1))
                out.append(rec("brand_campaigns_purchase", f"{did}_p{month:02d}_{n}", distributor_id=f"ref:{did}",
                               product_id=f"ref:masterdata.{prod}",
                               purchase_date=dt.date(2026, month, rnd.randint(3, 26)).isoformat(),
                               quantity=f"{qty}.000", amount=f"{amount:.2f}"))
        for period, on in quarter_end.items():
            base = 52 if weak else rnd.randint(68, 92)
            scores = [min(100, max(0, base + rnd.randint(-8, 8))) for _ in range(4)]
            total = (Decimal(scores[0]) * Decimal("0.4") + Decimal(scores[1]) * Decimal("0.3")
                     + Decimal(scores[2]) * Decimal("0.2") + Decimal(scores[3]) * Decimal("0.1")).quantize(Decimal("0.01"))
            decision = "eliminate" if total < 60 and period == "2026-Q3" else ("warn" if total < 75 else "keep")
            out.append(rec("brand_campaigns_evaluation", f"{did}_{period.lower().replace('-', '_')}",
                           distributor_id=f"ref:{did}", period=period, evaluated_on=on, sales_score=scores[0],
                           payment_score=scores[1], market_score=scores[2], service_score=scores[3],
                           total_score=str(total), decision=decision,
                           comment="进货下滑、回款拖延，决定淘汰" if decision == "eliminate" else None))
    # the questionnaire of the November seminar
    customers = [r for r in load("addons/masterdata/demo/customers.yaml") if r["model"] == "masterdata_customer"]
    contacts = {}
    for r in load("addons/masterdata/demo/customers.yaml"):
        if r["model"] == "masterdata_contact":
            contacts.setdefault(r["values"]["customer_id"].replace("ref:", ""), r["id"])
    classes = {r["values"]["customer_id"].replace("ref:masterdata.", ""): r["values"].get("class_code")
               for r in load("addons/crm_cards/demo/crm_demo.yaml") if r["model"] == "crm_cards_profile"}
    out.append(rec("brand_campaigns_survey", "survey_seminar_2026", name="重庆摩托车国四技术研讨会效果问卷",
                   plan_id="ref:plan_04", closes_on="2026-12-20", state="open"))
    invited = [c for c in customers if c["values"]["status"] == "active" and c["id"] in contacts][:24]
    for i, c in enumerate(invited):
        tid = f"survey_seminar_2026_t{i + 1:02d}"
        answered = i < 17
        at = dt.datetime(2026, 11, 6 + i % 10, 2 + i % 8, 0, tzinfo=dt.UTC)
        out.append(rec("brand_campaigns_survey_token", tid, survey_id="ref:survey_seminar_2026",
                       customer_id=f"ref:masterdata.{c['id']}", contact_id=f"ref:masterdata.{contacts[c['id']]}",
                       token_hash=hashlib.sha256(f"demo-{tid}-{rnd.random()}".encode()).hexdigest(),
                       expires_at=dt.datetime(2026, 12, 21, tzinfo=dt.UTC), used_at=at if answered else None))
        if answered:
            cls = classes.get(c["id"])
            lift = {"A": 1, "B": 0, "C": 0, "D": -1}.get(cls or "", 0)
            out.append(rec("brand_campaigns_answer", f"{tid}_answer", survey_id="ref:survey_seminar_2026",
                           token_id=f"ref:{tid}", customer_id=f"ref:masterdata.{c['id']}", customer_class=cls,
                           awareness=min(5, max(1, 3 + lift + rnd.randint(0, 1))),
                           acceptance=min(5, max(1, 3 + lift + rnd.randint(0, 2))),
                           recommend=min(5, max(1, 3 + lift + rnd.randint(-1, 1))),
                           comment=rnd.choice([None, "技术交流很有帮助", "希望提供更多标定数据", "价格还可以更有竞争力"]),
                           answered_at=at))
    iso = re.compile(r"^\d{4}-\d{2}-\d{2}$")
    for r in out:
        r["values"] = {k: (dt.date.fromisoformat(v) if isinstance(v, str) and iso.match(v) else v)
                       for k, v in r["values"].items() if v is not None}
    return out


def main() -> None:
    path = HERE / "brand_campaigns_demo.yaml"
    header = ("# Demo brand and market work of 贵研催化 (positioning, toolkit, plans, distributors, questionnaire).\n"
              "# Generated by addons/brand_campaigns/demo/generate.py: do not edit by hand.\n")
    body = yaml.safe_dump({"records": records()}, allow_unicode=True, sort_keys=False, width=200)
    path.write_text(header + body, encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
