"""Browser test in Chinese (headless Debian Chromium) on a 375 px phone: HR (周管) computes the
training needs from the calibrated gaps and builds the 2027-Q1 plan within a budget; the
salesperson 王伟 enrols on a session on his phone, checks in, is refused feedback without
ratings (in Chinese), gives it, and the course's rating updates. Screenshots go to
``TIXI_SCREENSHOTS`` or pytest's tmp dir."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from addons.masterdata.tests.helpers import build_org
from core.testing import TixiTestDB, make_env, new_database
from core.testing.browser import browser_login, phone_page, serve_wsgi

pytestmark = pytest.mark.browser

PROFILE = {"A": 4, "B": 2, "C": 4, "D": 3, "E": 4, "F": 3, "G": 1, "H": 2, "I": 1, "J": 2}


@pytest.fixture
def server():
    from addons.competency import services as comp
    from addons.training import services as svc
    from core.models import User
    from core.security.passwords import hash_password
    from core.web.app import create_app

    url, drop = new_database("sqlite")
    db = TixiTestDB(url)
    db.install("masterdata", "competency", "training", companies=["acme"])
    ids = build_org(db)
    users, emps = ids["users"], ids["employees"]
    with db.session() as s:
        for login in ("ops", "wangwei"):
            s.get(User, users[login]).password_hash = hash_password("secret-pass-1")
    with db.session() as s:
        boss, hr = make_env(db, s, users["zhang_east"], "acme"), make_env(db, s, users["ops"], "acme")
        director = make_env(db, s, users["director"], "acme")
        # 王伟 short on B (2 levels) and G (1); 赵敏 short on B (1)
        for emp, gaps in ((emps["wangwei"], {"B": 2, "G": 1}), (emps["zhao"], {"B": 1})):
            a = comp.submit_assessment(boss, emp, "2026-H2", "manager",
                                       {c: PROFILE[c] + gaps.get(c, 0) for c in PROFILE}, on_date=dt.date(2026, 11, 20))
            comp.calibrate(hr, a.id)
        lecturer = svc.create_lecturer(hr, "internal", employee_id=emps["zhang_east"], certified=True)
        course = svc.create_course(hr, "TR-B", "客户需求挖掘", {"B": 2, "G": 1}, duration_hours="3",
                                   cost_per_session="3000", lecturer_id=lecturer.id, capacity=10)
        svc.fire_course(hr, course, "submit")
        svc.fire_course(director, course, "approve")
        svc.create_course(hr, "TR-F", "项目推进", {"F": 3}, cost_per_session="2000")  # a draft: not offered
        start = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=30)
        session = svc.create_session(hr, course.id, start, start + dt.timedelta(hours=3), place="昆明总部三楼培训室")
        ids["session"], ids["course"] = session.id, course.id
    base_url, stop = serve_wsgi(create_app(registry=db.registry, test_config={"TESTING": True}))
    try:
        yield base_url, db, ids
    finally:
        stop()
        db.dispose()
        drop()


def test_hr_plans_from_gaps_and_salesperson_enrols_attends_and_rates_on_a_phone(server, browser, tmp_path):
    base_url, db, ids = server
    shots = Path(os.environ.get("TIXI_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    # HR builds the quarterly plan from the gaps
    phone, page = phone_page(browser, problems, timeout=10000)
    browser_login(page, base_url, "ops")
    page.goto(base_url + "/training/plans/build")
    assert "按能力差距编制计划" in page.inner_text("h1")
    page.fill("#need_period_1", "2026-H2")
    page.click("#compute-needs")
    page.wait_for_selector("#open-needs [data-need]")
    assert "新增 3 条" in page.content()
    assert len(page.query_selector_all("#open-needs [data-need]")) == 3
    # bad input first: a quarter plan with a malformed budget, in Chinese, nothing saved
    page.fill("#year", "2027")
    page.select_option("#quarter", "1")
    page.fill("#budget", "八千")
    page.click("#build-submit")
    page.wait_for_selector("#plan-error")
    assert "预算：请输入金额" in page.inner_text("#plan-error")
    page.fill("#budget", "8000")
    page.fill("#need_period", "2026-H2")
    page.click("#build-submit")
    page.wait_for_url("**/training/plans/*")
    body = page.inner_text("body")
    assert "计划已生成：以 3000.00 覆盖 4 级能力差距。" in body
    assert "提交审批" in body
    assert "TR-B 客户需求挖掘" in page.content()  # the plan's courses (a tab)
    assert "TR-F" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(shots / "training_plan_phone.png"), full_page=True)
    phone.close()

    # the salesperson enrols, checks in and gives feedback on his phone
    phone, page = phone_page(browser, problems, timeout=10000)
    browser_login(page, base_url, "wangwei")
    page.goto(base_url + "/training/")
    assert "可报名的培训班" in page.content()
    page.click(f'[data-session="{ids["session"]}"]')
    page.wait_for_selector("#enrol")
    assert "尚无评分" in page.inner_text("#course-rating")
    page.click("#enrol")
    page.wait_for_selector("#checkin")
    assert "报名成功" in page.content()
    page.click("#checkin")
    page.wait_for_selector("#feedback-form")
    assert "签到成功" in page.content()
    page.click("#feedback-submit")  # no ratings chosen: refused in Chinese
    page.wait_for_selector("#feedback-form")
    assert "请按 1（差）到 5（优）评分。" in page.content()
    page.check('fieldset[data-rating="course_rating"] input[value="5"]')
    page.check('fieldset[data-rating="lecturer_rating"] input[value="4"]')
    page.fill('#feedback-form textarea[name="comment"]', "案例贴近客户，很实用")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(shots / "training_feedback_phone.png"), full_page=True)
    page.click("#feedback-submit")
    page.wait_for_selector("#feedback-given")
    assert page.get_attribute("#course-rating", "data-rating") == "5.00"
    assert "5.00 / 5" in page.inner_text("#course-rating")
    page.goto(base_url + "/training/")
    assert "TR-B 客户需求挖掘" in page.inner_text("#my-record")
    assert "待评估" not in page.inner_text("#my-record")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    phone.close()
    from addons.training.models import Course, Enrolment, Feedback

    with db.session() as s:
        e = s.query(Enrolment).one()
        assert (e.state, e.attended, e.employee_id) == ("enrolled", True, ids["employees"]["wangwei"])
        assert s.query(Feedback).one().course_rating == 5
        assert s.get(Course, ids["course"]).rating_count == 1
    assert problems == []
