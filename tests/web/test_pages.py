"""Menus, 403/404, generic list/detail/form/export, view extension (Flask test client, SQLite)."""

from __future__ import annotations

import io
import sys
import types
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import event, select

from core.plugins import hookimpl
from core.testing import make_user
from tests.web.conftest import add_item, csrf_token, login


def _client(db, who):
    c = db.app().test_client()
    assert login(c, who).status_code == 302
    return c


def test_menus_per_role_and_company(web_db, users):
    make_user(web_db, "plain", ["core.group_user"])
    sales = _client(web_db, "sales").get("/").text
    assert 'data-menu="webshop.item"' in sales
    assert "/admin/users" not in sales
    plain = _client(web_db, "plain").get("/").text
    assert 'data-menu="webshop.item"' not in plain  # no read right on the model
    admin = _client(web_db, "admin").get("/").text
    assert 'data-menu="webshop.item"' in admin
    assert "/admin/users/" in admin
    assert "/admin/explain" in admin
    outsider = _client(web_db, "outsider").get("/").text  # company "other": webshop not enabled
    assert 'data-menu="webshop.item"' not in outsider


def test_403_and_404_pages_in_user_language(web_db, users):
    make_user(web_db, "plain", ["core.group_user"])
    plain = _client(web_db, "plain")
    r = plain.get("/items/")
    assert r.status_code == 403
    assert "无权访问" in r.text
    assert plain.get("/admin/addons").status_code == 403
    r = _client(web_db, "outsider").get("/items/")
    assert r.status_code == 404
    assert "页面不存在" in r.text
    sales = _client(web_db, "sales")
    other = add_item(web_db, users["sales2"], "Not mine")
    assert sales.get(f"/items/{other}").status_code == 403  # outside the record rule
    assert sales.get(f"/items/{other}/edit").status_code == 403
    assert sales.get("/no/such/page").status_code == 404
    r = sales.get("/no/such/page", headers={"Accept-Language": "en"})  # no preference: the browser's language
    assert r.status_code == 404
    assert "Page not found" in r.text


def test_list_rules_search_filter_sort_paginate_columns(web_db, users):
    for i in range(60):
        add_item(web_db, users["sales"], f"Mine {i:02d}", code=f"C{i:02d}", status="done" if i % 2 else "draft")
    add_item(web_db, users["sales2"], "Theirs")
    sales = _client(web_db, "sales")
    r = sales.get("/items/")
    assert r.status_code == 200
    assert "共 60 条记录" in r.text
    assert "Theirs" not in r.text
    assert "第 1 页，共 2 页" in r.text
    assert "Cost" not in r.text
    assert "成本" not in r.text
    r = sales.get("/items/?q=mine 0")
    assert "共 10 条记录" in r.text
    r = sales.get("/items/?f_status=done")
    assert "共 30 条记录" in r.text
    r = sales.get("/items/?sort=-code")
    assert r.text.index("Mine 59") < r.text.index("Mine 58")
    r = sales.get("/items/?sort=code&page=2")
    assert "Mine 59" in r.text
    assert "Mine 00" not in r.text
    r = sales.get("/items/?cols=name,due")
    assert 'value="due" id="col-due" checked' in r.text
    assert 'value="code" id="col-code" checked' not in r.text
    # a restricted field can be neither filtered on (that would reveal it) nor chosen as a column
    assert 'name="f_cost"' not in sales.get("/items/").text
    assert "共 60 条记录" in sales.get("/items/?f_cost=0").text
    r = sales.get("/items/?cols=cost")
    assert "成本" not in r.text
    director = _client(web_db, "director")
    r = director.get("/items/")
    assert 'name="f_cost"' in r.text
    assert "共 61 条记录" in r.text
    assert "成本" in r.text


def test_list_queries_are_bounded(web_db, users):
    """The number of SQL statements of a list page does not grow with the rows shown."""
    director = _client(web_db, "director")
    engine = web_db.registry.engine

    def statements() -> int:
        counter = {"n": 0}

        def count(*args, **kwargs):
            counter["n"] += 1

        event.listen(engine, "before_cursor_execute", count)
        try:
            assert director.get("/items/").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return counter["n"]

    add_item(web_db, users["sales"], "First")
    director.get("/items/")
    few = statements()
    for i in range(45):
        add_item(web_db, users["sales"] if i % 2 else users["sales2"], f"Item {i}")
    many = statements()
    assert many == few, (few, many)
    assert many <= 25


