"""The two standard reports of field_activity (issue 23) on SQLite and PostgreSQL, against a
hand-computed fixture: 周/月工作计划表 ``field_activity.work_plan`` (per plan, per plan and customer:
planned, key, done, planned visits done, completion) and 销售员工作周/月统计表
``field_activity.activity`` (per salesperson for the period, per week, per month: visits, customers
visited, new customers visited, visit days, minutes per visit, reports on time, cost per visit).
A salesperson's report holds only their rows; a period that ends before it starts and a territory
outside the user's reach are refused with a clear message in both languages; the report centre
gives the chart, the .xlsx, the print page and the subscription."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.i18n import use_lang
from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

pytestmark = pytest.mark.tixi_world(addons=["field_activity", "territories"])

D = Decimal
SEP30, OCT5, OCT6, OCT7, OCT13 = (dt.date(2026, 9, 30), dt.date(2026, 10, 5), dt.date(2026, 10, 6),
                                  dt.date(2026, 10, 7), dt.date(2026, 10, 13))
WIDE = {"period": "custom", "date_from": "2026-09-28", "date_to": "2026-10-18"}   # three weeks, two months
OCTOBER = {"period": "custom", "date_from": "2026-10-01", "date_to": "2026-10-31"}


def _at(day: dt.date, hour: int, minute: int = 0) -> str:
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}:00+08:00"


def _fixture(world, s):
    """Two salespeople of the territory manager; visits, reports and plans of late September and
    October 2026 (the figures the tests expect are worked out by hand in the comments)."""
    md, fa = world.factories.masterdata, world.factories.field_activity
    svc = world.addon_module("field_activity", "services")
    admin = world.env(s, "admin")
    sp = world.data["masterdata"]["acme"]["employees"]["salesperson"]
    tm = world.data["masterdata"]["acme"]["employees"]["territory_manager"]
    sp2 = md.employee(admin, name="赵敏", user=world.uid2, position="salesperson", manager=tm).id
    c1 = md.customer(admin, name="昆明冶炼厂", owner=sp)
    c2 = md.customer(admin, name="云南铜业", owner=sp)
    c3 = md.customer(admin, name="个旧锡业", owner=sp2)
    seller, other = world.env(s, "salesperson"), world.env(s, user=world.uid2)
    # sp: 5 visits on 4 days; timed ones 30 + 20 + 40 + 10 = 100 minutes; c1 first seen 09-30, c2 10-05
    fa.visit(seller, c1, visit_date=SEP30.isoformat(), checkin_at=_at(SEP30, 9), checkout_at=_at(SEP30, 9, 30))
    fa.visit(seller, c1, visit_date=OCT5.isoformat(), checkin_at=_at(OCT5, 9), checkout_at=_at(OCT5, 9, 20))
    fa.visit(seller, c2, visit_date=OCT5.isoformat(), checkin_at=_at(OCT5, 14))
    fa.visit(seller, c1, visit_date=OCT6.isoformat(), checkin_at=_at(OCT6, 10), checkout_at=_at(OCT6, 10, 40))
    fa.visit(seller, c2, visit_date=OCT13.isoformat(), checkin_at=_at(OCT13, 11), checkout_at=_at(OCT13, 11, 10))
    # sp2: one visit of c3 (untimed)
    fa.visit(other, c3, visit_date=OCT7.isoformat(), checkin_at=_at(OCT7, 10))
    # sp's daily reports: 10-05 on time (50), 10-06 the next morning: late (30), 10-13 on time (20)
    fa.daily_report(seller, report_date=OCT5.isoformat(), submitted_at=_at(OCT5, 18), expenses_amount="50")
    fa.daily_report(seller, report_date=OCT6.isoformat(), submitted_at=_at(OCT7, 9), expenses_amount="30")
    fa.daily_report(seller, report_date=OCT13.isoformat(), submitted_at=_at(OCT13, 19), expenses_amount="20")
    # plans: week of 10-05 (c1 x2 one key, c2 x2), week of 10-12 (c1 key), October (c1 key), sp2's week of 10-05
    w1 = svc.week_plan(seller, sp, OCT5)
    svc.add_line(seller, w1, c1.id, OCT5, "送样", key=True)
    svc.add_line(seller, w1, c1.id, OCT7)
    svc.add_line(seller, w1, c2.id, dt.date(2026, 10, 8))
    svc.add_line(seller, w1, c2.id, dt.date(2026, 10, 9))
    w2 = svc.week_plan(seller, sp, dt.date(2026, 10, 12))
    svc.add_line(seller, w2, c1.id, dt.date(2026, 10, 14), key=True)
    month = svc.month_plan(seller, sp, dt.date(2026, 10, 1))
    assert month.lines == []  # no class, no route: nothing suggested
    svc.add_line(seller, month, c1.id, dt.date(2026, 10, 20), "年度合同", key=True)
    svc.set_sales_target(seller, month, "50000")
    w3 = svc.week_plan(other, sp2, OCT5)
    svc.add_line(other, w3, c3.id, OCT7, key=True)
    return sp, sp2, c1, c2, c3


@pytest.fixture
def world(tixi_world):  # noqa: F811
    tixi_world.uid2 = tixi_world.add_user("salesperson2_acme", "salesperson", "acme")
    return tixi_world


def test_activity_statistics_per_period_week_month_and_rights(world):
    from core.reports.run import ReportParamsError, run_report

    with world.session() as s:
        sp, sp2, *_c = _fixture(world, s)
        manager, seller = world.env(s, "territory_manager"), world.env(s, "salesperson")
        other = world.env(s, user=world.uid2)

        result = run_report(manager, "field_activity.activity", WIDE)
        rows = {r["salesperson_id"]: r for r in result.rows}
        assert set(rows) == {sp, sp2}
        mine = rows[sp]
        assert (mine["visits"], mine["customers"], mine["new_customers"], mine["days"]) == (5, 2, 2, 4)
        assert mine["per_day"] == D("1.25")
        assert (mine["minutes"], mine["timed"], mine["per_visit_min"]) == (100, 4, D("25.0"))
        assert (mine["reports"], mine["on_time"], mine["punctuality"]) == (3, 2, D("66.7"))
        assert mine["cost_per_visit"] == D("20.00")  # 100 / 5
        theirs = rows[sp2]
        assert (theirs["visits"], theirs["customers"], theirs["new_customers"], theirs["reports"]) == (1, 1, 1, 0)
        assert theirs["per_visit_min"] is None
        assert (result.totals["visits"], result.totals["new_customers"], result.totals["on_time"]) == (6, 3, 2)
        assert result.totals["per_visit_min"] == D("25.0")
        keys = [c.key for c in result.columns]
        assert {"customers", "new_customers", "on_time"} <= set(keys)
        assert "period" not in keys
        assert result.chart["series"][0]["data"] == [5, 1]
        assert result.chart["series"][1]["data"] == [2, 1]

        # October only: c1 was first visited in September, so one new customer (c2)
        octo = {r["salesperson_id"]: r for r in run_report(manager, "field_activity.activity", OCTOBER).rows}
        assert (octo[sp]["visits"], octo[sp]["new_customers"], octo[sp]["days"]) == (4, 1, 3)

        # per week: 09-28 (1 visit), 10-05 (3 visits, 2 reports, 1 on time), 10-12 (1 visit, 1 report)
        weekly = run_report(manager, "field_activity.activity", {**WIDE, "by": "week", "salesperson": str(sp)})
        got = [(r["bucket"], r["period"], r["visits"], r["customers"], r["new_customers"], r["reports"], r["on_time"])
               for r in weekly.rows]
        assert got == [(dt.date(2026, 9, 28), "2026-09-28 ~ 10-04", 1, 1, 1, 0, 0),
                       (OCT5, "2026-10-05 ~ 10-11", 3, 2, 1, 2, 1),
                       (dt.date(2026, 10, 12), "2026-10-12 ~ 10-18", 1, 1, 0, 1, 1)]
        assert weekly.columns[0].key == "period"
        assert weekly.chart["xAxis"]["data"] == ["2026-09-28 ~ 10-04", "2026-10-05 ~ 10-11", "2026-10-12 ~ 10-18"]
        assert weekly.chart["series"][0]["data"] == [1, 3, 1]
        # per month: September 1 visit, October 4 visits on 3 days, 3 reports, 2 on time
        monthly = run_report(manager, "field_activity.activity", {**WIDE, "by": "month", "salesperson": str(sp)})
        assert [(r["period"], r["visits"], r["days"], r["new_customers"], r["reports"], r["on_time"])
                for r in monthly.rows] == [("2026-09", 1, 1, 1, 0, 0), ("2026-10", 4, 3, 1, 3, 2)]
        assert monthly.rows[1]["cost_per_visit"] == D("25.00")  # 100 / 4

        # a salesperson's report holds only their rows (record rules in SQL), whatever the filter
        assert [r["salesperson_id"] for r in run_report(seller, "field_activity.activity", WIDE).rows] == [sp]
        assert [r["salesperson_id"] for r in run_report(other, "field_activity.activity", WIDE).rows] == [sp2]
        assert run_report(seller, "field_activity.activity", {**WIDE, "salesperson": str(sp2)}).rows == []
        assert [r["salesperson_id"] for r in run_report(other, "field_activity.activity",
                                                           {**WIDE, "by": "week"}).rows] == [sp2]
        assert run_report(world.env(s, "director", "other"), "field_activity.activity", WIDE).rows == []

        # a period that ends before it starts: refused in the user's language, no query
        backwards = {"period": "custom", "date_from": "2026-10-18", "date_to": "2026-10-01"}
        for lang, pattern in (("zh_CN", "结束日期早于开始日期"), ("en", "end of the period is before its start")):
            with use_lang(lang):
                for code in ("field_activity.activity", "field_activity.work_plan"):
                    with pytest.raises(ReportParamsError, match=pattern):
                        run_report(manager, code, backwards)
        # a territory outside the user's reach: refused; the director reaches every territory
        other_territory = world.data["territories"]["acme"]["other_territory"]
        for lang, pattern in (("zh_CN", "不在您的权限范围内"), ("en", "outside your reach")):
            with use_lang(lang):
                for env in (seller, manager):
                    with pytest.raises(ReportParamsError, match=pattern):
                        run_report(env, "field_activity.activity", {**WIDE, "territory": str(other_territory)})
        assert run_report(world.env(s, "director"), "field_activity.activity",
                          {**WIDE, "territory": str(other_territory)}).rows == []
        mine_t = world.data["territories"]["acme"]["territory"]
        run_report(manager, "field_activity.work_plan", {**WIDE, "territory": str(mine_t)})  # their own: allowed


def test_work_plans_per_plan_and_customer_and_rights(world):
    from core.reports.run import run_report

    with world.session() as s:
        sp, sp2, c1, c2, c3 = _fixture(world, s)
        manager, seller = world.env(s, "territory_manager"), world.env(s, "salesperson")
        other = world.env(s, user=world.uid2)

        result = run_report(manager, "field_activity.work_plan", WIDE)
        got = [(r["salesperson_id"], r["kind"], r["period_start"], r["planned"], r["key"], r["done"],
                r["planned_done"], r["completion"]) for r in result.rows]
        # week of 10-05: c1 planned 2 / visited 2, c2 planned 2 / visited 1 -> 3 of 4 done (75 %);
        # 3 visits done that week. Week of 10-12: c1 planned, not visited; c2 visited unplanned.
        # October: c1 planned once, visited twice in October -> 1 of 1; 4 visits in October.
        with use_lang("zh_CN"):
            week, month = "周行动计划", "月度行动计划"
        assert sorted(got, key=lambda g: (g[0] != sp, g[2], g[1])) == sorted([
            (sp, week, OCT5, 4, 1, 3, 3, D("75.0")),
            (sp, month, dt.date(2026, 10, 1), 1, 1, 4, 1, D("100.0")),
            (sp, week, dt.date(2026, 10, 12), 1, 1, 1, 0, D("0.0")),
            (sp2, week, OCT5, 1, 1, 1, 1, D("100.0")),
        ], key=lambda g: (g[0] != sp, g[2], g[1]))
        assert (result.totals["planned"], result.totals["planned_done"], result.totals["done"]) == (7, 5, 9)
        assert result.totals["completion"] == D("71.4")  # 5 / 7
        target = next(r for r in result.rows if r["period_start"] == dt.date(2026, 10, 1))
        assert target["sales_target"] == D("50000.00")
        series = {x["name"]: x["data"] for x in result.chart["series"]}
        assert list(series.values())[0] == [6, 1] or list(series.values())[0] == [1, 6]

        # per plan and customer, weekly plans only
        per = run_report(manager, "field_activity.work_plan", {**WIDE, "kind": "week", "by": "customer",
                                                                "salesperson": str(sp)})
        assert [(r["period_start"], r["customer_id"], r["planned"], r["key"], r["done"], r["planned_done"],
                 r["completion"]) for r in per.rows] == [
            (OCT5, c2.id, 2, 0, 1, 1, D("50.0")),   # planned customers by name, unplanned ones last
            (OCT5, c1.id, 2, 1, 2, 2, D("100.0")),
            (dt.date(2026, 10, 12), c1.id, 1, 1, 0, 0, D("0.0")),
            (dt.date(2026, 10, 12), c2.id, 0, 0, 1, 0, None),  # visited without a plan line
        ]
        assert [r["customer"] for r in per.rows[:2]] == ["云南铜业", "昆明冶炼厂"]
        assert "customer" in [c.key for c in per.columns]
        assert "sales_target" not in [c.key for c in per.columns]

        # a salesperson's report holds only their plans
        assert {r["salesperson_id"] for r in run_report(seller, "field_activity.work_plan", WIDE).rows} == {sp}
        assert {r["salesperson_id"] for r in run_report(other, "field_activity.work_plan",
                                                           {**WIDE, "by": "customer"}).rows} == {sp2}
        assert run_report(other, "field_activity.work_plan", {**WIDE, "salesperson": str(sp)}).rows == []
        assert c3.id  # sp2's customer, in their own rows only


def test_report_centre_chart_xlsx_print_and_subscription(world):
    """The report centre serves both reports with the chart, the .xlsx, the print page and a subscription."""
    from core.testing.web import logged_in_client
    from core.web.app import create_app

    with world.session() as s:
        _fixture(world, s)
        s.commit()
    app = create_app(registry=world.registry, test_config={"TESTING": True})
    boss = logged_in_client(app, world.login("territory_manager"), world.password)
    query = "period=custom&date_from=2026-09-28&date_to=2026-10-18"
    for code, extra in (("field_activity.activity", "&by=week"), ("field_activity.work_plan", "&by=customer")):
        page = boss.get(f"/reports/{code}?{query}{extra}")
        assert page.status_code == 200, code
        assert "echarts" in page.text.lower()
        assert "赵敏" in page.text
        xlsx = boss.get(f"/reports/{code}/export.xlsx?{query}{extra}")
        assert xlsx.status_code == 200
        assert xlsx.data[:2] == b"PK"
        printed = boss.get(f"/reports/{code}/print?{query}{extra}")
        assert printed.status_code == 200
        assert "赵敏" in printed.text
    bad = boss.get("/reports/field_activity.activity?period=custom&date_from=2026-10-18&date_to=2026-10-01")
    assert bad.status_code == 422
    assert "期间的结束日期早于开始日期" in bad.text

    # subscriptions: delivered with each recipient's rights at send time (the seller: his 3 weeks;
    # the manager: those and 赵敏's week)
    import json

    from core.models import Notification
    from core.reports import subscriptions as subs

    params = {"period": "custom", "date_from": "2026-09-28", "date_to": "2026-10-18", "by": "week"}
    with world.session() as s:
        ids = {}
        for role in ("salesperson", "territory_manager"):
            row = subs.subscribe(world.env(s, role), "field_activity.activity", params, schedule="weekly", weekday=0)
            row.created_at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
            ids[role] = (row.id, row.user_id)
        plan_sub = subs.subscribe(world.env(s, "salesperson"), "field_activity.work_plan",
                                  {"period": "custom", "date_from": "2026-09-28", "date_to": "2026-10-18"},
                                  schedule="weekly", weekday=0)
        plan_sub.created_at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        plan_id = plan_sub.id
        s.commit()
    monday = dt.datetime(2026, 11, 16, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
    done = {d.subscription_id: d for d in subs.deliver_due(world.registry, monday)}
    assert (done[ids["salesperson"][0]].outcome, done[ids["salesperson"][0]].rows) == ("sent", 3)
    assert (done[ids["territory_manager"][0]].outcome, done[ids["territory_manager"][0]].rows) == ("sent", 4)
    assert (done[plan_id].outcome, done[plan_id].rows) == ("sent", 3)  # his two weekly plans and the monthly one
    with world.session() as s:
        note = s.query(Notification).filter_by(user_id=ids["salesperson"][1], type_code="core.report_ready").first()
        assert json.loads(note.params)["url"].startswith("/reports/field_activity.activity?")
