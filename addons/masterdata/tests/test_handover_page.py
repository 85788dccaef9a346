"""The handover page (both engines): choose the leaver, see what will move, pick a successor among
the people who make sense, confirm; then the employee page and the filtered customer list agree."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from addons.masterdata.models import Customer, Employee
from addons.masterdata.tests.helpers import build_org
from core.testing import make_env, tixi_db  # noqa: F401
from core.testing.web import csrf_token, logged_in_client

PASSWORD = "secret-pass-1"


def _world(db):
    from core.models import User
    from core.registry import model_class
    from core.security.passwords import hash_password

    db.install("masterdata", "territories", companies=["acme"])
    ids = build_org(db)
    emp = ids["employees"]
    with db.session() as s:
        digest = hash_password(PASSWORD)
        for login in ("director", "zhang_east"):
            s.get(User, ids["users"][login]).password_hash = digest
    territory, member = model_class("territories_territory"), model_class("territories_member")
    with db.session() as s:
        root = make_env(db, s, ids["root"])
        east = root.create(territory, {"code": "E", "name_zh": "华东", "manager_id": emp["zhang_east"]})
        north = root.create(territory, {"code": "N", "name_zh": "华北", "manager_id": emp["li_north"]})
        for login, terr in (("wangwei", east), ("zhao", east), ("sun", north)):
            root.create(member, {"employee_id": emp[login], "territory_id": terr.id, "date_from": dt.date(2026, 1, 1)})
        # more than a related list shows (50): the employee page once said 50 for 53
        for i in range(53):
            root.create(Customer, {"name_zh": f"王的客户{i:02d}", "owner_id": emp["wangwei"], "active": i >= 3})
        root.create(Customer, {"name_zh": "赵的客户", "owner_id": emp["zhao"]})
    from core.web.app import create_app

    return ids, create_app(registry=db.registry, test_config={"TESTING": True})


def _options(html: str, select_id: str) -> set[str]:
    block = re.search(rf'<select[^>]*id="{select_id}".*?</select>', html, re.S).group(0)
    return {v for v in re.findall(r'<option value="(\d+)"', block)}


def test_handover_is_confirmed_offers_meaningful_successors_and_counts_agree(tixi_db):  # noqa: F811
    ids, app = _world(tixi_db)
    emp = ids["employees"]
    d = logged_in_client(app, "director", PASSWORD)
    first = d.get("/masterdata/handover")
    assert first.status_code == 200
    assert 'id="handover-form"' not in first.text  # step one: only the choice of the leaver
    page = d.get(f"/masterdata/handover?from_employee={emp['wangwei']}")
    assert page.status_code == 200
    assert 'id="count-customers" data-count="53"' in page.text
    assert "3 个已归档" in page.text
    assert page.text.count("data-customer=") == 53
    # successors: salespeople and managers of 华东 only (not finance, the director, the GM, 华北's people)
    assert _options(page.text, "to_employee") == {str(emp["zhao"]), str(emp["zhang_east"])}
    token = csrf_token(page.text)
    # not confirmed: nothing moves
    r = d.post("/masterdata/handover", data={"csrf_token": token, "from_employee": emp["wangwei"], "to_employee": emp["zhao"]})
    assert r.status_code == 422
    assert "确认" in r.text
    # a successor from another territory, or finance, is refused even when posted by hand
    for other in ("sun", "finance", "director"):
        r = d.post("/masterdata/handover", data={"csrf_token": token, "from_employee": emp["wangwei"],
                                                 "to_employee": emp[other], "confirm": "1"})
        assert r.status_code == 422, other
    with tixi_db.session() as s:
        assert s.scalar(select(Customer.owner_id).where(Customer.name_zh == "王的客户00")) == emp["wangwei"]
    r = d.post("/masterdata/handover", data={"csrf_token": token, "from_employee": emp["wangwei"],
                                             "to_employee": emp["zhao"], "confirm": "1"})
    assert r.status_code == 302
    with tixi_db.session() as s:
        assert s.query(Customer).filter(Customer.owner_id == emp["zhao"]).count() == 54
    # the employee page and the customer list filtered by salesperson say the same number
    person = d.get(f"/masterdata/employees/{emp['zhao']}").text
    shown = int(re.search(r'id="employee-customer-count" data-count="(\d+)"', person).group(1))
    link = re.search(r'id="employee-customer-list"', person)
    assert link is not None
    listing = d.get(f"/masterdata/customers/?f_owner_id={emp['zhao']}").text
    total = int(re.search(r'id="list-total">\D*(\d+)', listing).group(1))
    assert shown == total == 54


def test_a_manager_hands_over_within_his_team_only(tixi_db):  # noqa: F811
    ids, app = _world(tixi_db)
    emp = ids["employees"]
    m = logged_in_client(app, "zhang_east", PASSWORD)
    page = m.get(f"/masterdata/handover?from_employee={emp['wangwei']}")
    assert page.status_code == 200
    assert _options(page.text, "to_employee") == {str(emp["zhao"]), str(emp["zhang_east"])}
    assert m.get(f"/masterdata/handover?from_employee={emp['sun']}").status_code == 403  # not his team
    with tixi_db.session() as s:
        assert s.get(Employee, emp["wangwei"]).date_left is None


def test_employee_page_counts_customers_like_the_filtered_list(tixi_db):  # noqa: F811
    """53 customers (3 archived): the employee page said 客户 50 (a related list stops at 50 rows)."""
    ids, app = _world(tixi_db)
    wang = ids["employees"]["wangwei"]
    d = logged_in_client(app, "director", PASSWORD)
    person = d.get(f"/masterdata/employees/{wang}").text
    shown = int(re.search(r'id="employee-customer-count" data-count="(\d+)"', person).group(1))
    listing = d.get(f"/masterdata/customers/?f_owner_id={wang}").text
    total = int(re.search(r'id="list-total">\D*(\d+)', listing).group(1))
    assert shown == total == 53
    assert 'id="employee-customer-more"' in person  # the first 50 shown, and said so
    assert f"f_owner_id={wang}" in person
