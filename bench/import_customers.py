"""Benchmark: import N customers from an .xlsx file with full validation (masterdata importer).

Usage::

    python bench/import_customers.py [--rows 100000] [--db sqlite|postgresql|URL] [--csv]

Builds a throwaway database (kernel + masterdata + territories, company
``bench``, 9 salespeople, province mappings), writes an .xlsx with Chinese
headers (客户名称/统一社会信用代码/省份/城市/销售员/信用额度/结算方式/状态), then
times :func:`addons.masterdata.importer.import_file` as a marketing admin:
parsing, row-by-row validation (credit code checksum, Decimal amounts,
choices, owner look-up, duplicates in file and database), bulk insert, rule
check in SQL, audit rows and territory assignment. Prints rows/s per phase.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def build_file(n: int, as_csv: bool = False) -> bytes:
    """An import file of ``n`` valid customers (deterministic)."""
    from addons.masterdata.demo.generate import CITIES, REGIONS
    from addons.masterdata.validation import CREDIT_CODE_CHARS, make_credit_code

    rng = random.Random(1)
    provinces = [(p, info[1]) for _c, (_z, _e, _m, provs) in REGIONS.items() for p, info in provs.items()]
    sales = [f"sales{i}" for i in range(9)]
    header = ["客户名称", "统一社会信用代码", "省份", "城市", "销售员", "信用额度", "结算方式", "状态", "行业"]
    rows = []
    for i in range(n):
        prov, division = provinces[i % len(provinces)]
        city = CITIES[prov][i % len(CITIES[prov])][0]
        body = "91" + division + f"{i:09d}"
        assert all(c in CREDIT_CODE_CHARS for c in body)
        rows.append([
            f"基准客户{i:06d}有限公司", make_credit_code(body), prov, city, rng.choice(sales),
            f"{rng.randint(0, 500) * 1000}.00", rng.choice(["月结", "电汇", "承兑汇票"]), rng.choice(["活跃", "潜在"]), "汽车零部件",
        ])
    if as_csv:
        import csv

        out = io.StringIO()
        w = csv.writer(out)
        w.writerow(header)
        w.writerows(rows)
        return out.getvalue().encode("utf-8-sig")
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("customers")
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def setup(url: str) -> tuple[object, int]:
    """Database with the addons, an org and province mappings; returns (db, ops user id)."""
    from addons.masterdata.demo.generate import REGIONS
    from addons.masterdata.models import Employee
    from addons.territories.models import ProvinceMapping, Territory
    from core.testing import TixiTestDB, make_env, make_user

    db = TixiTestDB(url)
    db.install("masterdata", "territories", companies=["bench"])
    ops = make_user(db, "bench_ops", ["core.group_marketing_admin"], company="bench")
    root = make_user(db, "bench_root", ["core.group_admin"], company="bench", is_admin=True)
    with db.session() as s:
        env = make_env(db, s, root)
        for i in range(9):
            env.create(Employee, {"name_zh": f"销售{i}", "code": f"sales{i}", "position": "salesperson"})
        for code, (zh, en, _m, provs) in REGIONS.items():
            region = env.create(Territory, {"code": code, "name_zh": zh, "name_en": en})
            for prov, (prov_en, division, _s) in provs.items():
                node = env.create(Territory, {"code": f"{code}-{division}", "name_zh": prov, "name_en": prov_en, "parent_id": region.id})
                env.create(ProvinceMapping, {"province": prov, "territory_id": node.id})
    return db, ops


def time_lists(db: object, ops: int, repeat: int = 15) -> dict[str, tuple[float, float, int]]:
    """Median time of the customer list's first page and count: marketing admin vs 华东's manager."""
    import statistics

    from sqlalchemy import select

    from addons.masterdata.models import Customer, Employee
    from addons.territories.models import Territory
    from core.testing import make_env, make_user

    tm = make_user(db, "bench_tm_east", ["core.group_territory_manager"], company="bench", password=None)
    with db.session() as s:
        emp = Employee(company_id=s.scalar(select(Territory.company_id).limit(1)), name_zh="华东经理",
                       position="territory_manager", user_id=tm)
        s.add(emp)
        s.flush()
        s.execute(Territory.__table__.update().where(Territory.code == "E").values(manager_id=emp.id))
    out = {}
    for who, uid in (("marketing admin (all)", ops), ("territory manager 华东", tm)):
        with db.session() as s:
            env = make_env(db, s, uid)
            firsts, counts = [], []
            for _ in range(repeat):
                t0 = time.perf_counter()
                s.scalars(env.select(Customer).order_by(Customer.name_zh).limit(50)).all()
                firsts.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                visible = env.count(Customer)
                counts.append(time.perf_counter() - t0)
            out[who] = (statistics.median(firsts), statistics.median(counts), visible)
    return out


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", default="sqlite", help="sqlite, postgresql (throwaway server) or a URL")
    parser.add_argument("--csv", action="store_true", help="import a .csv instead of an .xlsx")
    args = parser.parse_args(argv)

    from sqlalchemy import func, select

    from addons.masterdata.importer import import_file
    from addons.masterdata.models import Customer
    from addons.masterdata.spreadsheet import read_table
    from addons.territories.models import CustomerTerritory
    from core.testing import make_env, new_database

    if args.db in ("sqlite", "postgresql"):
        url, drop = new_database(args.db)
    else:
        url, drop = args.db, (lambda: None)
    try:
        t0 = time.perf_counter()
        data = build_file(args.rows, args.csv)
        name = "customers.csv" if args.csv else "customers.xlsx"
        print(f"file: {len(data) / 2**20:.1f} MB, {args.rows} rows, built in {time.perf_counter() - t0:.1f}s")
        db, ops = setup(url)
        t0 = time.perf_counter()
        read_table(data, name)
        parse = time.perf_counter() - t0
        print("load average (1, 5, 15 min): " + " ".join(f"{x:.1f}" for x in os.getloadavg()))
        with db.session() as s:
            env = make_env(db, s, ops)
            t0 = time.perf_counter()
            result = import_file(env, "customers", data, name, lang="zh_CN")
            total = time.perf_counter() - t0
            assert result.ok, result.errors[:5]
        with db.session() as s:
            n = s.scalar(select(func.count()).select_from(Customer))
            assigned = s.scalar(select(func.count()).select_from(CustomerTerritory))
        list_times = time_lists(db, ops)
        print(f"database: {db.engine_name}")
        print(f"parse only ({name}): {parse:.2f}s = {args.rows / parse:,.0f} rows/s")
        print(f"full import (parse + validate + insert + audit + territories + commit-ready): {total:.2f}s "
              f"= {args.rows / total:,.0f} rows/s")
        print("phases: " + ", ".join(f"{k} {v:.2f}s" for k, v in result.phases.items()))
        print(f"customers in database: {n}, territory assignments: {assigned}")
        for who, (first, count, rows) in list_times.items():
            print(f"customer list as {who}: first page (50, by name) median {first * 1000:.1f} ms, "
                  f"count median {count * 1000:.1f} ms, {rows} visible")
        db.dispose()
    finally:
        drop()


if __name__ == "__main__":
    main()
