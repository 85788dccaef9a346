"""Tests of sales planning on SQLite and PostgreSQL: targets down, plans up, versions through
approvals, actuals attributed as of their date, returns and shares, plan vs actual, rights, bad input."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from core.errors import AccessDenied, ValidationError
from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

D = Decimal


def _m(world, name="models"):
    return world.addon_module("sales_planning", name)


def _svc(world, name):
    return world.addon_module("sales_planning", f"services.{name}")


def _emp(world, role, company="acme"):
    return world.data["masterdata"][company]["employees"][role]


def _terr(world, company="acme"):
    return world.data["territories"][company]


def xlsx(rows):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _place(world, env, customer_id, territory_id, since=dt.date(2025, 1, 1)):
    """The customer's territory history: in ``territory_id`` since ``since`` (and nowhere before)."""
    Terr = world.addon_module("territories", "models")
    for row in env.search(Terr.CustomerTerritory, Terr.CustomerTerritory.customer_id == customer_id):
        env.delete(row)
    env.create(Terr.CustomerTerritory, {"customer_id": customer_id, "territory_id": territory_id, "date_from": since})


def _target(world, s, year=2026, total="1200000.00"):
    plans, alloc = _svc(world, "plans"), _svc(world, "allocation")
    director = world.env(s, "director")
    target = plans.create_plan(director, plans.plan_type(director, "company_target"), year)
    prop = alloc.propose(director, target, total, "even")
    return director, alloc.apply(director, prop)


def test_target_allocation_locks_versions_diff_and_approval(tixi_world):  # noqa: F811
    world = tixi_world
    m, plans, alloc = _m(world), _svc(world, "plans"), _svc(world, "allocation")
    t = _terr(world)
    with world.session() as s:
        director, target = _target(world, s, total="1000000.01")
        cells = plans.read_cells(director, target)
        assert len(cells) == 24  # two top-level territories x 12 months
        assert sum(c.amount for c in cells.values()) == D("1000000.01")
        by_t = {}
        for (member, _mo), c in cells.items():
            by_t[member[0]] = by_t.get(member[0], D(0)) + c.amount
        assert sorted(by_t.values()) == [D("500000.00"), D("500000.01")]
        assert target.total_amount == D("1000000.01")
        assert target.revision == 1
        # lock January of the managed territory, split again by weights 3:1 -> a new revision
        jan = ((t["territory"],), dt.date(2026, 1, 1))
        plans.set_cell(director, target, jan, "100000.00", locked=True)
        prop = alloc.propose(director, target, "900000.00", "weights",
                             weights={(t["territory"],): "3", (t["other_territory"],): "1"})
        v2 = alloc.apply(director, prop)
        assert v2.revision == 2
        assert v2.id != target.id
        c2 = plans.read_cells(director, v2)
        assert c2[jan].amount == D("100000.00")
        assert c2[jan].locked
        assert sum(c.amount for c in c2.values()) == D("900000.00")
        mine = sum(c.amount for (mem, _mo), c in c2.items() if mem == (t["territory"],))
        assert mine == D("100000.00") + D("600000.00")  # locked + 3/4 of the rest
        s.refresh(target)
        assert target.superseded_by_id == v2.id
        with pytest.raises(ValidationError):
            plans.set_cell(director, target, jan, "1.00")  # an old revision is read-only
        changes = plans.diff(director, target, v2)
        assert changes
        assert all(r["after"] != r["before"] for r in changes)
        # undo by version: v3 holds exactly what v1 held (after the manual edit)
        v3 = plans.restore(director, v2, target)
        assert v3.revision == 3
        assert plans.diff(director, target, v3) == []
        # approval: the director submits, cannot approve his own, the general manager approves
        plans.fire(director, v3, "submit")
        with pytest.raises(AccessDenied):
            plans.fire(director, v3, "approve")
        with pytest.raises(ValidationError):
            plans.set_cell(director, v3, jan, "1.00")  # waiting approval: frozen
        gm = world.env(s, "general_manager")
        plans.fire(gm, v3, "approve")
        assert v3.state == "approved"
        assert v3.in_force
        assert plans.measured(director, target).id == v3.id
        # the kernel measure of targets in force
        from core.measures import measure_value, total

        assert total(measure_value(director, "sales_planning.target_amount")) == v3.total_amount
        # bad input: clear messages, nothing changed
        v4 = plans.new_revision(director, v3)
        n_before = director.count(m.Cell)
        for bad, pattern in [("-5", "negative|负"), ("12.345", "decimal|小数"), ("abc", "number|数字")]:
            with pytest.raises(ValidationError, match=pattern):
                alloc.propose(director, v4, bad, "even")
        with pytest.raises(ValidationError, match="zero|零"):
            alloc.propose(director, v4, "100.00", "weights", weights={(t["territory"],): "0"},
                          members=[(t["territory"],)])
        with pytest.raises(ValidationError, match="dimension|维度"):
            plans.replace_cells(director, v4, {((t["territory"], 5), dt.date(2026, 1, 1)): plans.CellValue(D(1))})
        with pytest.raises(ValidationError, match="horizon|范围"):
            plans.set_cell(director, v4, ((t["territory"],), dt.date(2027, 1, 1)), "1")
        with pytest.raises(ValidationError, match="negative|负"):
            plans.set_cell(director, v4, jan, "-1")
        assert director.count(m.Cell) == n_before
        assert plans.read_cells(director, v4) == plans.read_cells(director, v3)


