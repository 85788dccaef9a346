"""Pages on the demo data (SQLite, Flask test client): import with errors then clean, the
territory manager's list, the tree and a territory's page, the customer tab, handover."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from addons.masterdata.models import Customer
from addons.masterdata.validation import make_credit_code
from core.testing import TixiTestDB, new_database
from core.testing.web import csrf_token as csrf
from core.testing.web import logged_in_client

PASSWORD = "tixi-demo-1"


@pytest.fixture(scope="module")
def web() -> Iterator[tuple[TixiTestDB, Any]]:
    """The demo company guiyan (masterdata + territories with demo data) and its app."""
    from core.web.app import create_app

    url, drop = new_database("sqlite")
    db = TixiTestDB(url)
    db.company("guiyan")
    db.install("masterdata", "territories", companies=["guiyan"], demo=True)
    app = create_app(registry=db.registry, test_config={"TESTING": True})
    try:
        yield db, app
    finally:
        db.dispose()
        drop()


def client_for(app: Any, login: str) -> Any:
    """A test client logged in as a demo user."""
    return logged_in_client(app, login, PASSWORD)


def xlsx(rows: list[list[Any]]) -> bytes:
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_then_manager_finds_them(web):
    db, app = web
    ops = client_for(app, "zhou_ops")
    page = ops.get("/masterdata/import?kind=customers")
    assert page.status_code == 200
    assert "客户名称" in page.text
    header = ["客户名称", "统一社会信用代码", "省份", "城市", "销售员"]
    good = [[f"导入测试客户{i}", make_credit_code(f"91310000{i:09d}"), "上海", "上海市", "王伟"] for i in range(6)]
    bad = [*good, ["", "", "上海", "", "王伟"], ["导入测试客户0", "", "", "", ""],
           ["坏代码客户", "91310000000000000X", "", "", ""], ["无人客户", "", "上海", "", "查无此人"]]
    with db.session() as s:
        before = s.scalar(select(func.count()).select_from(Customer))
    r = ops.post("/masterdata/import", data={
        "kind": "customers", "csrf_token": csrf(page.text),
        "file": (io.BytesIO(xlsx([header, *bad])), "customers.xlsx"),
    }, content_type="multipart/form-data")
    assert r.status_code == 422
    assert "未导入任何数据" in r.text
    rows = set(re.findall(r'data-row="(\d+)"', r.text))
    assert rows == {"8", "9", "10", "11"}
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == before
    r = ops.post("/masterdata/import", data={
        "kind": "customers", "csrf_token": csrf(page.text),
        "file": (io.BytesIO(xlsx([header, *good])), "customers.xlsx"),
    }, content_type="multipart/form-data")
    assert r.status_code == 200, r.text[:300]
    assert 'id="import-ok"' in r.text
    east = client_for(app, "zhang_east")
    listing = east.get("/masterdata/customers/?q=导入测试客户")
    assert listing.status_code == 200
    assert len(re.findall(r"<tr data-id=", listing.text)) == 6
    north = client_for(app, "zhao_north")
    assert re.findall(r"<tr data-id=", north.get("/masterdata/customers/?q=导入测试客户").text) == []


def test_tree_overview_customer_tab_and_handover(web):
    db, app = web
    east = client_for(app, "zhang_east")
    tree = east.get("/territories/")
    assert tree.status_code == 200
    assert "华东" in tree.text
    assert "华北" in tree.text
    tid = re.search(r'href="/territories/(\d+)">华东', tree.text).group(1)
    over = east.get(f"/territories/{tid}")
    assert over.status_code == 200
    assert "王伟" in over.text
    assert 'id="by-salesperson"' in over.text
    with db.session() as s:
        cid = s.scalar(select(Customer.id).where(Customer.province == "上海").limit(1))
    detail = east.get(f"/masterdata/customers/{cid}")
    assert detail.status_code == 200
    assert 'id="customer-territory"' in detail.text
    for url in ("/masterdata/contacts/", "/masterdata/products/", "/masterdata/employees/",
                "/masterdata/product-lines/", "/territories/list/", "/territories/members/",
                "/territories/assignments/", "/masterdata/handover"):
        assert east.get(url).status_code == 200, url
    wang = client_for(app, "wangwei")
    assert wang.get("/masterdata/handover").status_code == 403
    assert wang.get("/masterdata/import").status_code in (200, 403)
    director = client_for(app, "liu_director")
    ltree = director.get("/territories/")
    assert "tixi-move" in ltree.text
    home = director.get("/")
    assert home.status_code == 200
    chart = re.search(r'data-chart="([^"]*华北[^"]*)"', home.text)
    assert chart is not None
    assert "华东" in chart.group(1)
    assert "华南" in chart.group(1)
    # the east manager's dashboard shows his territory only
    ehome = east.get("/").text
    assert "华北" not in "".join(re.findall(r'data-chart="([^"]*)"', ehome))


@pytest.mark.browser
def test_browser_import_demo_customers_and_find_them_as_manager(web, tmp_path):
    """In Chromium: the marketing admin imports customers from .xlsx; 华东's manager finds 上海's."""
    from playwright.sync_api import sync_playwright

    from addons.masterdata.demo.generate import customer_rows
    from addons.masterdata.importer import COLUMNS
    from addons.masterdata.models import SETTLEMENT_METHOD
    from core.testing.browser import launch_browser, serve_wsgi

    db, app = web
    with db.session() as s:
        taken = set(s.scalars(select(Customer.name_zh)))
    rows = [r for r in customer_rows(n=120, seed=2024) if r["name_zh"] not in taken][:40]
    fields = ["name_zh", "name_en", "credit_code", "industry", "province", "city", "address", "credit_limit", "settlement_method"]
    header = [COLUMNS["customers"][f][0] for f in fields] + ["销售员"]
    names = {"wangwei": "王伟", "li_na": "李娜", "zhou_jie": "周杰", "sun_li": "孙丽", "ma_chao": "马超",
             "gao_yang": "高阳", "huang_lei": "黄磊", "lin_fang": "林芳", "wu_di": "吴迪"}
    data = [header] + [
        [SETTLEMENT_METHOD.label(r[f], "zh_CN") if f == "settlement_method" else r[f] for f in fields] + [names[r["owner"]]]
        for r in rows
    ]
    path = tmp_path / "客户.xlsx"
    path.write_bytes(xlsx(data))
    east = next(r["name_zh"] for r in rows if r["province"] in ("上海", "江苏", "浙江"))
    north = next(r["name_zh"] for r in rows if r["province"] in ("北京", "河北", "山东"))

    base_url, stop = serve_wsgi(app)
    try:
        with sync_playwright() as pw:
            browser = launch_browser(pw)
            try:
                page = browser.new_page()
                page.goto(base_url + "/login")
                page.fill("#login", "zhou_ops")
                page.fill("#password", PASSWORD)
                page.click("#login-submit")
                page.wait_for_url(base_url + "/")
                page.goto(base_url + "/masterdata/import?kind=customers")
                page.set_input_files("#import-file", str(path))
                page.click("#import-submit")
                page.wait_for_selector("#import-ok")
                assert "40" in page.inner_text("#import-ok")

                page = browser.new_context().new_page()
                page.goto(base_url + "/login")
                page.fill("#login", "zhang_east")
                page.fill("#password", PASSWORD)
                page.click("#login-submit")
                page.wait_for_url(base_url + "/")
                page.goto(base_url + "/masterdata/customers/")
                page.fill("main input[name=q]", east)
                page.press("main input[name=q]", "Enter")
                page.wait_for_selector("table.tixi-list")
                assert east in page.inner_text("table.tixi-list")
                page.fill("main input[name=q]", north)
                page.press("main input[name=q]", "Enter")
                page.wait_for_load_state()
                assert north not in page.inner_text("table.tixi-list")
            finally:
                browser.close()
    finally:
        stop()
