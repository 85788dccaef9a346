"""Browser test in Chinese (headless Debian Chromium) on a 375 px phone: the salesperson 王伟 opens
his June scorecard, sees the sales completion figure, drills down to the delivery notes behind it,
opens the contract of one of them and submits the scorecard; his manager 张东海 gives the six
qualitative ratings and approves it (then it is frozen). 王伟 also answers this month's internal
satisfaction survey (rates 何工 and 周敏), and 周敏 (marketing admin) edits the salesperson KPIs with
weights that do not sum to 100 %: the message is on the weight fields, nothing saved. Screenshots go to ``TIXI_SCREENSHOTS`` or pytest's tmp dir."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest

from core.testing import TixiTestDB, make_env, make_user, new_database
from core.testing.browser import browser_login, phone_page, serve_wsgi

pytestmark = pytest.mark.browser
PASSWORD = "secret-pass-1"
JUNE = dt.date(2026, 6, 1)


@pytest.fixture(scope="module")
def server():
    from addons.masterdata.models import Employee
    from core.web.app import create_app

    url, drop = new_database("sqlite")
    db = TixiTestDB(url)
    db.company("guiyan")
    db.install("masterdata", "orders", "kpi", companies=["guiyan"])
    root = make_user(db, "root_guiyan", ["core.group_admin"], company="guiyan", is_admin=True, password=None)
    users = {
        "wangwei": make_user(db, "wangwei", ["core.group_salesperson"], company="guiyan", password=PASSWORD),
        "zhang_east": make_user(db, "zhang_east", ["core.group_territory_manager"], company="guiyan",
                                password=PASSWORD),
        "zhou_ops": make_user(db, "zhou_ops", ["core.group_marketing_admin"], company="guiyan", password=PASSWORD),
        "he_tech": make_user(db, "he_tech", ["core.group_tech_support"], company="guiyan", password=PASSWORD),
    }
    with db.session() as s:
        admin = make_env(db, s, root, "guiyan")
        boss = admin.create(Employee, {"name_zh": "张东海", "name_en": "Zhang Donghai", "position": "territory_manager",
                                       "user_id": users["zhang_east"]})
        wang = admin.create(Employee, {"name_zh": "王伟", "name_en": "Wang Wei", "position": "salesperson",
                                       "user_id": users["wangwei"], "manager_id": boss.id})
        from addons.kpi import services as kpi
        from addons.masterdata import testing as md
        from addons.orders import services as osvc
        from addons.orders import testing as orders

        osvc.settings(admin).overdue_threshold = Decimal("100000000")
        kpi.set_definitions(admin, "salesperson", "month", [
            {"code": "sales", "name_zh": "销售目标完成率", "name_en": "Sales target completion",
             "measure": "orders.sales_amount", "target": "100000", "weight": "70", "floor": "60", "cap": "150"},
            {"code": "collections", "name_zh": "回款完成率", "name_en": "Collections completion",
             "measure": "orders.collections", "target": "50000", "weight": "30", "floor": "50", "cap": "120"}])
        p = md.product(admin, code="TWC-1", name="三元催化剂")
        cust = md.customer(admin, name="昆明重汽", owner=wang, credit_limit=Decimal("10000000"), payment_days=30)
        seller = make_env(db, s, users["wangwei"], "guiyan")
        notes = []
        for day, qty in ((dt.date(2026, 6, 5), "4"), (dt.date(2026, 6, 18), "6")):
            c = orders.contract(seller, cust, [{"product_id": p.id, "quantity": qty, "unit_price": "8500"}],
                                contract_date=day)
            notes.append(orders.delivery(seller, c, on=day).number)
        card = kpi.compute(admin, "month", JUNE, employee_ids=[wang.id])[0]
        zhou = admin.create(Employee, {"name_zh": "周敏", "name_en": "Zhou Min", "position": "marketing_admin",
                                       "user_id": users["zhou_ops"]})
        he = admin.create(Employee, {"name_zh": "何工", "name_en": "He Gong", "position": "tech_support",
                                     "user_id": users["he_tech"]})
        from addons.kpi.models import Survey
        from addons.kpi.services.surveys import today

        day = today(admin)
        survey = admin.create(Survey, {"title": "本月内部客户满意度调查", "period_start": day.replace(day=1),
                                       "period_end": day + dt.timedelta(days=3)})
        ids = {"card": card.id, "notes": notes, "survey": survey.id, "zhou": zhou.id, "he": he.id}
    base_url, stop = serve_wsgi(create_app(registry=db.registry, test_config={"TESTING": True}))
    try:
        yield base_url, db, ids
    finally:
        stop()
        db.dispose()
        drop()


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_salesperson_drills_from_sales_completion_to_the_orders(server, browser, tmp_path):
    base_url, db, ids = server
    shots = Path(os.environ.get("TIXI_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    phone, page = phone_page(browser, problems)
    browser_login(page, base_url, "wangwei", PASSWORD)
    page.goto(base_url + "/kpi/")
    assert "我的绩效考核" in page.inner_text("body")
    page.click(f'#mine [data-scorecard="{ids["card"]}"]')
    page.wait_for_selector("#lines")
    # 4 x 8,500 + 6 x 8,500 = 85,000 of 100,000: 85.00 %; 85 x 70 % = 59.50, collections 0 (below floor)
    sales = page.locator('#lines [data-kpi="sales"]')
    assert "销售目标完成率" in sales.inner_text()
    assert sales.locator("[data-completion]").inner_text() == "85.00%"
    assert page.inner_text("#total") == "59.50"
    assert "定性评价" in page.inner_text("body")
    _fits(page)
    page.screenshot(path=str(shots / "kpi_scorecard_phone.png"), full_page=True)
    sales.click()
    page.wait_for_selector("#records")
    text = page.inner_text("#records")
    for number in ids["notes"]:
        assert number in text
    assert "昆明重汽" in text
    assert page.inner_text("#records-total") == "85,000.00"
    assert page.inner_text("#actual") == "85,000.00"
    _fits(page)
    page.screenshot(path=str(shots / "kpi_drill_orders_phone.png"), full_page=True)
    page.click(f'#records [data-record="{ids["notes"][1]}"]')
    page.wait_for_load_state()
    assert "/orders/contracts/" in page.url
    assert "昆明重汽" in page.inner_text("body")
    _fits(page)
    # he submits his scorecard; his manager 张东海 rates it and approves it on his phone: frozen
    page.goto(base_url + f"/kpi/scorecards/{ids['card']}")
    page.click("#do-submit")
    page.wait_for_selector("#lines")
    assert page.inner_text("#state") == "待审批"
    phone.close()
    phone, page = phone_page(browser, problems)
    browser_login(page, base_url, "zhang_east", PASSWORD)
    page.goto(base_url + "/kpi/")
    page.click(f'#team [data-scorecard="{ids["card"]}"]')
    page.wait_for_selector("#ratings")
    for key, value in (("cooperation", "4"), ("enthusiasm", "5"), ("loyalty", "5"), ("report_discipline", "3"),
                       ("expense_control", "4"), ("compliance", "5")):
        page.select_option(f"#ratings select[name={key}]", value)
    page.click("#save-ratings")
    page.wait_for_selector("#ratings")
    assert "4.33" in page.inner_text("#ratings")
    page.click("#do-approve")
    page.wait_for_selector("#lines")
    assert page.inner_text("#state") == "已批准"
    assert page.locator("#save-ratings").count() == 0
    _fits(page)
    page.screenshot(path=str(shots / "kpi_approved_phone.png"), full_page=True)
    phone.close()
    from addons.kpi.models import Scorecard

    with db.session() as s:
        card = s.get(Scorecard, ids["card"])
        assert (card.state, card.cooperation, card.compliance) == ("approved", 4, 5)
    assert problems == []


def test_salesperson_answers_a_survey_and_hr_edits_a_kpi_with_a_bad_weight(server, browser, tmp_path):
    base_url, db, ids = server
    shots = Path(os.environ.get("TIXI_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    phone, page = phone_page(browser, problems)
    browser_login(page, base_url, "wangwei", PASSWORD)
    page.goto(base_url + "/kpi/surveys")
    assert "进行中的调查" in page.inner_text("body")
    page.click(f'#open-surveys [data-survey="{ids["survey"]}"]')
    page.wait_for_selector("#answers")
    he, zhou = ids["he"], ids["zhou"]
    assert "何工" in page.inner_text(f'[data-person="{he}"]')
    assert "技术支持" in page.inner_text(f'[data-person="{he}"]')
    _fits(page)
    page.screenshot(path=str(shots / "kpi_survey_phone.png"), full_page=True)
    # nothing chosen: a clear message, nothing saved
    page.click("#send-answers")
    page.wait_for_selector("#form-error")
    assert "请至少评价一人" in page.inner_text("#form-error")
    page.click(f'label[for="rating_{he}_5"]')
    page.fill(f'input[name="comment_{he}"]', "技术问题响应很快")
    page.click(f'label[for="rating_{zhou}_4"]')
    page.click("#send-answers")
    page.wait_for_selector("[data-answered]")
    body = page.inner_text("body")
    assert "谢谢，您的评分已保存" in body
    assert "技术问题响应很快" in page.inner_text(f'[data-person="{he}"]')
    assert page.locator("#send-answers").count() == 0
    _fits(page)
    page.screenshot(path=str(shots / "kpi_survey_answered_phone.png"), full_page=True)
    phone.close()
    from addons.kpi.models import Definition, SurveyAnswer

    with db.session() as s:
        assert sorted((a.rated_id, a.rating) for a in s.query(SurveyAnswer)) == sorted([(he, 5), (zhou, 4)])
    # 周敏 (marketing admin) edits the salesperson KPIs: 70 % + 20 % is refused on the weight fields
    phone, page = phone_page(browser, problems)
    browser_login(page, base_url, "zhou_ops", PASSWORD)
    page.goto(base_url + "/kpi/definitions")
    page.click("#edit-kpis")
    page.wait_for_selector("#kpis")
    assert "编辑 KPI" in page.inner_text("h1")
    assert page.input_value('input[name="r1-weight"]') == "30"
    page.fill('input[name="r1-weight"]', "20")
    page.click("#save-kpis")
    page.wait_for_selector("#form-error")
    assert "权重之和必须为 100" in page.inner_text("#form-error")
    assert "90" in page.inner_text("#form-error")
    assert "权重之和必须为 100" in page.inner_text('[data-error-for="r1-weight"]')
    assert page.input_value('input[name="r1-weight"]') == "20"
    _fits(page)
    page.screenshot(path=str(shots / "kpi_edit_bad_weight_phone.png"), full_page=True)
    phone.close()
    with db.session() as s:
        weights = {d.code: d.weight for d in s.query(Definition).filter_by(position="salesperson", active=True)}
    assert weights == {"sales": Decimal("70"), "collections": Decimal("30")}
    assert problems == []
