"""Tests of the kpi addon on SQLite and PostgreSQL: a scorecard from seeded orders measures computed
by hand to the cent, the pay with tiers at their boundaries and advances deducted, freezing on
approval, rights (nobody sees another's pay unless manager, finance or director), bad input
(weights not summing to 100 %, a measure no enabled addon provides, tier gaps and overlaps),
the seeded KPIs, the satisfaction measures and the payroll export."""

from __future__ import annotations

import datetime as dt
import types
from decimal import Decimal

import pytest

from core.errors import AccessDenied, ValidationError
from core.i18n import use_lang
from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

pytestmark = pytest.mark.tixi_world(addons=["orders", "budget", "kpi"])

D = Decimal
JUNE = dt.date(2026, 6, 1)

SALES_KPIS = [
    {"code": "sales", "name_zh": "销售目标完成率", "name_en": "Sales target completion", "measure": "orders.sales_amount",
     "target": "100000", "weight": "60", "curve": "linear", "floor": "60", "cap": "150"},
    {"code": "collections", "name_zh": "回款完成率", "name_en": "Collections completion", "measure": "orders.collections",
     "target": "50000", "weight": "40", "curve": "thresholds", "thresholds": "80:60, 100:100, 120:120"},
]
FRONT = {"code": "front", "name_zh": "前台激励", "position": "salesperson", "kind": "front", "base_pay": "3000",
         "target_pay": "5000", "commission_kpi": "sales", "rounding": 2}
TIERS = [{"lower": "100", "upper": "120", "rate": "3"}, {"lower": "120", "upper": None, "rate": "5"}]


def _mod(world, name):
    return world.addon_module("kpi", name)


def _emp(world, role, company="acme"):
    return world.data["masterdata"][company]["employees"][role]


def _sales(world, s):
    """June: 79,876.53 shipped to a customer of the salesperson, 45,678.90 collected; July: 5,000 shipped."""
    md, orders = world.factories.masterdata, world.factories.orders
    admin = world.env(s, "admin")
    seller = world.env(s, "salesperson")
    finance = world.env(s, "finance")
    world.addon_module("orders", "services").settings(admin).overdue_threshold = D("100000000")
    p1 = md.product(admin, code="TWC-1", name="三元催化剂")
    p2 = md.product(admin, code="DOC-2", name="氧化催化剂")
    cust = md.customer(admin, name="昆明重汽", owner=_emp(world, "salesperson"), credit_limit=D("10000000"),
                       payment_days=30)
    c1 = orders.contract(seller, cust, [{"product_id": p1.id, "quantity": "10", "unit_price": "7654.32"},
                                        {"product_id": p2.id, "quantity": "3", "unit_price": "1111.11"}],
                         contract_date=dt.date(2026, 6, 2))
    orders.delivery(seller, c1, on=dt.date(2026, 6, 10))
    c2 = orders.contract(seller, cust, [{"product_id": p1.id, "quantity": "1", "unit_price": "5000"}],
                         contract_date=dt.date(2026, 6, 25))
    orders.delivery(seller, c2, on=dt.date(2026, 7, 2))
    svc = world.addon_module("orders", "services")
    col = orders.collection(seller, cust, "45678.90", on=dt.date(2026, 6, 20))
    svc.confirm_collection_sales(seller, col)
    svc.confirm_collection_finance(finance, col, on=dt.date(2026, 6, 20))
    return {"cust": cust, "p1": p1, "seller": seller}


