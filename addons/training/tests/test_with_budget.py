"""training with the budget addon enabled: a plan that names a budget line must fit what the line has left."""

from __future__ import annotations

import pytest

from core.errors import ValidationError
from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

pytestmark = pytest.mark.tixi_world(addons=["training", "budget"])


def test_a_plan_costing_more_than_its_budget_line_is_refused(tixi_world):  # noqa: F811
    world = tixi_world
    svc = world.addon_module("training", "services")
    models = world.addon_module("training", "models")
    line_model = world.addon_module("budget", "models").Line
    tr = world.factories.training
    sp = world.data["masterdata"]["acme"]["employees"]["salesperson"]
    with world.session() as s:
        hr, director = world.env(s, "marketing_admin"), world.env(s, "director")
        manager = world.env(s, "territory_manager")
        b = world.factories.budget.budget(director, territory=world.data["territories"]["acme"]["territory"],
                                          year=2027, owner=world.data["masterdata"]["acme"]["employees"]["territory_manager"],
                                          amounts={"conferences": "800", "samples": "5000"}, approver=world.env(s, "general_manager"),
                                          name="2027 培训预算")
        lines = {ln.category.code: ln for ln in director.search(line_model, line_model.budget_id == b.id)}
        line, roomy = lines["conferences"], lines["samples"]
        tr.approved_course(hr, director, code="TR-1", competencies={"B": 2}, cost_per_session="1000")
        svc.request_need(manager, sp, "B", "2026-H2")
        with pytest.raises(ValidationError, match="超出预算|Over budget"):
            svc.generate_plan(hr, 2027, 2, "5000", budget_line_id=line.id)  # costs 1,000: the line has 800
        assert hr.count(models.TrainingPlan) == 0
        plan = svc.generate_plan(hr, 2027, 2, "5000", budget_line_id=roomy.id)  # 1,000 of 5,000 left: fits
        assert plan.budget_line_id == roomy.id
