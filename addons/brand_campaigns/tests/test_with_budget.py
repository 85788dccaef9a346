"""brand_campaigns with the budget addon enabled: a plan's budget line is checked by budget's own rules.

``budget.services.check_commitment`` refuses a plan whose amount is more than
its line has left (nothing saved) and accepts one that fits; a line of another
company is not one the brand owner may name.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.errors import ValidationError
from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

pytestmark = pytest.mark.tixi_world(addons=["brand_campaigns", "budget"])


def test_a_plan_beyond_its_budget_line_is_refused_through_budgets_rules(tixi_world):  # noqa: F811
    world = tixi_world
    svc = world.addon_module("brand_campaigns", "services")
    models = world.addon_module("brand_campaigns", "models")
    line_model = world.addon_module("budget", "models").Line
    with world.session() as s:
        director = world.env(s, "director")
        boss = world.data["masterdata"]["acme"]["employees"]["territory_manager"]
        b = world.factories.budget.budget(director, territory=world.data["territories"]["acme"]["territory"],
                                          year=2026, owner=boss, amounts={"advertising": "50000"},
                                          approver=world.env(s, "general_manager"), name="2026 品牌推广预算")
        line = director.search(line_model, line_model.budget_id == b.id)[0]
        owner = world.env(s, "marketing_admin")
        assert "budget" in owner.enabled
        channel = svc.channels(owner)[0]
        values = {"name": "行业媒体投放", "channel_id": channel.id, "start_date": "2026-11-01", "end_date": "2026-11-30",
                  "owner_id": world.data["masterdata"]["acme"]["employees"]["marketing_admin"],
                  "budget_amount": "50000.01", "budget_line_id": str(line.id)}
        with pytest.raises(ValidationError, match="超出预算|Over budget"):
            svc.plans.save_plan(owner, values)
        assert owner.count(models.PromotionPlan) == 0
        plan = svc.plans.save_plan(owner, {**values, "budget_amount": "50000.00"})
        assert plan.budget_line_id == line.id
        with pytest.raises(ValidationError):  # the other company's brand owner cannot name acme's line
            svc.plans.save_plan(world.env(s, "marketing_admin", "other"), {
                **values, "channel_id": svc.channels(world.env(s, "marketing_admin", "other"))[0].id,
                "owner_id": world.data["masterdata"]["other"]["employees"]["marketing_admin"], "budget_amount": "1"})


def test_the_brand_plan_makes_the_campaign_budget_and_its_plans_together_fit_their_line(tixi_world):  # noqa: F811
    """The year's plans become a draft campaign budget (a line per channel's category, phased by the plans'
    days, the plans linked to their lines); once approved, a new plan on a line is checked with what the
    other open plans on it still hold (their budgets less their activities' actual cost)."""
    world = tixi_world
    svc = world.addon_module("brand_campaigns", "services")
    bm = world.addon_module("budget", "models")
    with world.session() as s:
        owner = world.env(s, "marketing_admin")
        me = world.data["masterdata"]["acme"]["employees"]["marketing_admin"]
        ch = {c.code: c for c in svc.channels(owner)}
        fair = svc.plans.save_plan(owner, {"name": "上海汽车零部件展", "channel_id": ch["exhibition"].id,
                                           "start_date": "2026-10-30", "end_date": "2026-11-02", "owner_id": me,
                                           "budget_amount": "80000"})
        media = svc.plans.save_plan(owner, {"name": "行业媒体投放", "channel_id": ch["trade_media"].id,
                                            "start_date": "2026-12-01", "end_date": "2026-12-31", "owner_id": me,
                                            "budget_amount": "20000"})
        svc.plans.save_plan(owner, {"name": "无预算的网络推广", "channel_id": ch["online"].id,
                                    "start_date": "2026-12-01", "end_date": "2026-12-31", "owner_id": me})
        with pytest.raises(ValidationError, match="2025"):
            svc.plans.budget_from_plans(owner, 2025)
        b = svc.plans.budget_from_plans(owner, 2026, name="2026 品牌推广预算", owner_id=me)
        assert (b.owner_kind, b.campaign_code, b.state, b.total_amount) == ("campaign", "BRAND-2026", "draft",
                                                                             Decimal("100000.00"))
        lines = {ln.category.code: ln for ln in owner.search(bm.Line, bm.Line.budget_id == b.id)}
        assert {k: v.amount for k, v in lines.items()} == {"conferences": Decimal("80000.00"),
                                                           "advertising": Decimal("20000.00")}
        phases = {p.month.month: p.amount for p in owner.search(bm.Phase, bm.Phase.line_id == lines["conferences"].id)}
        assert phases[10] == Decimal("40000.00")  # 2 of the fair's 4 days are in October
        assert phases[11] == Decimal("40000.00")
        assert sum(phases.values()) == Decimal("80000.00")
        assert len(phases) == 12
        assert (fair.budget_line_id, media.budget_line_id) == (lines["conferences"].id, lines["advertising"].id)
        with pytest.raises(ValidationError):  # every plan of the year with a budget has its line now
            svc.plans.budget_from_plans(owner, 2026)
        # approved on budget's side (the brand owner submits, the general manager approves)
        B = world.addon_module("budget", "services.budgets")
        B.fire(owner, b, "submit")
        gm = world.env(s, "general_manager")
        B.fire(gm, gm.get(bm.Budget, b.id), "approve")
        # the fair holds its whole line: one more plan on it is refused, naming what the others hold
        extra = {"name": "学术会议赞助", "channel_id": ch["academic_conference"].id, "start_date": "2026-12-10",
                 "end_date": "2026-12-10", "owner_id": me, "budget_amount": "1",
                 "budget_line_id": str(lines["conferences"].id)}
        with pytest.raises(ValidationError, match="80,000.00") as exc:
            svc.plans.save_plan(owner, extra)
        assert "budget_amount" in exc.value.errors
        # the fair ran for 50,000: it holds 30,000 more; the line still has 80,000 (no claim yet)
        act = svc.plans.add_activity(owner, {"name": "展台", "start_date": "2026-10-30", "end_date": "2026-11-02"},
                                     fair)
        svc.plans.record_result(owner, act, {"actual_cost": "50000"})
        seminar = svc.plans.save_plan(owner, {**extra, "budget_amount": "50000"})
        assert seminar.budget_line_id == lines["conferences"].id
        with pytest.raises(ValidationError):
            svc.plans.save_plan(owner, {**extra, "name": "再一个会议", "budget_amount": "0.01"})
        svc.plans.save_plan(owner, {"name": "2027 客户研讨会", "channel_id": ch["customer_seminar"].id,
                                    "start_date": "2027-03-01", "end_date": "2027-03-01", "owner_id": me,
                                    "budget_amount": "12000"})
    # the page: the brand owner makes next year's campaign budget from the plans, then edits it on budget's page
    from core.testing.web import csrf_token, logged_in_client
    from core.web.app import create_app

    app = create_app(registry=world.registry, test_config={"TESTING": True})
    client = logged_in_client(app, world.login("marketing_admin"), world.password)
    page = client.get("/brand/plans")
    assert 'id="plans-budget"' in page.text
    bad = client.post("/brand/plans", data={"csrf_token": csrf_token(page.text), "year": "2030"})
    assert bad.status_code == 422
    assert 'id="brand-error"' in bad.text
    made = client.post("/brand/plans", data={"csrf_token": csrf_token(page.text), "year": "2027"})
    assert made.status_code == 302
    assert "/budget/budgets/" in made.headers["Location"]
    assert client.get(made.headers["Location"]).status_code == 200
    with world.session() as s:
        b27 = world.env(s, "director").search(bm.Budget, bm.Budget.year == 2027)
        assert [b.total_amount for b in b27] == [Decimal("12000.00")]
    assert 'id="plans-budget"' not in logged_in_client(app, world.login("salesperson"), world.password).get(
        "/brand/plans").text
