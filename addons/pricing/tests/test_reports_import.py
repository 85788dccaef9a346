"""Reports (SQL aggregates through env.select), .xlsx export, monthly input import, handover."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from addons.pricing.tests.helpers import DAY, D, env_of
from core.errors import AccessDenied, ValidationError


def _xlsx(rows):
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_reports_and_export(world):
    """The four pricing reports through the report centre (run_report): figures, rules, cost roles, .xlsx."""
    from openpyxl import load_workbook

    from addons.pricing import reports
    from addons.pricing import services as svc
    from core.reports import run_report

    period = {"period": "custom", "date_from": "2026-01-01", "date_to": "2026-12-31"}
    db, ids = world
    with db.session() as s:
        rep = env_of(db, s, ids, "wangwei")
        sun = env_of(db, s, ids, "sun")
        q1 = svc.create_quote(rep, ids["faw"], [{"product_id": ids["p1"], "quantity": D("10"), "unit_price": D("900")}], quote_date=DAY)
        svc.submit_quote(rep, q1)
        svc.approve_quote(env_of(db, s, ids, "zhang_east"), q1, "同意")
        svc.send_quote(rep, q1)
        svc.record_reaction(rep, q1, "accepted")
        q2 = svc.create_quote(sun, ids["baic"], [{"product_id": ids["p2"], "quantity": D("5")}], quote_date=DAY)
        svc.submit_quote(sun, q2)
        svc.send_quote(sun, q2)
        svc.record_reaction(sun, q2, "lost", competitor="BASF", competitor_price=D("700"))

        director = env_of(db, s, ids, "director")
        margin = run_report(director, "pricing.margin", period, today=DAY)
        assert len(margin.columns) == 8
        by_product = {r["product"]: r for r in margin.rows}
        # won quote of 一汽: 10 x 900 = 9000, cost 10 x 820 = 8200, margin 800
        assert by_product["TWC-1"]["territory"] == "华东"
        assert [by_product["TWC-1"][k] for k in ("revenue", "cost", "margin")] == [D("9000.00"), D("8200.00"), D("800.00")]
        assert "TWC-2" not in by_product  # lost quotes are not priced business
        assert margin.totals["margin"] == D("800.00")
        assert margin.totals["margin_pct"] == D("8.89")
        # the territory manager of 华北 sees only 华北's lines (the query under the report, lost ones counted)
        north_rows = reports.margin_rows(env_of(db, s, ids, "li_north"), by=("territory",), states=("won", "lost"))
        assert [r["territory"] for r in north_rows] == ["华北"]
        # a rep is refused margins, in the report centre and in the query
        with pytest.raises(AccessDenied):
            run_report(rep, "pricing.margin", period, today=DAY)
        with pytest.raises(AccessDenied):
            reports.margin_rows(rep)
        rows = run_report(director, "pricing.outside_band", period, today=DAY).rows
        assert len(rows) == 1
        assert rows[0]["quote"] == q1.number
        assert rows[0]["approver"] == "Zhang_East"
        assert rows[0]["comment"] == "同意"
        rows = run_report(director, "pricing.win_loss", period, today=DAY).rows
        assert {r["strategy"]: (r["won"], r["lost"]) for r in rows} == {"竞争性报价": (1, 1)}
        _h, rows = reports.realisation_report(director, states=("won",))
        assert rows[0][1:] == [D("9000.00"), D("9840.00"), D("9348.00"), D("91.46")]
        data = reports.to_xlsx("margin/win", ["=cmd", "x"], [["-1+1", Decimal("1.5")]])
        ws = load_workbook(io.BytesIO(data)).active
        assert ws.title == "margin-win"
        assert ws["A1"].value == "'=cmd"
        assert ws["A2"].value == "'-1+1"
        assert ws["B2"].value == 1.5


def test_import_monthly_inputs(world):
    from addons.pricing import imports
    from addons.pricing import services as svc
    from addons.pricing.models import MonthlyMetalPrice, ProductCost

    db, ids = world
    with db.session() as s:
        fin = env_of(db, s, ids, "finance")
        before = fin.count(MonthlyMetalPrice)
        bad = _xlsx([["月份", "金属", "单价(元/克)"], ["2026-12", "Pt", 210], ["2026-12", "Xx", 5], ["2026-13", "Pd", 1], ["2026-12", "Rh", -3]])
        with pytest.raises(ValidationError) as err:
            imports.import_metal_prices(fin, bad, "prices.xlsx")
        assert len(err.value.errors) == 3
        assert fin.count(MonthlyMetalPrice) == before
        good = _xlsx([["月份", "金属", "单价(元/克)"], ["2026-12", "Pt", 210], ["2026-12", "Pd", "260.5"], ["2026-12", "Rh", 1100]])
        assert imports.import_metal_prices(fin, good, "prices.xlsx") == 3
        costs = _xlsx([["Month", "Product code", "Manufacturing cost", "Carrier cost"], ["2026-12", "TWC-1", 101, 21]])
        assert imports.import_product_costs(fin, costs, "costs.xlsx") == 1
        assert fin.count(ProductCost) == 3
        import datetime as dt

        assert svc.product_cost(fin, ids["p1"], dt.date(2026, 12, 5)).total == D("853.0000")  # 210 + 521 + 122
        with pytest.raises(ValidationError):
            imports.import_metal_prices(fin, b"PK\x03\x04 not a zip", "x.xlsx")
        with pytest.raises(ValidationError):
            imports.import_metal_prices(fin, b"0" * (imports.MAX_BYTES + 1), "x.xlsx")


def test_handover_moves_open_quotes(world):
    from addons.masterdata.handover import handover
    from addons.masterdata.models import Employee
    from addons.pricing import services as svc
    from addons.pricing.models import Quote

    db, ids = world
    with db.session() as s:
        rep = env_of(db, s, ids, "wangwei")
        q = svc.create_quote(rep, ids["faw"], [{"product_id": ids["p1"], "quantity": D("1")}], quote_date=DAY)
        qid = q.id
    with db.session() as s:
        manager = env_of(db, s, ids, "zhang_east")
        counts = handover(manager, s.get(Employee, ids["employees"]["wangwei"]), s.get(Employee, ids["employees"]["zhang_east"]))
        assert counts["pricing_quote"] == 1
        assert manager.get(Quote, qid).owner_id == ids["employees"]["zhang_east"]
