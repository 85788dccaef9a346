"""The territory as a security scope, history of moves, and the closure table."""

from __future__ import annotations

import datetime as dt

import pytest

from addons.masterdata.models import Contact, Customer, Employee
from addons.masterdata.services import create_customer
from addons.masterdata.tests.helpers import build_org
from core.errors import AccessDenied, ValidationError
from core.testing import make_env, tixi_db  # noqa: F401


@pytest.fixture
def org(tixi_db):  # noqa: F811
    """Territories 华北(北京)/华东(上海, 江苏)/华南, three customers."""
    from addons.territories.models import ProvinceMapping, Territory

    tixi_db.install("masterdata", "territories", companies=["acme"])
    ids = build_org(tixi_db)
    emp = ids["employees"]
    with tixi_db.session() as s:
        env = make_env(tixi_db, s, ids["root"])
        north = env.create(Territory, {"code": "N", "name_zh": "华北", "name_en": "North", "manager_id": emp["li_north"]})
        east = env.create(Territory, {"code": "E", "name_zh": "华东", "name_en": "East", "manager_id": emp["zhang_east"]})
        south = env.create(Territory, {"code": "S", "name_zh": "华南", "name_en": "South"})
        bj = env.create(Territory, {"code": "N-BJ", "name_zh": "北京", "parent_id": north.id})
        sh = env.create(Territory, {"code": "E-SH", "name_zh": "上海", "parent_id": east.id})
        js = env.create(Territory, {"code": "E-JS", "name_zh": "江苏", "parent_id": east.id})
        pd = env.create(Territory, {"code": "E-SH-PD", "name_zh": "浦东", "parent_id": sh.id})
        for prov, terr in (("北京", bj), ("上海", sh), ("江苏", js)):
            env.create(ProvinceMapping, {"province": prov, "territory_id": terr.id})
        env.create(ProvinceMapping, {"province": "上海", "city": "浦东新区", "territory_id": pd.id})
        c_sh = create_customer(env, {"name_zh": "上汽", "province": "上海", "owner_id": emp["wangwei"]})
        c_pd = create_customer(env, {"name_zh": "浦东催化", "province": "上海", "city": "浦东新区", "owner_id": emp["zhao"]})
        c_bj = create_customer(env, {"name_zh": "北汽", "province": "北京", "owner_id": emp["sun"]})
        c_js = create_customer(env, {"name_zh": "苏州汽配", "province": "江苏", "owner_id": emp["zhao"]})
        for c in (c_sh, c_bj):
            env.create(Contact, {"customer_id": c.id, "name": f"联系人{c.name_zh}"})
        ids["t"] = {"N": north.id, "E": east.id, "S": south.id, "BJ": bj.id, "SH": sh.id, "JS": js.id, "PD": pd.id}
        ids["c"] = {"sh": c_sh.id, "pd": c_pd.id, "bj": c_bj.id, "js": c_js.id}
    return tixi_db, ids


def names(env, model=Customer):
    return sorted(c.name_zh for c in env.search(model))


def test_east_manager_sees_shanghai_not_beijing(org):
    """Automatic assignment, the scope of each manager, and the rule as one SQL predicate."""
    from addons.territories.services import territory_of

    db, ids = org
    with db.session() as s:
        root = make_env(db, s, ids["root"])
        assert territory_of(root, ids["c"]["sh"]) == ids["t"]["SH"]
        assert territory_of(root, ids["c"]["pd"]) == ids["t"]["PD"]  # city-level mapping wins
        assert territory_of(root, ids["c"]["bj"]) == ids["t"]["BJ"]
    with db.session() as s:
        east = make_env(db, s, ids["users"]["zhang_east"])
        assert names(east) == ["上汽", "浦东催化", "苏州汽配"]
        with pytest.raises(AccessDenied):
            east.get(Customer, ids["c"]["bj"])
        assert [c.name for c in east.search(Contact)] == ["联系人上汽"]
        north = make_env(db, s, ids["users"]["li_north"])
        assert names(north) == ["北汽"]
        director = make_env(db, s, ids["users"]["director"])
        assert len(names(director)) == 4
        # the restriction is in the SQL WHERE: count() agrees with search(), no Python filtering
        east = make_env(db, s, ids["users"]["zhang_east"])
        sql = str(east.select(Customer).compile(compile_kwargs={"literal_binds": True}))
        assert "territories_territory_closure" in sql
        assert east.count(Customer) == 3 == len(east.search(Customer))
        assert east.count(Customer, Customer.province == "北京") == 0


