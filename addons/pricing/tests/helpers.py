"""A small catalyst company for pricing tests: people, territories, customers, costs, strategy."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import os
import shutil
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from addons.masterdata.models import Customer, Employee, Product
from core.testing import make_env, make_user

D = Decimal
DAY = dt.date(2026, 11, 16)
MONTH = dt.date(2026, 11, 1)

ORG = {
    # login: (groups, position, manager login, name)
    "director": (["core.group_director"], "director", None, "刘总监"),
    "zhang_east": (["core.group_territory_manager"], "territory_manager", "director", "张东"),
    "li_north": (["core.group_territory_manager"], "territory_manager", "director", "李北"),
    "wangwei": (["core.group_salesperson"], "salesperson", "zhang_east", "王伟"),
    "sun": (["core.group_salesperson"], "salesperson", "li_north", "孙立"),
    "finance": (["core.group_finance"], "finance", None, "钱财"),
    "gm": (["core.group_committee"], "general_manager", None, "总经理"),
}


def build_world(db: Any, company: str = "acme") -> dict[str, Any]:
    """Install masterdata, territories and pricing; create the organisation and the data.

    Customers: 一汽 (上海, 华东, owned by 王伟), 北汽 (北京, 华北, owned by 孙立).
    Products: TWC-1 (Pt 1 g, Pd 2 g), TWC-2 (Rh 0.5 g). November 2026 prices:
    Pt 200, Pd 250, Rh 1000 per gram; manufacturing 100, carrier 20 per unit.
    TWC-1 cost = 200 + 500 + 120 = 820; TWC-2 cost = 500 + 120 = 620.
    """
    from addons.pricing import services as svc
    from addons.territories.models import Territory
    from addons.territories.services import assign_customer

    db.install("masterdata", "territories", "pricing", companies=[company])
    ids: dict[str, Any] = {"users": {}, "employees": {}}
    ids["root"] = make_user(db, f"root_{company}", ["core.group_admin"], company=company, is_admin=True)
    for login, (groups, _pos, _mgr, _name) in ORG.items():
        ids["users"][login] = make_user(db, login, groups, company=company)
    with db.session() as s:
        env = make_env(db, s, ids["root"], company)
        for login, (_groups, pos, mgr, name) in ORG.items():
            emp = env.create(Employee, {
                "name_zh": name, "name_en": login, "position": pos, "user_id": ids["users"][login],
                "manager_id": ids["employees"][mgr] if mgr else None,
            })
            ids["employees"][login] = emp.id
        emp = ids["employees"]
        east = env.create(Territory, {"code": "E", "name_zh": "华东", "name_en": "East", "manager_id": emp["zhang_east"]})
        north = env.create(Territory, {"code": "N", "name_zh": "华北", "name_en": "North", "manager_id": emp["li_north"]})
        faw = env.create(Customer, {"name_zh": "一汽", "name_en": "FAW", "province": "上海", "owner_id": emp["wangwei"], "status": "active"})
        baic = env.create(Customer, {"name_zh": "北汽", "name_en": "BAIC", "province": "北京", "owner_id": emp["sun"], "status": "active"})
        assign_customer(env, faw, east, DAY)
        assign_customer(env, baic, north, DAY)
        p1 = env.create(Product, {"code": "TWC-1", "name_zh": "三元催化剂1", "name_en": "TWC one"})
        p2 = env.create(Product, {"code": "TWC-2", "name_zh": "三元催化剂2", "name_en": "TWC two"})
        p3 = env.create(Product, {"code": "NOF", "name_zh": "无配方品种", "name_en": "No formula"})
        ids.update(east=east.id, north=north.id, faw=faw.id, baic=baic.id, p1=p1.id, p2=p2.id, p3=p3.id)
        strategy = svc.setup_company(env, 2026)
        ids["strategy"] = strategy.id
        for code, price in (("Pt", "200"), ("Pd", "250"), ("Rh", "1000")):
            svc.set_metal_price(env, code, MONTH, D(price))
        svc.set_formula(env, p1.id, {"Pt": D("1"), "Pd": D("2")})
        svc.set_formula(env, p2.id, {"Rh": D("0.5")})
        for pid in (p1.id, p2.id):
            svc.set_product_cost(env, pid, MONTH, D("100"), D("20"))
        svc.configure_bands(env, [
            ("core.group_salesperson", D("0")), ("core.group_territory_manager", D("5")),
            ("core.group_director", D("10")), ("core.group_committee", None),
        ])
    return ids


def env_of(db: Any, session: Any, ids: dict[str, Any], login: str, company: str = "acme") -> Any:
    """The security environment of one of the world's users."""
    uid = ids["root"] if login == "root" else ids["users"][login]
    return make_env(db, session, uid, company)


# ----- a prepared database per engine, copied for each test (fast set-up) ----------------
_templates: dict[str, tuple[str, dict[str, Any]]] = {}
_counter = itertools.count()


def world_database(engine: str) -> tuple[str, Callable[[], None], dict[str, Any]]:
    """A fresh copy of a database where :func:`build_world` ran once per engine and process.

    Returns (url, drop function, ids). SQLite copies the file; PostgreSQL uses
    ``CREATE DATABASE ... TEMPLATE``.
    """
    from core.testing import TixiTestDB, new_database

    if engine not in _templates:
        url, _drop = new_database(engine)
        db = TixiTestDB(url)
        ids = build_world(db)
        db.dispose()
        _templates[engine] = (url, ids)
    url, ids = _templates[engine]
    n = next(_counter)
    if engine == "sqlite":
        src = Path(url.removeprefix("sqlite:///"))
        folder = Path(tempfile.mkdtemp(prefix="tixi-pricing-"))
        shutil.copy(src, folder / "test.db")
        return f"sqlite:///{folder / 'test.db'}", lambda: shutil.rmtree(folder, ignore_errors=True), copy.deepcopy(ids)
    from core.testing.pgserver import _admin_connection, drop_database, postgres_url

    base = postgres_url()
    name = f"tixi_pricing_{os.getpid()}_{n}"
    with _admin_connection(base) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{url.rsplit("/", 1)[1]}"')
    return base.rsplit("/", 1)[0] + f"/{name}", lambda: drop_database(base, name), copy.deepcopy(ids)
