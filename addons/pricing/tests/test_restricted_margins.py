"""No restricted figure derived from visible ones (issue 13, item 3).

A salesperson saw a quote's target price and the strategy rules' margins:
cost = target / (1 + margin). Rule margins and target adjustments are now
restricted like cost (``COST_GROUPS``): absent from pages and API, refused in
filters; a salesperson still sees the target and floor prices of his quotes.
"""

from __future__ import annotations

import pytest

from core.errors import AccessDenied
from core.testing.web import logged_in_client

pytestmark = pytest.mark.tixi_world(addons=["pricing"])

MARGIN_FIELDS = {"pricing_strategy_rule": ("target_margin_pct", "floor_margin_pct"),
                 "pricing_strategy_target": ("adjust_pct", "target_margin_pct")}


def test_no_visible_field_combination_yields_the_cost(tixi_world):
    """Every field a salesperson sees is not a cost input: cost, margins and adjustments are all hidden."""
    models = tixi_world.addon_module("pricing", "models")
    with tixi_world.session() as s:
        sales = tixi_world.env(s, "salesperson")
        manager = tixi_world.env(s, "territory_manager")
        for model in (models.StrategyRule, models.StrategyTarget):
            for field in MARGIN_FIELDS[model.__tablename__]:
                assert not sales.field_visible(model, field), (model.__tablename__, field)
                assert manager.field_visible(model, field)
            with pytest.raises(AccessDenied):  # not even as a filter (cost > x leaks as surely)
                sales.search(model, getattr(model, MARGIN_FIELDS[model.__tablename__][0]) > 0)
        assert not sales.can(models.ProductCost, "read")  # product costs: no read right at all
        assert sales.can(models.StrategyRule, "read")  # the rules themselves (quote types, methods) stay readable


def test_rules_page_hides_margins_from_the_salesperson(tixi_world):
    from core.web.app import create_app

    app = create_app(registry=tixi_world.registry, test_config={"TESTING": True})
    sales = logged_in_client(app, tixi_world.login("salesperson"), tixi_world.password)
    director = logged_in_client(app, tixi_world.login("director"), tixi_world.password)
    page = sales.get("/pricing/rules/")
    assert page.status_code == 200
    assert "目标毛利率" not in page.text
    assert "底线毛利率" not in page.text
    assert "目标毛利率" in director.get("/pricing/rules/").text
