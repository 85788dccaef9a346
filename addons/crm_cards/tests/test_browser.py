"""Browser test in Chinese (headless Debian Chromium): 王伟 fills a monthly card on a
375 px phone screen, the territory manager approves his strategy card, the
profile card prints. Screenshots go to ``TIXI_SCREENSHOTS`` or pytest's tmp dir."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from addons.crm_cards import services
from addons.crm_cards.models import MonthlyCard, StrategyCard
from addons.crm_cards.tests.helpers import crm_database
from core.testing import TixiTestDB, make_env
from core.testing.browser import browser_login, serve_wsgi

pytestmark = pytest.mark.browser


@pytest.fixture
def server():
    from core.web.app import create_app

    url, drop, ids = crm_database("sqlite")
    db = TixiTestDB(url)
    with db.session() as s:
        wang = make_env(db, s, ids["users"]["wangwei"])
        card = services.create_strategy(wang, ids["c"]["sh"], dt.date.today().year, {"goals": "年销售 500 万", "budget": "50000"})
        services.submit_strategy(wang, card)
        ids["strategy"] = card.id
    base_url, stop = serve_wsgi(create_app(registry=db.registry, test_config={"TESTING": True}))
    try:
        yield base_url, db, ids
    finally:
        stop()
        db.dispose()
        drop()


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("TIXI_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_phone_monthly_card_and_manager_approval(server, browser, tmp_path):
    base_url, db, ids = server
    shots = _shots(tmp_path)
    problems: list[str] = []
    phone = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.set_default_timeout(10000)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    browser_login(page, base_url, "wangwei")
    page.goto(base_url + "/crm/monthly/missing?mine=1")
    assert "缺少的月评卡" in page.content()
    page.click(f'[data-customer="{ids["c"]["sh"]}"]')
    page.wait_for_selector("#monthly-form")
    # the form fits the phone: no horizontal scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.fill("#sales_plan", "100000")
    page.fill("#sales_actual", "十万")  # not a number: the error comes back in Chinese
    page.click('label[for="enthusiasm-4"]')
    page.click("#save-submit")
    page.wait_for_selector('[data-error-for="sales_actual"]')
    assert "请输入数字" in page.inner_text('[data-error-for="sales_actual"]')
    page.fill("#sales_actual", "92000")
    page.fill("#collections", "80000")
    page.fill("#risks", "竞争对手降价")
    page.screenshot(path=str(shots / "crm_monthly_phone.png"), full_page=True)
    page.click("#save-submit")
    page.wait_for_selector("#approval-state")
    assert page.get_attribute("#approval-state", "data-state") == "submitted"
    with db.session() as s:
        card = s.query(MonthlyCard).one()
        assert str(card.sales_actual) == "92000.00"
        assert card.enthusiasm == 4
    phone.close()

    desk = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = desk.new_page()
    page.set_default_timeout(10000)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    browser_login(page, base_url, "zhang_east")
    # the to-do list on his home page shows the submitted monthly card; he reviews it from there
    page.goto(base_url + "/")
    with db.session() as s:
        card_id = s.query(MonthlyCard).one().id
    entry = page.locator(f'[data-todo-entry="crm_cards_monthly:{card_id}"]')
    entry.wait_for()
    assert "待办" in page.content() or "审批" in page.inner_text("[data-todos]")
    entry.locator("a").click()
    page.wait_for_selector('#approval-state[data-state="submitted"]')
    page.click('[data-transition="review"]')
    page.wait_for_selector('#approval-state[data-state="reviewed"]')
    page.goto(base_url + "/")
    assert page.locator(f'[data-todo-entry="crm_cards_monthly:{card_id}"]').count() == 0
    page.goto(base_url + f"/crm/strategy/{ids['strategy']}")
    assert "待片区经理审批" in page.inner_text("#approval-state")
    page.fill("#approval-comment", "同意，注意费用")
    page.click('[data-transition="approve"]')
    page.wait_for_selector('#approval-state[data-state="approved"]')
    assert "已批准" in page.inner_text("#approval-state")
    page.goto(base_url + f"/crm/customers/{ids['c']['sh']}")
    page.wait_for_selector("#profile-card")
    assert "客户资料卡" in page.content()
    page.emulate_media(media="print")
    assert not page.is_visible("nav.navbar")
    page.screenshot(path=str(shots / "crm_profile_print.png"), full_page=True)
    desk.close()
    with db.session() as s:
        assert s.get(StrategyCard, ids["strategy"]).state == "approved"
        assert s.get(MonthlyCard, card_id).state == "reviewed"
    assert problems == []