def test_territory_plans_come_up_consolidation_and_rights(tixi_world):  # noqa: F811
    world = tixi_world
    m, plans, alloc = _m(world), _svc(world, "plans"), _svc(world, "allocation")
    cons = _svc(world, "consolidation")
    t = _terr(world)
    with world.session() as s:
        director, target = _target(world, s, total="240000.00")
        plans.fire(director, target, "submit")
        plans.fire(world.env(s, "general_manager"), target, "approve")
        manager = world.env(s, "territory_manager")
        ptype = plans.plan_type(manager, "territory_plan")
        # a manager plans his own territory, not another one
        with pytest.raises(AccessDenied):
            plans.create_plan(manager, ptype, 2026, territory_id=t["other_territory"], target=target)
        mine = plans.create_plan(manager, ptype, 2026, territory_id=t["territory"], target=target)
        with pytest.raises(ValidationError, match="already|已有"):
            plans.create_plan(manager, ptype, 2026, territory_id=t["territory"], target=target)
        members = alloc.default_members(manager, mine)
        assert members == [(_emp(world, "salesperson"), t["customer"], None)]
        applied = alloc.apply(manager, alloc.propose(manager, mine, "100000.00", "even"))
        assert applied.id == mine.id  # the empty first draft is filled in place
        rows = {r.territory_id: r for r in cons.consolidation(director, target)}
        assert rows[t["territory"]].target == D("120000.00")
        assert rows[t["territory"]].planned == D("100000.00")
        assert rows[t["territory"]].difference == D("-20000.00")
        assert not rows[t["territory"]].balanced
        assert rows[t["other_territory"]].plan is None
        plans.set_cell(manager, mine, ((_emp(world, "salesperson"), t["customer"], None), dt.date(2026, 12, 1)),
                       str(D("100000.00") / 12 + D("20000.00")).split(".")[0] + ".00")
        # reads: the salesperson sees his own cells only; another company sees nothing
        seller = world.env(s, "salesperson")
        assert seller.count(m.Cell, m.Cell.plan_id == target.id) == 0
        assert seller.count(m.Cell, m.Cell.plan_id == mine.id) == 12
        assert world.env(s, "territory_manager").count(m.Cell, m.Cell.plan_id == target.id) == 12
        assert world.env(s, "director", "other").count(m.Plan) == 0
        with pytest.raises(AccessDenied):
            plans.set_cell(seller, mine, ((_emp(world, "salesperson"), t["customer"], None), dt.date(2026, 1, 1)), "1")
        # a reference the writer may not read is refused (issue 13's mechanism)
        other_company_customer = world.data["territories"]["other"]["customer"]
        with pytest.raises(ValidationError):
            plans.replace_cells(manager, mine, {((_emp(world, "salesperson"), other_company_customer, None),
                                                 dt.date(2026, 1, 1)): plans.CellValue(D("1.00"))})
        # submit and approve the territory plan
        plans.fire(manager, mine, "submit")
        plans.fire(director, mine, "approve")
        from core.measures import measure_value, total

        assert total(measure_value(seller, "sales_planning.plan_amount")) == mine.total_amount


