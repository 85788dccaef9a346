"""Browser test in Chinese on a 375 px phone screen: 张东 opens the margin report from the report
centre, changes the grouping to the month and sees the table (scrolling sideways) and the chart."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from addons.pricing.tests.helpers import world_database
from addons.pricing.tests.test_report_centre import _quotes
from core.testing import TixiTestDB
from core.testing.browser import browser_login, phone_page, serve_wsgi

pytestmark = pytest.mark.browser


@pytest.fixture
def server():
    from core.web.app import create_app

    url, drop, ids = world_database("sqlite")
    db = TixiTestDB(url)
    with db.session() as s:
        _quotes(db, s, ids)
    base_url, stop = serve_wsgi(create_app(registry=db.registry, test_config={"TESTING": True}))
    try:
        yield base_url, db, ids
    finally:
        stop()
        db.dispose()
        drop()


def test_margin_report_on_a_phone_in_chinese(server, browser, tmp_path):
    base_url, db, ids = server
    shots = Path(os.environ.get("TIXI_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    ctx, page = phone_page(browser, problems)
    browser_login(page, base_url, "zhang_east")
    page.goto(base_url + "/reports/")
    assert "报表" in page.inner_text("h1")
    page.click('[data-report="pricing.margin"]')
    page.wait_for_selector("#report-table")
    assert "片区" in page.inner_text("#report-table thead")
    page.select_option("#period", "custom")
    page.fill("#date_from", "2026-01-01")
    page.fill("#date_to", "2026-12-31")
    for dim in ("customer_class", "territory", "product"):
        box = page.locator(f'#report-params input[name="by"][value="{dim}"]')
        if box.is_checked():
            box.uncheck()
    page.locator('#report-params input[name="by"][value="month"]').check()
    page.click("#report-show")
    page.wait_for_selector('#report-table th[data-column="month"]')
    assert "by=month" in page.url
    cells = page.inner_text("#report-table tbody")
    assert "2026-11" in cells
    assert "9,000.00" in cells
    assert "合计" in page.inner_text("#report-totals")
    page.wait_for_selector('#report-chart[data-chart-ready="1"]')
    # the table scrolls inside its box; the page itself does not get wider than the phone
    scroll = page.eval_on_selector("#report-scroll", "el => [el.scrollWidth, el.clientWidth]")
    assert scroll[1] <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 380
    page.screenshot(path=str(shots / "report_margin_phone.png"), full_page=True)
    # a bad period: the message in Chinese, no table
    page.select_option("#period", "custom")
    page.fill("#date_from", "2026-12-31")
    page.fill("#date_to", "2026-01-01")
    page.click("#report-show")
    page.wait_for_selector("#report-errors")
    assert "结束日期早于开始日期" in page.inner_text("#report-errors")
    assert page.locator("#report-table").count() == 0
    ctx.close()
    assert problems == []
