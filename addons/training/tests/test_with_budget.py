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
        line_id, roomy_id = line.id, roomy.id
        svc.request_need(hr, sp, "B", "2027-Q3")  # an open need again, for the page's plans below
        other_b = world.factories.budget.budget(
            world.env(s, "director", "other"), territory=world.data["territories"]["other"]["territory"], year=2027,
            owner=world.data["masterdata"]["other"]["employees"]["territory_manager"],
            amounts={"samples": "9000"}, approver=world.env(s, "general_manager", "other"), name="外公司预算")
        foreign_id = world.env(s, "director", "other").search(line_model, line_model.budget_id == other_b.id)[0].id

    # the plan page offers the lines HR may read (of approved budgets), errors on the field, in Chinese
    from core.testing.web import csrf_token, logged_in_client
    from core.web.app import create_app

    app = create_app(registry=world.registry, test_config={"TESTING": True})
    hr_client = logged_in_client(app, world.login("marketing_admin"), world.password)
    page = hr_client.get("/training/plans/build")
    assert page.status_code == 200
    offered = page.text.split('id="budget_line_id"')[1].split("</select>")[0]
    assert f'<option value="{line_id}"' in offered
    assert f'<option value="{roomy_id}"' in offered
    assert "2027 培训预算" in offered
    assert "剩余 800.00" in offered
    assert f'<option value="{foreign_id}"' not in offered  # another company's line is not offered
    data = {"csrf_token": csrf_token(page.text), "step": "plan", "year": "2027", "quarter": "3", "budget": "5000"}
    bad = hr_client.post("/training/plans/build", data={**data, "budget_line_id": str(line_id)})
    assert bad.status_code == 422
    assert 'class="form-select is-invalid"' in bad.text
    assert 'id="budget_line_id-error"' in bad.text
    assert "超出预算" in bad.text.split('id="budget_line_id-error"')[1][:300]
    for wrong in (str(foreign_id), "abc"):  # a line HR may not see, a malformed value: on the field too
        refused = hr_client.post("/training/plans/build", data={**data, "budget_line_id": wrong})
        assert refused.status_code == 422
        assert 'id="budget_line_id-error"' in refused.text
    with world.session() as s:
        assert world.env(s, "marketing_admin").count(models.TrainingPlan, models.TrainingPlan.quarter == 3) == 0
    good = hr_client.post("/training/plans/build", data={**data, "budget_line_id": str(roomy_id)})
    assert good.status_code in (302, 303)
    with world.session() as s:
        plan = world.env(s, "marketing_admin").search(models.TrainingPlan, models.TrainingPlan.quarter == 3)[0]
        assert plan.budget_line_id == roomy_id

