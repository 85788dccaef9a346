"""field_activity with crm_cards and orders, on SQLite and PostgreSQL: the monthly sales and action
plan (visit frequency of the customer's class), its review; time per visit, cost per visit, orders
figures (revenue per visit, customers won and lost) on the report centre; the monthly work summary,
market inspection reports, competitor records and what a visit brings back about the customer;
bad input and rights."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.errors import AccessDenied, ValidationError
from core.i18n import use_lang
from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

pytestmark = pytest.mark.tixi_world(addons=["field_activity", "territories", "crm_cards", "orders"])

D = Decimal


def test_month_plan_measures_reports_documents(tixi_world):  # noqa: F811
    world = tixi_world
    m = world.addon_module("field_activity", "models")
    svc = world.addon_module("field_activity", "services")
    crm = world.addon_module("crm_cards", "services")
    md, fa, orders = world.factories.masterdata, world.factories.field_activity, world.factories.orders
    from core.measures import measure_value, total
    from core.reports.run import ReportParamsError, run_report

    uid2 = world.add_user("salesperson2_acme", "salesperson", "acme")
    with world.session() as s:
        admin = world.env(s, "admin")
        seller, manager, director = world.env(s, "salesperson"), world.env(s, "territory_manager"), \
            world.env(s, "director")
        other = world.env(s, user=uid2)
        sp = world.data["masterdata"]["acme"]["employees"]["salesperson"]
        tm = world.data["masterdata"]["acme"]["employees"]["territory_manager"]
        md.employee(admin, name="赵敏", user=uid2, position="salesperson", manager=tm)
        ca = md.customer(admin, name="甲类客户", owner=sp, credit_limit=D("10000000"), payment_days=30)
        cd = md.customer(admin, name="丁类客户", owner=sp)
        cn = md.customer(admin, name="路线客户", owner=sp)
        md.customer(admin, name="无计划客户", owner=sp)
        lost = md.customer(admin, name="流失客户", owner=sp, credit_limit=D("10000000"), payment_days=30)
        crm.set_class(director, ca.id, "A", "年销售额超过一千万")
        crm.set_class(director, cd.id, "D", "小客户")
        today = svc.local_today(seller)

        # the monthly plan: class A 4 visits, D one per quarter, no class: its route days
        month = svc.forecast_months(today)[0]
        product = md.product(admin, code="PT-9", name="铂碳催化剂")
        svc.save_forecast(seller, [{"customer_id": ca.id, "product_id": product.id, "month": month.isoformat(),
                                    "quantity": "2", "amount": "50000"}])
        svc.set_route(seller, sp, 0, [cn.id])
        plan = svc.month_plan(seller, sp, month)
        assert plan.kind == "month"
        assert plan.sales_target == D("50000.00")
        per: dict[int, list[dt.date]] = {}
        for line in plan.lines:
            per.setdefault(line.customer_id, []).append(line.planned_on)
        mondays = [month + dt.timedelta(days=i) for i in range(31)
                   if (month + dt.timedelta(days=i)).month == month.month and (month + dt.timedelta(days=i)).weekday() == 0]
        expected = {ca.id: 4, cn.id: len(mondays)}
        if month.month in (1, 4, 7, 10):
            expected[cd.id] = 1
        assert {c: len(days) for c, days in per.items()} == expected
        assert per[cn.id] == mondays
        assert len(set(per[ca.id])) == 4
        assert all(d.weekday() < 5 and d.month == month.month for d in per[ca.id])
        assert svc.month_plan(seller, sp, month + dt.timedelta(days=5)).id == plan.id  # one per month
        # the sales target: bad input refused in both languages, nothing changed
        for lang, pattern in (("zh_CN", "金额"), ("en", "amount")):
            with use_lang(lang), pytest.raises(ValidationError, match=pattern):
                svc.set_sales_target(seller, plan, "五万")
        assert plan.sales_target == D("50000.00")
        svc.set_sales_target(seller, plan, "80000.50", "重点突破甲类客户")
        with pytest.raises(ValidationError):  # a day outside the month
            svc.add_line(seller, plan, ca.id, month - dt.timedelta(days=1))
        svc.add_line(seller, plan, ca.id, month + dt.timedelta(days=20), "技术交流", key=True)
        svc.submit_plan(seller, plan)
        assert other.search(m.Plan) == []
        svc.review_plan(manager, plan, True, "同意")
        assert plan.state == "confirmed"
        with pytest.raises(ValidationError):
            svc.set_sales_target(seller, plan, "1")
        assert svc.month_figures(manager, plan)["planned"] == sum(expected.values()) + 1

        # time per visit (check-in to check-out), cost per visit (daily report expenses)
        now = dt.datetime.now(dt.UTC)
        v1 = fa.visit(seller, ca, checkin_at=now - dt.timedelta(minutes=50), checkout_at=now - dt.timedelta(minutes=10))
        assert v1.duration_min == 40
        v2 = fa.visit(seller, cn, checkin_at=now - dt.timedelta(minutes=8))
        assert v2.duration_min is None
        with pytest.raises(ValidationError):
            svc.check_out(seller, v2, now - dt.timedelta(hours=1))  # before the check-in
        svc.check_out(seller, v2, now)
        assert v2.duration_min == 8
        fa.daily_report(seller, expenses_amount="90")
        assert total(measure_value(manager, "field_activity.visit_minutes")) == 48
        assert total(measure_value(manager, "field_activity.timed_visits")) == 2
        assert total(measure_value(manager, "field_activity.report_expenses")) == D("90")
        assert total(measure_value(other, "field_activity.visit_minutes")) == 0

        # orders: a first delivery today (a customer won), the last one 200 days ago (a customer lost)
        old = today - dt.timedelta(days=200)
        c_old = orders.contract(seller, lost, [{"product_id": product.id, "quantity": "1", "unit_price": "1000"}],
                                contract_date=old)
        orders.delivery(seller, c_old, on=old)
        c_new = orders.contract(seller, ca, [{"product_id": product.id, "quantity": "2", "unit_price": "3000"}],
                                contract_date=today)
        orders.delivery(seller, c_new, on=today)
        period = {"period": "custom", "date_from": (today - dt.timedelta(days=25)).isoformat(),
                  "date_to": today.isoformat()}
        result = run_report(manager, "field_activity.activity", period)
        row = next(r for r in result.rows if r["salesperson_id"] == sp)
        assert (row["visits"], row["timed"], row["per_visit_min"]) == (2, 2, D("24.0"))
        assert row["cost_per_visit"] == D("45.00")
        assert row["revenue"] == D("6000.00")
        assert row["revenue_per_visit"] == D("3000.00")
        assert (row["won"], row["lost"]) == (1, 1)
        assert "won" in {c.key for c in result.columns}
        assert run_report(seller, "field_activity.activity", {**period, "salesperson": str(sp)}).rows[0]["visits"] == 2
        assert run_report(other, "field_activity.activity", period).rows == []
        with pytest.raises(ReportParamsError):
            run_report(manager, "field_activity.activity", {"period": "custom", "date_from": today.isoformat(),
                                                            "date_to": (today - dt.timedelta(days=3)).isoformat()})
        plans = run_report(manager, "field_activity.work_plan", {"period": "custom", "date_from": month.isoformat(),
                                                                  "date_to": month.isoformat(), "kind": "month"})
        assert [(r["planned"], r["key"], r["sales_target"]) for r in plans.rows] == \
            [(sum(expected.values()) + 1, 1, D("80000.50"))]

        # the monthly work summary: next month's key points needed to submit; then locked
        this_month = today.replace(day=1)
        svc.save_month_summary(seller, {"month": this_month.isoformat(), "summary": "拜访甲类客户"})
        for lang, pattern in (("zh_CN", "下月工作重点"), ("en", "key points")):
            with use_lang(lang), pytest.raises(ValidationError, match=pattern):
                svc.save_month_summary(seller, {"month": this_month.isoformat(), "summary": "x"}, submit=True)
        with pytest.raises(ValidationError):
            svc.save_month_summary(seller, {"month": (month + dt.timedelta(days=40)).isoformat()})
        done = svc.save_month_summary(seller, {"month": this_month.isoformat(), "summary": "拜访甲类客户",
                                               "next_key_points": "丁类客户回访"}, submit=True)
        assert done.state == "submitted"
        with pytest.raises(ValidationError):
            svc.save_month_summary(seller, {"month": this_month.isoformat(), "summary": "改"})
        assert svc.month_facts(seller, sp, today)["visits"] == 2
        assert [r.id for r in manager.search(m.MonthSummary)] == [done.id]
        assert other.search(m.MonthSummary) == []

        # a market inspection report: bad input, then saved; rights
        before = admin.count(m.MarketInspection)
        for values, lang, pattern in (({"date_from": today.isoformat()}, "zh_CN", "区域"),
                                      ({"date_from": today.isoformat(), "area": "滇中",
                                        "date_to": (today - dt.timedelta(days=2)).isoformat()}, "en", "before"),
                                      ({"date_from": today.isoformat(), "area": "滇中",
                                        "date_to": (today + dt.timedelta(days=2)).isoformat()}, "en", "future")):
            with use_lang(lang), pytest.raises(ValidationError, match=pattern):
                svc.save_inspection(seller, values)
        assert admin.count(m.MarketInspection) == before
        insp = svc.save_inspection(seller, {"date_from": (today - dt.timedelta(days=2)).isoformat(),
                                            "date_to": today.isoformat(), "area": "滇中", "market_situation": "需求平稳",
                                            "competitor_activity": "某厂降价5%"})
        assert other.search(m.MarketInspection) == []
        with pytest.raises(AccessDenied):
            other.get(m.MarketInspection, insp.id)
        assert run_report(manager, "field_activity.inspections", period).rows[0]["area"] == "滇中"

        # competitor records, from a visit, and the customer's target information
        with pytest.raises(ValidationError, match="0|100"):
            svc.save_competitor(seller, {"competitor": "某催化剂厂", "market_share": "150"}, visit=v1)
        with pytest.raises(ValidationError):
            svc.save_competitor(seller, {"competitor": ""}, visit=v1)
        rec = svc.save_competitor(seller, {"competitor": "某催化剂厂", "competitor_product": "Pt/C 5%",
                                           "competitor_price": "950", "our_price": "1000", "market_share": "30"},
                                  visit=v1)
        assert (rec.customer_id, rec.visit_id, rec.salesperson_id) == (ca.id, v1.id, sp)
        with pytest.raises(ValidationError):
            svc.update_from_visit(seller, v1, {"credit_limit": "99999999"})
        out = svc.update_from_visit(seller, v1, {"address": "昆明市高新区", "size": "large"},
                                    [{"competitor": "某催化剂厂", "competitor_product": "Pt/C 5%",
                                      "competitor_price": "900"}])
        assert out["customer"] == ["address", "size"]
        s.refresh(ca)
        assert (ca.address, ca.size) == ("昆明市高新区", "large")
        with pytest.raises(AccessDenied):
            svc.update_from_visit(other, v1, {"address": "x"})
        comp = run_report(manager, "field_activity.competitors", period).rows
        assert [(r["competitor"], r["records"], r["competitor_price"]) for r in comp] == \
            [("某催化剂厂", 2, D("925.00"))]
        assert total(measure_value(manager, "field_activity.competitor_records")) == 2
        assert other.search(m.CompetitorRecord) == []

        # the pages answer
        from core.testing.web import logged_in_client
        from core.web.app import create_app

        s.commit()
        app = create_app(registry=world.registry, test_config={"TESTING": True})
        mine = logged_in_client(app, world.login("salesperson"), world.password)
        page = mine.get("/field_activity/month", follow_redirects=True)
        assert page.status_code == 200
        assert "甲类客户" in page.text
        assert mine.get(f"/field_activity/month?month={month.isoformat()}").headers["Location"].endswith(
            f"/field_activity/plan/{plan.id}")
        assert "丁类客户回访" in mine.get("/field_activity/summary").text
        from core.testing.web import csrf_token

        token = csrf_token(mine.get("/field_activity/inspection/new").text)
        bad = mine.post("/field_activity/inspection/new", data={"date_from": today.isoformat(), "area": "",
                                                                "csrf_token": token})
        assert bad.status_code == 422
        assert "巡视区域" in bad.text
        for url in ("/field_activity/inspections/", f"/field_activity/inspections/{insp.id}",
                    "/field_activity/competitors/", f"/field_activity/competitor/new?visit={v1.id}", "/field_activity/inspection/new",
                    "/reports/field_activity.work_plan", "/reports/field_activity.competitors",
                    "/reports/field_activity.month_summaries", "/reports/field_activity.inspections"):
            assert mine.get(url).status_code == 200, url
        answer = mine.post(f"/field_activity/visits/{v1.id}/customer", data={"address": "昆明市呈贡区", "city": "昆明市",
                                                                                "csrf_token": token})
        assert answer.status_code == 303
        assert 'id="visit-customer"' in mine.get(f"/field_activity/visits/{v1.id}").text
        stranger = logged_in_client(app, "salesperson2_acme", world.password)
        stranger_token = csrf_token(stranger.get("/field_activity/inspection/new").text)
        assert stranger.post(f"/field_activity/visits/{v1.id}/customer",
                             data={"address": "x", "csrf_token": stranger_token}).status_code in (403, 404)
        assert stranger.get(f"/field_activity/inspections/{insp.id}").status_code in (403, 404)
        assert stranger.get(f"/field_activity/plan/{plan.id}").status_code in (403, 404)
    with world.session() as s:
        assert world.env(s, "admin").get(type(ca), ca.id).address == "昆明市呈贡区"
