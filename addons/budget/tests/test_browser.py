"""Browser test in Chinese (headless Debian Chromium) on a 375 px phone: the salesperson 王伟's
dinner claim is refused for lack of budget (the form shows what remains while he drafts it),
he asks for a supplementary budget, his territory manager 张东海 approves it (within his band),
and the same claim is then accepted. Screenshots go to ``TIXI_SCREENSHOTS`` or pytest's tmp dir."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from core.testing import TixiTestDB, make_env, make_user, new_database
from core.testing.browser import browser_login, phone_page, serve_wsgi

pytestmark = pytest.mark.browser
PASSWORD = "secret-pass-1"


@pytest.fixture
def server():
    from addons.masterdata.models import Employee
    from core.web.app import create_app

    url, drop = new_database("sqlite")
    db = TixiTestDB(url)
    db.company("guiyan")
    db.install("masterdata", "territories", "sales_planning", "budget", companies=["guiyan"])
    root = make_user(db, "root_guiyan", ["core.group_admin"], company="guiyan", is_admin=True, password=None)
    users = {
        "wangwei": make_user(db, "wangwei", ["core.group_salesperson"], company="guiyan", password=PASSWORD),
        "zhang_east": make_user(db, "zhang_east", ["core.group_territory_manager"], company="guiyan",
                                password=PASSWORD),
        "liu_director": make_user(db, "liu_director", ["core.group_director"], company="guiyan", password=None),
        "yang_gm": make_user(db, "yang_gm", ["core.group_general_manager"], company="guiyan", password=None),
    }
    year = dt.date.today().year
    with db.session() as s:
        admin = make_env(db, s, root, "guiyan")
        from addons.territories import testing as terr

        emp = {}
        for login, name, pos, mgr in (("liu_director", "刘建国", "director", None),
                                      ("zhang_east", "张东海", "territory_manager", "liu_director"),
                                      ("wangwei", "王伟", "salesperson", "zhang_east"),
                                      ("yang_gm", "杨总", "general_manager", None)):
            emp[login] = admin.create(Employee, {"name_zh": name, "name_en": login, "position": pos,
                                                 "user_id": users[login], "manager_id": emp[mgr].id if mgr else None})
        east = terr.territory(admin, name="华东", code="E", manager=emp["zhang_east"])
        terr.member(admin, east, emp["zhang_east"], role="manager")
        terr.member(admin, east, emp["wangwei"])
        from addons.budget import testing as bt
        from addons.budget.models import Claim, Line

        director = make_env(db, s, users["liu_director"], "guiyan")
        b = bt.budget(director, territory=east, year=year, owner=emp["zhang_east"], name="华东营销预算",
                      amounts={"entertainment": "12000", "travel": "24000"},
                      approver=make_env(db, s, users["yang_gm"], "guiyan"))
        line = director.search(Line, Line.budget_id == b.id)
        ent = next(ln for ln in line if ln.category.code == "entertainment")
        # the year's dinners so far leave 300.00 on entertainment
        seller = make_env(db, s, users["wangwei"], "guiyan")
        bt.claim(seller, ent, "11700", expense_date=dt.date(year, 1, 10), description="年初客户答谢宴")
        ids = {"line": ent.id, "claims": s.query(Claim).count()}
    base_url, stop = serve_wsgi(create_app(registry=db.registry, test_config={"TESTING": True}))
    try:
        yield base_url, db, ids
    finally:
        stop()
        db.dispose()
        drop()


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def _fill_claim(page, line_id: int) -> None:
    page.select_option("#line_id", str(line_id))
    page.fill("#amount", "1,200.00")
    page.fill("#description", "宴请一汽技术中心")


def test_claim_refused_supplement_approved_then_accepted_on_a_phone(server, browser, tmp_path):
    base_url, db, ids = server
    shots = Path(os.environ.get("TIXI_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    from addons.budget.models import Claim, Supplement

    # 王伟 drafts the claim: the form shows the 300.00 left; submitting is refused in Chinese
    phone, page = phone_page(browser, problems)
    browser_login(page, base_url, "wangwei", PASSWORD)
    page.goto(base_url + "/budget/")
    _fill_claim(page, ids["line"])
    page.wait_for_selector("#claim-remaining[data-fits='false']")
    assert "本预算行剩余：300.00" in page.inner_text("#claim-remaining")
    _fits(page)
    page.click("#claim-submit")
    page.wait_for_selector("#claim-error")
    error = page.inner_text("#claim-error")
    assert "超出预算" in error
    assert "仅剩 300.00" in error
    assert "请先申请追加预算" in error
    _fits(page)
    page.screenshot(path=str(shots / "budget_claim_refused_phone.png"), full_page=True)
    with db.session() as s:
        assert s.query(Claim).count() == ids["claims"]  # nothing saved
    # he asks for the 900.00 missing
    page.click("#claim-supplement")
    page.wait_for_selector("#sup-form")
    assert page.inner_text("#sup-remaining") == "300.00"
    page.fill("#sup-amount", "900")
    page.fill("#sup-reason", "宴请一汽技术中心，年度招待费不足")
    page.click("#sup-submit")
    page.wait_for_selector("#my-supplements")
    assert "待审批" in page.inner_text("#my-supplements")
    phone.close()
    with db.session() as s:
        sup = s.query(Supplement).one()
        sup_id = sup.id
        assert sup.state == "submitted"
    # 张东海 approves it on his phone (900.00 is within a territory manager's band)
    phone, page = phone_page(browser, problems)
    browser_login(page, base_url, "zhang_east", PASSWORD)
    page.goto(base_url + "/budget/approvals")
    assert "王伟" in page.inner_text("#pending-supplements")
    _fits(page)
    page.screenshot(path=str(shots / "budget_supplement_approve_phone.png"), full_page=True)
    page.click(f'[data-approve="supplement-{sup_id}"]')
    page.wait_for_selector("#pending-supplements")
    assert "没有待您处理的事项" in page.inner_text("#pending-supplements") or \
        f'data-supplement="{sup_id}"' not in page.content()
    phone.close()
    with db.session() as s:
        assert s.get(Supplement, sup_id).state == "approved"
    # the same claim is now accepted
    phone, page = phone_page(browser, problems)
    browser_login(page, base_url, "wangwei", PASSWORD)
    page.goto(base_url + "/budget/")
    _fill_claim(page, ids["line"])
    page.wait_for_selector("#claim-remaining[data-fits='true']")
    assert "本预算行剩余：1,200.00" in page.inner_text("#claim-remaining")
    page.click("#claim-submit")
    page.wait_for_selector("#my-claims [data-state='submitted']")
    assert "宴请一汽技术中心" in page.inner_text("#my-claims")
    assert page.inner_text(f'#my-lines tr[data-line="{ids["line"]}"] [data-remaining]') == "0.00"
    _fits(page)
    page.screenshot(path=str(shots / "budget_claim_accepted_phone.png"), full_page=True)
    phone.close()
    with db.session() as s:
        assert s.query(Claim).count() == ids["claims"] + 1
    assert problems == []


def test_manager_makes_next_years_budget_on_a_phone(server, browser, tmp_path):
    """张东海 creates next year's 华东 budget, a negative amount is refused on its field in Chinese
    (nothing saved), he corrects it and submits the budget for approval."""
    base_url, db, _ids = server
    shots = Path(os.environ.get("TIXI_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    from addons.budget.models import Budget, Category, Line

    year = dt.date.today().year + 1
    phone, page = phone_page(browser, problems)
    browser_login(page, base_url, "zhang_east", PASSWORD)
    page.goto(base_url + f"/budget/budgets?year={year}")
    page.click("#budget-new")
    page.wait_for_selector("#budget-new-form")
    page.fill("#year", str(year))
    page.select_option("#owner_kind", "territory")
    page.select_option("#territory_id", label="华东")
    page.fill("#name", "华东营销预算")
    _fits(page)
    page.click("#budget-create")
    page.wait_for_selector("#budget-lines-form")
    with db.session() as s:
        cats = {c.code: c.id for c in s.query(Category).all()}
        bid = s.query(Budget).filter(Budget.year == year).one().id
    page.fill(f"#l-amount_{cats['travel']}", "20000")
    page.fill(f"#l-amount_{cats['entertainment']}", "-800")
    page.click("#budget-save-lines")
    page.wait_for_selector(f"[data-error-for='l-amount_{cats['entertainment']}']")
    assert page.inner_text(f"[data-error-for='l-amount_{cats['entertainment']}']") == "预算金额不能为负数。"
    _fits(page)
    page.screenshot(path=str(shots / "budget_lines_refused_phone.png"), full_page=True)
    with db.session() as s:
        assert s.query(Line).filter(Line.budget_id == bid).count() == 0  # nothing saved
    page.fill(f"#l-amount_{cats['entertainment']}", "8000")
    page.click("#budget-save-lines")
    page.wait_for_selector("#budget-total")
    assert page.inner_text("#budget-total") == "28,000.00"
    page.click("#budget-submit")
    page.wait_for_selector("#budget-lines")
    assert "20,000.00" in page.inner_text("#budget-lines")
    assert "8,000.00" in page.inner_text("#budget-lines")
    _fits(page)
    page.screenshot(path=str(shots / "budget_submitted_phone.png"), full_page=True)
    phone.close()
    with db.session() as s:
        assert s.get(Budget, bid).state == "submitted"
    assert problems == []