def test_seeded_kpis_weights_and_bad_input(tixi_world):  # noqa: F811
    world = tixi_world
    m, svc = _mod(world, "models"), _mod(world, "services")
    with world.session() as s:
        hr = world.env(s, "marketing_admin")
        # seeded per position (DOMAIN.md §13): without field_activity the salesperson keeps sales and
        # collections, their weights scaled back to 100 %; tech support keeps satisfaction (training is off)
        seeded = {(d.position, d.code): d for d in svc.definitions(world.env(s, "salesperson"))}
        assert seeded[("salesperson", "sales")].weight == D("66.67")
        assert seeded[("salesperson", "collections")].weight == D("33.33")
        assert ("salesperson", "reports") not in seeded
        assert seeded[("tech_support", "satisfaction")].weight == D("100")
        assert seeded[("marketing_admin", "satisfaction")].ratio_measure == "kpi.satisfaction_answers"
        assert {p for p, _c in seeded} == {"salesperson", "territory_manager", "tech_support", "marketing_admin",
                                           "director"}
        before = hr.count(m.Definition)
        # weights not summing to 100 %: a clear message in both languages, nothing saved
        bad = [dict(SALES_KPIS[0], weight="60"), dict(SALES_KPIS[1], weight="30")]
        with use_lang("en"), pytest.raises(ValidationError, match="sum to 100 %.*90"):
            svc.set_definitions(hr, "salesperson", "month", bad)
        with use_lang("zh_CN"), pytest.raises(ValidationError, match="权重之和必须为 100"):
            svc.set_definitions(hr, "salesperson", "month", bad)
        # a measure no enabled addon provides (field_activity is not enabled; an unknown one)
        for name in ("field_activity.visits", "nobody.nothing"):
            row = dict(SALES_KPIS[1], measure=name)
            with use_lang("en"), pytest.raises(ValidationError, match=f"No enabled addon provides the measure {name}"):
                svc.set_definitions(hr, "salesperson", "month", [SALES_KPIS[0], row])
            with use_lang("zh_CN"), pytest.raises(ValidationError, match="没有已启用的插件提供指标"):
                svc.set_definitions(hr, "salesperson", "month", [SALES_KPIS[0], row])
        # a person dimension the measure lacks, a bad threshold text, a zero target
        with pytest.raises(ValidationError):
            svc.set_definitions(hr, "salesperson", "month", [dict(SALES_KPIS[0], person_dimension="employee"),
                                                             SALES_KPIS[1]])
        with pytest.raises(ValidationError):
            svc.set_definitions(hr, "salesperson", "month", [SALES_KPIS[0], dict(SALES_KPIS[1], thresholds="x")])
        with pytest.raises(ValidationError):
            svc.set_definitions(hr, "salesperson", "month", [dict(SALES_KPIS[0], target="0"), SALES_KPIS[1]])
        assert hr.count(m.Definition) == before
        s.expire_all()
        assert hr.get(m.Definition, seeded[("salesperson", "sales")].id).weight == D("66.67")
        # a salesperson cannot change KPIs
        with pytest.raises(AccessDenied):
            svc.set_definitions(world.env(s, "salesperson"), "salesperson", "month", SALES_KPIS)
        # scheme tiers: a gap and an overlap are refused, nothing saved
        fin = world.env(s, "finance")
        n = fin.count(m.Scheme)
        with use_lang("en"), pytest.raises(ValidationError, match="gap between 110 % and 120 %"):
            svc.save_scheme(fin, FRONT, [{"lower": "100", "upper": "110", "rate": "3"},
                                         {"lower": "120", "upper": None, "rate": "5"}])
        with use_lang("zh_CN"), pytest.raises(ValidationError, match="重叠"):
            svc.save_scheme(fin, FRONT, [{"lower": "100", "upper": "125", "rate": "3"},
                                         {"lower": "120", "upper": None, "rate": "5"}])
        with pytest.raises(ValidationError):
            svc.save_scheme(fin, FRONT, [{"lower": "100", "upper": None, "rate": "3"},
                                         {"lower": "120", "upper": None, "rate": "5"}])
        assert fin.count(m.Scheme) == n