def test_import_attributes_as_of_the_date_nets_returns_and_splits_shares(tixi_world):  # noqa: F811
    world = tixi_world
    m, act = _m(world), _svc(world, "actuals")
    Terr = world.addon_module("territories", "models")
    t = _terr(world)
    sp, tm = _emp(world, "salesperson"), _emp(world, "territory_manager")
    with world.session() as s:
        admin = world.env(s, "admin")
        md = world.factories.masterdata
        cust = md.customer(admin, name="迁移客户", code="C-MOVE", owner=sp, settlement_method="monthly")
        shared = md.customer(admin, name="共享客户", code="C-SHARE", owner=sp)
        md.product(admin, code="PT-01", name="铂催化剂")
        # territory history: in the managed territory until 2026-06-01, then in the other one
        for c in (cust, shared):
            for row in admin.search(Terr.CustomerTerritory, Terr.CustomerTerritory.customer_id == c.id):
                admin.delete(row)
        admin.create(Terr.CustomerTerritory, {"customer_id": cust.id, "territory_id": t["territory"],
                                              "date_from": dt.date(2025, 1, 1), "date_to": dt.date(2026, 6, 1)})
        admin.create(Terr.CustomerTerritory, {"customer_id": cust.id, "territory_id": t["other_territory"],
                                              "date_from": dt.date(2026, 6, 1)})
        admin.create(Terr.CustomerTerritory, {"customer_id": shared.id, "territory_id": t["territory"],
                                              "date_from": dt.date(2025, 1, 1)})
        admin.create(m.Share, {"customer_id": shared.id, "salesperson_id": sp, "percent": D("0.6"),
                               "date_from": dt.date(2026, 1, 1)})
        admin.create(m.Share, {"customer_id": shared.id, "salesperson_id": tm, "percent": D("0.4"),
                               "date_from": dt.date(2026, 1, 1)})
        office = world.env(s, "marketing_admin")
        good = xlsx([["日期", "客户编码", "品种编码", "数量", "金额", "类型"],
                     ["2026-05-20", "C-MOVE", "PT-01", 10, "50000.00", "销售"],
                     ["2026-07-02", "C-MOVE", "PT-01", 4, "20000.00", "销售"],
                     ["2026-07-15", "C-MOVE", "PT-01", 1, "5000.00", "退货"],
                     ["2026-08-01", "C-SHARE", "PT-01", 1, "100.01", ""]])
        res = act.import_sales(office, good, "sales.xlsx", lang="zh_CN", today=dt.date(2026, 12, 1))
        assert res.ok, res.errors
        lines = office.search(m.Sale, order_by=[m.Sale.line_no, m.Sale.id])
        assert [(ln.line_no, ln.territory_id, ln.amount) for ln in lines[:3]] == [
            (2, t["territory"], D("50000.00")), (3, t["other_territory"], D("20000.00")),
            (4, t["other_territory"], D("-5000.00"))]
        assert lines[2].kind == "return"
        assert lines[2].quantity == D("-1")
        assert sorted((ln.salesperson_id, ln.amount) for ln in lines[3:]) == sorted([(sp, D("60.01")), (tm, D("40.00"))])
        # a later move re-attributes nothing
        row = admin.search(Terr.CustomerTerritory, Terr.CustomerTerritory.customer_id == cust.id,
                           Terr.CustomerTerritory.date_to.is_(None))[0]
        admin.write(row, {"territory_id": t["territory"]})
        from core.measures import measure_value

        rows = measure_value(office, "sales_planning.sales_amount", period=(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
                             group_by=["territory"])
        by_t = {r["territory"]: r.value for r in rows}
        assert by_t[t["other_territory"]] == D("15000.00")  # the July sale net of the return
        assert by_t[t["territory"]] == D("50100.01")
        # summary and raw query agree, for every grouping the summary holds
        raw = measure_value(office, "sales_planning.sales_amount", period=(dt.date(2026, 7, 3), dt.date(2026, 12, 31)))
        assert raw[0].value == D("-4899.99")
        # rights: the salesperson sees his own (attributed) lines only
        seller = world.env(s, "salesperson")
        assert {ln.salesperson_id for ln in seller.search(m.Sale)} == {sp}
        assert world.env(s, "admin", "other").count(m.Sale) == 0
        # bad input: one message per bad row in Chinese, nothing saved
        before = office.count(m.Sale)
        bad = xlsx([["日期", "客户编码", "品种编码", "金额"],
                    ["2026-05-20", "C-NOPE", "PT-01", "10.00"],
                    ["2027-05-20", "C-MOVE", "PT-XX", "10.00"],
                    ["20260520x", "C-MOVE", "", "ten"]])
        res = act.import_sales(office, bad, "bad.xlsx", lang="zh_CN", today=dt.date(2026, 12, 1))
        texts = [f"{e.row}:{e.message}" for e in res.errors]
        assert not res.ok
        assert any(x.startswith("2:") and "未知客户编码 C-NOPE" in x for x in texts), texts
        assert any(x.startswith("3:") and "未来" in x for x in texts), texts
        assert any(x.startswith("3:") and "未知品种编码 PT-XX" in x for x in texts), texts
        assert any(x.startswith("4:") and "YYYY-MM-DD" in x for x in texts), texts
        assert office.count(m.Sale) == before
        res = act.import_sales(office, xlsx([["Date", "Amount"], ["2026-01-01", "1"]]), "x.xlsx", lang="en")
        assert "Customer code" in res.errors[0].message


def test_plan_vs_actual_warns_for_a_territory_behind_plan(tixi_world):  # noqa: F811
    world = tixi_world
    act, att = _svc(world, "actuals"), _svc(world, "attainment")
    t = _terr(world)
    with world.session() as s:
        admin = world.env(s, "admin")
        c1 = world.factories.masterdata.customer(admin, name="甲", code="C-A", owner=_emp(world, "salesperson"))
        _place(world, admin, c1.id, t["territory"])
        c2 = world.data["territories"]["acme"]["other_customer"]
        _place(world, admin, c2, t["other_territory"])
        admin.write(admin.get(world.addon_module("masterdata", "models").Customer, c2), {"code": "C-B"})
        director, target = _target(world, s, total="1200000.00")  # 50,000 a month per territory
        plans = _svc(world, "plans")
        plans.fire(director, target, "submit")
        plans.fire(world.env(s, "general_manager"), target, "approve")
        rows = [["日期", "客户编码", "金额"]]
        for month in range(1, 7):  # Jan-Jun: the managed territory at plan, the other at 40 %
            rows.append([f"2026-{month:02d}-10", "C-A", "50000.00"])
            rows.append([f"2026-{month:02d}-10", "C-B", "20000.00"])
        res = act.import_sales(world.env(s, "marketing_admin"), xlsx(rows), "h1.xlsx", today=dt.date(2026, 7, 1))
        assert res.ok, res.errors
        today = dt.date(2026, 6, 30)
        out = att.attainment(director, target, by=["territory"], today=today)
        lines = {ln.key[0]: ln for ln in out.lines}
        mine, other = lines[t["territory"]], lines[t["other_territory"]]
        assert (mine.plan, mine.actual) == (D("600000.00"), D("300000.00"))
        assert mine.completion == D("0.5000")
        assert not mine.warning
        assert other.actual == D("120000.00")
        assert other.warning
        assert other.behind > D("0.5")
        assert out.total.actual == D("420000.00")
        assert out.total.plan == D("1200000.00")
        assert [w.key[0] for w in att.warnings(director, target, today=today)] == [t["other_territory"]]
        # by month: the monthly lines exist and add up
        monthly = att.attainment(director, target, by=["territory"], grain="month", today=today)
        assert sum(ln.actual for ln in monthly.lines) == D("420000.00")
        assert len(monthly.series) == 12
        # the manager sees his territory only; the salesperson his own line (no company target cells)
        manager = world.env(s, "territory_manager")
        seen = att.attainment(manager, target, by=["territory"], today=today)
        assert {ln.key[0] for ln in seen.lines} == {t["territory"]}
        seller = world.env(s, "salesperson")
        assert att.attainment(seller, target, today=today).total.plan == 0
        # the report centre's report and its rows
        from core.reports.run import run_report

        result = run_report(director, "sales_planning.attainment", {"plan": target.id, "by": "territory"},
                            today=today)
        assert len(result.rows) == 2


def test_rolling_forecast_against_plan_and_its_accuracy(tixi_world):  # noqa: F811
    world = tixi_world
    m, fc, act = _m(world), _svc(world, "forecast"), _svc(world, "actuals")
    t = _terr(world)
    sp = _emp(world, "salesperson")
    with world.session() as s:
        admin = world.env(s, "admin")
        cust = admin.get(world.addon_module("masterdata", "models").Customer, t["customer"])
        admin.write(cust, {"code": "C-FC", "status": "active"})
        _place(world, admin, cust.id, t["territory"])
        seller = world.env(s, "salesperson")
        assert [c.id for c in fc.my_customers(seller)] == [cust.id]
        # made in September for October-December; again in October for November-January
        sept, octo = dt.date(2026, 9, 15), dt.date(2026, 10, 10)
        months = fc.next_months(sept)
        assert months == [dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1)]
        assert fc.save(seller, [(cust.id, None, mo, "1,000.00") for mo in months], today=sept) == 3
        fc.save(seller, [(cust.id, None, months[0], "1200.00")], today=sept)  # the same month: replaced
        fc.save(seller, [(cust.id, None, mo, "2000.00") for mo in fc.next_months(octo)], today=octo)
        assert seller.count(m.Forecast) == 6
        from core.measures import measure_value, total

        latest = {r.period: r.value for r in measure_value(seller, "sales_planning.forecast_amount", grain="month")}
        assert latest[dt.date(2026, 10, 1)] == D("1200.00")  # only September's forecast for October
        assert latest[dt.date(2026, 11, 1)] == D("2000.00")  # October's replaces September's
        assert total(measure_value(seller, "sales_planning.forecast_amount")) == D("7200.00")
        # bad input: nothing saved
        for entries, pattern in [([(cust.id, None, dt.date(2027, 6, 1), "1")], "3"),
                                 ([(cust.id, None, months[1], "-1")], "negative|负"),
                                 ([(cust.id, None, months[1], "x")], "number|数字")]:
            with pytest.raises(ValidationError, match=pattern):
                fc.save(seller, [(cust.id, None, months[0], "999.00"), *entries], today=sept)
        assert seller.count(m.Forecast) == 6
        assert total(measure_value(seller, "sales_planning.forecast_amount")) == D("7200.00")
        with pytest.raises(ValidationError):
            fc.save(seller, [(world.data["territories"]["other"]["customer"], None, months[0], "1")], today=sept)
        # actual October: 1,000 -> a 1-month-ahead forecast of 1,200 is 80 % accurate
        res = act.import_sales(world.env(s, "marketing_admin"),
                               xlsx([["日期", "客户编码", "金额"], ["2026-10-20", "C-FC", "1000.00"]]),
                               "oct.xlsx", today=dt.date(2026, 11, 1))
        assert res.ok, res.errors
        rows = fc.accuracy(seller, [dt.date(2026, 10, 1)])
        assert [(r.horizon, r.forecast, r.actual, r.accuracy) for r in rows] == [
            (1, D("1200.00"), D("1000.00"), D("0.8000"))]
        # rights: another company's salesperson sees none; the manager sees the team's
        assert world.env(s, "salesperson", "other").count(m.Forecast) == 0
        assert world.env(s, "territory_manager").count(m.Forecast) == 6
        assert sp in {f.salesperson_id for f in world.env(s, "director").search(m.Forecast)}
        plan_rows = fc.against_plan(seller, today=octo)
        assert [r["forecast"] for r in plan_rows] == [D("2000.00")] * 3
