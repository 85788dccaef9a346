"""Reads through Env: checked statements, the named elevated read (``env.sudo()``), refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from addons.masterdata.models import Contact, Customer
from addons.masterdata.tests.helpers import build_org
from core.errors import AccessDenied
from core.security.env import unchecked_tables
from core.testing import make_env, tixi_db  # noqa: F401


@pytest.fixture
def org(tixi_db):  # noqa: F811
    tixi_db.install("masterdata", companies=["acme", "other"])
    ids = build_org(tixi_db)
    other = build_org(tixi_db, company="other")
    emp = ids["employees"]
    with tixi_db.session() as s:
        root = make_env(tixi_db, s, ids["root"])
        for login in ("wangwei", "zhao", "sun"):
            c = root.create(Customer, {"name_zh": f"{login}的客户", "owner_id": emp[login]})
            root.create(Contact, {"customer_id": c.id, "name": f"{login}联系人"})
        oroot = make_env(tixi_db, s, other["root"], "other")
        oroot.create(Customer, {"name_zh": "外公司客户", "owner_id": other["employees"]["wangwei"]})
        s.commit()
    return ids


def test_checked_statements_run_and_keep_the_rules(tixi_db, org):  # noqa: F811
    with tixi_db.session() as s:
        env = make_env(tixi_db, s, org["users"]["wangwei"])
        names = list(env.scalars(env.select(Customer, "read", Customer.name_zh)))
        assert names == ["wangwei的客户"]
        # a checked select wrapped as a sub-query stays checked
        sub = env.select(Customer).subquery()
        assert env.scalar(select(func.count()).select_from(sub)) == 1
        assert env.execute(select(sub.c.name_zh)).scalars().all() == ["wangwei的客户"]
        # a join inside a checked select is the select's own business
        joined = (
            env.select(Customer, "read", Contact.name)
            .select_from(Customer)
            .join(Contact, Contact.customer_id == Customer.id)
        )
        assert list(env.scalars(joined)) == ["wangwei联系人"]


@pytest.mark.parametrize(
    "build",
    [
        lambda env: select(Customer),
        lambda env: select(func.count()).where(Customer.id > 0),
        lambda env: select(Contact).where(Contact.customer_id.in_(env.select(Customer, "read", Customer.id))),
        lambda env: update(Customer).values(name_zh="x"),
    ],
    ids=["bare", "implicit-from", "unchecked-outer", "bulk-update"],
)
def test_unchecked_statements_are_refused_and_change_nothing(tixi_db, org, build):  # noqa: F811
    with tixi_db.session() as s:
        env = make_env(tixi_db, s, org["users"]["wangwei"])
        with pytest.raises(AccessDenied, match="env.select"):
            env.execute(build(env))
        assert env.sudo().count(Customer) == 3  # nothing renamed, nothing leaked


def test_sudo_reads_past_rules_but_keeps_the_company(tixi_db, org):  # noqa: F811
    with tixi_db.session() as s:
        env = make_env(tixi_db, s, org["users"]["wangwei"])
        assert env.count(Customer) == 1
        elevated = env.sudo()
        assert sorted(c.name_zh for c in elevated.search(Customer)) == ["sun的客户", "wangwei的客户", "zhao的客户"]
        assert elevated.count(Customer) == 3  # the other company's customer never comes back
        other_id = s.scalar(select(Customer.id).where(Customer.name_zh == "外公司客户"))
        assert elevated.get(Customer, other_id) is None
        assert len(list(elevated.scalars(elevated.select(Customer)))) == 3
        # the elevated select is marked checked: a normal env accepts it as a sub-query
        assert env.scalar(select(func.count()).select_from(elevated.select(Customer).subquery())) == 3


def test_unchecked_tables_walks_subqueries_and_ignores_plain_tables():
    from addons.masterdata.models import employee_closure

    assert unchecked_tables(select(Customer.id)) == ["masterdata_customer"]
    assert unchecked_tables(select(func.count())) == []
    assert unchecked_tables(select(employee_closure)) == []  # ids only, no model
