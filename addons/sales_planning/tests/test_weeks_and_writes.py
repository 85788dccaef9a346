"""Tests on SQLite and PostgreSQL: one cell written per manual edit (counted statements), copy-on-write of an
approved revision, the week grain (months split into ISO weeks by days, exact to the cent, locks kept, plan vs
actual by week) and new-customer targets by territory."""

from __future__ import annotations

import datetime as dt
import random
import re
from contextlib import contextmanager
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from core.errors import ValidationError
from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

from .test_planning import _emp, _m, _place, _svc, _target, _terr, xlsx

D = Decimal
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|COPY)\b.*\bsales_planning_cell\b", re.I | re.S)


@contextmanager
def cell_writes(session):
    """The statements writing ``sales_planning_cell`` run inside the block, with their row counts."""
    engine = session.get_bind()
    seen: list[tuple[str, int]] = []

    def after(conn, cursor, statement, params, context, executemany):
        if WRITE.match(statement):
            seen.append((statement.split()[0].upper(), cursor.rowcount))

    event.listen(engine, "after_cursor_execute", after)
    try:
        yield seen
    finally:
        event.remove(engine, "after_cursor_execute", after)


def test_set_cell_writes_one_row_and_copies_an_approved_revision_on_write(tixi_world):  # noqa: F811
    world = tixi_world
    m, plans = _m(world), _svc(world, "plans")
    t = _terr(world)
    with world.session() as s:
        director, target = _target(world, s, total="1200000.00")
        s.flush()
        n_cells = director.count(m.Cell, m.Cell.plan_id == target.id)
        assert n_cells == 24
        jan = ((t["territory"],), dt.date(2026, 1, 1))
        with cell_writes(s) as seen:
            written = plans.set_cell(director, target, jan, "70000.00", locked=True)
            s.flush()
        assert written.id == target.id
        assert seen == [("UPDATE", 1)]  # one statement, one row (it used to delete and rewrite all 24)
        assert director.count(m.Cell, m.Cell.plan_id == target.id) == n_cells
        cells = plans.read_cells(director, target)
        assert cells[jan].amount == D("70000.00")
        assert cells[jan].locked
        assert target.total_amount == sum(c.amount for c in cells.values()) == D("1220000.00")
        # a cell the plan did not hold yet: one INSERT of one row (a horizon of 2 years has 2027 too)
        two = plans.create_plan(director, plans.plan_type(director, "company_target"), 2028, horizon=2)
        alloc = _svc(world, "allocation")
        two = alloc.apply(director, alloc.propose(director, two, "2400.00", "even",
                                                  members=[(t["territory"],)]))
        with cell_writes(s) as seen:
            plans.set_cell(director, two, ((t["other_territory"],), dt.date(2029, 3, 1)), "5.00")
            s.flush()
        assert seen == [("INSERT", 1)]
        assert two.total_amount == D("2405.00")
        # an approved revision is copied first (in one statement), then the one cell changes in the copy
        plans.fire(director, target, "submit")
        plans.fire(world.env(s, "general_manager"), target, "approve")
        with cell_writes(s) as seen:
            copy = plans.set_cell(director, target, jan, "80000.00")
            s.flush()
        assert copy.id != target.id
        assert copy.revision == 2
        assert copy.state == "draft"
        assert [kind for kind, _n in seen] == ["INSERT", "UPDATE"]
        assert seen[0][1] == n_cells
        assert seen[1][1] == 1
        assert plans.read_cells(director, target)[jan].amount == D("70000.00")  # the approved one is untouched
        after = plans.read_cells(director, copy)
        assert after[jan].amount == D("80000.00")
        assert after[jan].locked
        assert copy.total_amount == D("1230000.00") == sum(c.amount for c in after.values())
        assert [r["month"] for r in plans.diff(director, target, copy)] == [dt.date(2026, 1, 1)]
        # refused as before: a replaced revision, a bad amount, a month outside the horizon — nothing written
        with cell_writes(s) as seen:
            for key, amount in [(jan, "1"), (jan, "-1")]:
                with pytest.raises(ValidationError):
                    plans.set_cell(director, target if amount == "1" else copy, key, amount)
            with pytest.raises(ValidationError, match="horizon|范围"):
                plans.set_cell(director, copy, ((t["territory"],), dt.date(2027, 1, 1)), "1")
            s.flush()
        assert seen == []


