"""Browser tests in real headless Chromium (Debian's /usr/bin/chromium through Playwright).

Log in, switch language, create and edit a record through a generic form, see
a field error in Chinese, export a list, view the dashboard chart, and take a
375 px phone screenshot (saved under ``TIXI_SCREENSHOTS`` or pytest's tmp dir).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from core.testing.browser import browser_login, serve_wsgi
from tests.web.conftest import add_item

pytestmark = pytest.mark.browser


@pytest.fixture
def server(web_db):
    for i in range(12):
        add_item(web_db, web_db.users["sales"], f"客户物品 {i:02d}", code=f"K{i:02d}",
                 status="done" if i % 3 else "draft")
    base_url, stop = serve_wsgi(web_db.app())
    try:
        yield base_url, web_db
    finally:
        stop()


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("TIXI_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_desktop_flow(server, browser, tmp_path):
    base_url, db = server
    context = browser.new_context(locale="zh-CN", accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10000)
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    browser_login(page, base_url, "sales")
    # dashboard: the widget's ECharts chart is drawn (no inline script needed)
    page.wait_for_selector('[data-widget="webshop.by_status"] [data-chart-ready="1"] canvas')
    assert "欢迎" in page.content()

    # switch language to English and back
    page.click('button[data-lang="en"]')
    page.wait_for_selector("text=Welcome")
    assert page.locator("html").get_attribute("lang") == "en"
    page.click('button[data-lang="zh_CN"]')
    page.wait_for_selector("text=欢迎")

    # list -> new record with errors shown in Chinese
    page.click('[data-menu="webshop.item"]')
    page.wait_for_selector("#list-total")
    assert "共 12 条记录" in page.inner_text("#list-total")
    page.click("#new-record")
    page.fill("#price", "abc")
    page.click("#save")
    page.wait_for_selector(".invalid-feedback")
    errors = page.inner_text("form.tixi-form")
    assert "不是有效的小数" in errors
    assert "此字段为必填项" in errors
    page.fill("#name", "浏览器客户")
    page.fill("#price", "88.80")
    page.fill("#due", "2026-12-31")
    page.click("#save")
    page.wait_for_selector("#edit-record")
    assert "浏览器客户" in page.inner_text("h1")
    assert "88.80" in page.inner_text('[data-field="price"]')

    # edit it
    page.click("#edit-record")
    page.fill("#name", "浏览器客户（改）")
    page.click("#save")
    page.wait_for_selector("#edit-record")
    assert "浏览器客户（改）" in page.inner_text("h1")
    page.click('button[data-bs-target="#tab-history"]')
    assert "浏览器客户（改）" in page.inner_text("#audit-history")

    # export the filtered list
    page.goto(base_url + "/items/?f_status=draft")
    with page.expect_download() as info:
        page.click("#export-xlsx")
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    ws = load_workbook(io.BytesIO(target.read_bytes())).active
    names = [row[0].value for row in ws.iter_rows(min_row=2)]
    assert len(names) == 4 + 1  # 4 generated drafts + the one created here
    assert "浏览器客户（改）" in names

    page.screenshot(path=str(_shots(tmp_path) / "desktop-list.png"), full_page=True)
    # no CSP refusal, no missing asset, no script error (the 422 of the invalid form is expected)
    assert not [p for p in problems if "status of 422" not in p], problems
    context.close()


def test_phone_375(server, browser, tmp_path):
    base_url, db = server
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 812}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10000)
    browser_login(page, base_url, "sales")
    page.wait_for_selector('[data-chart-finished="1"] canvas')
    shots = _shots(tmp_path)
    page.screenshot(path=str(shots / "phone-home.png"), full_page=True)
    # the navigation collapses behind the toggler and opens on tap
    assert not page.is_visible('[data-menu="webshop.item"]')
    page.click(".navbar-toggler")
    page.wait_for_selector('[data-menu="webshop.item"]', state="visible")
    page.click('[data-menu="webshop.item"]')
    page.wait_for_selector("#list-total")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 376, f"page wider than the phone: {width}px"
    page.screenshot(path=str(shots / "phone-list.png"), full_page=True)
    page.click("#new-record")
    page.wait_for_selector("#save")
    assert page.evaluate("document.documentElement.scrollWidth") <= 376
    page.screenshot(path=str(shots / "phone-form.png"), full_page=True)
    context.close()


def test_foreign_key_search_box(server, browser, monkeypatch):
    from core.web.generic import forms as generic_forms

    monkeypatch.setattr(generic_forms, "FK_SELECT_LIMIT", 2)
    base_url, db = server
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10000)
    browser_login(page, base_url, "manager")
    page.goto(base_url + "/items/new")
    page.fill("#name", "查找测试")
    page.fill("#price", "5")
    page.fill('input[data-lookup-for="owner_id"]', "sales2")
    page.wait_for_selector(f'#owner_id option[value="{db.users["sales2"]}"]', state="attached")
    page.select_option("#owner_id", str(db.users["sales2"]))
    page.click("#save")
    page.wait_for_selector("#edit-record")
    assert "Sales2" in page.inner_text('[data-field="owner_id"]')
    context.close()
