"""The salesperson filter offers only sales people within the user's reach (both engines)."""

from __future__ import annotations

from addons.masterdata.models import Customer
from addons.masterdata.pickers import sales_people
from addons.masterdata.tests.helpers import build_org
from core.testing import make_env, tixi_db  # noqa: F401


def test_salesperson_filter_offers_meaningful_people(tixi_db):  # noqa: F811
    tixi_db.install("masterdata", companies=["acme"])
    ids = build_org(tixi_db)
    emp = ids["employees"]
    with tixi_db.session() as s:
        root = make_env(tixi_db, s, ids["root"])
        for login in ("wangwei", "zhao", "sun", "zhang_east", "finance"):
            root.create(Customer, {"name_zh": f"{login}的客户", "owner_id": emp[login]})
    with tixi_db.session() as s:
        director = make_env(tixi_db, s, ids["users"]["director"])
        names = {e for e, _n in sales_people(director)}
        # finance owns a customer by mistake, but is no salesperson; the GM and admins own none
        assert names == {emp["wangwei"], emp["zhao"], emp["sun"], emp["zhang_east"]}
        manager = make_env(tixi_db, s, ids["users"]["zhang_east"])
        assert {e for e, _n in sales_people(manager)} == {emp["wangwei"], emp["zhao"], emp["zhang_east"]}
        wang = make_env(tixi_db, s, ids["users"]["wangwei"])
        assert [e for e, _n in sales_people(wang)] == [emp["wangwei"]]
    from core.models import User
    from core.security.passwords import hash_password
    from core.testing.web import logged_in_client
    from core.web.app import create_app

    with tixi_db.session() as s:
        s.get(User, ids["users"]["wangwei"]).password_hash = hash_password("secret-pass-1")
    page = logged_in_client(create_app(registry=tixi_db.registry, test_config={"TESTING": True}), "wangwei").get(
        "/masterdata/customers/")
    assert page.status_code == 200
    assert "钱财" not in page.text  # finance is not offered in the salesperson filter
    assert "孙立" not in page.text  # another territory's salesperson neither