def test_a_manager_edit_of_one_cell_keeps_the_others(tixi_world):  # noqa: F811
    world = tixi_world
    m, plans, alloc = _m(world), _svc(world, "plans"), _svc(world, "allocation")
    t = _terr(world)
    sp, tm = _emp(world, "salesperson"), _emp(world, "territory_manager")
    with world.session() as s:
        manager = world.env(s, "territory_manager")
        mine = plans.create_plan(manager, plans.plan_type(manager, "territory_plan"), 2026, territory_id=t["territory"])
        members = [(sp, t["customer"], None), (tm, t["customer"], None)]
        alloc.apply(manager, alloc.propose(manager, mine, "2400.00", "even", members=members))
        assert manager.count(m.Cell, m.Cell.plan_id == mine.id) == 24
        assert manager.allowed(mine, "write")
        # the manager edits one of the salesperson's cells: the other 23 stay
        plans.set_cell(manager, mine, ((sp, t["customer"], None), dt.date(2026, 5, 1)), "150.00")
        s.flush()
        assert manager.count(m.Cell, m.Cell.plan_id == mine.id) == 24
        assert mine.total_amount == D("2450.00")


def test_week_parts_follow_the_documented_rule():
    from addons.sales_planning.services.engine import bucket, week_label, week_parts, weeks_of

    jan = week_parts(dt.date(2026, 1, 1))  # 2026-01-01 is a Thursday
    assert jan == [(dt.date(2026, 1, 1), 4), (dt.date(2026, 1, 5), 7), (dt.date(2026, 1, 12), 7),
                   (dt.date(2026, 1, 19), 7), (dt.date(2026, 1, 26), 6)]
    assert week_parts(dt.date(2026, 2, 1))[0] == (dt.date(2026, 2, 1), 1)  # Sunday: the rest of week 5
    assert bucket(dt.date(2026, 2, 1), "week") == dt.date(2026, 1, 26) == bucket(dt.date(2026, 1, 26), "week")
    assert bucket(dt.date(2026, 2, 1), "month") == dt.date(2026, 2, 1)
    assert week_label(dt.date(2026, 1, 26)) == "2026-W05"
    assert week_label(bucket(dt.date(2026, 1, 1), "week")) == "2026-W01"  # ISO: the week of the year's Thursday
    year = weeks_of(2026)
    assert sum(d for mo in range(1, 13) for _s, d in week_parts(dt.date(2026, mo, 1))) == 365
    assert len({bucket(w, "week") for w in year}) == 53  # Mon 2025-12-29 (W01) ... Mon 2026-12-28 (W53)
    assert all(w.weekday() == 0 or w.day == 1 for w in year)


@settings(max_examples=200, deadline=None)
@given(total=st.integers(min_value=0, max_value=10**13).map(lambda n: Decimal(n) / 100),
       year=st.integers(min_value=2020, max_value=2035), month=st.integers(min_value=1, max_value=12),
       locked=st.sets(st.integers(0, 5), max_size=3), lock_cents=st.integers(0, 10**6))
def test_a_month_splits_into_its_weeks_to_the_cent(total, year, month, locked, lock_cents):
    from addons.sales_planning.services.engine import allocate, largest_remainder, week_parts

    parts = week_parts(dt.date(year, month, 1))
    split = largest_remainder(total, [d for _s, d in parts])
    assert sum(split) == total
    assert all(p >= 0 and p == p.quantize(Decimal("0.01")) for p in split)
    # allocation over week parts (by days) with locked weeks: locks kept, the whole exact
    starts = [st_ for st_, _d in parts]
    locks = {(("m",), starts[i]): Decimal(lock_cents) / 100 for i in locked if i < len(starts)}
    whole = total + sum(locks.values())
    out = allocate(whole, [("m",)], None, starts, lambda _m: {st_: Decimal(d) for st_, d in parts}, locks)
    assert sum(out.values()) == whole
    assert all(out[k] == v for k, v in locks.items())


