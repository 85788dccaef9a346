"""The scale-data generator (``tixi bench generate --tier S|M|L``).

Deterministic (one seeded ``random.Random``; the calendar ends at a fixed
month, ``DEFAULT_END``), bulk inserts only: SQLAlchemy Core ``insert()`` with
lists of dicts on SQLite, ``COPY ... FROM STDIN`` on PostgreSQL, ids assigned
by the generator (sequences are moved past them at the end), indexes of the
big bench table built after the load, then ``ANALYZE``.

What one tier holds (main company ``bench_a``; ``bench_b`` and ``bench_c``
each get ``tier.extra`` (10 %) of it, so the company filter always has
something to filter):

* 3 companies with every addon found in the project installed and enabled
  (or those given with ``--addons``);
* users: ``admin`` (unrestricted) plus one user per employee, all with the
  password ``bench-pass-1`` (hashed once), so the load test can log in;
* employees (``masterdata``): a director, territory managers (one per region
  and per province), ``tier.salespeople`` salespeople reporting to their
  province manager; the employee closure table is rebuilt;
* territories (``territories``): a 3-level tree region -> province -> city
  (4 x 3 x 3 in the main company), managers, members with history, customer
  assignments with history (10 % of customers moved a year ago), province
  mappings;
* customers with valid unified social credit codes (GB 32100), 1-3 contacts
  each, product lines and product varieties;
* 24 months of sales lines in ``bench_sales_line``. There is no sales/orders
  addon yet, so this table belongs to the benchmark and is created in the
  benchmark database only (plain ``MetaData``, never on ``Base.metadata``, no
  migration). When an orders addon exists it should generate its lines
  through the hook and the benchmark should read them instead.
* whatever each installed addon adds through ``tixi_bench_generate(ctx)``, declared in
  :mod:`bench.hookspecs` and implemented in the addon's ``bench.py``
  (called in dependency order; see :class:`GenContext`).

``bench_meta`` (key -> JSON) records the tier, seed, counts and the logins of
the benchmark users (admin, a region manager, a province manager, a
salesperson) so ``tixi bench run`` needs no guessing.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection

from bench.common import TIERS, Tier, engine_name
from core.config import CompanySpec, Deployment
from core.db import Base

SEED = 20261123
DEFAULT_END = (2026, 10)  # last month of history (inclusive); fixed so data is reproducible
MONTHS = 24
PASSWORD = "bench-pass-1"
ADMIN_PASSWORD = "bench-admin-1"
COMPANIES = (("bench_a", "基准甲公司", "Bench A Ltd", 1.0), ("bench_b", "基准乙公司", "Bench B Ltd", None), ("bench_c", "基准丙公司", "Bench C Ltd", None))

bench_metadata = MetaData()

sales_line = Table(
    "bench_sales_line",
    bench_metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("company_id", Integer, nullable=False),
    Column("customer_id", Integer, nullable=False),
    Column("product_id", Integer, nullable=True),
    Column("salesperson_id", Integer, nullable=True),  # masterdata_employee.id
    Column("date", Date, nullable=False),
    Column("period", Integer, nullable=False),  # yyyymm, portable grouping key
    Column("quantity", Numeric(14, 3), nullable=False),
    Column("amount", Numeric(16, 2), nullable=False),
)
# created after the load (faster than maintaining them row by row)
SALES_LINE_INDEXES = (
    "CREATE INDEX ix_bench_sales_line_customer ON bench_sales_line (customer_id, period)",
    "CREATE INDEX ix_bench_sales_line_company_period ON bench_sales_line (company_id, period)",
)

bench_meta = Table(
    "bench_meta",
    bench_metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# ------------------------------------------------------------------ reference data

REGIONS = [
    ("HB", "华北", "North China", [
        ("BJ", "北京", "Beijing", "110000", ["东城", "海淀", "朝阳"]),
        ("TJ", "天津", "Tianjin", "120000", ["和平", "滨海", "南开"]),
        ("HE", "河北", "Hebei", "130000", ["石家庄", "唐山", "保定"]),
    ]),
    ("HD", "华东", "East China", [
        ("SH", "上海", "Shanghai", "310000", ["浦东", "闵行", "嘉定"]),
        ("JS", "江苏", "Jiangsu", "320000", ["南京", "苏州", "无锡"]),
        ("ZJ", "浙江", "Zhejiang", "330000", ["杭州", "宁波", "温州"]),
    ]),
    ("HN", "华南", "South China", [
        ("GD", "广东", "Guangdong", "440000", ["广州", "深圳", "佛山"]),
        ("GX", "广西", "Guangxi", "450000", ["南宁", "柳州", "桂林"]),
        ("FJ", "福建", "Fujian", "350000", ["福州", "厦门", "泉州"]),
    ]),
    ("XN", "西南", "Southwest China", [
        ("SC", "四川", "Sichuan", "510000", ["成都", "绵阳", "宜宾"]),
        ("CQ", "重庆", "Chongqing", "500000", ["渝中", "江北", "涪陵"]),
        ("YN", "云南", "Yunnan", "530000", ["昆明", "曲靖", "玉溪"]),
    ]),
]
WORDS = [("华信", "Huaxin"), ("恒达", "Hengda"), ("宏源", "Hongyuan"), ("金诚", "Jincheng"),
         ("瑞丰", "Ruifeng"), ("中科", "Zhongke"), ("东方", "Dongfang"), ("新锐", "Xinrui"),
         ("天成", "Tiancheng"), ("博远", "Boyuan"), ("汇通", "Huitong"), ("永安", "Yongan"),
         ("长江", "Changjiang"), ("海川", "Haichuan"), ("联合", "Lianhe"), ("鼎盛", "Dingsheng")]
TRADES = [("汽车零部件", "Auto Parts", "汽车"), ("催化材料", "Catalyst Materials", "化工"),
          ("环保科技", "Environmental Tech", "环保"), ("石油化工", "Petrochemical", "石化"),
          ("精细化工", "Fine Chemicals", "化工"), ("机械制造", "Machinery", "机械"),
          ("新能源", "New Energy", "能源"), ("电子材料", "Electronic Materials", "电子")]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
STATUSES = [("active", 0.55), ("prospect", 0.2), ("dormant", 0.15), ("lost", 0.1)]
SIZES = ["small", "medium", "large"]
SETTLEMENTS = ["prepayment", "transfer", "acceptance", "monthly", "credit"]
ROLES = ["decision_maker", "technical", "purchasing", "finance", "other"]

_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_code(division: str, serial: int) -> str:
    """A valid unified social credit code (GB 32100-2015, with a GB 11714 org code)."""
    body = f"{serial:08d}"[-8:]
    s = sum(int(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    c9 = 11 - s % 11
    org = body + ("X" if c9 == 10 else "0" if c9 == 11 else str(c9))
    head = "91" + division + org
    total = sum(_CODE_CHARS.index(c) * w for c, w in zip(head, _USCC_WEIGHTS, strict=True))
    check = (31 - total % 31) % 31
    return head + _CODE_CHARS[check]


def months(end: tuple[int, int] = DEFAULT_END, count: int = MONTHS) -> list[tuple[int, int]]:
    """The ``count`` months ending with ``end``, oldest first."""
    y, m = end
    out = []
    for _ in range(count):
        out.append((y, m))
        m -= 1
        if m == 0:
            y, m = y - 1, 12
    return list(reversed(out))


# ------------------------------------------------------------------ the context


@dataclass
class CompanyData:
    """What was generated for one company (ids), filled as generation goes."""

    id: int
    code: str
    scale: float
    director: int | None = None  # employee ids
    region_managers: list[int] = field(default_factory=list)
    province_managers: list[int] = field(default_factory=list)
    salespeople: list[int] = field(default_factory=list)
    leaf_of: dict[int, int] = field(default_factory=dict)  # salesperson -> leaf territory
    leaves: list[tuple[int, str, str, str]] = field(default_factory=list)  # (territory id, province, city, division)
    customers: list[int] = field(default_factory=list)
    products: list[int] = field(default_factory=list)
    login_of: dict[int, str] = field(default_factory=dict)  # employee -> login
    owned: dict[int, int] = field(default_factory=dict)  # salesperson -> customers owned


class GenContext:
    """What ``tixi_bench_generate(ctx)`` receives.

    Attributes: ``conn`` (the open connection, one transaction for the whole
    generation), ``engine`` (``sqlite``/``postgresql``), ``tier``
    (:class:`~bench.common.Tier`), ``rng`` (seeded ``random.Random``: use it,
    never the global one), ``companies`` (:class:`CompanyData` per company,
    main first), ``ids`` (``{"customer": [...], "employee": [...], ...}``,
    every id generated so far), ``months`` (``[(year, month), ...]``, 24),
    ``counts`` (rows inserted per table).

    Use :meth:`bulk_insert` (ids are assigned when rows have none) and
    :meth:`fill` (values for required columns you do not care about).
    """

    def __init__(self, conn: Connection, tier: Tier, seed: int, end: tuple[int, int],
                 progress: Callable[[str], None]) -> None:
        self.conn = conn
        self.engine = conn.dialect.name
        self.tier = tier
        self.seed = seed
        self.rng = random.Random(seed)
        self.months = months(end)
        self.companies: list[CompanyData] = []
        self.ids: dict[str, list[int]] = {}
        self.counts: dict[str, int] = {}
        self.progress = progress
        self.now = dt.datetime(*end, 28, 12, 0, tzinfo=dt.UTC)
        self._next_id: dict[str, int] = {}

    def table(self, name: str) -> Table:
        """A table by name (addon tables from ``Base.metadata``, bench tables)."""
        if name in Base.metadata.tables:
            return Base.metadata.tables[name]
        return bench_metadata.tables[name]

    def has_table(self, name: str) -> bool:
        """Whether the table is known and exists in the database."""
        known = name in Base.metadata.tables or name in bench_metadata.tables
        return known and inspect(self.conn).has_table(name)

    def alloc(self, table: str, n: int) -> range:
        """``n`` fresh ids for ``table`` (after its current maximum)."""
        if table not in self._next_id:
            t = self.table(table)
            current = self.conn.execute(select(func.max(t.c.id))).scalar() or 0
            self._next_id[table] = int(current) + 1
        start = self._next_id[table]
        self._next_id[table] = start + n
        return range(start, start + n)

    def fill(self, table: str, values: dict[str, Any]) -> dict[str, Any]:
        """``values`` plus a value for every column left out (its default, else a dummy)."""
        t = self.table(table)
        row = dict(values)
        for col in t.columns:
            if col.key in row:
                continue
            row[col.key] = self._default(col)
        return row

    def _default(self, col: Column) -> Any:
        name = col.key
        if name in ("created_at", "updated_at"):
            return self.now
        if name == "version":
            return 1
        if name == "active":
            return True
        default = col.default
        if default is not None and getattr(default, "is_scalar", False):
            return default.arg
        if default is not None and getattr(default, "is_callable", False):
            try:
                return default.arg(None)
            except Exception:  # noqa: BLE001 - fall back to a dummy below
                pass
        if col.nullable or col.primary_key:
            return None
        py = None
        try:
            py = col.type.python_type
        except NotImplementedError:
            pass
        if py is bool:
            return False
        if py is int:
            return 0
        if py is Decimal:
            return Decimal("0")
        if py is dt.datetime:
            return self.now
        if py is dt.date:
            return self.now.date()
        return ""

    def bulk_insert(self, table: str, rows: Iterable[dict[str, Any]], chunk: int = 20_000) -> int:
        """Insert rows in bulk (COPY on PostgreSQL); missing ids and columns are filled."""
        t = self.table(table)
        cols = [c.key for c in t.columns]
        total = 0
        buf: list[dict[str, Any]] = []
        for row in rows:
            buf.append(row)
            if len(buf) >= chunk:
                total += self._flush(t, cols, buf)
                buf = []
        if buf:
            total += self._flush(t, cols, buf)
        self.counts[table] = self.counts.get(table, 0) + total
        return total

    def _flush(self, t: Table, cols: list[str], rows: list[dict[str, Any]]) -> int:
        if "id" in t.c and any(r.get("id") is None for r in rows):
            ids = iter(self.alloc(t.name, sum(1 for r in rows if r.get("id") is None)))
            for r in rows:
                if r.get("id") is None:
                    r["id"] = next(ids)
        full = [r if all(c in r for c in cols) else self.fill(t.name, r) for r in rows]
        if self.engine == "postgresql":
            raw = self.conn.connection.driver_connection
            collist = ", ".join(f'"{c}"' for c in cols)
            with raw.cursor() as cur, cur.copy(f'COPY "{t.name}" ({collist}) FROM STDIN') as copy:
                for r in full:
                    copy.write_row([r[c] for c in cols])
        else:
            self.conn.execute(insert(t), full)
        return len(full)


# ------------------------------------------------------------------ generation steps


def _pick_status(rng: random.Random) -> str:
    x = rng.random()
    acc = 0.0
    for key, p in STATUSES:
        acc += p
        if x < acc:
            return key
    return STATUSES[-1][0]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")


def _scaled(n: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, int(round(n * scale)))


_HASH: list[str] = []


def _password_hash() -> str:
    """The hash of :data:`PASSWORD`, computed once (argon2 is slow on purpose)."""
    if not _HASH:
        from core.security.passwords import hash_password

        _HASH.append(hash_password(PASSWORD))
    return _HASH[0]


def _users(ctx: GenContext, group_ids: dict[str, int], specs: list[tuple[int, str, str, str, list[int]]]) -> None:
    """Bulk users: ``(user id, login, name, group code, company ids)``."""
    pw = _password_hash()
    ctx.bulk_insert("core_user", (
        ctx.fill("core_user", {"id": uid, "login": login, "name": name, "password_hash": pw,
                               "active": True, "is_admin": False, "lang": "zh_CN",
                               "tz": "Asia/Shanghai", "company_id": cids[0], "version": 1})
        for uid, login, name, _g, cids in specs
    ))
    ctx.bulk_insert("core_user_company", (
        {"user_id": uid, "company_id": c} for uid, _l, _n, _g, cids in specs for c in cids
    ))
    ctx.bulk_insert("core_user_group", (
        {"user_id": uid, "group_id": group_ids[g]} for uid, _l, _n, g, _c in specs
    ))


def _employees_and_territories(ctx: GenContext, company: CompanyData, group_ids: dict[str, int],
                               with_territories: bool) -> None:
    """Director, managers, salespeople (with users), and the territory tree."""
    rng = ctx.rng
    scale = company.scale
    regions = REGIONS if scale >= 1 else REGIONS[:2]
    n_prov = 3 if scale >= 1 else 2
    n_city = 3 if scale >= 1 else 2
    n_sales = ctx.tier.salespeople if scale >= 1 else _scaled(ctx.tier.salespeople, scale, 4)
    # employee ids: director, region managers, province managers, salespeople
    n_rm = len(regions)
    n_pm = len(regions) * n_prov
    emp_ids = list(ctx.alloc("masterdata_employee", 1 + n_rm + n_pm + n_sales))
    user_ids = list(ctx.alloc("core_user", len(emp_ids)))
    company.director = emp_ids[0]
    company.region_managers = emp_ids[1:1 + n_rm]
    company.province_managers = emp_ids[1 + n_rm:1 + n_rm + n_pm]
    company.salespeople = emp_ids[1 + n_rm + n_pm:]
    start = dt.date(*ctx.months[0], 1) - dt.timedelta(days=365)

    emps: list[dict[str, Any]] = []
    users: list[tuple[int, str, str, str, list[int]]] = []
    code = company.code

    def add(eid: int, uid: int, login: str, position: str, manager: int | None, group: str) -> None:
        name = _person(rng)
        emps.append({"id": eid, "company_id": company.id, "code": login.upper()[-12:],
                     "name_zh": name, "name_en": login, "user_id": uid, "position": position,
                     "manager_id": manager, "date_joined": start})
        users.append((uid, login, name, group, [company.id]))
        company.login_of[eid] = login

    add(emp_ids[0], user_ids[0], f"{code}_director", "director", None, "core.group_director")
    for i, eid in enumerate(company.region_managers):
        add(eid, user_ids[1 + i], f"{code}_rm{i + 1:02d}", "territory_manager", company.director,
            "core.group_territory_manager")
    for i, eid in enumerate(company.province_managers):
        add(eid, user_ids[1 + n_rm + i], f"{code}_pm{i + 1:02d}", "territory_manager",
            company.region_managers[i // n_prov], "core.group_territory_manager")
    # territory tree
    tree: list[dict[str, Any]] = []
    leaves: list[tuple[int, str, str, str, int]] = []  # id, province, city, division, province manager
    n_nodes = n_rm + n_pm + n_pm * n_city
    tids = iter(ctx.alloc("territories_territory", n_nodes)) if with_territories else iter(range(1, n_nodes + 1))
    pm_index = 0
    for ri, (rcode, rzh, ren, provinces) in enumerate(regions):
        rid = next(tids)
        tree.append({"id": rid, "company_id": company.id, "code": rcode, "name_zh": rzh, "name_en": ren,
                     "parent_id": None, "manager_id": company.region_managers[ri], "sequence": ri + 1})
        for pi, (pcode, pzh, pen, division, cities) in enumerate(provinces[:n_prov]):
            pid = next(tids)
            pm = company.province_managers[pm_index]
            pm_index += 1
            tree.append({"id": pid, "company_id": company.id, "code": f"{rcode}-{pcode}", "name_zh": pzh,
                         "name_en": pen, "parent_id": rid, "manager_id": pm, "sequence": pi + 1})
            for ci, city in enumerate(cities[:n_city]):
                cid = next(tids)
                tree.append({"id": cid, "company_id": company.id, "code": f"{rcode}-{pcode}-{ci + 1}",
                             "name_zh": city, "name_en": f"{pen} {ci + 1}", "parent_id": pid,
                             "manager_id": None, "sequence": ci + 1})
                leaves.append((cid, pzh, city, division, pm))
    company.leaves = [(tid, p, c, d) for tid, p, c, d, _pm in leaves]
    for i, eid in enumerate(company.salespeople):
        leaf = leaves[i % len(leaves)]
        company.leaf_of[eid] = leaf[0]
        add(eid, user_ids[1 + n_rm + n_pm + i], f"{code}_sp{i + 1:03d}", "salesperson", leaf[4],
            "core.group_salesperson")
    _users(ctx, group_ids, users)
    ctx.bulk_insert("masterdata_employee", emps)
    ctx.ids.setdefault("employee", []).extend(emp_ids)
    ctx.ids.setdefault("user", []).extend(user_ids)
    if not with_territories:
        return
    ctx.bulk_insert("territories_territory", tree)
    ctx.ids.setdefault("territory", []).extend(r["id"] for r in tree)
    members = []
    moved_on = dt.date(*ctx.months[12], 1)
    for eid in company.salespeople:
        leaf = company.leaf_of[eid]
        if rng.random() < 0.05:  # moved a year ago: history kept
            old = rng.choice(company.leaves)[0]
            members.append({"company_id": company.id, "territory_id": old, "employee_id": eid,
                            "role": "salesperson", "date_from": start, "date_to": moved_on})
            members.append({"company_id": company.id, "territory_id": leaf, "employee_id": eid,
                            "role": "salesperson", "date_from": moved_on, "date_to": None})
        else:
            members.append({"company_id": company.id, "territory_id": leaf, "employee_id": eid,
                            "role": "salesperson", "date_from": start, "date_to": None})
    for node in tree:
        if node["manager_id"] is not None:
            members.append({"company_id": company.id, "territory_id": node["id"],
                            "employee_id": node["manager_id"], "role": "manager",
                            "date_from": start, "date_to": None})
    ctx.bulk_insert("territories_member", members)
    if ctx.has_table("territories_province"):
        ctx.bulk_insert("territories_province", (
            {"company_id": company.id, "province": p, "city": c, "territory_id": tid}
            for tid, p, c, _d in company.leaves
        ))


def _products(ctx: GenContext, company: CompanyData) -> None:
    lines = [("TWC", "三元催化剂", "Three-way catalysts"), ("DOC", "柴油氧化催化剂", "Diesel oxidation catalysts"),
             ("SCR", "选择性还原催化剂", "SCR catalysts"), ("CHEM", "化工催化剂", "Chemical catalysts")]
    line_ids = list(ctx.alloc("masterdata_product_line", len(lines)))
    ctx.bulk_insert("masterdata_product_line", (
        {"id": lid, "company_id": company.id, "code": c, "name_zh": zh, "name_en": en}
        for lid, (c, zh, en) in zip(line_ids, lines, strict=True)
    ))
    rows = []
    for i in range(40):
        lid = line_ids[i % len(lines)]
        code, zh, en = lines[i % len(lines)]
        rows.append({"company_id": company.id, "code": f"{code}-{i + 1:03d}", "name_zh": f"{zh} {i + 1:03d} 型",
                     "name_en": f"{en} type {i + 1:03d}", "line_id": lid, "unit": "件", "spec": None})
    ctx.bulk_insert("masterdata_product", rows)
    company.products = [r["id"] for r in rows]
    ctx.ids.setdefault("product", []).extend(company.products)


def _customers(ctx: GenContext, company: CompanyData, n: int, serial0: int, with_territories: bool) -> None:
    rng = ctx.rng
    ids = list(ctx.alloc("masterdata_customer", n))
    company.customers = ids
    # skew: a few salespeople own many customers, most own around the average
    weights = [0.5 + rng.random() * 1.5 for _ in company.salespeople]
    owners = rng.choices(company.salespeople, weights=weights, k=n)
    for owner in owners:
        company.owned[owner] = company.owned.get(owner, 0) + 1
    leaf_by_id = {tid: (tid, p, c, d) for tid, p, c, d in company.leaves}
    first_month = dt.date(*ctx.months[0], 1)
    span = (ctx.now.date() - first_month).days
    assignments: list[dict[str, Any]] = []
    moved_on = dt.date(*ctx.months[12], 1)

    def rows() -> Iterator[dict[str, Any]]:
        for k, (cid, owner) in enumerate(zip(ids, owners, strict=True)):
            leaf = leaf_by_id[company.leaf_of[owner]]
            if rng.random() < 0.1:
                leaf = rng.choice(company.leaves)
            w1, w1en = rng.choice(WORDS)
            w2, w2en = rng.choice(WORDS)
            trade, trade_en, industry = rng.choice(TRADES)
            serial = serial0 + k
            created = dt.datetime.combine(first_month + dt.timedelta(days=rng.randrange(span)),
                                          dt.time(9, 0), tzinfo=dt.UTC)
            yield {
                "id": cid, "company_id": company.id, "code": f"C{serial:07d}",
                "name_zh": f"{leaf[2]}{w1}{w2}{trade}有限公司",
                "name_en": f"{w1en} {w2en} {trade_en} Co., Ltd. ({serial})",
                "credit_code": credit_code(leaf[3], serial), "industry": industry,
                "province": leaf[1], "city": leaf[2], "address": f"{leaf[2]}工业园{rng.randrange(1, 300)}号",
                "size": rng.choice(SIZES), "status": _pick_status(rng), "owner_id": owner,
                "credit_limit": Decimal(rng.randrange(0, 500) * 10_000),
                "settlement_method": rng.choice(SETTLEMENTS), "payment_days": rng.choice([0, 30, 60, 90]),
                "payment_terms": None, "tags": None, "notes": None,
                "created_at": created, "updated_at": created,
            }
            if with_territories:
                if rng.random() < 0.1:
                    old = rng.choice(company.leaves)[0]
                    assignments.append({"company_id": company.id, "customer_id": cid, "territory_id": old,
                                        "source": "manual", "date_from": created.date(), "date_to": moved_on})
                    assignments.append({"company_id": company.id, "customer_id": cid, "territory_id": leaf[0],
                                        "source": "manual", "date_from": moved_on, "date_to": None})
                else:
                    assignments.append({"company_id": company.id, "customer_id": cid, "territory_id": leaf[0],
                                        "source": "auto", "date_from": created.date(), "date_to": None})

    ctx.bulk_insert("masterdata_customer", rows())
    ctx.ids.setdefault("customer", []).extend(ids)
    if with_territories:
        ctx.bulk_insert("territories_customer", assignments)

    def contacts() -> Iterator[dict[str, Any]]:
        for cid in ids:
            for j in range(rng.choice((1, 2, 2, 3))):
                yield {"company_id": company.id, "customer_id": cid, "name": _person(rng),
                       "title": None, "role": ROLES[j % len(ROLES)] if j else "decision_maker",
                       "phone": f"13{rng.randrange(10**8, 10**9)}", "email": None,
                       "wechat": None, "notes": None}

    ctx.bulk_insert("masterdata_contact", contacts())


def _sales_lines(ctx: GenContext, company: CompanyData, n: int, owner_of: dict[int, int],
                 status_of: dict[int, str]) -> None:
    rng = ctx.rng
    buying = [c for c in company.customers if status_of[c] in ("active", "dormant", "lost")] or company.customers
    weights = [(3.0 if status_of[c] == "active" else 0.6) * (0.2 + rng.random()) for c in buying]
    cum: list[float] = []
    acc = 0.0
    for w in weights:
        acc += w
        cum.append(acc)
    periods = [(y * 100 + m, dt.date(y, m, 1)) for y, m in ctx.months]
    products = company.products
    ids = iter(ctx.alloc("bench_sales_line", n))

    def rows() -> Iterator[dict[str, Any]]:
        picks = rng.choices(buying, cum_weights=cum, k=n)
        for cust in picks:
            period, first = periods[rng.randrange(len(periods))]
            qty = rng.randrange(1, 200)
            price_cents = rng.randrange(50_00, 5_000_00)
            yield {"id": next(ids), "company_id": company.id, "customer_id": cust,
                   "product_id": rng.choice(products), "salesperson_id": owner_of[cust],
                   "date": first + dt.timedelta(days=rng.randrange(28)), "period": period,
                   "quantity": Decimal(qty), "amount": Decimal(qty * price_cents).scaleb(-2)}

    ctx.bulk_insert("bench_sales_line", rows(), chunk=50_000)


def _fix_sequences(conn: Connection) -> None:
    """On PostgreSQL, move every ``id`` sequence past the ids the generator assigned."""
    if conn.dialect.name != "postgresql":
        return
    for name in inspect(conn).get_table_names():
        seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": name}).scalar() \
            if "id" in {c["name"] for c in inspect(conn).get_columns(name)} else None
        if seq:
            conn.execute(text(f'SELECT setval(:s, GREATEST((SELECT max(id) FROM "{name}"), 1))'), {"s": seq})


def bench_plugins(registry: Any) -> dict[str, str]:
    """Add :mod:`bench.hookspecs` to the registry's hook manager and register the addons' bench modules.

    For every loaded addon with a ``bench.py`` (or ``bench/``), its module
    ``<addon module>.bench`` is registered as plugin ``<addon>.bench``. Returns
    ``{addon: plugin name}``. The kernel never does this: only the generator
    knows the benchmark hook.
    """
    import importlib

    from bench import hookspecs

    if "tixi_bench_generate" not in registry.hook_owners:
        registry.add_hookspecs(hookspecs, "bench")
    plugins = {}
    for name in registry.modules:
        manifest = registry.manifests[name]
        if not ((manifest.path / "bench.py").is_file() or (manifest.path / "bench").is_dir()):
            continue
        plugin = f"{name}.bench"
        if registry.pm.get_plugin(plugin) is None:
            registry.pm.register(importlib.import_module(f"{manifest.module}.bench"), name=plugin)
        plugins[name] = plugin
    return plugins


def _call_addon_hooks(ctx: GenContext, registry: Any, timings: dict[str, float]) -> list[str]:
    """``tixi_bench_generate(ctx)`` of every installed addon's bench module, in dependency order (timed)."""
    from core import graph

    plugins = bench_plugins(registry)
    impls = {i.plugin_name: i for i in registry.pm.hook.tixi_bench_generate.get_hookimpls()}
    called = []
    for name in graph.order(registry.manifests, [n for n in registry.installed if n in registry.manifests]):
        impl = impls.get(plugins.get(name, ""))
        if impl is not None:
            ctx.progress(f"  addon {name}: tixi_bench_generate")
            t0 = time.perf_counter()
            impl.function(ctx=ctx)
            timings[f"hook_{name}"] = time.perf_counter() - t0
            called.append(name)
    return called


