"""Record rules of masterdata: own customers, subordinates' customers, not peers'; contacts follow."""

from __future__ import annotations

import pytest

from addons.masterdata.models import Contact, Customer, Employee
from addons.masterdata.tests.helpers import build_org
from core.errors import AccessDenied
from core.testing import make_env, tixi_db  # noqa: F401


def test_owner_manager_peer_and_all(tixi_db):  # noqa: F811
    tixi_db.install("masterdata", companies=["acme", "other"])
    ids = build_org(tixi_db)
    other = build_org(tixi_db, company="other")
    emp = ids["employees"]
    with tixi_db.session() as s:
        root = make_env(tixi_db, s, ids["root"])
        made = {}
        for login in ("wangwei", "zhao", "sun"):
            c = root.create(Customer, {"name_zh": f"{login}的客户", "owner_id": emp[login]})
            root.create(Contact, {"customer_id": c.id, "name": f"{login}联系人"})
            made[login] = c.id
        oroot = make_env(tixi_db, s, other["root"], "other")
        oroot.create(Customer, {"name_zh": "wangwei的客户", "owner_id": other["employees"]["wangwei"]})

    def seen(login, model=Customer):
        with tixi_db.session() as s:
            env = make_env(tixi_db, s, ids["users"][login])
            attr = "name_zh" if model is Customer else "name"
            return sorted(getattr(r, attr) for r in env.search(model)), env.count(model)

    assert seen("wangwei") == (["wangwei的客户"], 1)
    assert seen("wangwei", Contact)[0] == ["wangwei联系人"]
    # the east manager sees both subordinates' customers, not the north team's (peer)
    assert seen("zhang_east")[0] == ["wangwei的客户", "zhao的客户"]
    assert seen("li_north")[0] == ["sun的客户"]
    assert seen("zhang_east", Contact)[0] == ["wangwei联系人", "zhao联系人"]
    for login in ("director", "ops", "finance"):
        assert seen(login)[1] == 3  # all of the company, not the other company's look-alike
    with tixi_db.session() as s:
        wang = make_env(tixi_db, s, ids["users"]["wangwei"])
        with pytest.raises(AccessDenied):
            wang.get(Customer, made["zhao"])
        with pytest.raises(AccessDenied):  # may not create a customer for someone else
            wang.create(Customer, {"name_zh": "偷偷的", "owner_id": emp["zhao"]})
    with tixi_db.session() as s:
        mgr = make_env(tixi_db, s, ids["users"]["zhang_east"])
        # the manager reads, but the reporting line alone does not let him edit
        with pytest.raises(AccessDenied):
            mgr.write(mgr.get(Customer, made["wangwei"]), {"status": "active"})
    # moving wangwei under the north manager moves his customers with him (closure follows)
    with tixi_db.session() as s:
        root = make_env(tixi_db, s, ids["root"])
        root.write(root.get(Employee, emp["wangwei"]), {"manager_id": emp["li_north"]})
    assert seen("li_north")[0] == ["sun的客户", "wangwei的客户"]
    assert seen("zhang_east")[0] == ["zhao的客户"]