def test_create_edit_field_errors_and_stale_version(web_db, users):
    from webshop.models import Item

    sales = _client(web_db, "sales")
    page = sales.get("/items/new")
    assert page.status_code == 200
    assert 'name="version"' in page.text
    assert 'name="cost"' not in page.text
    token = csrf_token(page.text)
    r = sales.post("/items/new", data={"csrf_token": token, "name": "", "price": "abc", "status": "draft"})
    assert r.status_code == 422
    assert "此字段为必填项" in r.text
    assert "不是有效的小数" in r.text
    with web_db.session() as s:
        assert s.scalar(select(Item).where(Item.name == "")) is None
    r = sales.post("/items/new", data={"csrf_token": token, "name": "Pump", "price": "12.50", "status": "draft",
                                       "owner_id": str(users["sales"]), "due": "2026-12-01"})
    assert r.status_code == 302, r.text
    item_id = int(r.headers["Location"].rsplit("/", 1)[1])
    with web_db.session() as s:
        item = s.get(Item, item_id)
        assert item.price == Decimal("12.50")
        assert item.company_id == web_db.company("acme")
        version = item.version
    detail = sales.get(f"/items/{item_id}")
    assert "Pump" in detail.text
    assert "audit-history" in detail.text
    assert "12.50" in detail.text
    edit = sales.get(f"/items/{item_id}/edit")
    assert f'name="version" type="hidden" value="{version}"' in edit.text
    r = sales.post(f"/items/{item_id}/edit", data={"csrf_token": token, "name": "Pump II", "price": "13",
                                                   "status": "done", "owner_id": str(users["sales"]),
                                                   "version": str(version)})
    assert r.status_code == 302
    # a second save based on the old version is refused
    r = sales.post(f"/items/{item_id}/edit", data={"csrf_token": token, "name": "Pump III", "price": "14",
                                                   "status": "done", "owner_id": str(users["sales"]),
                                                   "version": str(version)})
    assert r.status_code == 409
    assert "其他人已保存" in r.text
    with web_db.session() as s:
        assert s.get(Item, item_id).name == "Pump II"
    history = sales.get(f"/items/{item_id}").text
    assert "Pump II" in history
    assert "修改" in history
    # moving the item to another salesperson takes it out of reach: refused, nothing written
    r = sales.post(f"/items/{item_id}/edit", data={"csrf_token": token, "name": "Gone", "price": "14",
                                                   "status": "done", "owner_id": str(users["sales2"]),
                                                   "version": str(version + 1)})
    assert r.status_code in (403, 422)
    with web_db.session() as s:
        assert s.get(Item, item_id).name == "Pump II"


def test_export_escapes_formulas_and_hides_restricted(web_db, users):
    add_item(web_db, users["sales"], "=HYPERLINK(\"http://evil\")", code="+1", cost=Decimal("5"))
    add_item(web_db, users["sales"], "@SUM(A1)", code="-2")
    add_item(web_db, users["sales"], "Normal", code="ok")
    sales = _client(web_db, "sales")
    r = sales.get("/items/export.xlsx?sort=name")
    assert r.status_code == 200
    assert r.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(r.data)).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header, body = rows[0], rows[1:]
    assert "Cost" not in header
    assert "成本" not in header
    names = {row[0] for row in body}
    assert names == {"'=HYPERLINK(\"http://evil\")", "'@SUM(A1)", "Normal"}
    codes = {row[1] for row in body}
    assert codes == {"'+1", "'-2", "ok"}
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert isinstance(body[0][2], int | float | Decimal)


def test_view_extension_through_hook(web_db, users):
    from core.web.generic import Button, Tab

    mod = types.ModuleType("webtest_ext")

    @hookimpl
    def tixi_view_extend(view, env):
        if view != "webshop.item":
            return None
        return {"columns": ["due"], "tabs": [Tab("extra", "Extra tab", lambda env, rec: f"<b>{rec.name}</b>")],
                "buttons": [Button("ping", "Ping", lambda env, rec: "pong", perm="read")]}

    mod.tixi_view_extend = tixi_view_extend
    sys.modules["webtest_ext"] = mod
    web_db.registry.pm.register(mod, name="webtest_ext")
    try:
        item = add_item(web_db, users["sales"], "Ext")
        sales = _client(web_db, "sales")
        assert 'value="due" id="col-due" checked' in sales.get("/items/").text
        detail = sales.get(f"/items/{item}")
        assert "Extra tab" in detail.text
        assert "&lt;b&gt;Ext&lt;/b&gt;" in detail.text
        r = sales.post(f"/items/{item}/action/ping", data={"csrf_token": csrf_token(detail.text)})
        assert r.status_code == 302
        assert "pong" in sales.get(f"/items/{item}").text
    finally:
        web_db.registry.pm.unregister(name="webtest_ext")


