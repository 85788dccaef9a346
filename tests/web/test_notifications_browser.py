"""Browser test in Chinese at 375 px (headless Debian Chromium), pricing's quote approval:
王伟 submits a quote below his band; his territory manager 张东 sees the bell's count, opens
the notification, lands on the quote and approves it; 王伟's inbox shows the decision.
The manager's home page lists the quote in the to-do card (待办) with the badge's count.
Screenshots go to ``TIXI_SCREENSHOTS`` or pytest's tmp dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from addons.pricing.tests.helpers import DAY, world_database
from core.testing import TixiTestDB
from core.testing.browser import browser_login, serve_wsgi

pytestmark = pytest.mark.browser

PHONE = {"locale": "zh-CN", "viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def server():
    from core.web.app import create_app

    url, drop, ids = world_database("sqlite")
    db = TixiTestDB(url)
    base_url, stop = serve_wsgi(create_app(registry=db.registry, test_config={"TESTING": True}))
    try:
        yield base_url, db, ids
    finally:
        stop()
        db.dispose()
        drop()


def _page(browser, problems: list[str]):
    ctx = browser.new_context(**PHONE)
    page = ctx.new_page()
    page.set_default_timeout(15000)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return ctx, page


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_quote_approval_through_the_bell_on_a_phone_in_chinese(server, browser, tmp_path):
    base_url, _db, ids = server
    shots = Path(os.environ.get("TIXI_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []

    # 王伟 quotes 4% below the floor and submits: it waits for approval
    ctx, page = _page(browser, problems)
    browser_login(page, base_url, "wangwei")
    assert page.locator("#notification-count").count() == 0
    page.goto(base_url + "/pricing/quotes/create")
    page.select_option("#customer_id", str(ids["faw"]))
    page.fill("#quote_date", DAY.isoformat())
    page.select_option("#product_0", str(ids["p1"]))
    page.fill("#quantity_0", "100")
    page.fill("#price_0", "897.41")
    page.click("#create-quote")
    page.wait_for_selector("#quote-lines")
    page.click('[data-action="submit"]')
    page.wait_for_selector('#quote-state[data-state="waiting"]')
    quote_url = page.url
    ctx.close()

    # 张东 sees the bell's count on his phone, opens the notification, lands on the quote, approves
    ctx, page = _page(browser, problems)
    browser_login(page, base_url, "zhang_east")
    # the home page's to-do card lists the quote; the to-do button's badge counts it
    todo = page.locator('#home-todos [data-todo="approval:pricing.quote"]')
    assert "待审批：报价" in todo.inner_text()
    assert todo.locator("[data-todo-entry] a").first.inner_text().startswith("Q")
    page.wait_for_selector('#todo-link[data-todo-loaded="1"]')
    assert page.inner_text("#todo-count") == "1"
    assert page.locator("#todo-link").is_visible()
    bell = page.locator("#notification-bell")
    assert bell.is_visible()  # in the top bar, without opening the menu
    assert page.inner_text("#notification-count") == "1"
    page.screenshot(path=str(shots / "notifications_bell_phone.png"))
    bell.click()
    page.wait_for_selector("#notifications")
    item = page.locator('[data-type="core.approval_pending"]').first
    assert item.get_attribute("data-unread") == "1"
    text = item.inner_text()
    assert "待审批：Q" in text  # the quote's number
    assert "请您审批" in text
    assert _no_horizontal_scroll(page)
    page.screenshot(path=str(shots / "notifications_inbox_phone.png"), full_page=True)
    item.locator("[data-open]").click()
    page.wait_for_url(quote_url)
    page.wait_for_selector('#quote-state[data-state="waiting"]')
    assert page.locator("#notification-count").count() == 0  # read now
    page.fill("#comment", "战略客户，同意")
    page.click('[data-action="approve"]')
    page.wait_for_selector('#quote-state[data-state="approved"]')
    ctx.close()

    # 王伟's inbox shows the decision, in Chinese
    ctx, page = _page(browser, problems)
    browser_login(page, base_url, "wangwei")
    assert page.inner_text("#notification-count") == "1"
    page.click("#notification-bell")
    page.wait_for_selector("#notifications")
    decided = page.locator('[data-type="core.approval_decided"]').first
    text = decided.inner_text()
    assert "已批准" in text
    assert "已将 Q" in text
    assert "战略客户，同意" in text
    assert _no_horizontal_scroll(page)
    page.screenshot(path=str(shots / "notifications_decision_phone.png"), full_page=True)
    decided.locator("[data-open]").click()
    page.wait_for_url(quote_url)
    assert "已批准" in page.inner_text("#quote-state")
    ctx.close()
    assert not problems, problems
