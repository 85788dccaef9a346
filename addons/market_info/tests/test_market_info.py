"""Tests of market_info on SQLite and PostgreSQL: the market status report against a hand-computed
fixture, confidentiality (a salesperson's rows only; a role the plan names; the director all),
bad input (a price without a date, a period ending before it starts, a territory out of reach:
refused, nothing saved), the reminder job (due, overdue, advanced, idempotent; notifications and
to-dos), analyses drafted and issued to the recipients, and the feed into pricing's competitor prices."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from core.errors import ValidationError
from core.i18n import use_lang
from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

pytestmark = pytest.mark.tixi_world(addons=["market_info", "territories", "pricing"])

D = Decimal
NOV = {"period": "custom", "date_from": "2026-11-01", "date_to": "2026-11-30"}


def _m(world):
    return world.addon_module("market_info", "models")


def _svc(world):
    return world.addon_module("market_info", "services")


def _emp(world, role, company="acme"):
    return world.data["masterdata"][company]["employees"][role]


def _seed(world, s):
    """Competitor 庄信万丰 with a product; our variety; plans; Oct and Nov prices of the salesperson and manager."""
    admin, mkt = world.env(s, "admin"), world.env(s, "marketing_admin")
    seller, manager = world.env(s, "salesperson"), world.env(s, "territory_manager")
    mi = world.factories.market_info
    product = world.factories.masterdata.product(admin, code="TWC-1", name="三元催化剂 TWC-1")
    jm = mi.competitor(mkt, "庄信万丰", name_en="Johnson Matthey")
    basf = mi.competitor(mkt, "巴斯夫", name_en="BASF")
    sp_plan = mi.plan(mkt, _emp(world, "salesperson"), next_due=dt.date(2026, 11, 30),
                      aggregator=_emp(world, "marketing_admin"))
    tm_plan = mi.plan(mkt, _emp(world, "territory_manager"), name="经理价格收集", next_due=dt.date(2026, 11, 30),
                      roles=["core.group_director"])
    terr = world.data["territories"]["acme"]
    for day, price in ((dt.date(2026, 10, 8), "90"), (dt.date(2026, 10, 25), "100"),
                       (dt.date(2026, 11, 3), "100"), (dt.date(2026, 11, 10), "110")):
        mi.price(seller, jm, price, day, product=product, customer=terr["customer"])
    mi.price(manager, jm, "120", dt.date(2026, 11, 20), product=product, territory=terr["territory"],
             source="distributor")
    mi.price(seller, basf, "80", dt.date(2026, 11, 15), product=product, price_kind="tender", place="上海",
             source="tender")
    return {"product": product, "jm": jm, "basf": basf, "sp_plan": sp_plan, "tm_plan": tm_plan, "terr": terr}


def _rows(env, params=None):
    from core.reports.run import run_report

    return run_report(env, "market_info.market_status", params or NOV).rows


def test_report_figures_rules_analysis_and_pricing_feed(tixi_world):  # noqa: F811
    world = tixi_world
    m = _m(world)
    with world.session() as s:
        d = _seed(world, s)
        director, seller = world.env(s, "director"), world.env(s, "salesperson")
        manager, mkt = world.env(s, "territory_manager"), world.env(s, "marketing_admin")
        # the plan and the territory of the date went on the rows
        rows = seller.search(m.PriceObservation, order_by=[m.PriceObservation.observed_on])
        assert {r.plan_id for r in rows} == {d["sp_plan"].id}
        # the customer entered its territory today: before that, its prices have no territory (the date's)
        assert {r.territory_id for r in rows if r.customer_id} == {None}
        from core.reports.run import local_today

        today = local_today(seller)
        now = world.factories.market_info.price(seller, d["basf"], "70", today, customer=d["terr"]["customer"])
        assert now.territory_id == d["terr"]["territory"]
        world.env(s, "director").delete(now)

        # hand-computed: Nov 庄信万丰 wholesale 100, 110 (salesperson), 120 (manager); Oct 90, 100 -> 95
        got = {(r["competitor_id"], r["price_kind"]): r for r in _rows(director)}
        jm = got[(d["jm"].id, "wholesale")]
        assert (jm["count"], jm["low"], jm["avg"], jm["high"], jm["latest"]) == (
            3, D("100.00"), D("110.00"), D("120.00"), D("120.00"))
        assert jm["last_day"] == dt.date(2026, 11, 20)
        assert (jm["prev_avg"], jm["change"]) == (D("95.00"), D("0.1579"))
        assert (got[(d["basf"].id, "tender")]["count"], got[(d["basf"].id, "tender")]["prev_avg"]) == (1, None)
        # a salesperson's report holds only their rows: 100, 110 (avg 105)
        mine = {(r["competitor_id"], r["price_kind"]): r for r in _rows(seller)}
        assert (mine[(d["jm"].id, "wholesale")]["count"], mine[(d["jm"].id, "wholesale")]["avg"]) == (2, D("105.00"))
        assert mine[(d["jm"].id, "wholesale")]["change"] == D("0.1053")
        # the manager sees his own row only: the salesperson's plan does not name him ...
        assert seller.count(m.PriceObservation) == 5
        assert manager.count(m.PriceObservation) == 1
        # ... until the plan names his role; the director reaches all, the other company none
        mkt.create(m.PlanRecipient, {"plan_id": d["sp_plan"].id, "group_code": "core.group_territory_manager"})
        s.flush()
        manager = world.env(s, "territory_manager")
        assert manager.count(m.PriceObservation) == 6
        assert director.count(m.PriceObservation) == 6
        assert world.env(s, "director", "other").count(m.PriceObservation) == 0
        # filters: salesperson, territory (its own rows: the customer's territory on the date, the named one)
        assert sum(r["count"] for r in _rows(director, {**NOV, "salesperson": _emp(world, "territory_manager")})) == 1
        assert sum(r["count"] for r in _rows(director, {**NOV, "territory": d["terr"]["territory"]})) == 1

        # measure: the same observations, by salesperson
        from core.measures import measure_value

        by_sp = {r.dims["salesperson"]: r.value for r in measure_value(
            director, "market_info.price_observations", period=(dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
            group_by=["salesperson"], labels=False)}
        assert by_sp == {_emp(world, "salesperson"): 3, _emp(world, "territory_manager"): 1}

        # bad input on the report: an end before the start; a territory outside the salesperson's reach
        from core.reports.run import ReportParamsError

        with use_lang("zh_CN"), pytest.raises(ReportParamsError, match="结束日期早于开始日期|早于"):
            _rows(seller, {"period": "custom", "date_from": "2026-11-30", "date_to": "2026-11-01"})
        with use_lang("en"), pytest.raises(ReportParamsError, match="outside your reach"):
            _rows(seller, {**NOV, "territory": d["terr"]["other_territory"]})
        assert _rows(seller, {**NOV, "territory": d["terr"]["territory"]}) == []  # in reach: accepted

        # .xlsx of the report
        from openpyxl import load_workbook

        from core.reports.export import to_xlsx
        from core.reports.run import run_report

        book = load_workbook(io.BytesIO(to_xlsx(run_report(director, "market_info.market_status", NOV), "zh_CN")))
        text = " ".join(str(c.value) for row in book.active.iter_rows() for c in row if c.value is not None)
        assert "庄信万丰" in text
        _analysis_and_pricing(world, s, d)


def _bad_input(world):
    """A price without a date (and other bad input) refused with a clear message, nothing saved."""
    m, svc = _m(world), _svc(world)
    with world.session() as s:
        mkt, seller = world.env(s, "marketing_admin"), world.env(s, "salesperson")
        jm = world.factories.market_info.competitor(mkt)
        before = seller.count(m.PriceObservation)
        with use_lang("zh_CN"), pytest.raises(ValidationError, match="日期") as exc:
            svc.record_price(seller, jm, "100", None, "昆明", "customer")
        assert "observed_on" in exc.value.errors
        with use_lang("en"), pytest.raises(ValidationError, match="without a date is not saved"):
            svc.record_price(seller, jm, "100", "", "Kunming", "customer")
        with use_lang("en"), pytest.raises(ValidationError, match="where the price was seen"):
            svc.record_price(seller, jm, "100", "2026-11-02", " ", "customer")
        with use_lang("en"), pytest.raises(ValidationError, match="source"):
            svc.record_price(seller, jm, "100", "2026-11-02", "Kunming", "")
        with use_lang("en"), pytest.raises(ValidationError, match="greater than zero"):
            svc.record_price(seller, jm, "-3", "2026-11-02", "Kunming", "customer")
        with use_lang("en"), pytest.raises(ValidationError, match="Not a valid date"):
            svc.record_price(seller, jm, "100", "2026-13-02", "Kunming", "customer")
        assert seller.count(m.PriceObservation) == before
        with use_lang("en"), pytest.raises(ValidationError, match="before its start"):
            svc.check_period(seller, "2026-11-30", "2026-11-01")


def test_bad_input_reminder_job_notifications_and_todos(tixi_world):  # noqa: F811
    world = tixi_world
    _bad_input(world)
    svc = _svc(world)
    from core.notifications import inbox

    with world.session() as s:
        mkt, seller = world.env(s, "marketing_admin"), world.env(s, "salesperson")
        mi = world.factories.market_info
        jm = mi.competitor(mkt)
        weekly = mi.plan(mkt, _emp(world, "salesperson"), frequency="weekly", next_due=dt.date(2026, 12, 4),
                         aggregator=_emp(world, "marketing_admin"), name="每周价格")
        policy = mi.plan(mkt, _emp(world, "salesperson"), kind="policy_industry", next_due=dt.date(2026, 11, 30),
                         aggregator=_emp(world, "marketing_admin"), name="产业政策")
        # 2 Dec: the weekly item is due within 2 days; the policy item is overdue
        done = svc.run_reminders(mkt, dt.date(2026, 12, 2))
        assert done == {"advanced": 0, "reminded": 1, "overdue": 1}
        assert svc.run_reminders(mkt, dt.date(2026, 12, 2)) == {"advanced": 0, "reminded": 0, "overdue": 0}
        with use_lang("zh_CN"):
            subjects = sorted(n.type_code for n in inbox(seller))
        assert subjects == ["market_info.item_due", "market_info.item_overdue"]
        assert [n.type_code for n in inbox(mkt)] == ["market_info.item_overdue"]  # the aggregator
        pending = svc.pending_items(seller, dt.date(2026, 12, 2))
        assert ([p.id for p in pending["due"]], [p.id for p in pending["overdue"]]) == ([weekly.id], [policy.id])
        todos = {t.key: t.count for t in world.addon_module("market_info", "todos").todos(seller)}
        # the to-dos count the items as of today (the company's day): the policy item is overdue whatever the day
        overdue_now = svc.pending_items(seller)["overdue"]
        assert policy.id in [p.id for p in overdue_now]
        assert todos["market_info.overdue"] == len(overdue_now)
        # the salesperson files this week's price and the policy note: collected, then advanced after the day
        mi.price(seller, jm, "100", dt.date(2026, 12, 2))
        svc.record_note(seller, "policy_industry", "国七征求意见稿", "2026-11-28")
        assert svc.pending_items(seller, dt.date(2026, 12, 2)) == {"due": [], "overdue": []}
        done = svc.run_reminders(mkt, dt.date(2026, 12, 5))
        assert done == {"advanced": 2, "reminded": 0, "overdue": 0}  # both collected, both days passed
        s.refresh(weekly), s.refresh(policy)
        assert weekly.next_due == dt.date(2026, 12, 11)
        assert (policy.next_due, policy.overdue_for, policy.last_collected_on) == (
            dt.date(2026, 12, 30), None, dt.date(2026, 12, 5))
        # the declared job: daily, a period per day
        from core.jobs.spec import job_spec

        spec = job_spec(world.registry, "market_info.reminders")
        assert spec.periodic
        assert spec.period(dt.datetime(2026, 12, 2, 20, tzinfo=dt.UTC)) == "2026-12-03"


def _analysis_and_pricing(world, s, d):
    """Analyses drafted from the period's records and issued to the recipients; pricing fed."""
    m, svc = _m(world), _svc(world)
    from core.notifications import inbox

    mkt, director, seller = world.env(s, "marketing_admin"), world.env(s, "director"), world.env(s, "salesperson")
    mkt.create(m.PlanRecipient, {"plan_id": d["sp_plan"].id, "employee_id": _emp(world, "director")})
    with use_lang("zh_CN"):
        a = svc.draft_analysis(mkt, d["sp_plan"], "2026-11-01", "2026-11-30")
    assert a.records == 3
    assert a.state == "draft"
    assert "庄信万丰" in a.body
    assert "105.00" in a.body
    with use_lang("en"), pytest.raises(ValidationError, match="before its start"):
        svc.draft_analysis(mkt, d["sp_plan"], "2026-11-30", "2026-11-01")
    assert svc.issue_analysis(mkt, a) == 2  # the director (named) and the territory manager (his role)
    assert [n.type_code for n in inbox(director)] == ["market_info.analysis_issued"]
    assert [n.type_code for n in inbox(world.env(s, "territory_manager"))] == ["market_info.analysis_issued"]
    assert inbox(seller) == []
    with pytest.raises(ValidationError):
        svc.issue_analysis(mkt, a)
    # the salesperson reads the analysis of his plan (collector); the manager through his role
    assert seller.count(m.Analysis) == 1
    assert world.env(s, "territory_manager").count(m.Analysis) == 1  # his role is named (above)
    assert world.env(s, "director", "other").count(m.Analysis) == 0
    # pricing's competitor prices got the observations of our varieties
    from addons.pricing.models import CompetitorPrice

    fed = director.search(CompetitorPrice, CompetitorPrice.product_id == d["product"].id)
    assert len(fed) == 6
    assert {p.competitor for p in fed} == {"庄信万丰", "巴斯夫"}
    assert all(r.pricing_price_id for r in director.search(m.PriceObservation))
