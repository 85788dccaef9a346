"""Browser test in Chinese (headless Debian Chromium, a desktop window: the report is a wide table): the
director 刘总监 opens the regional sales report (区域销售情况统计表), filters 华东, sees its sub-territories
with the red-letter return netted, exports the .xlsx (a real workbook with the right rows, read with
openpyxl) and opens the PDF (200, application/pdf). Screenshots go to ``TIXI_SCREENSHOTS`` or pytest's
tmp dir."""

from __future__ import annotations

import datetime as dt
import io
import os
from decimal import Decimal
from pathlib import Path

import pytest

from addons.masterdata.tests.helpers import build_org
from core.testing import TixiTestDB, make_env, new_database
from core.testing.browser import browser_login, serve_wsgi

pytestmark = pytest.mark.browser
D = Decimal
DAY = dt.date(2026, 11, 10)


@pytest.fixture
def server():
    from addons.masterdata.models import Customer, Product
    from addons.orders import testing as orders
    from addons.orders.services import create_return, settings, ship
    from addons.territories.models import Territory
    from addons.territories.services import assign_customer
    from core.models import User
    from core.security.passwords import hash_password
    from core.web.app import create_app

    url, drop = new_database("sqlite")
    db = TixiTestDB(url)
    db.install("masterdata", "territories", "orders", companies=["acme"])
    ids = build_org(db)
    with db.session() as s:
        s.get(User, ids["users"]["director"]).password_hash = hash_password("secret-pass-1")
        env = make_env(db, s, ids["root"], "acme")
        settings(env).overdue_threshold = D("1000000")
        east = env.create(Territory, {"code": "HD", "name_zh": "华东", "name_en": "East China"})
        shanghai = env.create(Territory, {"code": "SH", "name_zh": "上海", "name_en": "Shanghai", "parent_id": east.id})
        jiangsu = env.create(Territory, {"code": "JS", "name_zh": "江苏", "name_en": "Jiangsu", "parent_id": east.id})
        north = env.create(Territory, {"code": "HB", "name_zh": "华北", "name_en": "North China"})
        boss = make_env(db, s, ids["users"]["director"], "acme")  # the director confirms and ships
        prod = env.create(Product, {"code": "TWC-1", "name_zh": "三元催化剂"})
        for name, owner, terr, qty in (("上汽集团", "wangwei", shanghai, 10), ("苏州金龙", "zhao", jiangsu, 4),
                                       ("北汽福田", "sun", north, 7)):
            cust = env.create(Customer, {"name_zh": name, "owner_id": ids["employees"][owner],
                                         "credit_limit": D("1000000"), "payment_days": 30})
            assign_customer(env, cust, terr, on=dt.date(2025, 1, 1))
            k = orders.contract(boss, cust, [{"product_id": prod.id, "quantity": str(qty), "unit_price": "1000"}],
                                contract_date=DAY)
            note = orders.delivery(boss, k, on=DAY)
            if name == "上汽集团":
                ship(boss, create_return(boss, note, [{"product_id": prod.id, "quantity": "1"}],
                                        on=DAY + dt.timedelta(days=2)),
                     on=DAY + dt.timedelta(days=2))
        ids["east"] = east.id
    base_url, stop = serve_wsgi(create_app(registry=db.registry, test_config={"TESTING": True}))
    try:
        yield base_url, db, ids
    finally:
        stop()
        db.dispose()
        drop()


def test_director_filters_east_china_exports_xlsx_and_opens_the_pdf(server, browser, tmp_path):
    from openpyxl import load_workbook

    base_url, _db, ids = server
    shots = Path(os.environ.get("TIXI_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = ctx.new_page()
    page.set_default_timeout(10000)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    browser_login(page, base_url, "director")
    page.goto(base_url + "/reports/")
    page.click('a[href*="orders.regional_sales"]')
    page.wait_for_selector("#report-title")
    assert "区域销售情况统计表" in page.inner_text("#report-title")
    page.select_option("#period", "custom")
    page.fill("#date_from", "2026-11-01")
    page.fill("#date_to", "2026-11-30")
    page.click("#report-show")
    page.wait_for_selector("#report-table")
    table = page.inner_text("#report-table")
    assert "华东" in table
    assert "华北" in table
    # filter 华东: its sub-territories, the return netted, 华北 gone
    page.select_option("#territory", str(ids["east"]))
    page.click("#report-show")
    page.wait_for_selector("#report-table")
    table = page.inner_text("#report-table")
    assert "上海" in table
    assert "江苏" in table
    assert "华北" not in table
    for header in ("销售出库", "红字退货", "净销售额", "回款", "应收账款"):
        assert header in table
    assert "-1,000.00" in table
    assert "9,000.00" in table
    assert page.inner_text('#report-totals [data-column="net_sales"]') == "13,000.00"
    assert page.query_selector("#report-chart") is not None
    page.screenshot(path=str(shots / "orders_regional_sales_east.png"), full_page=True)

    # .xlsx: a real workbook with 华东's rows
    with page.expect_download() as info:
        page.click("#report-xlsx")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    data = Path(download.path()).read_bytes()
    assert data[:2] == b"PK"  # a zip container, as every .xlsx
    book = load_workbook(io.BytesIO(data))
    rows = [[c.value for c in row] for row in book.active.iter_rows()]
    by_name = {r[0]: r for r in rows if r and r[0] in ("上海", "江苏", "华北")}
    assert set(by_name) == {"上海", "江苏"}
    assert [D(str(v)) for v in by_name["上海"][1:4]] == [D("10000"), D("-1000"), D("9000")]
    assert [D(str(v)) for v in by_name["江苏"][1:4]] == [D("4000"), D("0"), D("4000")]

    # the PDF of the same parameters
    href = page.get_attribute("#report-pdf", "href")
    assert f"territory={ids['east']}" in href
    resp = page.request.get(base_url + href)
    assert resp.status == 200
    assert resp.headers["content-type"].startswith("application/pdf")
    assert resp.body()[:5] == b"%PDF-"
    ctx.close()
    assert problems == []

