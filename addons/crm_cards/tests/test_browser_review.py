"""Browser test in Chinese on a 375 px phone (headless Debian Chromium): the director starts the
classification review from its list, sees the proposals side by side, approves two and refuses two
with reasons (a refusal without a reason is refused first, in Chinese, nothing decided)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from addons.crm_cards.models import ClassProposal
from addons.crm_cards.tests.helpers import crm_database
from addons.crm_cards.tests.test_review_flows import _review
from core.testing import TixiTestDB
from core.testing.browser import browser_login, phone_page, serve_wsgi

pytestmark = pytest.mark.browser


@pytest.fixture
def server():
    from core.web.app import create_app

    url, drop, ids = crm_database("sqlite")
    db = TixiTestDB(url)
    _review(db, ids)
    base_url, stop = serve_wsgi(create_app(registry=db.registry, test_config={"TESTING": True}))
    try:
        yield base_url, db, ids
    finally:
        stop()
        db.dispose()
        drop()


def test_phone_classification_review_end_to_end(server, browser, tmp_path):
    base_url, db, ids = server
    c = ids["c"]
    shots = Path(os.environ.get("TIXI_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    ctx, page = phone_page(browser, problems)
    browser_login(page, base_url, "director")
    page.goto(base_url + "/crm/reviews/")
    page.click("#new-record")  # the list's start button
    page.wait_for_selector("#review-start")
    assert "开始分类评审" in page.inner_text("h1")
    page.click("#review-start")
    page.wait_for_selector("#proposals")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # fits the phone
    cards = page.locator("[data-proposal]")
    assert cards.count() == 4
    text = page.inner_text("#proposals")
    for shown in ("当前分类", "建议分类", "得分", "销售量", "规模", "分类记录"):
        assert shown in text, shown
    assert "sales" not in text
    page.screenshot(path=str(shots / "crm_review_phone.png"), full_page=True)
    with db.session() as s:
        pid = {p.customer_id: p.id for p in s.query(ClassProposal)}
    # approve two: one with its own reason, one from the selection with the common reason
    page.fill(f"#reason_{pid[c['sh']]}", "销量和潜力都高")
    page.click(f'[data-approve="{pid[c["sh"]]}"]')
    page.wait_for_selector(f'[data-proposal="{pid[c["sh"]]}"][data-state="approved"]')
    page.check(f"#pick-{pid[c['sh2']]}")
    page.fill("#bulk_reason", "本季度无采购")
    page.click("#approve-selected")
    page.wait_for_selector(f'[data-proposal="{pid[c["sh2"]]}"][data-state="approved"]')
    # refuse two: without a reason first -> a message in Chinese, the field marked, nothing decided
    page.check(f"#pick-{pid[c['js']]}")
    page.check(f"#pick-{pid[c['bj']]}")
    page.click("#reject-selected")
    page.wait_for_selector("#form-error")
    assert "否决时请说明理由" in page.inner_text("#form-error")
    assert page.locator(f'[data-error-for="reason_{pid[c["js"]]}"]').count() == 1
    with db.session() as s:
        assert s.get(ClassProposal, pid[c["js"]]).state == "submitted"
    page.fill(f"#reason_{pid[c['js']]}", "客户正在整合，下季度再看")
    page.fill(f"#reason_{pid[c['bj']]}", "新客户，数据不足")
    page.click("#reject-selected")
    page.wait_for_selector(f'[data-proposal="{pid[c["bj"]]}"][data-state="rejected"]')
    assert "0 条建议待决定" in page.inner_text("#board-count")
    page.screenshot(path=str(shots / "crm_review_decided_phone.png"), full_page=True)
    with db.session() as s:
        got = {cid: (s.get(ClassProposal, p).state, s.get(ClassProposal, p).decision_comment) for cid, p in pid.items()}
    assert got[c["sh"]] == ("approved", "销量和潜力都高")
    assert got[c["sh2"]] == ("approved", "本季度无采购")
    assert got[c["js"]] == ("rejected", "客户正在整合，下季度再看")
    assert got[c["bj"]] == ("rejected", "新客户，数据不足")
    assert problems == []
    ctx.close()