def test_tier_boundaries_and_curves(tixi_world):  # noqa: F811
    world = tixi_world
    inc = _mod(world, "services.incentives")
    defs = _mod(world, "services.definitions")
    tiers = [types.SimpleNamespace(lower=D(t["lower"]), upper=None if t["upper"] is None else D(t["upper"]),
                                   rate=D(t["rate"])) for t in TIERS]

    def commission(actual):
        return sum((band * t.rate / 100 for t, band in inc.commission_bands(D(actual), D("100000"), tiers)), D(0))

    assert commission("100000") == 0          # on target: nothing above it
    assert commission("100000.01") == D("0.0003")
    assert commission("120000") == D("600")   # the whole first tier, nothing of the second
    assert commission("120001") == D("600.05")
    assert commission("130000") == D("1100")  # 20,000 x 3 % + 10,000 x 5 %
    assert commission("90000") == 0
    lin = types.SimpleNamespace(curve="linear", floor=D("60"), cap=D("150"), thresholds=None)
    assert defs.score(lin, D("59.99")) == 0
    assert defs.score(lin, D("60")) == D("60.00")
    assert defs.score(lin, D("151")) == D("150.00")
    thr = types.SimpleNamespace(curve="thresholds", thresholds="80:60, 100:100, 120:120", floor=0, cap=0)
    assert [defs.score(thr, D(x)) for x in ("79.99", "80", "99.99", "100", "120", "200")] == \
        [0, 60, 60, 100, 120, 120]
    assert inc.check_tiers(list(reversed(TIERS)))[0]["lower"] == D("100")  # order does not matter


