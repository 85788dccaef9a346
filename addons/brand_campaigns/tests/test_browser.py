"""Browser test in Chinese (headless Debian Chromium) on a 375 px phone: the brand owner 周管
publishes an approved brochure version, the salesperson 王伟 downloads it on his phone, a customer
contact answers the questionnaire through the public link (no login), and the evaluation report
shows the answer. Screenshots go to ``TIXI_SCREENSHOTS`` or pytest's tmp dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from addons.masterdata.tests.helpers import build_org
from core.testing import TixiTestDB, make_env, new_database
from core.testing.browser import browser_login, phone_page, serve_wsgi

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def server():
    from addons.brand_campaigns import services as svc
    from addons.masterdata.models import Contact, Customer
    from core.models import User
    from core.security.passwords import hash_password
    from core.web.app import create_app

    url, drop = new_database("sqlite")
    db = TixiTestDB(url)
    db.install("masterdata", "brand_campaigns", companies=["acme"])
    ids = build_org(db)
    with db.session() as s:
        for login in ("ops", "wangwei"):
            s.get(User, ids["users"][login]).password_hash = hash_password("secret-pass-1")
    with db.session() as s:
        owner = make_env(db, s, ids["users"]["ops"], "acme")
        director = make_env(db, s, ids["users"]["director"], "acme")
        item = svc.toolkit.create_item(owner, {"kind": "brochure", "title_zh": "三元催化器产品手册",
                                               "title_en": "TWC brochure"})
        version = svc.toolkit.add_version(owner, item, "zh_CN", PDF, filename="产品手册v1.pdf")
        svc.toolkit.fire(owner, version, "submit")
        svc.toolkit.fire(director, version, "approve")
        cust = owner.create(Customer, {"name_zh": "重庆宗申摩托车有限公司", "owner_id": ids["employees"]["wangwei"]})
        contact = owner.create(Contact, {"customer_id": cust.id, "name": "李工"})
        channel = svc.channels(owner)[3]
        plan = svc.plans.save_plan(owner, {"name": "重庆客户研讨会", "channel_id": channel.id,
                                           "start_date": "2026-11-05", "end_date": "2026-11-05",
                                           "owner_id": ids["employees"]["ops"], "expected_score": "4",
                                           "expected_reach": 40})
        survey = svc.surveys.create_survey(owner, {"name": "研讨会效果问卷", "plan_id": plan.id,
                                                   "closes_on": "2099-12-31"})
        ((_row, raw),) = svc.surveys.invite(owner, survey, [contact.id])
        ids.update(version=version.id, survey=survey.id, token=raw)
    base_url, stop = serve_wsgi(create_app(registry=db.registry, test_config={"TESTING": True}))
    try:
        yield base_url, db, ids
    finally:
        stop()
        db.dispose()
        drop()


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_publish_download_answer_and_report_on_a_phone(server, browser, tmp_path):
    base_url, db, ids = server
    shots = Path(os.environ.get("TIXI_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    vid = ids["version"]
    # the brand owner publishes the approved version
    ctx, page = phone_page(browser, problems, timeout=10000)
    browser_login(page, base_url, "ops")
    page.goto(base_url + "/brand/toolkit")
    assert "推广工具包" in page.inner_text("h1")
    assert page.get_attribute(f'[data-version="{vid}"]', "data-state") == "approved"
    page.click(f'[data-action="publish-{vid}"]')
    page.wait_for_selector(f'[data-version="{vid}"][data-state="published"]')
    assert "已发布" in page.inner_text(f'[data-version="{vid}"]')
    _fits(page)
    page.screenshot(path=str(shots / "brand_toolkit_owner_phone.png"), full_page=True)
    ctx.close()
    # the salesperson downloads it on his phone
    ctx, page = phone_page(browser, problems, timeout=10000)
    browser_login(page, base_url, "wangwei")
    page.goto(base_url + "/brand/toolkit")
    assert "三元催化器产品手册" in page.inner_text("#toolkit")
    assert page.query_selector('[data-upload]') is None  # no upload form for a salesperson
    with page.expect_download() as info:
        page.click(f'[data-download="{vid}"]')
    download = info.value
    assert Path(download.path()).read_bytes() == PDF
    assert download.suggested_filename.endswith(".pdf")
    _fits(page)
    page.screenshot(path=str(shots / "brand_toolkit_sales_phone.png"), full_page=True)
    ctx.close()
    # a customer contact answers through the public link: no login; a missing score comes back in Chinese
    ctx, page = phone_page(browser, problems, timeout=10000)
    page.goto(base_url + f"/brand/q/{ids['token']}")
    assert "研讨会效果问卷" in page.inner_text("h1")
    assert "您对我们品牌的了解程度如何？" in page.content()
    page.click('label[for="awareness-4"]')
    page.click('label[for="acceptance-5"]')
    page.click("#survey-submit")
    page.wait_for_selector("#survey-error")
    assert "请为每个问题打 1 到 5 分" in page.inner_text("#survey-error")
    assert page.is_checked("#acceptance-5")
    page.click('label[for="recommend-4"]')
    page.fill("#comment", "技术交流很有帮助，希望多办")
    _fits(page)
    page.screenshot(path=str(shots / "brand_questionnaire_phone.png"), full_page=True)
    page.click("#survey-submit")
    page.wait_for_selector("#survey-thanks")
    assert "感谢您的回答" in page.inner_text("#survey-thanks")
    page.goto(base_url + f"/brand/q/{ids['token']}")
    assert "已经提交过" in page.inner_text("#survey-refused")
    ctx.close()
    # the evaluation report shows the answer
    ctx, page = phone_page(browser, problems, timeout=10000)
    browser_login(page, base_url, "ops")
    page.goto(base_url + f"/brand/surveys/{ids['survey']}/report")
    assert "技术交流很有帮助" in page.inner_text("#answers")
    assert page.inner_text('#comparison tr[data-key="acceptance"]').split()[-2:] == ["4.00", "5.00"]
    _fits(page)
    page.screenshot(path=str(shots / "brand_report_phone.png"), full_page=True)
    ctx.close()
    assert problems == []
