"""The regional sales report (区域销售情况统计表) on SQLite and PostgreSQL: figures against a hand-computed
fixture (sales, red-letter returns netted, collections, receivables; territory subtrees rolled up to 华东),
drill-down, rights (a salesperson's report holds only their rows), bad input (a territory outside the
user's reach, a period ending before it starts), .xlsx, subscription, and the sales target read through
sales_planning's measures by name (absent without that addon)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from core.i18n import use_lang
from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

D = Decimal
CODE = "orders.regional_sales"
NOV = {"period": "custom", "date_from": "2026-11-01", "date_to": "2026-11-30"}


def _place(world, env, customer_id, territory_id, since=dt.date(2025, 1, 1)):
    """The customer's territory history: in ``territory_id`` since ``since``."""
    terr_m = world.addon_module("territories", "models")
    for row in env.search(terr_m.CustomerTerritory, terr_m.CustomerTerritory.customer_id == customer_id):
        env.delete(row)
    env.create(terr_m.CustomerTerritory, {"customer_id": customer_id, "territory_id": territory_id,
                                          "date_from": since})


def _fixture(world, s):
    """华东 (上海, 江苏) and the world's other territory; three customers, November's documents.

    * 甲 (the salesperson's, 上海): 2,000 delivered in October; 10,000 on 11-05, 1,000 returned on 11-10,
      6,000 collected on 11-15 -> receivables 12,000 - 1,000 - 6,000 = 5,000.
    * 乙 (the territory manager's, 江苏): 10,000 delivered on 11-20, nothing collected.
    * 丙 (the territory manager's, the other territory): 3,000 on 11-08, 3,000 collected on 11-25.
    """
    md, tf, orders = world.factories.masterdata, world.factories.territories, world.factories.orders
    svc = world.addon_module("orders", "services")
    admin, director = world.env(s, "admin"), world.env(s, "director")
    finance = world.env(s, "finance")
    emps = world.data["masterdata"]["acme"]["employees"]
    terr = world.data["territories"]["acme"]
    hd = tf.territory(admin, name="华东", name_en="East China", code="HD")
    sh = tf.territory(admin, name="上海", name_en="Shanghai", code="SH", parent=hd)
    js = tf.territory(admin, name="江苏", name_en="Jiangsu", code="JS", parent=hd)
    svc.settings(admin).overdue_threshold = D("1000000")
    p = md.product(admin, code="TWC-R", name="三元催化剂")
    big = {"credit_limit": D("1000000"), "payment_days": 30}
    a = md.customer(admin, name="甲客户", owner=emps["salesperson"], **big)
    b = md.customer(admin, name="乙客户", owner=emps["territory_manager"], **big)
    c = md.customer(admin, name="丙客户", owner=emps["territory_manager"], **big)
    for cust, t in ((a, sh.id), (b, js.id), (c, terr["other_territory"])):
        _place(world, admin, cust.id, t)
    s.flush()

    def sale(cust, qty, price, on):
        k = orders.contract(director, cust, [{"product_id": p.id, "quantity": str(qty), "unit_price": str(price)}],
                            contract_date=on)
        assert k.state == "confirmed"
        return orders.delivery(director, k, on=on)

    def collect(cust, amount, on):
        col = orders.collection(director, cust, amount, on=on)
        svc.confirm_collection_sales(director, col)
        svc.confirm_collection_finance(finance, col, on=on)

    sale(a, 2, 1000, dt.date(2026, 10, 12))
    d_a = sale(a, 10, 1000, dt.date(2026, 11, 5))
    ret = svc.create_return(director, d_a, [{"product_id": p.id, "quantity": "1"}], on=dt.date(2026, 11, 10))
    svc.ship(director, ret, on=dt.date(2026, 11, 10))
    collect(a, "6000", dt.date(2026, 11, 15))
    sale(b, 5, 2000, dt.date(2026, 11, 20))
    sale(c, 3, 1000, dt.date(2026, 11, 8))
    collect(c, "3000", dt.date(2026, 11, 25))
    s.flush()
    return {"hd": hd.id, "sh": sh.id, "js": js.id, "other": terr["other_territory"], "mine": terr["territory"],
            "sp": emps["salesperson"], "tm": emps["territory_manager"]}