def test_dashboard_widgets(web_db, users):
    add_item(web_db, users["sales"], "A", status="done")
    r = _client(web_db, "sales").get("/")
    assert 'data-widget="webshop.by_status"' in r.text
    assert "data-chart=" in r.text
    assert _client(web_db, "outsider").get("/").text.count("webshop.by_status") == 0


def test_admin_pages(web_db, users):
    admin = _client(web_db, "admin")
    for path in ("/admin/users/", "/admin/companies/", "/admin/audit/", "/admin/addons",
                 f"/admin/users/{users['sales']}", "/preferences", "/password"):
        assert admin.get(path).status_code == 200, path
    item = add_item(web_db, users["sales"], "Explained")
    r = admin.get(f"/admin/explain?login=sales&model=webshop_item&res_id={item}")
    assert r.status_code == 200
    assert "explain-lines" in r.text
    assert 'data-addon="webshop"' in admin.get("/admin/addons").text


def test_admin_pages_are_refused_to_everybody_else_by_url(web_db, users):
    """Users may read ``core_user``/``core_company`` (labels), but only admins get their pages."""
    make_user(web_db, "director_x", ["core.group_director"])
    for who in ("sales", "director_x"):
        client = _client(web_db, who)
        for path in ("/admin/users/", "/admin/companies/", "/admin/users/export.xlsx",
                     f"/admin/users/{users['sales']}", f"/admin/companies/{web_db.company('acme')}",
                     "/admin/addons", "/admin/explain"):
            assert client.get(path).status_code == 403, (who, path)
        home = client.get("/").text
        assert "/admin/users/" not in home
        assert "/admin/companies/" not in home


def test_approval_state_and_buttons(web_db, users):
    cheap = add_item(web_db, users["sales"], "Cheap", price=Decimal("50"))
    dear = add_item(web_db, users["sales"], "Dear", price=Decimal("500"))
    sales = _client(web_db, "sales")
    page = sales.get(f"/items/{cheap}")
    assert 'data-state="draft"' in page.text
    assert 'data-transition="submit"' in page.text
    assert 'data-transition="approve"' not in page.text
    token = csrf_token(page.text)
    for item in (cheap, dear):
        assert sales.post(f"/items/{item}/action/wf:submit", data={"csrf_token": token}).status_code == 302
    assert 'data-state="submitted"' in sales.get(f"/items/{cheap}").text
    # the requester cannot approve; a manager may approve up to 100, not above
    r = sales.post(f"/items/{cheap}/action/wf:approve", data={"csrf_token": token})
    assert r.status_code == 302
    assert 'data-state="submitted"' in sales.get(f"/items/{cheap}").text
    manager = _client(web_db, "manager")
    page = manager.get(f"/items/{cheap}")
    assert 'data-transition="approve"' in page.text
    assert 'data-transition="approve"' not in manager.get(f"/items/{dear}").text
    r = manager.post(f"/items/{dear}/action/wf:approve", data={"csrf_token": csrf_token(page.text)})
    assert r.status_code == 302
    assert "已拒绝" in manager.get(f"/items/{dear}").text
    manager.post(f"/items/{cheap}/action/wf:approve", data={"csrf_token": csrf_token(page.text),
                                                           "comment": "价格合理"})
    detail = manager.get(f"/items/{cheap}").text
    assert 'data-state="approved"' in detail
    assert "审批记录" in detail
    assert "价格合理" in detail
    assert "Manager" in detail


def test_money_and_foreign_key_labels(web_db, users):
    item = add_item(web_db, users["sales"], "Labelled", price=Decimal("1234.50"))
    admin = _client(web_db, "admin")
    # audit entries reference users by id without a relationship: shown by name
    from core.models import AuditEntry

    with web_db.session() as s:
        s.add(AuditEntry(company_id=web_db.company("acme"), model="webshop_item", res_id=item, action="update",
                         user_id=users["sales"], changes="{}"))
    page = admin.get("/admin/audit/").text
    assert "Sales" in page
    detail = _client(web_db, "sales").get(f"/items/{item}").text
    assert "¥1,234.50" in detail


def test_dates_and_numbers_per_locale(web_db, users):
    import datetime as dt

    item = add_item(web_db, users["sales"], "Dated", price=Decimal("1234.5"), due=dt.date(2026, 12, 1))
    sales = _client(web_db, "sales")
    zh = sales.get(f"/items/{item}").text
    assert "2026年12月1日" in zh
    page = sales.get("/preferences")
    sales.post("/preferences", data={"lang": "en", "tz": "UTC", "csrf_token": csrf_token(page.text)})
    en = sales.get(f"/items/{item}").text
    assert "Dec 1, 2026" in en
    assert "1,234.50" in en
    admin = _client(web_db, "admin")
    assert "core.group_salesperson" in admin.get(f"/admin/users/{users['sales']}").text


