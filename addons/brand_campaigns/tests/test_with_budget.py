"""brand_campaigns with the budget addon enabled: a plan's budget line is checked by budget's own rules.

``budget.services.check_commitment`` refuses a plan whose amount is more than
its line has left (nothing saved) and accepts one that fits; a line of another
company is not one the brand owner may name.
"""

from __future__ import annotations

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