def test_scorecard_by_hand_pay_freezing_and_rights(tixi_world):  # noqa: F811
    world = tixi_world
    m, svc = _mod(world, "models"), _mod(world, "services")
    uid = world.add_user("salesperson_b", "salesperson", "acme")
    with world.session() as s:
        hr = world.env(s, "marketing_admin")
        svc.set_definitions(hr, "salesperson", "month", SALES_KPIS)
        fin = world.env(s, "finance")
        svc.save_scheme(fin, FRONT, TIERS)
        data = _sales(world, s)
        from addons.budget.services.advances import create_advance

        create_advance(fin, _emp(world, "salesperson"), "1000", "2026-05-01", "出差借支")
        admin = world.env(s, "admin")
        # the kernel job's function, for June
        ctx = types.SimpleNamespace(env=admin, period="2026-06", progress=lambda *a, **k: None)
        # June ends a quarter: the month's scorecards of the four monthly positions and the director's quarter
        assert svc.compute_job(ctx) == {"scorecards": 5}
        seller = data["seller"]
        cards = seller.search(m.Scorecard)
        assert len(cards) == 1
        card = cards[0]
        assert (card.period_start, card.period_end, card.state) == (JUNE, dt.date(2026, 6, 30), "draft")
        lines = {ln.code: ln for ln in seller.search(m.ScorecardLine, m.ScorecardLine.scorecard_id == card.id)}
        # by hand: sales 10 x 7,654.32 + 3 x 1,111.11 = 79,876.53 (July's 5,000 is outside June)
        sales = lines["sales"]
        assert sales.actual == D("79876.53")
        assert sales.target == D("100000.00")
        assert sales.completion == D("79.88")      # 79.87653 %
        assert sales.score == D("79.88")           # linear, above the 60 % floor, under the 150 % cap
        assert sales.weighted == D("47.93")        # 79.88 x 60 % = 47.928
        col = lines["collections"]
        assert (col.actual, col.completion, col.score, col.weighted) == (D("45678.90"), D("91.36"), D("60.00"),
                                                                        D("24.00"))
        assert card.total_score == D("71.93")
        # recomputing a draft rebuilds it (no duplicate)
        svc.compute(admin, "month", JUNE)
        mine = m.Scorecard.employee_id == _emp(world, "salesperson")
        assert admin.count(m.Scorecard, mine) == 1
        assert admin.count(m.ScorecardLine, m.ScorecardLine.scorecard_id == card.id) == 2

        # the person submits; cannot rate or approve their own; the manager rates and approves
        with pytest.raises(AccessDenied):
            svc.rate(seller, card, dict.fromkeys(m.QUALITATIVE, 5))
        svc.fire(seller, card, "submit")
        boss = world.env(s, "territory_manager")
        bcard = boss.get(m.Scorecard, card.id)
        with pytest.raises(ValidationError):
            svc.fire(boss, bcard, "approve")  # ratings missing
        with pytest.raises(ValidationError):
            svc.rate(boss, bcard, dict.fromkeys(m.QUALITATIVE, 6))
        svc.rate(boss, bcard, {"cooperation": 4, "enthusiasm": 5, "loyalty": 5, "report_discipline": 3,
                               "expense_control": 4, "compliance": 5}, "积极主动")
        assert svc.qualitative_average(bcard) == D("4.33")
        with pytest.raises(AccessDenied):
            svc.fire(seller, card, "approve")
        svc.fire(boss, bcard, "approve")
        assert bcard.state == "approved"
        # frozen: a new June delivery and a recompute leave the approved scorecard as it was
        orders = world.factories.orders
        c3 = orders.contract(seller, data["cust"], [{"product_id": data["p1"].id, "quantity": "2",
                                                     "unit_price": "10000"}], contract_date=dt.date(2026, 6, 26))
        orders.delivery(seller, c3, on=dt.date(2026, 6, 28))
        svc.compute(admin, "month", JUNE)
        s.expire_all()
        assert admin.get(m.Scorecard, card.id).total_score == D("71.93")
        assert admin.search(m.ScorecardLine, m.ScorecardLine.code == "sales",
                            m.ScorecardLine.scorecard_id == card.id)[0].actual == D("79876.53")
        with pytest.raises(ValidationError):
            svc.rate(boss, bcard, dict.fromkeys(m.QUALITATIVE, 1))

        # pay, line by line: base 3,000 + 5,000 x 71.93 % = 3,596.50; below target no commission;
        # the 1,000 advance deducted: net 5,596.50
        with pytest.raises(AccessDenied):
            svc.pay(world.env(s, "salesperson"), card)
        payout = svc.pay(fin, fin.get(m.Scorecard, card.id))
        pl = [(ln.kind, ln.amount) for ln in fin.search(m.PayoutLine, m.PayoutLine.payout_id == payout.id,
                                                         order_by=[m.PayoutLine.sequence])]
        assert pl == [("base", D("3000.00")), ("target", D("3596.50")), ("advance", D("-1000.00"))]
        assert (payout.gross, payout.advances, payout.net) == (D("6596.50"), D("1000.00"), D("5596.50"))
        from addons.budget.services.advances import outstanding

        assert outstanding(fin, _emp(world, "salesperson"), dt.date(2026, 7, 1)) == 0
        with pytest.raises(ValidationError):
            svc.pay(fin, fin.get(m.Scorecard, card.id))  # once

        # rights: own, the manager's team, finance, the director, the general manager; nobody else
        for role, sees in (("salesperson", 1), ("territory_manager", 1), ("director", 1), ("finance", 1),
                           ("general_manager", 1), ("marketing_admin", 0), ("tech_support", 0),
                           ("sales_assistant", 0)):
            env = world.env(s, role)
            for model in (m.Scorecard, m.ScorecardLine, m.Payout, m.PayoutLine):
                n = env.count(model, model.employee_id == _emp(world, "salesperson")) if env.can(model) else 0
                assert (n > 0) == bool(sees), (role, model)
        assert world.env(s, "director", "other").count(m.Payout) == 0
        # another salesperson of the same manager sees neither the scorecard nor the pay
        md = world.factories.masterdata
        md.employee(admin, name="李四", user=uid, position="salesperson", manager=_emp(world, "territory_manager"))
        peer = world.env(s, user=uid)
        assert peer.search(m.Scorecard) == []
        assert peer.search(m.PayoutLine) == []
        with pytest.raises(AccessDenied):
            peer.get(m.Scorecard, card.id)

        # the payroll export: the report centre's rows and an .xlsx
        from core.reports import run_report
        from core.reports.export import to_xlsx

        res = run_report(fin, "kpi.pay", {"period": "custom", "date_from": "2026-06-01", "date_to": "2026-06-30"})
        assert [r["amount"] for r in res.rows] == [D("3000.00"), D("3596.50"), D("-1000.00")]
        assert to_xlsx(res)[:2] == b"PK"
        assert run_report(peer, "kpi.pay", {"period": "custom", "date_from": "2026-06-01",
                                            "date_to": "2026-06-30"}).rows == []


