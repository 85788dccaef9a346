"""Browser test in Chinese (headless Debian Chromium) on a 375 px phone: the salesperson 王伟 files a
competitor price from his phone; without a date it is refused in Chinese and nothing is saved; with
the date it is saved under his collection plan, and the director's market status report shows it.
Screenshots go to ``TIXI_SCREENSHOTS`` or pytest's tmp dir."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from addons.masterdata.tests.helpers import build_org
from core.testing import TixiTestDB, make_env, new_database
from core.testing.browser import browser_login, phone_page, serve_wsgi

pytestmark = pytest.mark.browser


@pytest.fixture
def server():
    from addons.market_info import services as svc
    from core.models import User
    from core.security.passwords import hash_password
    from core.web.app import create_app

    url, drop = new_database("sqlite")
    db = TixiTestDB(url)
    db.install("masterdata", "market_info", companies=["acme"])
    ids = build_org(db)
    users, emps = ids["users"], ids["employees"]
    with db.session() as s:
        for login in ("wangwei", "director"):
            s.get(User, users[login]).password_hash = hash_password("secret-pass-1")
    with db.session() as s:
        ops = make_env(db, s, users["ops"], "acme")
        jm = svc.create_competitor(ops, "庄信万丰", name_en="Johnson Matthey")
        svc.create_competitor(ops, "巴斯夫", name_en="BASF")
        plan = svc.create_plan(ops, "华东竞争对手价格", "competitor_price", emps["wangwei"], dt.date(2026, 12, 31),
                               aggregator=emps["ops"], recipients=[emps["director"]])
        ids["jm"], ids["plan"] = jm.id, plan.id
    base_url, stop = serve_wsgi(create_app(registry=db.registry, test_config={"TESTING": True}))
    try:
        yield base_url, db, ids
    finally:
        stop()
        db.dispose()
        drop()


def test_salesperson_files_a_competitor_price_from_a_phone(server, browser, tmp_path):
    base_url, db, ids = server
    shots = Path(os.environ.get("TIXI_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    phone, page = phone_page(browser, problems, timeout=10000)
    browser_login(page, base_url, "wangwei")
    page.goto(base_url + "/market-info/")
    assert "我的市场信息" in page.inner_text("h1")
    page.click("#file-price")
    page.wait_for_selector("#price-form")
    assert "填报竞争对手价格" in page.inner_text("h1")
    page.select_option("#competitor_id", str(ids["jm"]))
    page.select_option("#price_kind", "wholesale")
    page.fill("#price", "2450")
    page.fill("#unit", "件")
    page.fill("#place", "上海嘉定")
    page.select_option("#source", "customer")
    # no date: refused in Chinese, nothing saved
    page.click("#price-submit")
    page.wait_for_selector("#price-error")
    assert "请填写价格日期：没有日期的竞争对手价格不会保存。" in page.inner_text("#price-error")
    assert page.input_value("#place") == "上海嘉定"  # what he typed is kept
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(shots / "market_info_price_refused_phone.png"), full_page=True)
    from addons.market_info.models import PriceObservation

    with db.session() as s:
        assert s.query(PriceObservation).count() == 0
    page.fill("#observed_on", "2026-11-20")
    page.click("#price-submit")
    page.wait_for_url("**/market-info/prices/*")
    body = page.inner_text("body")
    assert "竞争对手价格已保存。" in body
    assert "上海嘉定" in body
    assert "批发价" in body
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(shots / "market_info_price_saved_phone.png"), full_page=True)
    phone.close()
    with db.session() as s:
        row = s.query(PriceObservation).one()
        assert (row.plan_id, row.observed_on, str(row.price)) == (ids["plan"], dt.date(2026, 11, 20), "2450.0000")

    # the director opens the market status report for November
    phone, page = phone_page(browser, problems, timeout=10000)
    browser_login(page, base_url, "director")
    page.goto(base_url + "/reports/market_info.market_status?period=custom&date_from=2026-11-01&date_to=2026-11-30")
    content = page.content()
    assert "市场状况周/月统计表" in content
    assert "庄信万丰" in content
    assert ("2,450.00" in content or "2450.00" in content)
    phone.close()
    assert problems == []


def test_salesperson_files_and_corrects_a_technical_need_from_a_phone(server, browser, tmp_path):
    """王伟 files a technical need in Chinese at 375 px: without stage, date and text each field says
    what is missing and nothing is saved; then saved; then corrected from his page."""
    from addons.market_info.models import TechNeed
    from addons.masterdata.services import create_customer

    base_url, db, ids = server
    shots = Path(os.environ.get("TIXI_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    with db.session() as s:
        ops = make_env(db, s, ids["users"]["ops"], "acme")
        customer = create_customer(ops, {"name_zh": "玉柴机器", "owner_id": ids["employees"]["wangwei"],
                                         "status": "active"})
        cid = customer.id
    problems: list[str] = []
    phone, page = phone_page(browser, problems, timeout=10000)
    browser_login(page, base_url, "wangwei")
    page.goto(base_url + "/market-info/")
    page.click("#file-need")
    page.wait_for_selector("#need-form")
    assert "填报技术需求" in page.inner_text("h1")
    page.select_option("#customer_id", str(cid))
    page.fill("#noted_on", "")
    page.click("#need-submit")
    page.wait_for_selector("#need-error")
    assert page.inner_text("#stage-error") == "请选择开发阶段。"
    assert page.inner_text("#noted_on-error") == "请填写日期。"
    assert page.inner_text("#need-error-text") == "请描述需求。"
    assert page.query_selector("#customer_id-error") is None
    assert page.input_value("#customer_id") == str(cid)  # what he chose is kept
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(shots / "market_info_need_refused_phone.png"), full_page=True)
    with db.session() as s:
        assert s.query(TechNeed).count() == 0
    page.select_option("#stage", "test_plan")
    page.fill("#noted_on", "2026-11-18")
    page.fill("#need", "国六b台架试验：起燃温度 ≤ 220 ℃")
    page.click("#need-submit")
    page.wait_for_url("**/market-info/tech-needs/*")
    body = page.inner_text("body")
    assert "技术需求已保存。" in body
    assert "试验计划" in body
    # corrected from his page
    page.goto(base_url + "/market-info/")
    page.click("#needs a.btn")
    page.wait_for_selector("#need-form")
    assert "修改技术需求" in page.inner_text("h1")
    page.fill("#need", "")
    page.click("#need-submit")
    page.wait_for_selector("#need-error-text")
    assert page.inner_text("#need-error-text") == "请描述需求。"
    page.fill("#need", "国六b台架试验：起燃温度 ≤ 200 ℃")
    page.click("#need-submit")
    page.wait_for_url("**/market-info/tech-needs/*")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(shots / "market_info_need_saved_phone.png"), full_page=True)
    phone.close()
    with db.session() as s:
        row = s.query(TechNeed).one()
        assert (row.customer_id, row.stage, row.noted_on) == (cid, "test_plan", dt.date(2026, 11, 18))
        assert row.need == "国六b台架试验：起燃温度 ≤ 200 ℃"
    assert problems == []
