"""Shared set-up for crm_cards tests: the sales organisation of masterdata's tests,
territories 华北 (北京) and 华东 (上海, 江苏) and four active customers."""

from __future__ import annotations

import copy
import itertools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from addons.masterdata.services import create_customer
from addons.masterdata.tests.helpers import build_org
from core.testing import ENGINES, TixiTestDB, make_env, new_database

PASSWORD = "secret-pass-1"


def build_crm(db: Any, company: str = "acme") -> dict[str, Any]:
    """Install masterdata, territories and crm_cards; return ids of users, employees, customers."""
    from addons.territories.models import ProvinceMapping, Territory

    db.install("masterdata", "territories", "crm_cards", companies=[company])
    ids = build_org(db, company)
    emp = ids["employees"]
    with db.session() as s:  # the users the page and browser tests log in as
        from core.models import User
        from core.security.passwords import hash_password

        digest = hash_password(PASSWORD)
        for login in ("wangwei", "zhang_east", "li_north", "director"):
            s.get(User, ids["users"][login]).password_hash = digest
    with db.session() as s:
        env = make_env(db, s, ids["root"], company)
        north = env.create(Territory, {"code": "N", "name_zh": "华北", "name_en": "North", "manager_id": emp["li_north"]})
        east = env.create(Territory, {"code": "E", "name_zh": "华东", "name_en": "East", "manager_id": emp["zhang_east"]})
        bj = env.create(Territory, {"code": "N-BJ", "name_zh": "北京", "parent_id": north.id})
        sh = env.create(Territory, {"code": "E-SH", "name_zh": "上海", "parent_id": east.id})
        js = env.create(Territory, {"code": "E-JS", "name_zh": "江苏", "parent_id": east.id})
        for prov, terr in (("北京", bj), ("上海", sh), ("江苏", js)):
            env.create(ProvinceMapping, {"province": prov, "territory_id": terr.id})
        cust = {}
        for key, name, prov, owner, limit in (
            ("sh", "上汽", "上海", "wangwei", "1000000"),
            ("js", "苏州汽配", "江苏", "zhao", "500000"),
            ("bj", "北汽", "北京", "sun", "800000"),
            ("sh2", "上海柴油机", "上海", "wangwei", "200000"),
        ):
            c = create_customer(
                env,
                {"name_zh": name, "province": prov, "owner_id": emp[owner], "status": "active", "credit_limit": limit, "size": "large"},
            )
            cust[key] = c.id
        ids["t"] = {"N": north.id, "E": east.id, "BJ": bj.id, "SH": sh.id, "JS": js.id}
        ids["c"] = cust
    return ids


# ----- a prepared database per engine, copied for each test (fast set-up) ----------------
_templates: dict[str, tuple[str, dict[str, Any]]] = {}
_counter = itertools.count()


def crm_database(engine: str) -> tuple[str, Callable[[], None], dict[str, Any]]:
    """A fresh copy of a database where :func:`build_crm` ran once per engine and process.

    Returns (url, drop function, ids). SQLite copies the file; PostgreSQL uses
    ``CREATE DATABASE ... TEMPLATE``.
    """
    if engine not in _templates:
        url, _drop = new_database(engine)
        db = TixiTestDB(url)
        ids = build_crm(db)
        db.dispose()
        _templates[engine] = (url, ids)
    url, ids = _templates[engine]
    n = next(_counter)
    if engine == "sqlite":
        src = Path(url.removeprefix("sqlite:///"))
        folder = Path(tempfile.mkdtemp(prefix="tixi-crm-"))
        shutil.copy(src, folder / "test.db")
        return f"sqlite:///{folder / 'test.db'}", lambda: shutil.rmtree(folder, ignore_errors=True), copy.deepcopy(ids)
    from core.testing.pgserver import _admin_connection, drop_database, postgres_url

    base = postgres_url()
    name = f"tixi_crm_{os.getpid()}_{n}"
    tpl = url.rsplit("/", 1)[1]
    with _admin_connection(base) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{tpl}"')
    return base.rsplit("/", 1)[0] + f"/{name}", lambda: drop_database(base, name), copy.deepcopy(ids)


@pytest.fixture(params=ENGINES)
def crm(request: pytest.FixtureRequest) -> Iterator[tuple[TixiTestDB, dict[str, Any]]]:
    """(db, ids): masterdata, territories and crm_cards installed, org and customers built;
    on SQLite, then on PostgreSQL (like ``tixi_db``)."""
    url, drop, ids = crm_database(request.param)
    db = TixiTestDB(url)
    try:
        yield db, ids
    finally:
        db.dispose()
        drop()
