"""Browser test in Chinese (headless Debian Chromium) on a 375 px phone: 王伟 makes a contract from an
approved quote, confirms it, delivers part of it and ships it, asks for a collection and confirms it as
sales; 钱财 (finance) confirms the cash; the customer card (crm_cards) shows the collection and the
credit use. Too much delivered is refused in Chinese. Screenshots go to ``TIXI_SCREENSHOTS`` or pytest's
tmp dir."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import insert

from addons.masterdata.tests.helpers import build_org
from core.testing import TixiTestDB, make_env, new_database
from core.testing.browser import browser_login, phone_page, serve_wsgi

pytestmark = pytest.mark.browser
D = Decimal


@pytest.fixture
def server():
    from addons.masterdata.models import Customer, Product
    from addons.pricing.models import Quote, QuoteLine
    from core.models import User
    from core.security.passwords import hash_password
    from core.web.app import create_app

    url, drop = new_database("sqlite")
    db = TixiTestDB(url)
    db.install("masterdata", "pricing", "crm_cards", "orders", companies=["acme"])
    ids = build_org(db)
    with db.session() as s:
        for login in ("wangwei", "finance"):
            s.get(User, ids["users"][login]).password_hash = hash_password("secret-pass-1")
        env = make_env(db, s, ids["root"], "acme")
        cust = env.create(Customer, {"name_zh": "一汽解放", "owner_id": ids["employees"]["wangwei"],
                                     "credit_limit": D("500000"), "payment_days": 30})
        prod = env.create(Product, {"code": "TWC-1", "name_zh": "三元催化剂"})
        now = dt.datetime.now(dt.UTC)
        mix = {"company_id": env.company_id, "created_at": now, "updated_at": now, "version": 1, "active": True}
        qid = env.sudo().execute(insert(Quote).values(
            number="Q2026-0007", revision=1, kind="quote", customer_id=cust.id, owner_id=ids["employees"]["wangwei"],
            channel="direct", currency="CNY", quote_date=dt.date.today(), valid_until=dt.date.today(),
            state="approved", amount_total=D("30000"), max_deviation_pct=D("0"), **mix).returning(Quote.id)).scalar_one()
        env.sudo().execute(insert(QuoteLine).values(
            quote_id=qid, sequence=10, product_id=prod.id, quantity=D("10"), unit_price=D("3000"), amount=D("30000"),
            target_price=D("3000"), floor_price=D("2900"), quote_type="competitive", cost_month=dt.date.today(),
            cost=D("2000"), deviation_pct=D("0"), **mix))
        ids["customer"], ids["quote"] = cust.id, qid
    base_url, stop = serve_wsgi(create_app(registry=db.registry, test_config={"TESTING": True}))
    try:
        yield base_url, db, ids
    finally:
        stop()
        db.dispose()
        drop()


def test_contract_delivery_collection_confirmed_by_finance_on_a_phone(server, browser, tmp_path):
    base_url, db, ids = server
    shots = Path(os.environ.get("TIXI_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    phone, page = phone_page(browser, problems, timeout=10000)
    browser_login(page, base_url, "wangwei")
    page.goto(base_url + "/orders/")
    assert "合同" in page.inner_text("h1")
    page.click("#new-contract")
    page.select_option("#quote_id", str(ids["quote"]))
    page.click("#save-contract")
    page.wait_for_selector("#contract-state")
    assert "草稿" in page.inner_text("#contract-state")
    page.click('[data-action="confirm"]')
    page.wait_for_selector('#contract-state[data-state="confirmed"]')
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # more than contracted: refused in Chinese, nothing saved
    page.fill('#contract-lines input[name^="qty_"]', "11")
    page.click("#deliver")
    page.wait_for_selector("#form-error")
    assert "超过" in page.inner_text("#form-error")
    assert "尚未交货" in page.inner_text("#form-error")
    assert "暂无出库单" in page.content()
    page.fill('#contract-lines input[name^="qty_"]', "4")
    page.click("#deliver")
    page.wait_for_selector('[data-delivery] [data-action="ship"]')
    page.click('[data-delivery] [data-action="ship"]')
    page.wait_for_selector('[data-delivery] [data-state="shipped"]')
    page.screenshot(path=str(shots / "orders_contract_phone.png"), full_page=True)
    # a payment request for part of the 12,000 delivered, confirmed by sales
    page.goto(base_url + "/orders/collections")
    page.select_option('#collection-form select[name="customer_id"]', str(ids["customer"]))
    page.fill('#collection-form input[name="amount"]', "20000")
    page.click("#request-collection")
    page.wait_for_selector("#form-error")
    assert "大于未收金额" in page.inner_text("#form-error")
    page.fill('#collection-form input[name="amount"]', "5000")
    page.click("#request-collection")
    page.wait_for_selector('[data-action="confirm_sales"]')
    page.click('[data-action="confirm_sales"]')
    page.wait_for_selector('[data-collection] [data-state="sales_confirmed"]')
    assert page.query_selector('[data-action="confirm_finance"]') is None  # no salesperson records cash alone
    phone.close()

    phone, page = phone_page(browser, problems, timeout=10000)
    browser_login(page, base_url, "finance")
    page.goto(base_url + "/orders/collections")
    page.click('[data-action="confirm_finance"]')
    page.wait_for_selector('[data-collection] [data-state="confirmed"]')
    assert "财务已确认" in page.inner_text("#collections")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(shots / "orders_collections_phone.png"), full_page=True)
    # the customer card shows the collection and the credit use
    page.goto(base_url + f"/crm/customers/{ids['customer']}")
    section = page.inner_text('[data-section="orders"]')
    assert "回款与信用" in section
    assert "HK" in section
    assert "财务已确认" in section
    assert page.inner_text('[data-field="receivables"]') == "7,000.00"
    assert page.inner_text('[data-field="credit-used"]') == "25,000.00"  # 7,000 owed + 18,000 not delivered
    page.screenshot(path=str(shots / "orders_customer_card_phone.png"), full_page=True)
    phone.close()
    from addons.orders.models import Allocation, Collection

    with db.session() as s:
        col = s.query(Collection).one()
        assert (col.state, col.amount) == ("confirmed", D("5000.00"))
        assert s.query(Allocation).one().amount == D("5000.00")
    assert problems == []
