"""Browser test in Chinese (headless Debian Chromium, 375 px): 王伟 asks for an exchange (换货) of a shipped
note — too much back is refused on the field, in Chinese, nothing saved —, then 刘总监 (director) approves it and
the red-letter return and the replacement delivery note appear on the exchange."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest

from addons.masterdata.tests.helpers import build_org
from core.testing import TixiTestDB, make_env, new_database
from core.testing.browser import browser_login, phone_page, serve_wsgi

pytestmark = pytest.mark.browser
D = Decimal


@pytest.fixture
def server():
    from addons.masterdata.models import Customer, Product
    from addons.orders import services as svc
    from core.models import User
    from core.security.passwords import hash_password
    from core.web.app import create_app

    url, drop = new_database("sqlite")
    db = TixiTestDB(url)
    db.install("masterdata", "orders", companies=["acme"])
    ids = build_org(db)
    with db.session() as s:
        for login in ("wangwei", "director"):
            s.get(User, ids["users"][login]).password_hash = hash_password("secret-pass-1")
        root = make_env(db, s, ids["root"], "acme")
        cust = root.create(Customer, {"name_zh": "一汽解放", "owner_id": ids["employees"]["wangwei"],
                                      "credit_limit": D("500000"), "payment_days": 30})
        prod = root.create(Product, {"code": "TWC-1", "name_zh": "三元催化剂"})
        seller = make_env(db, s, ids["users"]["wangwei"], "acme")
        on = dt.date.today() - dt.timedelta(days=3)
        c = svc.create_contract(seller, cust.id, [{"product_id": prod.id, "quantity": "10", "unit_price": "3000"}],
                                contract_date=on)
        svc.confirm_contract(seller, c)
        d = svc.create_delivery(seller, c, approved_on=on)
        svc.ship(seller, d, on=on)
        ids["contract"], ids["delivery"], ids["customer"] = c.id, d.id, cust.id
    base_url, stop = serve_wsgi(create_app(registry=db.registry, test_config={"TESTING": True}))
    try:
        yield base_url, db, ids
    finally:
        stop()
        db.dispose()
        drop()


def test_exchange_asked_on_a_phone_and_approved_by_the_director(server, browser, tmp_path):
    base_url, db, ids = server
    shots = Path(os.environ.get("TIXI_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    phone, page = phone_page(browser, problems, timeout=10000)
    browser_login(page, base_url, "wangwei")
    page.goto(base_url + f"/orders/contracts/{ids['contract']}")
    page.click('[data-delivery] [data-action="exchange"]')
    page.wait_for_selector("#exchange-form")
    assert "新建换货" in page.inner_text("h1")
    # more than delivered: refused on the field, in Chinese
    page.fill('#exchange-form input[name^="qty_"]', "12")
    page.fill("#reason", "外壳破损，客户要求换新")
    page.click("#submit-exchange")
    page.wait_for_selector("#form-error")
    assert "超过" in page.inner_text('[data-error^="qty_"]')
    assert page.input_value("#reason") == "外壳破损，客户要求换新"  # what was typed stays
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(shots / "orders_exchange_form_error_phone.png"), full_page=True)
    page.fill('#exchange-form input[name^="qty_"]', "2")
    page.click("#submit-exchange")
    page.wait_for_selector('#exchange-state[data-state="waiting"]')
    assert "待审批" in page.inner_text("#exchange-state")
    assert page.query_selector('[data-action="approve"]') is None  # not their own
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(shots / "orders_exchange_phone.png"), full_page=True)
    exchange_url = page.url
    phone.close()

    phone, page = phone_page(browser, problems, timeout=10000)
    browser_login(page, base_url, "director")
    page.goto(exchange_url)
    page.click('[data-action="approve"]')
    page.wait_for_selector('#exchange-state[data-state="approved"]')
    assert "已批准" in page.inner_text("#exchange-state")
    notes = page.inner_text("#exchange-notes")
    assert "红字退货单" in notes
    assert "TH" in notes
    assert "CK" in notes
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(shots / "orders_exchange_approved_phone.png"), full_page=True)
    phone.close()
    from addons.orders.models import Delivery, Exchange

    with db.session() as s:
        ex = s.query(Exchange).one()
        assert ex.state == "approved"
        assert s.get(Delivery, ex.return_id).amount_total == D("-6000.00")
        assert s.get(Delivery, ex.replacement_id).amount_total == D("6000.00")
    assert problems == []
