"""Browser test in Chinese (headless Debian Chromium) on a 375 px phone, on the demo of 贵研催化:
the director 刘建国 sets a 2026 target and splits it over the three regions by last year's
share, the general manager approves it, the territory manager 张东海 plans 华东 down to its
customers and submits, and plan vs actual warns about the region behind plan. Screenshots go
to ``TIXI_SCREENSHOTS`` or pytest's tmp dir."""

from __future__ import annotations

import json
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest

from core.testing import TixiTestDB, new_database
from core.testing.browser import browser_login, phone_page, serve_wsgi

pytestmark = pytest.mark.browser
PASSWORD = "tixi-demo-1"


@pytest.fixture
def server():
    from core.web.app import create_app

    url, drop = new_database("sqlite")
    db = TixiTestDB(url)
    db.company("guiyan")
    db.install("masterdata", "territories", "sales_planning", companies=["guiyan"], demo=True)
    base_url, stop = serve_wsgi(create_app(registry=db.registry, test_config={"TESTING": True}))
    try:
        yield base_url, db
    finally:
        stop()
        db.dispose()
        drop()


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_target_down_plan_up_and_the_warning_on_a_phone(server, browser, tmp_path):
    base_url, db = server
    shots = Path(os.environ.get("TIXI_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    # the director: a new 2026 target, split over the three regions by 2025's shares
    phone, page = phone_page(browser, problems, timeout=15000)
    browser_login(page, base_url, "liu_director", PASSWORD)
    page.goto(base_url + "/sales_planning/")
    page.click("#new-target")
    page.fill("#year", "2026")
    page.fill("#name", "2026 年度销售目标（调整）")
    page.click("#create-target")
    page.wait_for_selector("#alloc-form")
    assert "现在进行分解" in page.content()
    members = page.query_selector_all("#members [data-member]")
    assert len(members) == 3
    assert "华东" in page.inner_text("#members")
    # bad input first: a negative total is refused in Chinese, nothing is written
    page.fill("#total", "-100")
    page.click("#alloc-preview")
    page.wait_for_selector("#alloc-error")
    assert "目标不能为负数" in page.inner_text("#alloc-error")
    page.fill("#total", "90,000,000.00")
    page.select_option("#method", "last_year")
    page.select_option("#spread", "last_year")
    page.click("#alloc-preview")
    page.wait_for_selector("#proposal")
    amounts = [Decimal(td.get_attribute("data-amount")) for td in page.query_selector_all("#proposal-members [data-amount]")]
    assert len(amounts) == 3
    assert sum(amounts) == Decimal("90000000.00")
    _fits(page)
    page.screenshot(path=str(shots / "planning_allocate_phone.png"), full_page=True)
    page.click("#alloc-apply")
    page.wait_for_selector("#plan-title")
    assert page.inner_text("#plan-total") == "90,000,000.00"
    assert len(page.query_selector_all("#rollup tbody tr[data-key]")) == 3
    plan_url = page.url
    page.click('[data-transition="submit"]')
    page.wait_for_selector("#plan-state")
    assert "待审批" in page.inner_text("#plan-state")
    assert not page.query_selector('[data-transition="approve"]')  # not his own
    phone.close()
    # the general manager approves
    phone, page = phone_page(browser, problems, timeout=15000)
    browser_login(page, base_url, "yang_gm", PASSWORD)
    page.goto(plan_url)
    page.click('[data-transition="approve"]')
    page.wait_for_selector("#plan-state")
    assert "已批准" in page.inner_text("#plan-state")
    phone.close()
    # the territory manager of 华东 plans his region down to customers and submits
    phone, page = phone_page(browser, problems, timeout=15000)
    browser_login(page, base_url, "zhang_east", PASSWORD)
    page.goto(base_url + "/sales_planning/")
    target_id = int(re.search(r"/plan/(\d+)", plan_url).group(1))
    page.click(f'[data-plan="{target_id}"] [data-plan-territory]')
    page.wait_for_selector("#alloc-form")
    goal = page.inner_text("#goal")
    assert Decimal(page.input_value("#total").replace(",", "")) == Decimal(goal.replace(",", ""))
    customers = page.query_selector_all("#members [data-member]")
    assert len(customers) > 10
    page.select_option("#method", "last_year")
    page.click("#alloc-preview")
    page.wait_for_selector("#proposal")
    assert page.inner_text("#proposal-total") == goal
    _fits(page)
    page.click("#alloc-apply")
    page.wait_for_selector("#plan-title")
    assert "华东" in page.inner_text("#plan-title")
    page.click('[data-transition="submit"]')
    page.wait_for_selector("#plan-state")
    assert "待审批" in page.inner_text("#plan-state")
    page.screenshot(path=str(shots / "planning_territory_plan_phone.png"), full_page=True)
    phone.close()
    # the director: consolidation balanced for 华东, plan vs actual warns about the regions behind
    phone, page = phone_page(browser, problems, timeout=15000)
    browser_login(page, base_url, "liu_director", PASSWORD)
    page.goto(plan_url.rstrip("/") + "/consolidation")
    east = page.query_selector('#consolidation tr:has-text("华东") [data-difference]')
    assert east.get_attribute("data-difference") == "0.00"
    page.goto(plan_url.rstrip("/") + "/attainment")
    page.wait_for_selector("#attainment")
    warning = page.inner_text("#warnings")
    assert "落后于计划" in warning
    assert "华南" in warning
    assert "华南" in " ".join(tr.inner_text() for tr in page.query_selector_all("#attainment tr.table-danger"))
    option = json.loads(page.get_attribute("#attainment-chart", "data-chart"))
    assert [s["name"] for s in option["series"]] == ["计划", "实际", "累计完成率"]
    _fits(page)
    page.screenshot(path=str(shots / "planning_attainment_phone.png"), full_page=True)
    # drill down: 华南 -> its salespeople
    page.click('#attainment tr:has-text("华南") a[data-drill]')
    page.wait_for_selector("#attainment")
    assert "销售员" in page.inner_text("#attainment thead")
    phone.close()
    assert problems == []
