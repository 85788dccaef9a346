"""The demo data loads for company guiyan and the territory scope holds on it."""

from __future__ import annotations

from sqlalchemy import select

from addons.masterdata.models import Customer, Employee
from core.models import User
from core.testing import make_env, tixi_db  # noqa: F401


def test_demo_scopes(tixi_db):  # noqa: F811
    tixi_db.company("guiyan")
    tixi_db.install("masterdata", "territories", companies=["guiyan"], demo=True)
    from addons.territories.models import Territory, TerritoryMember

    with tixi_db.session() as s:
        def env_of(login):
            return make_env(tixi_db, s, s.scalar(select(User.id).where(User.login == login)))

        director = env_of("liu_director")
        assert director.count(Customer) == 300
        east = env_of("zhang_east")
        east_ids = {c.province for c in east.search(Customer)}
        assert "上海" in east_ids
        assert not east_ids & {"北京", "广东"}
        wang = env_of("wangwei")
        assert 0 < wang.count(Customer) < east.count(Customer)
        assert {c.owner_id for c in wang.search(Customer)} == {s.scalar(wang.context["employee_ids"])}
        # lin_fang moved from 华东 to 华南 in 2025: both periods are kept
        lin = s.scalar(select(User.id).where(User.login == "lin_fang"))
        rows = s.scalars(
            select(Territory.code)
            .join(TerritoryMember, TerritoryMember.territory_id == Territory.id)
            .join(Employee, Employee.id == TerritoryMember.employee_id)
            .where(Employee.user_id == lin)
            .order_by(TerritoryMember.date_from)
        ).all()
        assert rows == ["E", "S"]

    # uninstall in dependency order: tables, rules and demo records go, nothing is left behind
    from sqlalchemy import inspect

    tixi_db.lifecycle.uninstall("territories", confirmed=True)
    tixi_db.lifecycle.uninstall("masterdata", confirmed=True)
    left = [t for t in inspect(tixi_db.registry.engine).get_table_names() if t.startswith(("masterdata_", "territories_"))]
    assert left == []
    with tixi_db.session() as s:
        assert s.scalar(select(User.id).where(User.login == "wangwei")) is None