def test_blueprint_gated_by_tixi_addon_attribute(web_db, users):
    assert _client(web_db, "sales").get("/webshop-extra/ping").text == "pong"
    assert _client(web_db, "outsider").get("/webshop-extra/ping").status_code == 404
    assert web_db.app().test_client().get("/webshop-extra/ping").status_code == 302  # login first


def test_search_wildcards_are_literal(web_db, users):
    add_item(web_db, users["sales"], "100% pure")
    add_item(web_db, users["sales"], "1000 pieces")
    sales = _client(web_db, "sales")
    assert "共 1 条记录" in sales.get("/items/?q=100%25").text
    assert "共 0 条记录" in sales.get("/items/?q=_00").text


def test_admin_creates_user_and_changes_groups(web_db, users):
    from core.models import Group, User

    admin = _client(web_db, "admin")
    listing = admin.get("/admin/users/")
    assert 'href="/admin/users/create"' in listing.text
    page = admin.get("/admin/users/create")
    with web_db.session() as s:
        sales_group = s.scalar(select(Group.id).where(Group.code == "core.group_salesperson"))
        manager_group = s.scalar(select(Group.id).where(Group.code == "core.group_territory_manager"))
    acme = web_db.company("acme")
    data = {"csrf_token": csrf_token(page.text), "login": "newbie", "name": "New Bie", "email": "",
            "password": "short", "companies": [str(acme)], "groups": [str(sales_group)]}
    r = admin.post("/admin/users/create", data=data)
    assert r.status_code == 422
    data["password"] = "long-enough-1"
    r = admin.post("/admin/users/create", data=data)
    assert r.status_code == 302, r.text
    r = admin.post("/admin/users/create", data=data)
    assert r.status_code == 422  # login taken
    newbie = _client(web_db, "newbie")  # conftest.login knows newbie's password
    assert newbie.get("/items/").status_code == 200
    with web_db.session() as s:
        uid = s.scalar(select(User.id).where(User.login == "newbie"))
    page = admin.get(f"/admin/users/{uid}/access")
    r = admin.post(f"/admin/users/{uid}/access", data={"csrf_token": csrf_token(page.text),
                                                        "companies": [str(acme)], "groups": [str(manager_group)]})
    assert r.status_code == 302
    assert newbie.get("/").status_code == 302  # access changed: their sessions ended
    assert "core.group_territory_manager" in admin.get(f"/admin/users/{uid}").text
    from core.models import AuditEntry

    with web_db.session() as s:
        changes = [e.changes for e in s.scalars(select(AuditEntry).where(AuditEntry.model == "core_user",
                                                                          AuditEntry.res_id == uid))]
    assert any("core.group_territory_manager" in c for c in changes)


def test_count_is_capped_on_large_lists(web_db, users):
    from webshop import item_view

    for i in range(12):
        add_item(web_db, users["sales"], f"Many {i:02d}")
    view = item_view()
    old = (view.count_limit, view.page_size)
    view.count_limit, view.page_size = 10, 5
    try:
        sales = _client(web_db, "sales")
        r = sales.get("/items/")
        assert "共 10+ 条记录" in r.text
        assert "第 1 页" in r.text
        assert 'rel="next"' in r.text
        r = sales.get("/items/?page=3")
        assert "Many 01" in r.text
        assert 'rel="next"' not in r.text
    finally:
        view.count_limit, view.page_size = old


def test_audit_log_hides_restricted_fields(web_db, users):
    from core.models import AuditEntry, Group, User

    with web_db.session() as s:
        entry = AuditEntry(company_id=web_db.company("acme"), model="webshop_item", res_id=1, action="update",
                           user_id=users["sales"], changes='{"cost": ["1", "2"], "name": ["a", "b"]}')
        s.add(entry)
        s.flush()
        entry_id = entry.id
        # a second administrator-like reader of the trail who is not entitled to the cost
        auditor = s.get(User, users["manager"])
        auditor.groups.append(s.scalar(select(Group).where(Group.code == "core.group_admin")))
    admin = _client(web_db, "admin")  # is_admin: sees every field
    text = admin.get(f"/admin/audit/{entry_id}").text
    assert "<th>cost</th>" in text
    manager = _client(web_db, "manager")
    text = manager.get(f"/admin/audit/{entry_id}").text
    assert "<th>name</th>" in text
    assert "<th>cost</th>" not in text