def _run(env, params):
    from core.reports.run import run_report

    return run_report(env, CODE, params)


def _figures(result):
    return {r["name"]: tuple(r[k] for k in ("sales", "returns", "net_sales", "collections", "receivables"))
            for r in result.rows}


@pytest.mark.tixi_world(addons=["orders", "territories"])
def test_regional_sales_figures_rights_bad_input_xlsx(tixi_world):  # noqa: F811
    world = tixi_world
    from core.reports.run import ReportParamsError

    with world.session() as s:
        d = _fixture(world, s)
        director, seller = world.env(s, "director"), world.env(s, "salesperson")
        with use_lang("zh_CN"):
            top = _run(director, NOV)
            # top-level territories, subtrees rolled up; October outside the period; largest net sales first
            assert [r["name"] for r in top.rows] == ["华东", "其他片区 acme"]
            assert _figures(top) == {
                "华东": (D("20000.00"), D("-1000.00"), D("19000.00"), D("6000.00"), D("15000.00")),
                "其他片区 acme": (D("3000.00"), D("0.00"), D("3000.00"), D("3000.00"), D("0.00")),
            }
            assert top.totals["net_sales"] == D("22000.00")
            assert top.totals["receivables"] == D("15000.00")
            assert "target" not in [c.key for c in top.columns]  # no sales_planning: no target columns
            assert top.chart
            assert top.chart["xAxis"]["data"] == ["华东", "其他片区 acme"]
            # drill: 华东 has sub-territories
            link = top.cell_link(top.rows[0], top.columns[0])
            assert (link.target, link.values["by"], link.values["territory"]) == (CODE, "territory", d["hd"])
            east = _run(director, {**NOV, "territory": d["hd"]})
            assert _figures(east) == {
                "江苏": (D("10000.00"), D("0.00"), D("10000.00"), D("0.00"), D("10000.00")),
                "上海": (D("10000.00"), D("-1000.00"), D("9000.00"), D("6000.00"), D("5000.00")),
            }
            assert [r["name"] for r in east.rows] == ["江苏", "上海"]
            leaf = east.cell_link(east.rows[1], east.columns[0])
            assert (leaf.values["by"], leaf.values["territory"]) == ("salesperson", d["sh"])
            people = _run(director, {**NOV, "territory": d["hd"], "by": "salesperson"})
            assert {r["key"]: r["net_sales"] for r in people.rows} == {d["tm"]: D("10000.00"), d["sp"]: D("9000.00")}
            only_sp = _run(director, {**NOV, "salesperson": d["tm"]})
            assert _figures(only_sp) == {
                "华东": (D("10000.00"), D("0.00"), D("10000.00"), D("0.00"), D("10000.00")),
                "其他片区 acme": (D("3000.00"), D("0.00"), D("3000.00"), D("3000.00"), D("0.00")),
            }

            # a salesperson's report holds only their rows (their customers' documents)
            mine = _run(seller, {**NOV, "by": "salesperson"})
            assert [(r["key"], r["net_sales"], r["receivables"]) for r in mine.rows] == [
                (d["sp"], D("9000.00"), D("5000.00"))]
            assert _figures(_run(seller, NOV)) == {
                "华东": (D("10000.00"), D("-1000.00"), D("9000.00"), D("6000.00"), D("5000.00"))}
            # a territory in his reach (he works in it) is accepted; 华东 is refused, in both languages
            assert _run(seller, {**NOV, "territory": d["mine"]}).rows == []
            with pytest.raises(ReportParamsError, match="该片区不在您的权限范围内"):
                _run(seller, {**NOV, "territory": d["hd"]})
        with use_lang("en"):
            with pytest.raises(ReportParamsError, match="outside your reach"):
                _run(seller, {**NOV, "territory": d["hd"]})
            with pytest.raises(ReportParamsError, match="end of the period is before its start"):
                _run(director, {"period": "custom", "date_from": "2026-11-30", "date_to": "2026-11-01"})
            assert [r["name"] for r in _run(director, NOV).rows] == ["East China", "其他片区 acme"]
        with use_lang("zh_CN"), pytest.raises(ReportParamsError, match="早于"):
            _run(director, {"period": "custom", "date_from": "2026-11-30", "date_to": "2026-11-01"})

        # .xlsx: the rows and the totals, in Chinese
        from openpyxl import load_workbook

        from core.reports.export import to_xlsx

        book = load_workbook(io.BytesIO(to_xlsx(_run(director, {**NOV, "territory": d["hd"]}), "zh_CN")))
        cells = [[c.value for c in row] for row in book.active.iter_rows()]
        names = [row[0] for row in cells]
        assert "江苏" in names
        assert "上海" in names
        assert "华东" not in names
        shanghai = next(row for row in cells if row[0] == "上海")
        assert [D(str(v)) for v in shanghai[1:6]] == [D("10000"), D("-1000"), D("9000"), D("6000"), D("5000")]

        # the contract list (issue 17's two-step read): the salesperson's own customer's contracts only
        from addons.orders.views import latest_contracts

        mine = latest_contracts(seller)
        assert [c.customer.name_zh for c in mine] == ["甲客户", "甲客户"]
        assert [c.id for c in mine] == sorted((c.id for c in mine), reverse=True)
        assert len(latest_contracts(director)) == 4
        assert len(latest_contracts(director, limit=3)) == 3

        # subscribable with these parameters
        from core.reports.subscriptions import my_subscriptions, subscribe

        subscribe(director, CODE, {"period": "this_month", "territory": str(d["hd"])}, schedule="monthly", day=1)
        assert [r.report_code for r in my_subscriptions(director)] == [CODE]


