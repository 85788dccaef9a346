"""The marketing audit (营销审计, issue 23) on SQLite and PostgreSQL: expenses against budget by territory
and category, sales and gross profit read through sales_planning's measures (orders is not enabled here:
the report falls back on the imported sales), the annual target's execution, the expense per 10,000 of
sales — against a hand-computed fixture; the rules (a salesperson's report holds only what he may read);
the filters; a period that ends before it starts refused in both languages; .xlsx and PDF."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest

from core.i18n import use_lang
from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

pytestmark = pytest.mark.tixi_world(addons=["budget"])

JUNE = {"period": "custom", "date_from": "2026-06-01", "date_to": "2026-06-30"}


def _xlsx(rows):
    import openpyxl

    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _rows(env, params):
    from core.reports.run import run_report

    return run_report(env, "budget.marketing_audit", params).rows


def _fixture(world, s):
    """Budgets of the two territories and of a department; June claims; imported sales; the 2026 target."""
    emp = world.data["masterdata"]["acme"]["employees"]
    terr = world.data["territories"]["acme"]
    admin, director, gm = world.env(s, "admin"), world.env(s, "director"), world.env(s, "general_manager")
    bf = world.factories.budget
    Lm = world.addon_module("budget", "models").Line
    t_budget = bf.budget(director, territory=terr["territory"], owner=emp["territory_manager"], approver=gm,
                         amounts={"entertainment": "12000", "travel": "6000"}, name="华东营销预算")
    o_budget = bf.budget(director, territory=terr["other_territory"], owner=emp["director"], approver=gm,
                         amounts={"travel": "2400"}, name="华南营销预算")
    d_budget = bf.budget(director, owner=emp["marketing_admin"], approver=gm, amounts={"entertainment": "1200"},
                         name="企管部预算", department="企管部")

    def line(b, code):
        return [ln for ln in director.search(Lm, Lm.budget_id == b.id) if ln.category.code == code][0]

    seller, boss = world.env(s, "salesperson"), world.env(s, "territory_manager")
    bf.claim(seller, line(t_budget, "entertainment"), "300", "2026-06-15")
    bf.claim(seller, line(t_budget, "travel"), "200", "2026-06-10")
    bf.claim(boss, line(t_budget, "entertainment"), "150", "2026-06-20")
    bf.claim(director, line(o_budget, "travel"), "50", "2026-06-12")
    bf.claim(world.env(s, "marketing_admin"), line(d_budget, "entertainment"), "80", "2026-06-05")
    bf.claim(seller, line(t_budget, "entertainment"), "999", "2026-07-01")  # July: outside the period
    # imported sales (sales_planning): the two customers in their territories since 2025
    from addons.masterdata.models import Customer
    from addons.territories.models import CustomerTerritory

    for key, code, tid in (("customer", "C-T", terr["territory"]), ("other_customer", "C-O", terr["other_territory"])):
        cust = admin.get(Customer, terr[key])
        admin.write(cust, {"code": code})
        for row in admin.search(CustomerTerritory, CustomerTerritory.customer_id == cust.id):
            admin.delete(row)
        admin.create(CustomerTerritory, {"customer_id": cust.id, "territory_id": tid, "date_from": dt.date(2025, 1, 1)})
    world.factories.masterdata.product(admin, code="PT-01", name="铂催化剂")
    act = world.addon_module("sales_planning", "services.actuals")
    res = act.import_sales(world.env(s, "marketing_admin"), _xlsx([
        ["日期", "客户编码", "品种编码", "数量", "金额", "毛利", "类型"],
        ["2026-06-10", "C-T", "PT-01", 10, "100000.00", "30000.00", "销售"],
        ["2026-06-11", "C-O", "PT-01", 5, "50000.00", "10000.00", "销售"],
        ["2026-07-02", "C-T", "PT-01", 7, "70000.00", "21000.00", "销售"]]), "sales.xlsx", lang="zh_CN",
        today=dt.date(2026, 12, 1))
    assert res.ok, res.errors
    # the 2026 company target: 1,200,000 evenly over the two top-level territories and 12 months (50,000 each)
    plans, alloc = (world.addon_module("sales_planning", f"services.{n}") for n in ("plans", "allocation"))
    target = plans.create_plan(director, plans.plan_type(director, "company_target"), 2026)
    target = alloc.apply(director, alloc.propose(director, target, "1200000.00", "even"))
    plans.fire(director, target, "submit")
    plans.fire(gm, target, "approve")
    return terr


def test_marketing_audit_figures_rules_filters_and_bad_input(tixi_world):  # noqa: F811
    world = tixi_world
    with world.session() as s:
        terr = _fixture(world, s)
        director, seller = world.env(s, "director"), world.env(s, "salesperson")
        rows = {r["territory_id"]: r for r in _rows(director, JUNE)}
        t, o, dept = rows[terr["territory"]], rows[terr["other_territory"]], rows[0]
        assert (t["budget"], t["spent"], t["remaining"], t["used_pct"]) == (
            D("1500.00"), D("650.00"), D("850.00"), D("43.33"))
        assert (t["sales"], t["gross_profit"], t["margin_pct"], t["target"], t["achieved_pct"]) == (
            D("100000.00"), D("30000.00"), D("30.00"), D("50000.00"), D("200.00"))
        assert (t["per_10k"], t["expense_gp_pct"]) == (D("65.00"), D("2.17"))
        assert (o["budget"], o["spent"], o["sales"], o["achieved_pct"], o["per_10k"]) == (
            D("200.00"), D("50.00"), D("50000.00"), D("100.00"), D("10.00"))
        assert (dept["budget"], dept["spent"], dept["used_pct"], dept["sales"]) == (
            D("100.00"), D("80.00"), D("80.00"), None)
        assert t["source"] == "sales_planning"  # orders is not enabled: sales_planning's imported sales
        # totals of the report: each territory's sales once; the expense per 10,000 of all sales
        from core.reports.run import run_report

        result = run_report(director, "budget.marketing_audit", JUNE)
        assert (result.totals["budget"], result.totals["spent"], result.totals["sales"]) == (
            D("1800.00"), D("780.00"), D("150000.00"))
        assert result.totals["per_10k"] == D("52.00")
        # per expense category: spend per 10,000 of the scope's sales
        cats = {r["category"]: r for r in _rows(director, {**JUNE, "by": "category"})}
        assert {k: (v["budget"], v["spent"], v["per_10k"]) for k, v in cats.items()} == {
            "业务招待费": (D("1100.00"), D("530.00"), D("35.33")), "差旅费": (D("700.00"), D("250.00"), D("16.67"))}
        both = _rows(director, {**JUNE, "by": "territory_category"})
        assert len(both) == 4
        assert run_report(director, "budget.marketing_audit", {**JUNE, "by": "territory_category"}).totals[
            "sales"] == D("150000.00")
        # filters: a territory (its subtree), a salesperson (his claims, the budgets he owns)
        assert [r["territory_id"] for r in _rows(director, {**JUNE, "territory": terr["other_territory"]})] == [
            terr["other_territory"]]
        mine = _rows(director, {**JUNE, "salesperson": world.data["masterdata"]["acme"]["employees"]["salesperson"]})
        assert {r["territory_id"]: r["spent"] for r in mine if r["spent"]} == {terr["territory"]: D("500.00")}
        # rules: the salesperson's report holds his territory's budget and only his own claims
        own = _rows(seller, JUNE)
        assert [(r["territory_id"], r["budget"], r["spent"]) for r in own] == [
            (terr["territory"], D("1500.00"), D("500.00"))]
        assert _rows(world.env(s, "director", "other"), JUNE) == []
        # bad input: an end before the start (both languages), a territory outside the reach, orders absent
        from core.reports.run import ReportParamsError

        bad = {"period": "custom", "date_from": "2026-06-30", "date_to": "2026-06-01"}
        with use_lang("zh_CN"), pytest.raises(ReportParamsError, match="早于"):
            _rows(director, bad)
        with use_lang("en"), pytest.raises(ReportParamsError, match="before its start"):
            _rows(director, bad)
        with use_lang("en"), pytest.raises(ReportParamsError, match="outside your reach"):
            _rows(seller, {**JUNE, "territory": terr["other_territory"]})
        with use_lang("en"), pytest.raises(ReportParamsError, match="Orders are not used"):
            _rows(director, {**JUNE, "source": "orders"})
        # .xlsx
        from openpyxl import load_workbook

        from core.reports.export import to_xlsx

        book = load_workbook(io.BytesIO(to_xlsx(result, "zh_CN")))
        text = " ".join(str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None)
        assert "华南" in text or "65" in text
    from core.testing.web import logged_in_client
    from core.web.app import create_app

    app = create_app(registry=world.registry, test_config={"TESTING": True})
    client = logged_in_client(app, world.login("director"), world.password)
    q = "period=custom&date_from=2026-06-01&date_to=2026-06-30"
    page = client.get(f"/reports/budget.marketing_audit?{q}")
    assert page.status_code == 200
    assert "1,500.00" in page.text
    pdf = client.get(f"/reports/budget.marketing_audit/print.pdf?{q}")
    assert pdf.status_code == 200
    assert pdf.data[:4] == b"%PDF"
    refused = client.get("/reports/budget.marketing_audit?period=custom&date_from=2026-06-30&date_to=2026-06-01")
    assert refused.status_code == 422
