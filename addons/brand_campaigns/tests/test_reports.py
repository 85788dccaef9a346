"""The two distributor reports of issue 23 on SQLite and PostgreSQL, with territories and orders:
figures against a hand-computed fixture, filters (period, territory, salesperson), the rules (a
salesperson's report holds only the distributors they look after), orders' deliveries read through
its measure, the monthly summary table kept on write (and equal to the purchases), a period that
ends before it starts refused in both languages, .xlsx, print/PDF and a subscription."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest

from core.i18n import use_lang
from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

pytestmark = pytest.mark.tixi_world(addons=["brand_campaigns", "territories", "orders"])

NOV = {"period": "custom", "date_from": "2026-11-01", "date_to": "2026-11-30"}


def _svc(world):
    return world.addon_module("brand_campaigns", "services")


def _emp(world, role):
    return world.data["masterdata"]["acme"]["employees"][role]


def _rows(env, code, params):
    from core.reports.run import run_report

    return run_report(env, code, params).rows


def _fixture(world, s):
    """Three distributors: 成都瑞通 (the salesperson's, in his territory, a customer with a November delivery),
    昆明滇润 (the territory manager's, in the other territory), 贵阳黔丰 (nobody's, no territory)."""
    svc = _svc(world)
    md, orders = world.factories.masterdata, world.factories.orders
    admin, owner = world.env(s, "admin"), world.env(s, "marketing_admin")
    terr = world.data["territories"]["acme"]
    from addons.masterdata.models import Customer

    cust = admin.get(Customer, terr["customer"])
    admin.write(cust, {"credit_limit": D("100000"), "payment_days": 30, "code": cust.code or "C-RT"})
    p1 = md.product(admin, code="DOC-1", name="柴油氧化催化剂")
    p2 = md.product(admin, code="TWC-1", name="三元催化剂")
    d1 = svc.distributors.save_distributor(owner, {
        "code": "JX001", "name": "成都瑞通汽配", "province": "四川", "owner_id": _emp(world, "salesperson"),
        "territory_id": terr["territory"], "customer_code": cust.code})
    d2 = svc.distributors.save_distributor(owner, {
        "code": "JX002", "name": "昆明滇润贸易", "province": "云南", "owner_id": _emp(world, "territory_manager"),
        "territory_id": terr["other_territory"]})
    d3 = svc.distributors.save_distributor(owner, {"code": "JX003", "name": "贵阳黔丰商贸", "province": "贵州"})
    svc.distributors.add_agreement(owner, d1, {"number": "XY-2026-01", "start_date": "2026-01-01",
                                               "end_date": "2026-12-31", "target_amount": "1000000"})
    for d, prod, day, qty, amount in (
            (d1, p1, "2026-10-12", "10", "120000"), (d1, p1, "2026-11-03", "20", "250000"),
            (d1, p1, "2026-11-25", "5", "62500.50"), (d2, p1, "2026-11-10", "1", "9000"),
            (d2, p2, "2026-11-20", "2", "18000"), (d3, p2, "2026-11-15", "3", "30000"),
            (d3, p2, "2026-12-01", "1", "7777")):
        svc.distributors.record_purchase(owner, d, {"product_id": prod.id, "purchase_date": day, "quantity": qty,
                                                    "amount": amount})
    svc.distributors.evaluate(owner, d1, {"period": "2026-Q3", "sales_score": 70, "payment_score": 70,
                                          "market_score": 70, "service_score": 70, "evaluated_on": "2026-09-30"})
    svc.distributors.evaluate(owner, d1, {"period": "2026-Q4", "sales_score": 90, "payment_score": 80,
                                          "market_score": 70, "service_score": 60, "evaluated_on": "2026-11-28"})
    # orders: 10 x 3,000.00 delivered to the distributor's customer record in November, 1 x 3,000.00 in December
    seller = world.env(s, "salesperson")
    c = orders.contract(seller, cust, [{"product_id": p1.id, "quantity": "11", "unit_price": "3000"}],
                        contract_date=dt.date(2026, 11, 2))
    line = c.lines[0]
    orders.delivery(seller, c, [{"contract_line_id": line.id, "quantity": "10"}], on=dt.date(2026, 11, 18))
    orders.delivery(seller, c, [{"contract_line_id": line.id, "quantity": "1"}], on=dt.date(2026, 12, 2))
    return {"d1": d1, "d2": d2, "d3": d3, "p1": p1, "p2": p2, "terr": terr}


def test_distributor_reports_figures_filters_rules_and_summary(tixi_world):  # noqa: F811
    world = tixi_world
    svc = _svc(world)
    with world.session() as s:
        f = _fixture(world, s)
        director, seller = world.env(s, "director"), world.env(s, "salesperson")
        manager = world.env(s, "territory_manager")

        # 经销商进货情况统计表, November, per distributor (hand-computed; sorted by amount)
        rows = _rows(director, "brand_campaigns.distributor_purchases", NOV)
        assert [(r["code"], r["purchases"], r["quantity"], r["amount"], r["share"]) for r in rows] == [
            ("JX001", 2, D("25"), D("312500.50"), D("84.57")),
            ("JX003", 1, D("3"), D("30000.00"), D("8.12")),
            ("JX002", 2, D("3"), D("27000.00"), D("7.31"))]
        # orders' deliveries to the distributor's customer, through orders.sales_amount (December's not counted)
        assert [r.get("delivered") for r in rows] == [D("30000.00"), None, None]
        # per product variety: 昆明滇润's two varieties apart
        by_product = _rows(director, "brand_campaigns.distributor_purchases", {**NOV, "by": "product"})
        split = sorted((r["amount"], r["product"]) for r in by_product if r["code"] == "JX002")
        assert [a for a, _p in split] == [D("9000.00"), D("18000.00")]
        assert "柴油氧化催化剂" in split[0][1]
        assert "三元催化剂" in split[1][1]
        # part of a month: read from the purchases (11-05..11-30: 成都瑞通's purchase of 11-03 is out)
        part = _rows(director, "brand_campaigns.distributor_purchases",
                     {"period": "custom", "date_from": "2026-11-05", "date_to": "2026-11-30"})
        assert {r["code"]: r["amount"] for r in part} == {"JX001": D("62500.50"), "JX003": D("30000.00"),
                                                          "JX002": D("27000.00")}
        # filters: territory (the distributor's), salesperson (its owner)
        assert [r["code"] for r in _rows(director, "brand_campaigns.distributor_purchases",
                                         {**NOV, "territory": f["terr"]["territory"]})] == ["JX001"]
        assert [r["code"] for r in _rows(director, "brand_campaigns.distributor_purchases",
                                         {**NOV, "salesperson": _emp(world, "territory_manager")})] == ["JX002"]
        # rules: the salesperson's report holds only the distributor he looks after, whatever he filters
        assert [r["code"] for r in _rows(seller, "brand_campaigns.distributor_purchases", NOV)] == ["JX001"]
        assert _rows(seller, "brand_campaigns.distributor_purchases",
                     {**NOV, "salesperson": _emp(world, "territory_manager")}) == []
        assert [r["code"] for r in _rows(seller, "brand_campaigns.distributor_monthly", {"month": "2026-11"})] == [
            "JX001"]
        # the territory manager reads the company's distributors
        assert len(_rows(manager, "brand_campaigns.distributor_purchases", NOV)) == 3

        # 每月经销商管理汇总表, November
        monthly = {r["code"]: r for r in _rows(director, "brand_campaigns.distributor_monthly", {"month": "2026-11"})}
        assert (monthly["JX001"]["purchases"], monthly["JX001"]["month_amount"], monthly["JX001"]["ytd_amount"],
                monthly["JX001"]["target"], monthly["JX001"]["achievement"]) == (
            2, D("312500.50"), D("432500.50"), D("1000000.00"), D("43.25"))
        assert (monthly["JX001"]["score"], monthly["JX001"]["decision"]) == (D("80.00"), "keep")  # Q4, not Q3
        assert (monthly["JX002"]["month_amount"], monthly["JX002"]["achievement"], monthly["JX002"]["score"]) == (
            D("27000.00"), None, None)
        assert monthly["JX003"]["ytd_amount"] == D("30000.00")  # December's purchase is not in November's year to date
        assert [r["code"] for r in _rows(director, "brand_campaigns.distributor_monthly",
                                         {"month": "2026-11", "territory": f["terr"]["other_territory"]})] == ["JX002"]

        # bad input: a period that ends before it starts (both languages); a territory outside the reach
        from core.reports.run import ReportParamsError

        bad = {"period": "custom", "date_from": "2026-11-30", "date_to": "2026-11-01"}
        with use_lang("zh_CN"), pytest.raises(ReportParamsError, match="早于"):
            _rows(director, "brand_campaigns.distributor_purchases", bad)
        with use_lang("en"), pytest.raises(ReportParamsError, match="before its start"):
            _rows(director, "brand_campaigns.distributor_purchases", bad)
        with use_lang("en"), pytest.raises(ReportParamsError, match="outside your reach"):
            _rows(seller, "brand_campaigns.distributor_purchases", {**NOV, "territory": f["terr"]["other_territory"]})
        with use_lang("en"), pytest.raises(ReportParamsError, match="YYYY-MM"):
            _rows(director, "brand_campaigns.distributor_monthly", {"month": "11-2026"})

        # the monthly summary follows writes: a distributor handed to the salesperson, a purchase deleted
        from addons.brand_campaigns import summary

        assert summary.differences(director) == []
        assert svc.distributors.purchase_stats(director, dt.date(2026, 11, 1), dt.date(2026, 11, 30), False) == \
            svc.distributors.purchase_stats(director, dt.date(2026, 11, 1), dt.date(2026, 11, 30), False,
                                            source="purchases")
        owner = world.env(s, "marketing_admin")
        svc.distributors.save_distributor(owner, {"code": "JX002", "name": "昆明滇润贸易",
                                                  "owner_id": _emp(world, "salesperson")}, f["d2"])
        assert f["d2"].territory_id == f["terr"]["other_territory"]  # a form without the territory keeps it
        assert sorted(r["code"] for r in _rows(seller, "brand_campaigns.distributor_purchases", NOV)) == [
            "JX001", "JX002"]
        from addons.brand_campaigns.models import DistributorPurchase

        gone = owner.search(DistributorPurchase, DistributorPurchase.amount == D("18000"))[0]
        owner.delete(gone)
        assert summary.differences(director) == []
        after = {r["code"]: r["amount"] for r in _rows(director, "brand_campaigns.distributor_purchases", NOV)}
        assert after["JX002"] == D("9000.00")

        # the purchase measures (summary and raw answer alike)
        from core.measures import measure_value

        by_sp = {r.dims["salesperson"]: r.value for r in measure_value(
            director, "brand_campaigns.purchase_amount", period=(dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
            group_by=["salesperson"], labels=False)}
        assert by_sp == {_emp(world, "salesperson"): D("321500.50"), None: D("30000.00")}
        by_day = measure_value(director, "brand_campaigns.purchase_amount",
                               period=(dt.date(2026, 11, 5), dt.date(2026, 11, 30)), labels=False)
        assert by_day[0].value == D("101500.50")

        # .xlsx of the report
        from openpyxl import load_workbook

        from core.reports.export import to_xlsx
        from core.reports.run import run_report

        book = load_workbook(io.BytesIO(to_xlsx(run_report(director, "brand_campaigns.distributor_purchases", NOV),
                                                "zh_CN")))
        text = " ".join(str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None)
        assert "成都瑞通汽配" in text
        # a subscription (delivered by the kernel with the recipient's rights at send time)
        from core.reports import subscriptions as subs

        sub = subs.subscribe(seller, "brand_campaigns.distributor_monthly", {"month": "2026-11"}, schedule="weekly",
                             weekday=0)
        assert sub.id

    from core.testing.web import logged_in_client
    from core.web.app import create_app

    app = create_app(registry=world.registry, test_config={"TESTING": True})
    client = logged_in_client(app, world.login("director", "acme"), world.password)
    page = client.get("/reports/brand_campaigns.distributor_purchases?period=custom&date_from=2026-11-01"
                      "&date_to=2026-11-30")
    assert page.status_code == 200
    assert "成都瑞通汽配" in page.text
    assert "30,000.00" in page.text
    bad = client.get("/reports/brand_campaigns.distributor_purchases?period=custom&date_from=2026-11-30"
                     "&date_to=2026-11-01")
    assert bad.status_code == 422
    assert "早于" in bad.text
    pdf = client.get("/reports/brand_campaigns.distributor_monthly/print.pdf?month=2026-11")
    assert pdf.status_code == 200
    assert pdf.data[:4] == b"%PDF"
    xlsx = client.get("/reports/brand_campaigns.distributor_monthly/export.xlsx?month=2026-11")
    assert xlsx.status_code == 200
    assert xlsx.data[:2] == b"PK"