def test_months_split_into_weeks_exactly_locks_kept_and_plan_vs_actual_by_week(tixi_world):  # noqa: F811
    world = tixi_world
    plans, alloc, att = _svc(world, "plans"), _svc(world, "allocation"), _svc(world, "attainment")
    engine = world.addon_module("sales_planning", "services.engine")
    t = _terr(world)
    rng = random.Random(20261204)
    with world.session() as s:
        director = world.env(s, "director")
        target = plans.create_plan(director, plans.plan_type(director, "company_target"), 2026)
        members = [(t["territory"],), (t["other_territory"],)]
        for _round in range(3):  # random totals and weights: every week part adds up to its month to the cent
            total = D(rng.randrange(1, 10**11)) / 100
            weights = {mem: str(rng.randrange(0, 1000)) for mem in members}
            weights[members[0]] = str(rng.randrange(1, 1000))
            target = alloc.apply(director, alloc.propose(director, target, total, "weights", members=members,
                                                         weights=weights))
        monthly = plans.read_cells(director, target)
        weekly_rev = alloc.to_weeks(director, target)
        assert weekly_rev.grain == "week"
        assert weekly_rev.revision == target.revision + 1
        weekly = plans.read_cells(director, weekly_rev)
        assert len(weekly) == 2 * len(engine.weeks_of(2026))
        assert weekly_rev.total_amount == target.total_amount == sum(c.amount for c in weekly.values())
        by_month: dict = {}
        for (mem, start), c in weekly.items():
            assert c.amount == c.amount.quantize(D("0.01"))
            assert c.amount >= 0
            by_month[(mem, start.replace(day=1))] = by_month.get((mem, start.replace(day=1)), D(0)) + c.amount
        assert by_month == {k: v.amount for k, v in monthly.items()}
        with pytest.raises(ValidationError):
            alloc.to_weeks(director, weekly_rev)  # already weekly
        # a week that is not one: refused, nothing written
        with pytest.raises(ValidationError, match="week|周"):
            plans.set_cell(director, weekly_rev, ((t["territory"],), dt.date(2026, 1, 6)), "1.00")
        # lock a week part, split a new total by weeks: the lock keeps its amount, the rest goes by days
        week5_feb = ((t["territory"],), dt.date(2026, 2, 1))
        plans.set_cell(director, weekly_rev, week5_feb, "12345.67", locked=True)
        total = D("987654321.09")
        v = alloc.apply(director, alloc.propose(director, weekly_rev, total, "even"))
        cells = plans.read_cells(director, v)
        assert v.grain == "week"
        assert cells[week5_feb].amount == D("12345.67")
        assert cells[week5_feb].locked
        assert sum(c.amount for c in cells.values()) == total == v.total_amount
        free = [c.amount for (mem, w), c in cells.items() if mem == (t["other_territory"],)]
        assert max(free) - min(free) > 0  # 1-day parts get less than whole weeks
        seven = {c.amount for (mem, w), c in cells.items()
                 if mem == (t["other_territory"],) and dict(engine.week_parts(w.replace(day=1)))[w] == 7}
        assert max(seven) - min(seven) <= D("0.01")
        # actuals by week: a Friday in January and the Sunday after (1 February) fall in the same ISO week
        md = world.factories.masterdata
        admin = world.env(s, "admin")
        cust = md.customer(admin, name="周客户", code="C-WEEK", owner=_emp(world, "salesperson"))
        _place(world, admin, cust.id, t["territory"])
        office = world.env(s, "marketing_admin")
        res = _svc(world, "actuals").import_sales(office, xlsx([
            ["日期", "客户编码", "金额"], ["2026-01-30", "C-WEEK", "1000.00"], ["2026-02-01", "C-WEEK", "500.00"],
            ["2026-02-02", "C-WEEK", "7.00"]]), "w.xlsx", lang="zh_CN", today=dt.date(2026, 12, 1))
        assert res.ok, res.errors
        plans.fire(director, v, "submit")
        plans.fire(world.env(s, "general_manager"), v, "approve")
        by_week = att.attainment(director, v, by=["territory"], grain="week", today=dt.date(2026, 3, 1))
        w5 = {ln.key: ln for ln in by_week.lines if ln.period == dt.date(2026, 1, 26)}
        line = w5[(t["territory"],)]
        assert line.actual == D("1500.00")
        assert line.period_text == "2026-W05"
        assert line.plan == cells[((t["territory"],), dt.date(2026, 1, 26))].amount + D("12345.67")
        assert line.elapsed == 1
        w6 = next(ln for ln in by_week.lines if ln.period == dt.date(2026, 2, 2) and ln.key == (t["territory"],))
        assert w6.actual == D("7.00")
        assert sum(ln.plan for ln in by_week.lines) == total
        # by month, a weekly plan adds up to calendar months (the parts of week 5 in January and in February)
        by_month_res = att.attainment(director, v, by=["territory"], grain="month", today=dt.date(2026, 3, 1))
        jan = next(ln for ln in by_month_res.lines if ln.period == dt.date(2026, 1, 1) and ln.key == (t["territory"],))
        assert jan.actual == D("1000.00")
        assert jan.plan == sum(c.amount for (mem, w), c in cells.items()
                               if mem == (t["territory"],) and w.month == 1)
        # a monthly plan cannot be read by week
        other = plans.create_plan(director, plans.plan_type(director, "company_target"), 2027)
        other = alloc.apply(director, alloc.propose(director, other, "100.00", "even", members=members))
        with pytest.raises(ValidationError, match="week|周"):
            att.attainment(director, other, by=["territory"], grain="week")
        # undo by version: the monthly revision comes back
        back = plans.restore(director, v, target)
        assert back.grain == "month"
        assert plans.read_cells(director, back) == monthly