def test_related_list_without_view(web_db, users):
    parent = add_item(web_db, users["sales"], "Parent")
    add_item(web_db, users["sales"], "Child A", parent_id=parent, status="done")
    add_item(web_db, users["sales2"], "Child of someone else", parent_id=parent)
    text = _client(web_db, "sales").get(f"/items/{parent}").text
    assert "Child A" in text
    assert "Child of someone else" not in text  # the related list goes through the record rules
    assert "<td>Sales</td>" in text  # owner shown by name
    assert "<td>完成</td>" in text  # choice label
    assert "子项" in text


def test_foreign_key_lookup_when_too_many_targets(web_db, users, monkeypatch):
    from core.web.generic import forms as generic_forms

    monkeypatch.setattr(generic_forms, "FK_SELECT_LIMIT", 2)
    sales = _client(web_db, "sales")
    page = sales.get("/items/new")
    assert 'data-lookup="/lookup/core_user"' in page.text
    found = sales.get("/lookup/core_user?q=sal").get_json()["items"]
    assert {i["label"] for i in found} == {"Sales", "Sales2"}
    assert sales.get("/lookup/core_user?q=outsider").get_json()["items"] == []  # other company: not readable
    assert sales.get("/lookup/nothing").status_code == 404
    assert _client(web_db, "admin").get("/lookup/core_api_token").status_code == 404  # not a form target
    token = csrf_token(page.text)
    base = {"csrf_token": token, "name": "Looked up", "price": "1", "status": "draft"}
    r = sales.post("/items/new", data={**base, "owner_id": str(users["outsider"])})
    assert r.status_code == 422  # an id the user cannot read is not a valid choice
    r = sales.post("/items/new", data={**base, "owner_id": str(users["sales"])})
    assert r.status_code == 302
    edit = sales.get(r.headers["Location"] + "/edit").text
    assert "selected" in edit.split('name="owner_id"')[1].split("</select>")[0]


def test_a_unique_value_taken_twice_is_a_field_error_not_a_server_error(web_db, users):
    """A UNIQUE constraint hit through a generic form: 422 with the field's message, nothing written."""
    from webshop.models import Item

    add_item(web_db, users["sales2"], "Theirs", code="U-1")  # another salesperson's: not readable
    sales = _client(web_db, "sales")
    token = csrf_token(sales.get("/items/new").text)
    form = {"csrf_token": token, "name": "Mine", "price": "1", "status": "draft", "code": "U-1",
            "owner_id": str(users["sales"])}
    r = sales.post("/items/new", data=form)
    assert r.status_code == 422
    assert "已有其他记录使用此编码" in r.text
    en = _client(web_db, "sales")  # no language preference: the browser's language decides
    r = en.post("/items/new", data={**form, "csrf_token": csrf_token(en.get("/items/new").text)},
                headers={"Accept-Language": "en"})
    assert r.status_code == 422
    assert "Another record already has this Code." in r.text
    with web_db.session() as s:
        assert s.scalar(select(Item.id).where(Item.name == "Mine")) is None
    # editing an item to take the code is refused the same way
    mine = add_item(web_db, users["sales"], "Mine too", code="U-2")
    with web_db.session() as s:
        version = s.get(Item, mine).version
    r = sales.post(f"/items/{mine}/edit", data={**form, "name": "Mine too", "version": str(version)})
    assert r.status_code == 422
    assert "已有其他记录使用此编码" in r.text
    with web_db.session() as s:
        assert s.get(Item, mine).code == "U-2"


def test_menu_items_need_the_right_they_open_with(web_db, users):
    """A "new ..." entry asks for create, a page over several models for all of them, ``visible`` has the last say."""
    from core.testing import make_env
    from core.web.menus import MenuItem, menu_tree

    offered = [
        MenuItem("read", "Items", "x.read", model="webshop_item"),
        MenuItem("delete", "Purge items", "x.delete", model="webshop_item", perm="delete"),
        MenuItem("both", "Items and audit", "x.both", model=("webshop_item", "core_audit")),
        MenuItem("never", "Never", "x.never", model="webshop_item", visible=lambda env: False),
    ]
    with web_db.session() as s:
        sales = {i.key for i in menu_tree(make_env(web_db, s, users["sales"]), offered)}
        director = {i.key for i in menu_tree(make_env(web_db, s, users["director"]), offered)}
    assert sales == {"read"}  # salespeople may not delete items nor read the audit log
    assert "delete" in director
    assert "never" not in director
