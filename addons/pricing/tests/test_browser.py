"""Browser test in Chinese (headless Debian Chromium): 王伟 quotes in band (approved at once)
and out of band (waits); his territory manager sees the cost and approves with a comment; a
phone-size screenshot of the quote. Screenshots go to ``TIXI_SCREENSHOTS`` or pytest's tmp dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from addons.pricing.tests.helpers import DAY, world_database
from core.testing import TixiTestDB
from core.testing.browser import browser_login, serve_wsgi

pytestmark = pytest.mark.browser
SHOTS = Path(".")  # set by the test: where screenshots go


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


def _quote(page, base_url: str, ids: dict, price: str) -> None:
    page.goto(base_url + "/pricing/quotes/create")
    page.select_option("#customer_id", str(ids["faw"]))
    page.fill("#quote_date", DAY.isoformat())
    page.select_option("#product_0", str(ids["p1"]))
    page.fill("#quantity_0", "100")
    page.fill("#price_0", price)
    # the band shows under the line while the quote is drafted, before it is created
    page.wait_for_selector("#band_0:has-text('984.00')")
    below = price != "" and float(price) < 934.80
    if below:
        page.wait_for_selector("#band_0[data-below-floor=true]")
    band = page.inner_text("#band_0")
    assert "934.80" in band
    assert ("低于底价" in band) == below
    if price:
        page.screenshot(path=str(SHOTS / "pricing_quote_draft_phone.png"), full_page=True)
    page.click("#create-quote")
    page.wait_for_selector("#quote-lines")


def test_quote_in_band_and_out_of_band_in_chinese(server, browser, tmp_path):
    global SHOTS
    base_url, db, ids = server
    shots = SHOTS = Path(os.environ.get("TIXI_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.set_default_timeout(15000)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    browser_login(page, base_url, "wangwei")
    # in band: confirmed at once
    _quote(page, base_url, ids, "")
    assert "934.80" in page.inner_text("[data-floor]")
    assert "984.00" in page.inner_text("[data-target]")
    assert page.locator("[data-cost]").count() == 0
    page.click('[data-action="submit"]')
    page.wait_for_selector('#quote-state[data-state="approved"]')
    assert "已批准" in page.inner_text("#quote-state")
    # out of band: 4% below the floor waits for the territory manager
    _quote(page, base_url, ids, "897.41")
    assert "片区经理" in page.inner_text("#outside-band")
    # on a phone the lines are cards: nothing scrolls sideways, floor and target are on screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.locator("#quote-lines [data-floor]").first.is_visible()
    page.screenshot(path=str(shots / "pricing_quote_phone.png"), full_page=True)
    page.click('[data-action="submit"]')
    page.wait_for_selector('#quote-state[data-state="waiting"]')
    assert page.locator('[data-action="send"]').count() == 0
    quote_url = page.url
    ctx.close()
    mgr = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = mgr.new_page()
    page.set_default_timeout(15000)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    browser_login(page, base_url, "zhang_east")
    page.goto(quote_url)
    assert "820.00" in page.inner_text("[data-cost]")
    page.fill("#comment", "战略客户，同意")
    page.click('[data-action="approve"]')
    page.wait_for_selector('#quote-state[data-state="approved"]')
    assert "战略客户，同意" in page.inner_text("#approval-history")
    page.screenshot(path=str(shots / "pricing_quote_approved.png"), full_page=True)
    mgr.close()
    assert not problems, problems