def test_new_customer_target_by_territory(tixi_world):  # noqa: F811
    world = tixi_world
    plans, alloc, att = _svc(world, "plans"), _svc(world, "allocation"), _svc(world, "attainment")
    t = _terr(world)
    sp = _emp(world, "salesperson")
    with world.session() as s:
        director = world.env(s, "director")
        plans.ensure_company_defaults(director)
        ptype = plans.plan_type(director, "new_customer_target")
        assert ptype.metric == "new_customers"
        target = plans.create_plan(director, ptype, 2026)
        with pytest.raises(ValidationError, match="whole|整数"):
            alloc.propose(director, target, "7.5", "even")
        target = alloc.apply(director, alloc.propose(director, target, "7", "weights",
                                                     weights={(t["territory"],): "5", (t["other_territory"],): "2"},
                                                     members=[(t["territory"],), (t["other_territory"],)]))
        cells = plans.read_cells(director, target)
        assert all(c.amount == c.amount.to_integral_value() for c in cells.values())  # whole customers
        per_t: dict = {}
        for (mem, _mo), c in cells.items():
            per_t[mem[0]] = per_t.get(mem[0], D(0)) + c.amount
        assert per_t == {t["territory"]: 5, t["other_territory"]: 2}
        # actuals: customers first sold to in 2026, for the territory of that first sale
        md = world.factories.masterdata
        admin = world.env(s, "admin")
        codes = {}
        for code, terr in [("N-OLD", t["territory"]), ("N-A", t["territory"]), ("N-B", t["territory"]),
                           ("N-C", t["other_territory"]), ("N-RET", t["territory"])]:
            c = md.customer(admin, name=f"新客户{code}", code=code, owner=sp)
            _place(world, admin, c.id, terr, since=dt.date(2024, 1, 1))
            codes[code] = c.id
        office = world.env(s, "marketing_admin")
        res = _svc(world, "actuals").import_sales(office, xlsx([
            ["日期", "客户编码", "金额", "类型"],
            ["2025-11-03", "N-OLD", "100.00", "销售"],   # first sold last year: not new in 2026
            ["2026-02-10", "N-OLD", "100.00", "销售"],
            ["2026-03-05", "N-A", "50.00", "销售"],
            ["2026-03-05", "N-A", "70.00", "销售"],      # two lines on its first day: one customer
            ["2026-04-01", "N-A", "10.00", "销售"],
            ["2026-06-20", "N-B", "80.00", "销售"],
            ["2026-07-07", "N-C", "90.00", "销售"],
            ["2026-05-05", "N-RET", "20.00", "退货"],    # a return alone wins no customer
        ]), "new.xlsx", lang="zh_CN", today=dt.date(2026, 12, 1))
        assert res.ok, res.errors
        from core.measures import measure_value

        rows = measure_value(director, "sales_planning.new_customers", period=(dt.date(2026, 1, 1),
                                                                                 dt.date(2026, 12, 31)),
                             group_by=["territory"])
        assert {r["territory"]: r.value for r in rows} == {t["territory"]: 2, t["other_territory"]: 1}
        res = att.attainment(director, target, by=["territory"], today=dt.date(2026, 12, 31))
        assert res.measure == "sales_planning.new_customers"
        by_t = {ln.key[0]: ln for ln in res.lines}
        assert by_t[t["territory"]].actual == 2
        assert by_t[t["territory"]].plan == 5
        assert by_t[t["territory"]].completion == D("0.4000")
        assert by_t[t["territory"]].warning
        assert by_t[t["other_territory"]].actual == 1
        # by month: N-A counts in March only
        monthly = att.attainment(director, target, by=["territory"], grain="month", today=dt.date(2026, 12, 31))
        march = [ln for ln in monthly.lines if ln.period == dt.date(2026, 3, 1) and ln.key == (t["territory"],)]
        assert march[0].actual == 1
        # rights: the salesperson counts the new customers of his own lines; another company none
        seller = world.env(s, "salesperson")
        mine = measure_value(seller, "sales_planning.new_customers", period=(dt.date(2026, 1, 1),
                                                                               dt.date(2026, 12, 31)))
        assert sum(r.value for r in mine) == 3
        other = measure_value(world.env(s, "admin", "other"), "sales_planning.new_customers",
                              period=(dt.date(2026, 1, 1), dt.date(2026, 12, 31)))
        assert sum(r.value for r in other) == 0


