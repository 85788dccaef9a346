"""Generate the demo data of masterdata and territories (deterministic: same output every run).

Run ``python -m addons.masterdata.demo.generate`` after changing it; it rewrites
``addons/masterdata/demo/*.yaml`` and ``addons/territories/demo/*.yaml``. Demo
records belong to company ``guiyan`` (贵研催化, the seed company of DOMAIN.md):
a director, three territory managers (华北/华东/华南), nine salespeople, back
office users (password ``tixi-demo-1``), catalyst product lines and varieties,
300 customers with contacts, territories with their provinces. Company ``kmtrade``
(昆明贵金属贸易) gets one user per role it uses, loaded only where it exists.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import yaml

from addons.masterdata.validation import CREDIT_CODE_CHARS, make_credit_code

HERE = Path(__file__).resolve().parent
TERR_DEMO = HERE.parent.parent / "territories" / "demo"
COMPANY = "company:guiyan"
PASSWORD = "tixi-demo-1"
N_CUSTOMERS = 300

# login: (zh name, en name, position, group, manager login)
PEOPLE: dict[str, tuple[str, str, str, str, str | None]] = {
    "liu_director": ("刘建国", "Liu Jianguo", "director", "core.group_director", None),
    "zhao_north": ("赵北辰", "Zhao Beichen", "territory_manager", "core.group_territory_manager", "liu_director"),
    "zhang_east": ("张东海", "Zhang Donghai", "territory_manager", "core.group_territory_manager", "liu_director"),
    "chen_south": ("陈南方", "Chen Nanfang", "territory_manager", "core.group_territory_manager", "liu_director"),
    "sun_li": ("孙丽", "Sun Li", "salesperson", "core.group_salesperson", "zhao_north"),
    "ma_chao": ("马超", "Ma Chao", "salesperson", "core.group_salesperson", "zhao_north"),
    "gao_yang": ("高阳", "Gao Yang", "salesperson", "core.group_salesperson", "zhao_north"),
    "wangwei": ("王伟", "Wang Wei", "salesperson", "core.group_salesperson", "zhang_east"),
    "li_na": ("李娜", "Li Na", "salesperson", "core.group_salesperson", "zhang_east"),
    "zhou_jie": ("周杰", "Zhou Jie", "salesperson", "core.group_salesperson", "zhang_east"),
    "huang_lei": ("黄磊", "Huang Lei", "salesperson", "core.group_salesperson", "chen_south"),
    "lin_fang": ("林芳", "Lin Fang", "salesperson", "core.group_salesperson", "chen_south"),
    "wu_di": ("吴迪", "Wu Di", "salesperson", "core.group_salesperson", "chen_south"),
    "zhou_ops": ("周敏", "Zhou Min", "marketing_admin", "core.group_marketing_admin", "liu_director"),
    "he_tech": ("何工", "He Gong", "tech_support", "core.group_tech_support", "liu_director"),
    "xu_assist": ("徐静", "Xu Jing", "sales_assistant", "core.group_sales_assistant", "liu_director"),
    "qian_finance": ("钱会计", "Qian Kuaiji", "finance", "core.group_finance", None),
    "yang_gm": ("杨总", "Yang Zong", "general_manager", "core.group_general_manager", None),
}

# 昆明贵金属贸易 (kmtrade: masterdata and crm_cards, no territories): one user per role it uses.
# Loaded only where the company exists (``requires_company``). login: as PEOPLE
KM_COMPANY = "kmtrade"
KM_PEOPLE: dict[str, tuple[str, str, str, str, str | None]] = {
    "km_gm": ("郑总", "Zheng Zong", "general_manager", "core.group_general_manager", None),
    "km_director": ("杨振华", "Yang Zhenhua", "director", "core.group_director", None),
    "km_sales": ("李明", "Li Ming", "salesperson", "core.group_salesperson", "km_director"),
    "km_ops": ("吴敏", "Wu Min", "marketing_admin", "core.group_marketing_admin", "km_director"),
    "km_assist": ("赵晓", "Zhao Xiao", "sales_assistant", "core.group_sales_assistant", "km_director"),
    "km_finance": ("孙静", "Sun Jing", "finance", "core.group_finance", None),
}

# region code: (zh, en, manager, {province zh: (province en, division code, salesperson)})
REGIONS: dict[str, tuple[str, str, str, dict[str, tuple[str, str, str]]]] = {
    "N": ("华北", "North China", "zhao_north", {
        "北京": ("Beijing", "110000", "sun_li"), "天津": ("Tianjin", "120000", "sun_li"),
        "河北": ("Hebei", "130000", "ma_chao"), "山西": ("Shanxi", "140000", "ma_chao"),
        "山东": ("Shandong", "370000", "gao_yang"), "辽宁": ("Liaoning", "210000", "gao_yang"),
        "吉林": ("Jilin", "220000", "gao_yang"),
    }),
    "E": ("华东", "East China", "zhang_east", {
        "上海": ("Shanghai", "310000", "wangwei"), "江苏": ("Jiangsu", "320000", "li_na"),
        "浙江": ("Zhejiang", "330000", "zhou_jie"), "安徽": ("Anhui", "340000", "li_na"),
        "福建": ("Fujian", "350000", "zhou_jie"),
    }),
    "S": ("华南", "South China", "chen_south", {
        "广东": ("Guangdong", "440000", "huang_lei"), "广西": ("Guangxi", "450000", "lin_fang"),
        "湖北": ("Hubei", "420000", "wu_di"), "湖南": ("Hunan", "430000", "lin_fang"),
        "重庆": ("Chongqing", "500000", "wu_di"), "四川": ("Sichuan", "510000", "wu_di"),
        "云南": ("Yunnan", "530000", "huang_lei"),
    }),
}
CITIES = {
    "北京": [("北京市", "Beijing")], "天津": [("天津市", "Tianjin")],
    "河北": [("石家庄市", "Shijiazhuang"), ("保定市", "Baoding")], "山西": [("太原市", "Taiyuan")],
    "山东": [("济南市", "Jinan"), ("青岛市", "Qingdao"), ("潍坊市", "Weifang")],
    "辽宁": [("沈阳市", "Shenyang"), ("大连市", "Dalian")], "吉林": [("长春市", "Changchun")],
    "上海": [("上海市", "Shanghai")], "江苏": [("南京市", "Nanjing"), ("苏州市", "Suzhou"), ("无锡市", "Wuxi")],
    "浙江": [("杭州市", "Hangzhou"), ("宁波市", "Ningbo")], "安徽": [("合肥市", "Hefei"), ("芜湖市", "Wuhu")],
    "福建": [("厦门市", "Xiamen"), ("福州市", "Fuzhou")],
    "广东": [("广州市", "Guangzhou"), ("深圳市", "Shenzhen"), ("佛山市", "Foshan")],
    "广西": [("柳州市", "Liuzhou"), ("南宁市", "Nanning")], "湖北": [("武汉市", "Wuhan"), ("十堰市", "Shiyan")],
    "湖南": [("长沙市", "Changsha")], "重庆": [("重庆市", "Chongqing")], "四川": [("成都市", "Chengdu")],
    "云南": [("昆明市", "Kunming")],
}
BRANDS = [("华", "Hua"), ("中", "Zhong"), ("东", "Dong"), ("恒", "Heng"), ("宏", "Hong"), ("瑞", "Rui"), ("金", "Jin"),
          ("鑫", "Xin"), ("安", "An"), ("长", "Chang"), ("远", "Yuan"), ("通", "Tong"), ("德", "De"), ("泰", "Tai"),
          ("丰", "Feng"), ("盛", "Sheng"), ("达", "Da"), ("新", "Xin"), ("福", "Fu"), ("润", "Run")]
BRANDS2 = [("汽", "qi"), ("动", "dong"), ("力", "li"), ("源", "yuan"), ("驰", "chi"), ("凯", "kai"), ("能", "neng"),
           ("科", "ke"), ("威", "wei"), ("迅", "xun"), ("骏", "jun"), ("菱", "ling")]
TRADES = [
    ("汽车制造有限公司", "Automobile Manufacturing Co., Ltd.", "整车制造"),
    ("动力机械股份有限公司", "Power Machinery Co., Ltd.", "发动机制造"),
    ("发动机有限公司", "Engine Co., Ltd.", "发动机制造"),
    ("摩托车有限公司", "Motorcycle Co., Ltd.", "摩托车制造"),
    ("汽车零部件有限公司", "Auto Parts Co., Ltd.", "汽车零部件"),
    ("排气系统有限公司", "Exhaust Systems Co., Ltd.", "排气系统"),
    ("环保科技有限公司", "Environmental Technology Co., Ltd.", "环保设备"),
    ("化工有限公司", "Chemical Co., Ltd.", "化工"),
    ("贸易有限公司", "Trading Co., Ltd.", "贸易"),
    ("通用机械有限公司", "General Machinery Co., Ltd.", "通用机械"),
]
SURNAMES = [("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"), ("赵", "Zhao"),
            ("黄", "Huang"), ("周", "Zhou"), ("吴", "Wu"), ("徐", "Xu"), ("孙", "Sun"), ("胡", "Hu"), ("朱", "Zhu")]
GIVEN = ["伟", "芳", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "华", "平", "刚", "磊", "敏", "静"]
TITLES = {
    "decision_maker": ["总经理", "副总经理", "采购总监"],
    "technical": ["技术部经理", "研发工程师", "质量部长"],
    "purchasing": ["采购经理", "采购专员"],
    "finance": ["财务经理", "会计"],
}
LINES = [
    ("TWC", "汽油车三元催化剂", "Three-way catalysts (gasoline)"),
    ("DOC", "柴油车氧化催化剂", "Diesel oxidation catalysts"),
    ("SCR", "选择性催化还原催化剂", "SCR catalysts"),
    ("PF", "颗粒捕集器", "Particulate filters (DPF/GPF)"),
    ("MC", "摩托车催化剂", "Motorcycle catalysts"),
    ("IND", "工业催化剂", "Industrial catalysts"),
]
PRODUCTS = [
    ("TWC-CC-101", "TWC", "国六紧耦合三元催化剂 CC-101", "China 6 close-coupled TWC CC-101", "件", "Φ118×100 600目"),
    ("TWC-UF-201", "TWC", "国六底盘三元催化剂 UF-201", "China 6 underfloor TWC UF-201", "件", "Φ132×114 400目"),
    ("TWC-HY-301", "TWC", "混动专用三元催化剂 HY-301", "Hybrid TWC HY-301", "件", "Φ105×90 750目"),
    ("DOC-D-110", "DOC", "重型柴油机DOC D-110", "Heavy-duty DOC D-110", "件", "Φ267×102"),
    ("DOC-L-120", "DOC", "轻型柴油机DOC L-120", "Light-duty DOC L-120", "件", "Φ190×76"),
    ("SCR-V-210", "SCR", "钒基SCR催化剂 V-210", "Vanadium SCR V-210", "件", "Φ267×152"),
    ("SCR-CU-220", "SCR", "铜分子筛SCR催化剂 CU-220", "Cu-zeolite SCR CU-220", "件", "Φ267×152"),
    ("PF-DPF-310", "PF", "碳化硅DPF DPF-310", "SiC DPF DPF-310", "件", "Φ267×305"),
    ("PF-GPF-320", "PF", "涂覆型GPF GPF-320", "Coated GPF GPF-320", "件", "Φ132×127"),
    ("MC-M-410", "MC", "摩托车金属载体催化剂 M-410", "Motorcycle metallic catalyst M-410", "件", "Φ42×60"),
    ("MC-C-420", "MC", "摩托车陶瓷载体催化剂 C-420", "Motorcycle ceramic catalyst C-420", "件", "Φ50×70"),
    ("IND-VOC-510", "IND", "VOCs催化燃烧催化剂 VOC-510", "VOC combustion catalyst VOC-510", "升", "蜂窝 150×150×50"),
    ("IND-PT-520", "IND", "铂网催化剂 PT-520", "Platinum gauze PT-520", "千克", "Pt-Rh 90/10"),
    ("IND-PD-530", "IND", "钯炭催化剂 PD-530", "Palladium on carbon PD-530", "千克", "5% Pd/C"),
]


def _dump(path: Path, doc: dict[str, Any], comment: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=200)
    path.write_text(f"# {comment}\n# Generated by addons/masterdata/demo/generate.py: do not edit by hand.\n{text}", encoding="utf-8")


def employees() -> dict[str, Any]:
    """Users (password tixi-demo-1) and employees with the reporting line, guiyan then kmtrade."""
    records: list[dict[str, Any]] = []
    for company, people, prefix in ((COMPANY, PEOPLE, "E"), (f"company:{KM_COMPANY}", KM_PEOPLE, "K")):
        only = {} if company == COMPANY else {"requires_company": KM_COMPANY}
        for n, (login, (zh, en, pos, group, mgr)) in enumerate(people.items(), start=1):
            records.append({
                "model": "core_user", "id": f"user_{login}", **only,
                "values": {"login": login, "name": zh, "lang": "zh_CN", "password": PASSWORD,
                           "company_id": company, "companies": [company], "groups": [f"ref:{group}"]},
            })
            values: dict[str, Any] = {"company_id": company, "code": f"{prefix}{n:03d}", "name_zh": zh,
                                      "name_en": en, "position": pos, "user_id": f"ref:user_{login}",
                                      "date_joined": dt.date(2020, 3, 1)}
            if mgr:
                values["manager_id"] = f"ref:employee_{mgr}"
            records.append({"model": "masterdata_employee", "id": f"employee_{login}", **only, "values": values})
    return {"records": records}


def products() -> dict[str, Any]:
    """Catalyst product lines and varieties."""
    records: list[dict[str, Any]] = []
    for code, zh, en in LINES:
        records.append({"model": "masterdata_product_line", "id": f"line_{code.lower()}",
                        "values": {"company_id": COMPANY, "code": code, "name_zh": zh, "name_en": en}})
    for code, line, zh, en, unit, spec in PRODUCTS:
        records.append({"model": "masterdata_product", "id": "product_" + code.lower().replace("-", "_"),
                        "values": {"company_id": COMPANY, "code": code, "name_zh": zh, "name_en": en,
                                   "line_id": f"ref:line_{line.lower()}", "unit": unit, "spec": spec}})
    return {"records": records}


def customer_rows(n: int = N_CUSTOMERS, seed: int = 42) -> list[dict[str, Any]]:
    """The demo customers as plain dicts (also used to build an import file for tests)."""
    rng = random.Random(seed)
    provinces = [(prov, info, code) for code, (_, _, _, provs) in REGIONS.items() for prov, info in provs.items()]
    used: set[str] = set()
    out = []
    statuses = ["active"] * 6 + ["prospect"] * 3 + ["dormant", "lost"]
    while len(out) < n:
        prov, (prov_en, division, sales), region = rng.choice(provinces)
        city, city_en = rng.choice(CITIES[prov])
        b1, b2 = rng.choice(BRANDS), rng.choice(BRANDS2)
        trade_zh, trade_en, industry = rng.choice(TRADES)
        short = city.removesuffix("市")
        name = f"{short}{b1[0]}{b2[0]}{trade_zh}"
        if name in used:
            continue
        used.add(name)
        body = "91" + division + "".join(rng.choice(CREDIT_CODE_CHARS) for _ in range(9))
        size = rng.choice(["small", "medium", "medium", "large"])
        limit = rng.choice([0, 50000, 100000, 200000, 500000, 1000000, 3000000])
        out.append({
            "code": f"C{len(out) + 1:05d}", "name_zh": name, "name_en": f"{city_en} {b1[1]}{b2[1]} {trade_en}",
            "credit_code": make_credit_code(body), "industry": industry, "province": prov, "city": city,
            "address": f"{city}{rng.choice(['经济技术开发区', '高新区', '工业园区'])}{rng.randint(1, 299)}号",
            "size": size, "status": rng.choice(statuses), "owner": sales, "region": region,
            "credit_limit": f"{limit}.00", "settlement_method": rng.choice(["monthly", "acceptance", "transfer", "prepayment"]),
            "payment_days": rng.choice([0, 30, 60, 90]),
        })
    return out


def customers(rows: list[dict[str, Any]], seed: int = 7) -> dict[str, Any]:
    """Customer and contact records."""
    rng = random.Random(seed)
    records: list[dict[str, Any]] = []
    for i, row in enumerate(rows, start=1):
        xid = f"customer_{i:04d}"
        values = {k: v for k, v in row.items() if k not in ("owner", "region")}
        values.update({"company_id": COMPANY, "owner_id": f"ref:employee_{row['owner']}"})
        records.append({"model": "masterdata_customer", "id": xid, "values": values})
        roles = ["decision_maker", "technical"] + rng.sample(["purchasing", "finance"], rng.randint(0, 2))
        for j, role in enumerate(roles[: rng.randint(1, len(roles))], start=1):
            sur = rng.choice(SURNAMES)
            given = rng.choice(GIVEN)
            records.append({"model": "masterdata_contact", "id": f"contact_{i:04d}_{j}", "values": {
                "company_id": COMPANY, "customer_id": f"ref:{xid}", "name": f"{sur[0]}{given}",
                "title": rng.choice(TITLES[role]), "role": role,
                "phone": f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
                "email": f"{sur[1].lower()}{i}{j}@example.com", "wechat": f"wx_{sur[1].lower()}{i}{j}",
            }})
    return {"records": records}


def territories(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The three-territory tree with provinces, mappings, memberships and assignments."""
    records: list[dict[str, Any]] = []
    for seq, (code, (zh, en, mgr, provs)) in enumerate(REGIONS.items(), start=1):
        records.append({"model": "territories_territory", "id": f"territory_{code.lower()}", "values": {
            "company_id": COMPANY, "code": code, "name_zh": zh, "name_en": en, "sequence": seq * 10,
            "manager_id": f"ref:masterdata.employee_{mgr}"}})
        for pseq, (prov, (prov_en, division, _sales)) in enumerate(provs.items(), start=1):
            pid = f"territory_{code.lower()}_{division}"
            records.append({"model": "territories_territory", "id": pid, "values": {
                "company_id": COMPANY, "code": f"{code}-{division[:2]}", "name_zh": prov, "name_en": prov_en,
                "parent_id": f"ref:territory_{code.lower()}", "sequence": pseq * 10}})
            records.append({"model": "territories_province", "id": f"province_{division}", "values": {
                "company_id": COMPANY, "province": prov, "territory_id": f"ref:{pid}"}})
        records.append({"model": "territories_member", "id": f"member_{mgr}", "values": {
            "company_id": COMPANY, "territory_id": f"ref:territory_{code.lower()}",
            "employee_id": f"ref:masterdata.employee_{mgr}", "role": "manager", "date_from": dt.date(2022, 1, 1)}})
    sales_region = {s: code for code, (_, _, _, provs) in REGIONS.items() for _, _, s in provs.values()}
    for login, code in sales_region.items():
        values = {"company_id": COMPANY, "territory_id": f"ref:territory_{code.lower()}",
                  "employee_id": f"ref:masterdata.employee_{login}", "role": "salesperson", "date_from": dt.date(2022, 1, 1)}
        if login == "lin_fang":  # moved from 华东 to 华南: history kept
            records.append({"model": "territories_member", "id": "member_lin_fang_east", "values": {
                **values, "territory_id": "ref:territory_e", "date_to": dt.date(2025, 7, 1)}})
            values["date_from"] = dt.date(2025, 7, 1)
        records.append({"model": "territories_member", "id": f"member_{login}", "values": values})
    prov_node = {prov: f"territory_{code.lower()}_{div}" for code, (_, _, _, provs) in REGIONS.items() for prov, (_, div, _) in provs.items()}
    for i, row in enumerate(rows, start=1):
        records.append({"model": "territories_customer", "id": f"assignment_{i:04d}", "values": {
            "company_id": COMPANY, "customer_id": f"ref:masterdata.customer_{i:04d}",
            "territory_id": f"ref:{prov_node[row['province']]}", "source": "auto", "date_from": dt.date(2024, 1, 1)}})
    return {"records": records}


def main() -> None:
    """Write every demo file."""
    rows = customer_rows()
    _dump(HERE / "employees.yaml", employees(),
          "Demo users and employees of 贵研催化 and 昆明贵金属贸易 (password tixi-demo-1); docs/admin.md lists them.")
    _dump(HERE / "products.yaml", products(), "Demo product lines and varieties (catalysts).")
    _dump(HERE / "customers.yaml", customers(rows), f"{len(rows)} demo customers with contacts.")
    _dump(TERR_DEMO / "territories.yaml", territories(rows), "Demo territories 华北/华东/华南, provinces, people, assignments.")


if __name__ == "__main__":
    main()
