"""Generate ``field_activity_demo.yaml``: a year of field activity for 贵研催化 (company ``guiyan``), deterministic.

    python3 addons/field_activity/demo/generate.py

From masterdata's demo customers and salespeople:

* a known location for every customer (its city's centre plus a few hundred metres, deterministic);
* each salesperson's weekly fixed route: Monday to Friday, three of their customers a day;
* visits from 2025-12-01 to 2026-11-30 on working days (0-2 a day, more since September, mostly of the day's route
  customers), checked in near the customer, about one in twelve flagged (farther than the
  500 m radius), a few without position;
* daily sales reports for November 2026 (most on time, some late, a few missing);
* the rolling forecast of December 2026 - February 2027 for each salesperson's main customers;
* visits carry their check-out (time per visit) and the territory of the customer on the visit's day
  (territories' demo assignments);
* weekly action plans of November 2026 (confirmed through the kernel approvals: ``core_approval``
  rows), next week's submitted, the monthly sales and action plans of November (confirmed) and
  December (submitted) with their sales targets;
* monthly work summaries of October and November, a market inspection report per salesperson,
  competitor records from the visits that saw a competitor (since September 2026).

Kept to a few thousand records so the demo loads in seconds. kmtrade gets only the company set-up.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
MASTER = HERE.parent.parent / "masterdata" / "demo"
TERRITORIES = HERE.parent.parent / "territories" / "demo" / "territories.yaml"
OUT = HERE / "field_activity_demo.yaml"
COMPANY = "company:guiyan"
START, END = dt.date(2025, 12, 1), dt.date(2026, 11, 30)
TZ = dt.timezone(dt.timedelta(hours=8))
CITY = {
    "昆明市": (25.0389, 102.7183), "上海市": (31.2304, 121.4737), "太原市": (37.8706, 112.5489),
    "成都市": (30.5728, 104.0668), "北京市": (39.9042, 116.4074), "长春市": (43.8171, 125.3235),
    "保定市": (38.8740, 115.4646), "重庆市": (29.5630, 106.5516), "十堰市": (32.6292, 110.7980),
    "长沙市": (28.2282, 112.9388), "天津市": (39.3434, 117.3616), "宁波市": (29.8683, 121.5440),
    "深圳市": (22.5431, 114.0579), "石家庄市": (38.0428, 114.5149), "南宁市": (22.8170, 108.3665),
    "佛山市": (23.0215, 113.1214), "南京市": (32.0603, 118.7969), "柳州市": (24.3255, 109.4155),
    "杭州市": (30.2741, 120.1551), "大连市": (38.9140, 121.6147), "厦门市": (24.4798, 118.0894),
    "青岛市": (36.0671, 120.3826), "潍坊市": (36.7069, 119.1618), "广州市": (23.1291, 113.2644),
    "福州市": (26.0745, 119.2965), "沈阳市": (41.8057, 123.4315), "合肥市": (31.8206, 117.2272),
    "芜湖市": (31.3526, 118.4331), "苏州市": (31.2989, 120.5853), "武汉市": (30.5928, 114.3055),
    "济南市": (36.6512, 117.1201), "无锡市": (31.4912, 120.3119),
}
NEXT_STEPS = ["送样", "报价跟进", "技术交流", "安排试验", "催收回款", "约见采购经理", "确认订单", "回访使用情况"]
NEEDS = ["需要降低贵金属用量", "关注国六排放方案", "希望缩短交期", "比较三家供应商价格", "计划明年扩产"]
COMPETITORS = ["庄信万丰报价偏低", "巴斯夫在推新配方", "优美科送样中", "本地厂商价格低10%"]
RIVALS = {"庄信万丰报价偏低": ("庄信万丰", "三元催化剂", "价格低约5%", "交期长"),
          "巴斯夫在推新配方": ("巴斯夫", "新配方催化剂", "配方新、品牌强", "价格高"),
          "优美科送样中": ("优美科", "样品", "服务积极", "未经验证"),
          "本地厂商价格低10%": ("本地厂商", "普通催化剂", "价格低10%", "稳定性差")}
AREAS = ["滇中片区", "华东片区", "西南片区", "华北片区", "华南片区"]
PROBLEMS = ["客户反映价格偏高", "样品交期紧", "回款推迟", "竞争对手降价", ""]


def _load(name: str) -> list[dict]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load((MASTER / name).read_text(encoding="utf-8"), Loader=loader)["records"]  # noqa: S506 - a safe loader


def _offset(rng: random.Random, lat: float, lng: float, metres: float) -> tuple[float, float]:
    angle = rng.uniform(0, 2 * math.pi)
    dlat = metres * math.cos(angle) / 111_320
    dlng = metres * math.sin(angle) / (111_320 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lng + dlng, 6)


def _assignments() -> dict[str, list[tuple[dt.date, dt.date | None, str]]]:
    """territories' demo assignments: customer id -> [(from, to, territory id)]."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    doc = yaml.load(TERRITORIES.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader
    out: dict[str, list[tuple[dt.date, dt.date | None, str]]] = {}
    for r in doc["records"]:
        if r["model"] == "territories_customer":
            v = r["values"]
            out.setdefault(v["customer_id"].removeprefix("ref:masterdata."), []).append(
                (v["date_from"], v.get("date_to"), v["territory_id"].removeprefix("ref:")))
    return out