def test_deep_tree_and_move(org):
    """A province change re-assigns; a subtree moved from 华东 to 华北 changes scopes at once."""
    from addons.masterdata.services import update_customer
    from addons.territories.models import Territory
    from addons.territories.services import move_territory, territory_of

    db, ids = org
    with db.session() as s:
        root = make_env(db, s, ids["root"])
        update_customer(root, root.get(Customer, ids["c"]["js"]), {"province": "北京"})
        assert territory_of(root, ids["c"]["js"]) == ids["t"]["BJ"]
    with db.session() as s:
        north = make_env(db, s, ids["users"]["li_north"])
        assert names(north) == ["北汽", "苏州汽配"]
        update_customer(make_env(db, s, ids["root"]), s.get(Customer, ids["c"]["js"]), {"province": "江苏"})
    with db.session() as s:
        root = make_env(db, s, ids["root"])
        move_territory(root, root.get(Territory, ids["t"]["SH"]), root.get(Territory, ids["t"]["N"]))
    with db.session() as s:
        east = make_env(db, s, ids["users"]["zhang_east"])
        # 上汽/浦东催化 stay visible to him only through his reporting line (owners report to him)
        assert east.count(Customer, Customer.id.in_(east.context["territory_customer_ids"])) == 1
        north = make_env(db, s, ids["users"]["li_north"])
        assert names(north) == ["上汽", "北汽", "浦东催化"]
    with db.session() as s:
        root = make_env(db, s, ids["root"])
        with pytest.raises(ValidationError):
            move_territory(root, root.get(Territory, ids["t"]["N"]), root.get(Territory, ids["t"]["PD"]))


def test_moves_keep_history(org):
    """A salesperson moved from 华东 to 华南 keeps his 华东 period; a manual assignment wins over
    the province mapping and keeps the customer's history."""
    from addons.masterdata.services import update_customer
    from addons.territories.models import CustomerTerritory, Territory
    from addons.territories.services import (
        assign_customer,
        member_history,
        move_member,
        territory_of,
    )

    db, ids = org
    d1, d2 = dt.date(2025, 1, 1), dt.date(2026, 3, 1)
    with db.session() as s:
        root = make_env(db, s, ids["root"])
        wang = root.get(Employee, ids["employees"]["wangwei"])
        move_member(root, wang, root.get(Territory, ids["t"]["E"]), on=d1)
        move_member(root, wang, root.get(Territory, ids["t"]["S"]), on=d2)
        hist = member_history(root, wang.id)
        assert [(h.territory_id, h.date_from, h.date_to) for h in hist] == [
            (ids["t"]["E"], d1, d2),
            (ids["t"]["S"], d2, None),
        ]
    day1, day2 = dt.date(2025, 6, 1), dt.date(2025, 9, 1)
    with db.session() as s:
        root = make_env(db, s, ids["root"])
        cust = root.get(Customer, ids["c"]["sh"])
        s.execute(CustomerTerritory.__table__.update().values(date_from=day1))
        assign_customer(root, cust, root.get(Territory, ids["t"]["S"]), on=day2)
        assert territory_of(root, cust.id) == ids["t"]["S"]
        assert territory_of(root, cust.id, on=dt.date(2025, 7, 1)) == ids["t"]["SH"]
        update_customer(root, cust, {"province": "北京"})  # manual assignment is not overridden
        assert territory_of(root, cust.id) == ids["t"]["S"]
    with db.session() as s:
        east = make_env(db, s, ids["users"]["zhang_east"])
        in_scope = east.search(Customer, Customer.id.in_(east.context["territory_customer_ids"]))
        assert ids["c"]["sh"] not in {c.id for c in in_scope}
        # the east manager cannot pull a customer of 华北 into 华东
        with pytest.raises(AccessDenied):
            assign_customer(east, s.get(Customer, ids["c"]["bj"]), east.get(Territory, ids["t"]["E"]))
