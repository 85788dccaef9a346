"""Pricing pages through the Flask test client (SQLite): quote in band and out of band,
approval with a comment, the band and competitor price beside ours, cost hidden from the rep,
monthly cost input, reports and export, 404 for a company without pricing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from addons.pricing.tests.helpers import DAY, D, env_of, world_database
from core.testing import TixiTestDB
from core.testing.web import csrf_token as csrf
from core.testing.web import logged_in_client as client_for


@pytest.fixture
def web() -> Iterator[tuple[TixiTestDB, dict[str, Any], Any]]:
    """(db, ids, app) on SQLite, with the pricing world."""
    from core.web.app import create_app

    url, drop, ids = world_database("sqlite")
    db = TixiTestDB(url)
    app = create_app(registry=db.registry, test_config={"TESTING": True})
    try:
        yield db, ids, app
    finally:
        db.dispose()
        drop()




def _create(c: Any, ids: dict[str, Any], price: str) -> int:
    page = c.get("/pricing/quotes/create")
    assert page.status_code == 200
    r = c.post("/pricing/quotes/create", data={
        "csrf_token": csrf(page.text), "customer_id": ids["faw"], "kind": "quote", "quote_date": DAY.isoformat(),
        "product_0": ids["p1"], "quantity_0": "100", "price_0": price,
    })
    assert r.status_code == 302, r.text[:2000]
    return int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def test_quote_in_band_and_out_of_band(web):
    from addons.pricing import services as svc

    db, ids, app = web
    with db.session() as s:
        svc.record_competitor_price(env_of(db, s, ids, "wangwei"), ids["p1"], "庄信万丰", D("905"),
                                    customer_id=ids["faw"], observed_on=DAY)
    rep = client_for(app, "wangwei")
    # bad input: zero quantity -> a clear message in Chinese, nothing saved
    page = rep.get("/pricing/quotes/create")
    bad = rep.post("/pricing/quotes/create", data={"csrf_token": csrf(page.text), "customer_id": ids["faw"],
                                                   "product_0": ids["p1"], "quantity_0": "0"})
    assert bad.status_code == 422
    assert "必须大于零" in bad.text
    # in band: confirmed at once
    qid = _create(rep, ids, "")
    page = rep.get(f"/pricing/quotes/{qid}")
    assert page.status_code == 200
    assert "934.80" in page.text
    assert "984.00" in page.text
    assert "庄信万丰" in page.text  # the competitor's last price beside ours
    assert "820" not in page.text
    assert "data-cost" not in page.text
    r = rep.post(f"/pricing/quotes/{qid}/do/submit", data={"csrf_token": csrf(page.text)})
    assert r.status_code == 302
    assert 'data-state="approved"' in rep.get(f"/pricing/quotes/{qid}").text
    # out of band: 4% below the floor waits for the territory manager
    qid = _create(rep, ids, "897.41")
    page = rep.get(f"/pricing/quotes/{qid}")
    assert 'id="outside-band"' in page.text
    assert "片区经理" in page.text
    rep.post(f"/pricing/quotes/{qid}/do/submit", data={"csrf_token": csrf(page.text)})
    page = rep.get(f"/pricing/quotes/{qid}")
    assert 'data-state="waiting"' in page.text
    assert 'data-action="approve"' not in page.text
    r = rep.post(f"/pricing/quotes/{qid}/do/send", data={"csrf_token": csrf(page.text)}, follow_redirects=True)
    assert "批准之前不能发出" in r.text
    assert 'data-state="waiting"' in r.text
    mgr = client_for(app, "zhang_east")
    home = mgr.get("/")
    assert 'id="pricing-waiting"' in home.text
    assert f"/pricing/quotes/{qid}" in home.text
    page = mgr.get(f"/pricing/quotes/{qid}")
    assert 'data-cost' in page.text
    assert "820" in page.text
    r = mgr.post(f"/pricing/quotes/{qid}/do/approve", data={"csrf_token": csrf(page.text), "comment": "战略客户，同意"},
                 follow_redirects=True)
    assert 'data-state="approved"' in r.text
    assert "战略客户，同意" in r.text
    page = rep.get(f"/pricing/quotes/{qid}")
    r = rep.post(f"/pricing/quotes/{qid}/do/send", data={"csrf_token": csrf(page.text)}, follow_redirects=True)
    assert 'data-state="sent"' in r.text
    # 华北's manager cannot open it
    assert client_for(app, "li_north").get(f"/pricing/quotes/{qid}").status_code in (403, 404)


def test_costs_reports_and_menus(web):
    db, ids, app = web
    fin = client_for(app, "finance")
    page = fin.get("/pricing/costs?month=2026-11")
    assert page.status_code == 200
    assert 'value="200.0000"' in page.text
    bad = fin.post("/pricing/costs", data={"csrf_token": csrf(page.text), "month": "2026-12", "man_{}".format(ids["p1"]): "-1"})
    assert bad.status_code == 422
    assert "不能为负数" in bad.text
    # "abc" for a metal price and a good cost: both fields checked, the bad ones marked, nothing saved
    abc = fin.post("/pricing/costs", data={"csrf_token": csrf(page.text), "month": "2026-12",
                                           re.search(r'id="(metal_\d+)"', page.text).group(1): "abc",
                                           "man_{}".format(ids["p1"]): "-1", "car_{}".format(ids["p1"]): "5"})
    assert abc.status_code == 422
    assert re.search(r'class="form-control is-invalid" id="metal_\d+"', abc.text)
    assert re.search(r'is-invalid" id="man_{}"'.format(ids["p1"]), abc.text)
    assert 'is-invalid" id="car_{}"'.format(ids["p1"]) not in abc.text
    assert "2 个值无效" in abc.text
    assert 'value="5"' in abc.text  # what was typed is kept
    ok = fin.post("/pricing/costs", data={"csrf_token": csrf(page.text), "month": "2026-12",
                                          "man_{}".format(ids["p1"]): "101", "car_{}".format(ids["p1"]): "21"})
    assert ok.status_code == 302
    assert 'value="101.0000"' in fin.get("/pricing/costs?month=2026-12").text
    director = client_for(app, "director")
    assert "data-chart" in director.get("/").text
    # the old report pages redirect to the report centre (the margin report only for cost roles)
    old = director.get("/pricing/reports")
    assert old.status_code == 301
    assert old.headers["Location"].endswith("/reports/")
    page = director.get("/pricing/reports", follow_redirects=True)
    assert page.status_code == 200
    assert 'data-report="pricing.margin"' in page.text
    x = director.get("/pricing/reports/margin.xlsx?from=2026-01-01&to=2026-12-31")
    assert x.status_code == 301
    assert "/reports/pricing.margin/export.xlsx" in x.headers["Location"]
    x = director.get("/pricing/reports/win_loss.xlsx", follow_redirects=True)
    assert x.status_code == 200
    assert x.data[:2] == b"PK"
    rep = client_for(app, "wangwei")
    page = rep.get("/pricing/reports", follow_redirects=True)
    assert page.status_code == 200
    assert 'data-report="pricing.win_loss"' in page.text
    assert 'data-report="pricing.margin"' not in page.text
    assert rep.get("/pricing/costs").status_code == 403
    for url in ("/pricing/quotes/", "/pricing/strategies/", "/pricing/competitor-prices/", "/pricing/metal-prices/"):
        assert director.get(url).status_code == 200, url
    home = rep.get("/")
    assert "/pricing/quotes/" in home.text
    assert "/pricing/costs" not in home.text


def test_pricing_pages_404_for_a_company_without_pricing(web):
    from core.testing import make_user

    db, ids, app = web
    db.company("kmtrade")
    make_user(db, "trader", ["core.group_director"], company="kmtrade")
    c = client_for(app, "trader")
    assert c.get("/pricing/quotes/").status_code == 404
    assert "/pricing/" not in c.get("/").text


def test_the_quote_form_sent_twice_creates_one_quote(web):
    """A double click on 保存 (two identical POSTs with one one-time token) makes one quote."""
    import re

    from sqlalchemy import func, select

    from addons.pricing.models import Quote

    db, ids, app = web
    rep = client_for(app, "wangwei")
    page = rep.get("/pricing/quotes/create").text
    once = re.search(r'name="_once" value="([^"]+)"', page)
    assert once
    data = {"csrf_token": csrf(page), "_once": once.group(1), "customer_id": ids["faw"], "kind": "quote",
            "quote_date": DAY.isoformat(), "product_0": ids["p1"], "quantity_0": "7", "price_0": ""}
    with db.session() as s:
        before = s.scalar(select(func.count()).select_from(Quote))
    first = rep.post("/pricing/quotes/create", data=data)
    second = rep.post("/pricing/quotes/create", data=data)
    assert first.status_code == 302
    assert second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Quote)) == before + 1