def territory_on(assignments: dict, customer: str, day: dt.date) -> str | None:
    """The ref of the customer's territory on ``day`` (territories' demo), or None."""
    for start, end, territory in sorted(assignments.get(customer, []), reverse=True):
        if start <= day and (end is None or day < end):
            return f"ref:territories.{territory}"
    return None


def generate() -> dict:
    """The demo records, in load order."""
    rng = random.Random(15)
    assignments = _assignments()
    customers = [r for r in _load("customers.yaml")
                 if r["model"] == "masterdata_customer" and r["values"]["company_id"] == COMPANY]
    people = [r for r in _load("employees.yaml") if r["model"] == "masterdata_employee"
              and r["values"]["company_id"] == COMPANY and r["values"].get("position") == "salesperson"]
    products = [r["id"] for r in _load("products.yaml") if r["model"] == "masterdata_product"]
    records: list[dict] = []
    where: dict[str, tuple[float, float]] = {}
    for c in customers:
        base = CITY.get(c["values"].get("city") or "", CITY["昆明市"])
        where[c["id"]] = _offset(rng, *base, rng.uniform(500, 8000))
        records.append({"model": "field_activity_customer_location", "id": f"location_{c['id']}", "values": {
            "company_id": COMPANY, "customer_id": f"ref:masterdata.{c['id']}",
            "latitude": where[c["id"]][0], "longitude": where[c["id"]][1]}})
    by_owner: dict[str, list[str]] = {}
    for c in customers:
        owner = (c["values"].get("owner_id") or "").removeprefix("ref:")
        by_owner.setdefault(owner, []).append(c["id"])
    for p in people:
        pid, mine = p["id"], by_owner.get(p["id"], [])
        if not mine:
            continue
        sp = f"ref:masterdata.{pid}"
        routes = {d: mine[(d * 3) % len(mine):(d * 3) % len(mine) + 3] or mine[:3] for d in range(5)}
        for d, stops in routes.items():
            for seq, cid in enumerate(stops, start=1):
                records.append({"model": "field_activity_route_stop", "id": f"route_{pid}_{d}_{seq}", "values": {
                    "company_id": COMPANY, "salesperson_id": sp, "weekday": d, "sequence": seq * 10,
                    "customer_id": f"ref:masterdata.{cid}"}})
        day, n, seen = START, 0, []
        while day <= END:
            if day.weekday() < 5:
                count = rng.choice([0, 0, 1, 1, 1, 2]) if day >= dt.date(2026, 9, 1) else rng.choice([0, 0, 0, 1, 1])
                for k in range(count):
                    cid = routes[day.weekday()][k] if k < len(routes[day.weekday()]) and rng.random() < 0.8 \
                        else rng.choice(mine)
                    n += 1
                    at = dt.datetime.combine(day, dt.time(9 + 2 * k, rng.randrange(0, 60)), tzinfo=TZ)
                    roll = rng.random()
                    minutes = rng.randrange(20, 95)
                    values = {"company_id": COMPANY, "salesperson_id": sp, "customer_id": f"ref:masterdata.{cid}",
                              "visit_date": day, "checkin_at": at.astimezone(dt.UTC),
                              "checkout_at": (at + dt.timedelta(minutes=minutes)).astimezone(dt.UTC),
                              "duration_min": minutes, "next_step": rng.choice(NEXT_STEPS)}
                    stamp = territory_on(assignments, cid, day)
                    if stamp:
                        values["territory_id"] = stamp
                    if roll < 0.04:
                        values["no_position"] = True
                    else:
                        metres = rng.uniform(900, 6000) if roll < 0.12 else rng.uniform(10, 350)
                        lat, lng = _offset(rng, *where[cid], metres)
                        values.update(latitude=lat, longitude=lng, distance_m=round(metres))
                        if metres > 500:
                            values["flagged"] = True
                    if rng.random() < 0.3:
                        values["needs"] = rng.choice(NEEDS)
                    if rng.random() < 0.2:
                        values["competitor"] = rng.choice(COMPETITORS)
                        seen.append((f"visit_{pid}_{n + 0:04d}", cid, day, values["competitor"], stamp))
                    if rng.random() < 0.15:
                        values["order_amount"] = f"{rng.randrange(20, 400) * 1000}.00"
                    records.append({"model": "field_activity_visit", "id": f"visit_{pid}_{n:04d}", "values": values})
                if day >= dt.date(2026, 11, 1) and rng.random() < 0.92:
                    late = rng.random() < 0.15
                    sub = dt.datetime.combine(day, dt.time(21 if late else 18, rng.randrange(0, 60)), tzinfo=TZ)
                    records.append({"model": "field_activity_daily_report", "id": f"report_{pid}_{day:%Y%m%d}",
                                    "values": {"company_id": COMPANY, "salesperson_id": sp, "report_date": day,
                                               "state": "submitted", "submitted_at": sub.astimezone(dt.UTC),
                                               "on_time": not late, "visits_count": count,
                                               "collections_amount": f"{rng.randrange(0, 50) * 1000}.00",
                                               "expenses_amount": f"{rng.randrange(20, 400)}.00",
                                               "problems": rng.choice(PROBLEMS) or None}})
            day += dt.timedelta(days=1)
        records += _plans_and_documents(rng, p, routes, mine, seen)
        for cid in mine[:4]:
            for month in (dt.date(2026, 12, 1), dt.date(2027, 1, 1), dt.date(2027, 2, 1)):
                product = products[hash_index(cid, len(products))]
                qty = rng.randrange(50, 500)
                records.append({"model": "field_activity_forecast", "id": f"forecast_{pid}_{cid}_{month:%Y%m}",
                                "values": {"company_id": COMPANY, "salesperson_id": sp,
                                           "customer_id": f"ref:masterdata.{cid}",
                                           "product_id": f"ref:masterdata.{product}", "month": month,
                                           "quantity": f"{qty}.000", "amount": f"{qty * rng.randrange(300, 900)}.00",
                                           "submitted_at": dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)}})
    return {"records": records}