def write_meta(conn: Connection, values: dict[str, Any]) -> None:
    """Store benchmark metadata (replacing keys)."""
    for key, value in values.items():
        conn.execute(bench_meta.delete().where(bench_meta.c.key == key))
        conn.execute(insert(bench_meta).values(key=key, value=json.dumps(value, ensure_ascii=False, default=str)))


def read_meta(url_or_conn: Any) -> dict[str, Any]:
    """The ``bench_meta`` of a generated database (empty dict if none)."""
    from core.db import make_engine

    if isinstance(url_or_conn, str):
        eng = make_engine(url_or_conn)
        try:
            with eng.connect() as conn:
                return read_meta(conn)
        finally:
            eng.dispose()
    conn = url_or_conn
    if not inspect(conn).has_table("bench_meta"):
        return {}
    return {k: json.loads(v) for k, v in conn.execute(select(bench_meta.c.key, bench_meta.c.value))}


def generate(url: str, tier: str | Tier = "S", seed: int = SEED, addons: list[str] | None = None,
             end: tuple[int, int] = DEFAULT_END, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Fill an empty (or kernel-only) database with a tier of data; return the summary."""
    from core.lifecycle import Lifecycle
    from core.models import Group
    from core.registry import Registry
    from core.security.users import ensure_admin

    say = progress or (lambda _m: None)
    tier = TIERS[tier.upper()] if isinstance(tier, str) else tier
    t_start = time.perf_counter()
    probe = Registry(url, Deployment(path=None))
    if read_meta(url):
        probe.engine.dispose()
        raise RuntimeError(f"{url} already holds benchmark data (bench_meta exists): use a fresh database")
    wanted = sorted(addons) if addons is not None else sorted(probe.manifests)
    probe.engine.dispose()
    specs = [CompanySpec(code, zh, en, wanted) for code, zh, en, _s in COMPANIES]
    registry = Registry(url, Deployment(path=None, companies=specs))
    say(f"installing kernel and addons ({', '.join(wanted) or 'none'}) for {len(specs)} companies")
    Lifecycle(registry).apply_deployment()
    installed = set(registry.installed)
    with registry.Session.begin() as s:
        ensure_admin(s, ADMIN_PASSWORD)
    timings: dict[str, float] = {"install": time.perf_counter() - t_start}
    has_md = "masterdata" in installed
    has_terr = "territories" in installed
    if not has_md:
        raise RuntimeError("the generator needs the masterdata addon (customers, employees)")
    with registry.engine.connect() as conn:
        trans = conn.begin()
        bench_metadata.create_all(conn, tables=[sales_line, bench_meta])
        ctx = GenContext(conn, tier, seed, end, say)
        company_ids = {code: cid for cid, code in conn.execute(text("SELECT id, code FROM core_company"))}
        group_ids = {code: gid for gid, code in conn.execute(select(Group.id, Group.code))}
        for code, _zh, _en, scale in COMPANIES:
            ctx.companies.append(CompanyData(company_ids[code], code, scale if scale else tier.extra))
        serial = 1
        for company in ctx.companies:
            t0 = time.perf_counter()
            n_cust = _scaled(tier.customers, company.scale, 10)
            n_lines = _scaled(tier.lines, company.scale, 100)
            say(f"  {company.code}: employees, territories, products")
            _employees_and_territories(ctx, company, group_ids, has_terr)
            _products(ctx, company)
            say(f"  {company.code}: {n_cust} customers with contacts")
            _customers(ctx, company, n_cust, serial, has_terr)
            serial += n_cust
            timings[f"{company.code}_masterdata"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            say(f"  {company.code}: {n_lines} sales lines")
            cust = Base.metadata.tables["masterdata_customer"]
            owner_of: dict[int, int] = {}
            status_of: dict[int, str] = {}
            for cid, owner, status in conn.execute(
                select(cust.c.id, cust.c.owner_id, cust.c.status).where(cust.c.company_id == company.id)
            ):
                owner_of[cid] = owner
                status_of[cid] = status
            _sales_lines(ctx, company, n_lines, owner_of, status_of)
            timings[f"{company.code}_lines"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        say("  closure tables")
        from addons.masterdata.closure import rebuild_closure

        emp = Base.metadata.tables["masterdata_employee"]
        rebuild_closure(conn, emp, Base.metadata.tables["masterdata_employee_closure"], "manager_id")
        if has_terr:
            ter = Base.metadata.tables["territories_territory"]
            rebuild_closure(conn, ter, Base.metadata.tables["territories_territory_closure"], "parent_id")
        timings["closures"] = time.perf_counter() - t0
        hooked = _call_addon_hooks(ctx, registry, timings)
        t0 = time.perf_counter()
        say("  indexes, sequences")
        for ddl in SALES_LINE_INDEXES:
            conn.exec_driver_sql(ddl)
        _fix_sequences(conn)
        main = ctx.companies[0]
        # the benchmark salesperson owns the median number of customers
        ranked = sorted(main.salespeople, key=lambda e: (main.owned.get(e, 0), e))
        sp = ranked[len(ranked) // 2]
        users = {
            "admin": "admin",
            "region_manager": main.login_of[main.region_managers[1 if len(main.region_managers) > 1 else 0]],
            "province_manager": main.login_of[main.province_managers[0]],
            "salesperson": main.login_of[sp],
            "director": main.login_of[main.director],
        }
        counts = dict(ctx.counts)
        for name in ("masterdata_employee_closure", "territories_territory_closure"):
            if ctx.has_table(name):
                counts[name] = int(conn.execute(select(func.count()).select_from(ctx.table(name))).scalar_one())
        summary = {
            "tier": tier.as_dict(), "seed": seed, "end": list(end), "engine": engine_name(url),
            "addons": sorted(installed), "hooks_called": hooked, "company": main.code,
            "companies": [c.code for c in ctx.companies], "users": users, "counts": counts,
            "passwords": {"admin": ADMIN_PASSWORD, "others": PASSWORD},
        }
        write_meta(conn, {k: v for k, v in summary.items()})
        trans.commit()
    timings["indexes"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    say("  search index")
    from core.search import reindex

    with registry.Session.begin() as s:
        counts_search = reindex(s, registry)
    summary["counts"]["core_search_entry"] = sum(counts_search.values())
    timings["search_index"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    say("  analyze")
    with registry.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
        else:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    timings["analyze"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - t_start
    registry.engine.dispose()
    summary["timings_s"] = timings
    rows = sum(v for v in summary["counts"].values())
    summary["rows"] = rows
    eng = None
    try:
        from core.db import make_engine

        eng = make_engine(url)
        with eng.begin() as conn:
            write_meta(conn, {"timings_s": timings, "rows": rows})
    finally:
        if eng is not None:
            eng.dispose()
    return summary