def test_commission_above_target_and_satisfaction(tixi_world):  # noqa: F811
    world = tixi_world
    m, svc = _mod(world, "models"), _mod(world, "services")
    from core.measures import measure_value

    with world.session() as s:
        hr = world.env(s, "marketing_admin")
        svc.set_definitions(hr, "salesperson", "month", [dict(SALES_KPIS[0], target="50000"),
                                                         dict(SALES_KPIS[1], target="40000")])
        fin = world.env(s, "finance")
        svc.save_scheme(fin, dict(FRONT, rounding=0), TIERS)
        _sales(world, s)
        admin = world.env(s, "admin")
        card = svc.compute(admin, "month", JUNE, employee_ids=[_emp(world, "salesperson")])[0]
        # sales 79,876.53 of 50,000: 159.75 %, capped at 150 points x 60 % = 90; collections 114.20 %: 100 x 40 %
        assert card.total_score == D("130.00")
        admin.write(card, {k: 4 for k in m.QUALITATIVE})
        svc.fire(world.env(s, "salesperson"), card, "submit")
        svc.fire(world.env(s, "territory_manager"), card, "approve")
        lines = svc.calculate(fin, fin.get(m.Scorecard, card.id))
        # rounded to the yuan: target pay 5,000 x 130 % = 6,500; tier 100-120 %: 10,000 x 3 % = 300;
        # tier 120 %+: 19,876.53 x 5 % = 993.83 -> 994
        assert [(ln["kind"], ln["amount"]) for ln in lines] == [
            ("base", D("3000")), ("target", D("6500")), ("commission", D("300")), ("commission", D("994"))]
        # internal satisfaction: the salesperson rates the technical support 4 and 5 -> 90 %
        survey = hr.create(m.Survey, {"title": "2026年6月内部满意度", "period_start": JUNE,
                                      "period_end": dt.date(2026, 6, 30)})
        seller = world.env(s, "salesperson")
        for r in (4, 5):
            rater = _emp(world, "salesperson") if r == 4 else _emp(world, "territory_manager")
            env = seller if r == 4 else world.env(s, "territory_manager")
            env.create(m.SurveyAnswer, {"survey_id": survey.id, "rater_id": rater, "rated_id": _emp(world, "tech_support"),
                                        "rating": r, "answered_on": dt.date(2026, 6, 15)})
        june = (JUNE, dt.date(2026, 6, 30))
        assert measure_value(hr, "kpi.satisfaction_answers", period=june)[0].value == 2
        tech = svc.compute(admin, "month", JUNE, employee_ids=[_emp(world, "tech_support")])[0]
        line = admin.search(m.ScorecardLine, m.ScorecardLine.scorecard_id == tech.id)[0]
        assert (line.actual, line.completion, line.score) == (D("90.00"), D("100.00"), D("100.00"))
        # the rated person does not read the ratings; a rater reads only their own
        assert world.env(s, "tech_support").can(m.SurveyAnswer) is True
        assert world.env(s, "tech_support").count(m.SurveyAnswer) == 0
        assert seller.count(m.SurveyAnswer) == 1