@pytest.mark.tixi_world(addons=["orders", "territories", "sales_planning"])
def test_regional_sales_target_through_sales_planning_measures(tixi_world):  # noqa: F811
    world = tixi_world
    plans, alloc = (world.addon_module("sales_planning", f"services.{n}") for n in ("plans", "allocation"))
    with world.session() as s:
        d = _fixture(world, s)
        director, gm = world.env(s, "director"), world.env(s, "general_manager")
        # the company target 2026: 3,600,000 evenly over the three top-level territories x 12 months
        target = plans.create_plan(director, plans.plan_type(director, "company_target"), 2026)
        target = alloc.apply(director, alloc.propose(director, target, "3600000", "even"))
        plans.fire(director, target, "submit")
        plans.fire(gm, target, "approve")
        s.flush()
        with use_lang("zh_CN"):
            res = _run(director, NOV)
            by = {r["name"]: (r["net_sales"], r["target"], r["completion"]) for r in res.rows}
            assert by == {"华东": (D("19000.00"), D("100000.00"), D("19.00")),
                          "其他片区 acme": (D("3000.00"), D("100000.00"), D("3.00")),
                          "片区 acme": (D("0.00"), D("100000.00"), D("0.00"))}
            assert res.totals["target"] == D("300000.00")
            assert res.totals["completion"] == D("7.33")
            keys = [c.key for c in res.columns]
            assert keys[-2:] == ["target", "completion"]
            # 华东's target is its own (the sub-territories have none of their own)
            east = _run(director, {**NOV, "territory": d["hd"]})
            assert {r["name"]: r["target"] for r in east.rows} == {"江苏": D("0.00"), "上海": D("0.00"),
                                                                    "华东": D("100000.00")}