def _plans_and_documents(rng: random.Random, person: dict, routes: dict, mine: list[str], seen: list) -> list[dict]:
    """Weekly plans of November 2026 and next week's, monthly plans of November and December (with
    their kernel approval rows), monthly work summaries, a market inspection, competitor records."""
    pid, sp = person["id"], f"ref:masterdata.{person['id']}"
    user = person["values"].get("user_id")
    user = f"ref:masterdata.{user.removeprefix('ref:')}" if user else None
    out: list[dict] = []

    def plan(key: str, kind: str, start: dt.date, state: str, lines: list[tuple[str, dt.date, bool]],
             target: str | None = None, comment: str | None = None) -> None:
        values = {"company_id": COMPANY, "salesperson_id": sp, "kind": kind, "period_start": start, "state": state}
        if target:
            values["sales_target"] = target
        if comment:
            values["manager_comment"] = comment
        out.append({"model": "field_activity_plan", "id": key, "values": values})
        for i, (cid, day, is_key) in enumerate(lines, start=1):
            out.append({"model": "field_activity_plan_line", "id": f"{key}_{i:02d}", "values": {
                "company_id": COMPANY, "plan_id": f"ref:{key}", "salesperson_id": sp,
                "customer_id": f"ref:masterdata.{cid}", "planned_on": day, "key": is_key}})
        if user:
            out.append({"model": "core_approval", "id": f"approval_{key}", "values": {
                "company_id": COMPANY, "workflow": "field_activity.plan", "model": "field_activity_plan",
                "res_id": f"ref:{key}", "state": state, "requested_by_id": user}})

    weeks = [dt.date(2026, 11, 2) + dt.timedelta(days=7 * i) for i in range(5)]  # the last is the week of 30 Nov
    for i, monday in enumerate(weeks):
        lines = [(cid, monday + dt.timedelta(days=d), seq == 0 and d in (1, 3))
                 for d, stops in routes.items() for seq, cid in enumerate(stops)]
        plan(f"plan_{pid}_w{monday:%m%d}", "week", monday, "submitted" if i == len(weeks) - 1 else "confirmed",
             lines, comment=None if i == len(weeks) - 1 else rng.choice(["同意", "重点跟进送样客户", "注意回款"]))
    for month, state in ((dt.date(2026, 11, 1), "confirmed"), (dt.date(2026, 12, 1), "submitted")):
        days = [month + dt.timedelta(days=k) for k in range(30) if (month + dt.timedelta(days=k)).weekday() < 5]
        lines = [(cid, days[(k * 5) % len(days)], k < 2) for k, cid in enumerate(mine[:8])]
        plan(f"plan_{pid}_m{month:%Y%m}", "month", month, state, lines,
             target=f"{rng.randrange(30, 120) * 10000}.00", comment="同意" if state == "confirmed" else None)
    for month in (dt.date(2026, 10, 1), dt.date(2026, 11, 1)):
        out.append({"model": "field_activity_month_summary", "id": f"summary_{pid}_{month:%Y%m}", "values": {
            "company_id": COMPANY, "salesperson_id": sp, "month": month, "state": "submitted",
            "submitted_at": dt.datetime.combine(month.replace(day=28), dt.time(10), tzinfo=dt.UTC),
            "summary": rng.choice(["完成重点客户拜访，送样两次", "新开发客户一家，回款正常", "配合技术支持完成试验"]),
            "problems": rng.choice(PROBLEMS) or None,
            "next_key_points": rng.choice(["跟进国六配套项目", "催收逾期货款", "重点拜访A类客户", "推进样品验证"])}})
    out.append({"model": "field_activity_market_inspection", "id": f"inspection_{pid}", "values": {
        "company_id": COMPANY, "salesperson_id": sp, "date_from": dt.date(2026, 11, 16),
        "date_to": dt.date(2026, 11, 18), "area": rng.choice(AREAS),
        "market_situation": rng.choice(["需求平稳", "主机厂排产增加", "后市场需求下降"]),
        "competitor_activity": rng.choice(COMPETITORS), "suggestions": rng.choice(["加强技术服务", "适当让价保份额", "加快样品交期"])}})
    for key, cid, day, text, stamp in seen:
        if day < dt.date(2026, 9, 1):
            continue
        rival, product, strong, weak = RIVALS[text]
        values = {"company_id": COMPANY, "salesperson_id": sp, "record_date": day, "customer_id": f"ref:masterdata.{cid}",
                  "visit_id": f"ref:{key}", "competitor": rival, "competitor_product": product,
                  "competitor_price": f"{rng.randrange(80, 120) * 10}.00", "our_price": "1000.00",
                  "market_share": f"{rng.randrange(5, 40)}.00", "strengths": strong, "weaknesses": weak,
                  "countermeasures": rng.choice(["技术交流", "小幅让价", "缩短交期"])}
        if stamp:
            values["territory_id"] = stamp
        out.append({"model": "field_activity_competitor", "id": f"competitor_{key}", "values": values})
    return out


def hash_index(text: str, n: int) -> int:
    """A stable index from a text (Python's ``hash`` changes between runs)."""
    return sum(ord(ch) for ch in text) % n


if __name__ == "__main__":
    data = generate()
    header = ("# field_activity demo data for 贵研催化 (company guiyan).\n"
              "# Generated by addons/field_activity/demo/generate.py: do not edit by hand.\n")
    OUT.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")
    print(f"{OUT}: {len(data['records'])} records")
