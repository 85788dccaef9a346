"""The target customer basic information report (目标客户基本信息情况统计表) on SQLite and PostgreSQL.

Figures against a hand-computed fixture (monthly cards, visits of field_activity read through its
measure), the rules (a salesperson's report holds only their customers), the filters, a territory
outside the user's reach refused in Chinese and English, the .xlsx, the page, print and PDF; and
the same report without field_activity (no visit columns)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from core.i18n import use_lang
from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

D = Decimal
CODE = "crm_cards.target_customers"
OCT_NOV = {"period": "custom", "date_from": "2026-10-01", "date_to": "2026-11-30"}
NOV = {"period": "custom", "date_from": "2026-11-01", "date_to": "2026-11-30"}
OCT = {"period": "custom", "date_from": "2026-10-01", "date_to": "2026-10-31"}


def _emp(world, role, company="acme"):
    return world.data["masterdata"][company]["employees"][role]


def _seed(world, s, visits=True):
    """Three customers: 甲 (salesperson's, A, stage 1, two monthly cards, three visits), 乙 (manager's, B), 丙 (C, elsewhere)."""
    from addons.crm_cards.models import DevelopmentStage
    from addons.crm_cards.services import move_to_stage, save_monthly, set_class

    admin = world.env(s, "admin")
    md, terr = world.factories.masterdata, world.factories.territories
    t = world.data["territories"]["acme"]
    c1 = md.customer(admin, name="甲客户", owner=_emp(world, "salesperson"), credit_limit="500000")
    c2 = md.customer(admin, name="乙客户", owner=_emp(world, "territory_manager"))
    c3 = md.customer(admin, name="丙客户", owner=_emp(world, "director"))
    terr.assign(admin, c1, t["territory"])
    terr.assign(admin, c2, t["territory"])
    terr.assign(admin, c3, t["other_territory"])
    for c, k in ((c1, "A"), (c2, "B"), (c3, "C")):
        set_class(admin, c.id, k, "年度评审")
    stages = admin.sudo().search(DevelopmentStage, order_by=[DevelopmentStage.sequence, DevelopmentStage.id])
    move_to_stage(admin, c1.id, stages[1].id, entered_on=dt.date(2026, 9, 15))
    save_monthly(admin, c1.id, dt.date(2026, 10, 1), {"sales_plan": "100", "sales_actual": "80", "collections": "50",
                                                      "overdue_amount": "10", "enthusiasm": 4})
    save_monthly(admin, c1.id, dt.date(2026, 11, 1), {"sales_plan": "200", "sales_actual": "250",
                                                      "collections": "100", "overdue_amount": "5", "enthusiasm": 5})
    save_monthly(admin, c3.id, dt.date(2026, 11, 1), {"sales_plan": "1000", "sales_actual": "400"})
    if visits:
        fa = world.addon_module("field_activity", "models")
        for cust, who, day in ((c1, "salesperson", dt.date(2026, 10, 5)), (c1, "salesperson", dt.date(2026, 11, 3)),
                               (c1, "salesperson", dt.date(2026, 11, 20)), (c1, "salesperson", dt.date(2026, 12, 1)),
                               (c2, "territory_manager", dt.date(2026, 11, 10))):
            admin.create(fa.Visit, {"customer_id": cust.id, "salesperson_id": _emp(world, who), "visit_date": day,
                                    "territory_id": t["territory"]})
    s.flush()
    return {"c1": c1, "c2": c2, "c3": c3, "t": t, "stage": stages[1]}


def _run(env, params):
    from core.reports.run import run_report

    return run_report(env, CODE, params)


def _by_name(result):
    return {r["customer"]: r for r in result.rows}


@pytest.mark.tixi_world(addons=["crm_cards", "territories", "field_activity"])
def test_target_customers_figures_rules_filters_and_exports(tixi_world, monkeypatch):  # noqa: F811
    from core.reports.run import ReportParamsError

    world = tixi_world
    with world.session() as s:
        d = _seed(world, s)
        director, seller = world.env(s, "director"), world.env(s, "salesperson")
        manager = world.env(s, "territory_manager")

        with use_lang("zh_CN"):
            res = _run(director, OCT_NOV)
            rows = _by_name(res)
            a = rows["甲客户"]
            # hand-computed: Oct + Nov cards: plan 100 + 200, sales 80 + 250 (110 %), collections 50 + 100;
            # the latest card's overdue (Nov: 5) and enthusiasm (5); visits Oct 5, Nov 3, Nov 20 (Dec 1 is after)
            assert (a["class"], a["key_account"], a["stage_since"]) == ("A类客户", "", dt.date(2026, 9, 15))
            assert a["stage"] == d["stage"].name_zh
            assert a["territory"] == "片区 acme"
            assert (a["sales_plan"], a["sales"], a["completion"], a["collections"], a["overdue"], a["enthusiasm"]) == (
                D("300.00"), D("330.00"), D("110.00"), D("150.00"), D("5.00"), 5)
            assert a["credit_limit"] == D("500000.00")
            assert (a["visits"], a["last_visit"]) == (3, dt.date(2026, 11, 20))
            b, c = rows["乙客户"], rows["丙客户"]
            assert (b["class"], b["visits"], b["last_visit"], b["sales_plan"], b["completion"], b["overdue"]) == (
                "B类客户", 1, dt.date(2026, 11, 10), D("0.00"), None, None)
            assert (c["territory"], c["sales"], c["completion"], c["visits"]) == ("其他片区 acme", D("400.00"),
                                                                                D("40.00"), 0)
            # A before B before C, the unclassified last
            names = [r["customer"] for r in res.rows]
            assert names.index("甲客户") < names.index("乙客户") < names.index("丙客户") < names.index("片区客户 acme")
            # totals: sales 330 + 400 over plan 300 + 1000 = 56.15 %; visits 3 + 1
            assert (res.totals["sales"], res.totals["completion"], res.totals["visits"]) == (
                D("730.00"), D("56.15"), 4)
            assert res.chart["series"][0]["data"][:3] == [1, 1, 1]
            assert {c.key for c in res.columns} >= {"territory", "visits", "last_visit", "stage", "class"}

            # many customers: one query per class gives the same page
            from addons.crm_cards import report_defs

            monkeypatch.setattr(report_defs, "SORT_IN_ONE", 1)
            assert _run(director, OCT_NOV).rows == res.rows
            assert [r["customer"] for r in _run(director, {**OCT_NOV, "top": "200"}).rows] == names
            monkeypatch.setattr(report_defs, "SORT_IN_ONE", 5000)

            # November only: one card (plan 200, sales 250: 125 %), visits Nov 3 and 20
            a = _by_name(_run(director, NOV))["甲客户"]
            assert (a["sales_plan"], a["completion"], a["visits"], a["last_visit"]) == (
                D("200.00"), D("125.00"), 2, dt.date(2026, 11, 20))
            # October only: the last visit is the one before the period's end
            a = _by_name(_run(director, OCT))["甲客户"]
            assert (a["visits"], a["last_visit"], a["overdue"], a["enthusiasm"]) == (1, dt.date(2026, 10, 5),
                                                                                    D("10.00"), 4)

            # a salesperson's report holds only their customers (and only their visits)
            mine = _by_name(_run(seller, OCT_NOV))
            assert set(mine) == {"甲客户", "片区客户 acme"}
            assert mine["甲客户"]["visits"] == 3
            # the territory manager: his own customer and his salesperson's
            assert {"甲客户", "乙客户"} <= set(_by_name(_run(manager, OCT_NOV)))
            assert "丙客户" not in _by_name(_run(manager, OCT_NOV))
            # the other company's director sees none of acme's
            assert not {"甲客户", "乙客户", "丙客户"} & set(_by_name(_run(world.env(s, "director", "other"), OCT_NOV)))

            # filters: territory (and below), salesperson, class, rows shown
            in_t = _by_name(_run(director, {**OCT_NOV, "territory": d["t"]["territory"]}))
            assert set(in_t) == {"甲客户", "乙客户", "片区客户 acme"}
            assert set(_by_name(_run(director, {**OCT_NOV, "salesperson": _emp(world, "territory_manager")}))) == {
                "乙客户"}
            assert set(_by_name(_run(director, {**OCT_NOV, "customer_class": "C"}))) == {"丙客户"}
            assert "甲客户" not in _by_name(_run(director, {**OCT_NOV, "customer_class": "none"}))

            # a territory outside the user's reach: refused, in the user's language
            with pytest.raises(ReportParamsError, match="该片区不在您的权限范围内") as exc:
                _run(seller, {**OCT_NOV, "territory": d["t"]["other_territory"]})
            assert "territory" in exc.value.errors
            with pytest.raises(ReportParamsError, match="结束日期早于开始日期|早于"):
                _run(seller, {"period": "custom", "date_from": "2026-11-30", "date_to": "2026-11-01"})
        with use_lang("en"):
            with pytest.raises(ReportParamsError, match="outside your reach"):
                _run(manager, {**OCT_NOV, "territory": d["t"]["other_territory"]})
            assert set(_by_name(_run(seller, {**OCT_NOV, "territory": d["t"]["territory"]}))) == {
                "甲客户", "片区客户 acme"}
            assert _by_name(_run(director, NOV))["甲客户"]["class"] == "Class A"

        # .xlsx
        from openpyxl import load_workbook

        from core.reports.export import to_xlsx

        with use_lang("zh_CN"):
            book = load_workbook(io.BytesIO(to_xlsx(_run(director, OCT_NOV), "zh_CN")))
        text = " ".join(str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None)
        assert "甲客户" in text
        assert "目标客户" in text

    # the report centre's page, print view and .xlsx for the director; the salesperson's page
    from core.testing.web import logged_in_client
    from core.web.app import create_app

    app = create_app(registry=world.registry, test_config={"TESTING": True})
    client = logged_in_client(app, world.login("director"), world.password)
    q = "period=custom&date_from=2026-10-01&date_to=2026-11-30"
    page = client.get(f"/reports/{CODE}?{q}", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "甲客户" in html
    assert "目标客户基本信息" in html
    for suffix, kind in (("/export.xlsx", "spreadsheetml"), ("/print", "text/html"), ("/print.pdf", "pdf")):
        got = client.get(f"/reports/{CODE}{suffix}?{q}")
        assert got.status_code == 200, suffix
        assert kind in got.content_type, suffix
    assert "甲客户" in client.get(f"/reports/{CODE}/print?{q}").get_data(as_text=True)
    seller_client = logged_in_client(app, world.login("salesperson"), world.password)
    html = seller_client.get(f"/reports/{CODE}?{q}").get_data(as_text=True)
    assert "甲客户" in html
    assert "乙客户" not in html
    assert "丙客户" not in html


@pytest.mark.tixi_world(addons=["crm_cards", "territories"])
def test_target_customers_without_field_activity(tixi_world):  # noqa: F811
    world = tixi_world
    with world.session() as s:
        _seed(world, s, visits=False)
        res = _run(world.env(s, "director"), OCT_NOV)
        assert not {"visits", "last_visit"} & {c.key for c in res.columns}
        a = _by_name(res)["甲客户"]
        assert (a["sales"], a["visits"], a["last_visit"]) == (D("330.00"), None, None)
        assert len(res.chart["series"]) == 1


@pytest.mark.tixi_world(addons=["crm_cards", "territories"])
def test_target_customers_subscription_delivers_the_subscribers_rows(tixi_world):  # noqa: F811
    """Subscribable: the kernel sends it with the subscriber's rights (a salesperson: his two customers)."""
    import json

    from core.models import Notification
    from core.reports import subscriptions as subs

    world = tixi_world
    with world.session() as s:
        _seed(world, s, visits=False)
        mine = subs.subscribe(world.env(s, "salesperson"), CODE, OCT_NOV, schedule="daily")
        boss = subs.subscribe(world.env(s, "director"), CODE, OCT_NOV, schedule="daily")
        mine.created_at = boss.created_at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        ids = (mine.id, boss.id)
        n_all = len(_run(world.env(s, "director"), OCT_NOV).rows)
    done = {d.subscription_id: d for d in subs.deliver_due(world.registry, dt.datetime(2026, 11, 16, 2, tzinfo=dt.UTC))}
    assert (done[ids[0]].outcome, done[ids[0]].rows) == ("sent", 2)
    assert (done[ids[1]].outcome, done[ids[1]].rows) == ("sent", n_all)
    assert n_all > 2
    with world.session() as s:
        (note,) = s.query(Notification).filter_by(user_id=world.user("salesperson"), type_code="core.report_ready")
        assert json.loads(note.params)["url"].startswith(f"/reports/{CODE}?")