def test_weekly_pages_in_chinese(tixi_world):  # noqa: F811
    from core.testing.web import csrf_token, logged_in_client
    from core.web.app import create_app

    world = tixi_world
    plans = _svc(world, "plans")
    t = _terr(world)
    with world.session() as s:
        director, target = _target(world, s, total="1200000.00")
        target_id = target.id
        plans.set_cell(director, target, ((t["territory"],), dt.date(2026, 1, 1)), "1000.00", locked=True)
    app = create_app(registry=world.registry, test_config={"TESTING": True})
    client = logged_in_client(app, world.login("director"), world.password)
    page = client.get(f"/sales_planning/plan/{target_id}", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    assert "将各月拆分到周" in page.text
    r = client.post(f"/sales_planning/plan/{target_id}/weeks", data={"csrf_token": csrf_token(page.text)},
                    headers={"Accept-Language": "zh-CN"})
    assert r.status_code in (302, 303)
    weekly_url = r.headers["Location"]
    weekly = client.get(weekly_url, headers={"Accept-Language": "zh-CN"})
    assert weekly.status_code == 200
    assert "周计划" in weekly.text
    assert "将各月拆分到周" not in weekly.text
    weekly_id = int(weekly_url.rstrip("/").split("/")[-1])
    cells = client.get(f"/sales_planning/plan/{weekly_id}/cells", headers={"Accept-Language": "zh-CN"})
    assert cells.status_code == 200
    assert "2026-W05 01-26" in cells.text
    assert "2026-W01 01-01" in cells.text
    att = client.get(f"/sales_planning/plan/{weekly_id}/attainment?by=territory&grain=week",
                     headers={"Accept-Language": "zh-CN"})
    assert att.status_code == 200
    assert "2026-W05" in att.text
    assert '<option value="week" selected>周</option>' in att.text
