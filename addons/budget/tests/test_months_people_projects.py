"""Issue 18's follow-ups on SQLite and PostgreSQL: a draft budget's months set one by one (the yearly
total free, or kept exactly), the budget execution per person as measures (owner, territory manager),
and budgets owned by crm_cards' key-account plans (customer-development projects)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from core.errors import ValidationError
from core.i18n import use_lang
from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

pytestmark = pytest.mark.tixi_world(addons=["budget", "crm_cards"])


def _b(world):
    return world.addon_module("budget", "services.budgets")


def test_months_one_by_one_keep_total_and_bad_input(tixi_world):  # noqa: F811
    world = tixi_world
    B = _b(world)
    m = world.addon_module("budget", "models")
    terr = world.data["territories"]["acme"]
    with world.session() as s:
        director = world.env(s, "director")
        b = world.factories.budget.budget(director, territory=terr["territory"], amounts={"entertainment": "12000"},
                                          name="逐月预算")
        line = director.search(m.Line, m.Line.budget_id == b.id)[0]
        cat = line.category_id
        jan, feb, mar = dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)

        def months():
            return {mo: a for (lid, mo), a in B.phasing(director, [line.id]).items()}

        assert set(months().values()) == {D("1000.00")}
        # the yearly total free: it becomes the sum of the months
        B.set_months(director, b, {(cat, jan): "2500"})
        assert line.amount == D("13500.00")
        assert b.total_amount == D("13500.00")
        assert months()[jan] == D("2500.00")
        # the yearly total kept: February fixed at 3,000, the other 11 months share 10,500 as they stood
        B.set_months(director, b, {(cat, feb): "3000"}, keep_total=True)
        after = months()
        assert line.amount == D("13500.00")
        assert sum(after.values()) == D("13500.00")
        assert (after[feb], after[jan], after[mar]) == (D("3000.00"), D("2100.00"), D("840.00"))
        # refused, nothing changed: months above the kept total; negative; not a number; outside the year
        with use_lang("en"), pytest.raises(ValidationError, match="more than the yearly amount") as exc:
            B.set_months(director, b, {(cat, mar): "20000"}, keep_total=True)
        assert f"m_{cat}_2026-03" in exc.value.errors
        with use_lang("zh_CN"), pytest.raises(ValidationError) as exc:
            B.set_months(director, b, {(cat, mar): "-1", (cat, jan): "abc"})
        assert set(exc.value.errors) == {f"m_{cat}_2026-03", f"m_{cat}_2026-01"}
        assert "负" in exc.value.errors[f"m_{cat}_2026-03"]
        with use_lang("en"), pytest.raises(ValidationError, match="not a month of the budget year"):
            B.set_months(director, b, {(cat, dt.date(2027, 1, 1)): "1"})
        assert months() == after
        assert line.amount == D("13500.00")
        budget_id, field = b.id, f"m_{cat}_2026-04"
    # the page: one field per month; a change saved keeping the total; a bad amount shown on its field (422)
    from core.testing.web import csrf_token, logged_in_client
    from core.web.app import create_app

    app = create_app(registry=world.registry, test_config={"TESTING": True})
    client = logged_in_client(app, world.login("director"), world.password)
    page = client.get(f"/budget/budgets/{budget_id}/months")
    assert page.status_code == 200
    assert f'name="{field}"' in page.text
    token = csrf_token(page.text)
    done = client.post(f"/budget/budgets/{budget_id}/months", data={"csrf_token": token, "keep_total": "1",
                                                                      field: "1840.00"})
    assert done.status_code == 302
    bad = client.post(f"/budget/budgets/{budget_id}/months", data={"csrf_token": token, field: "-5"})
    assert bad.status_code == 422
    assert "is-invalid" in bad.text
    with world.session() as s:
        director = world.env(s, "director")
        b = director.get(m.Budget, budget_id)
        assert b.total_amount == D("13500.00")
        assert {mo: a for (_l, mo), a in B.phasing(director, [line.id]).items()}[dt.date(2026, 4, 1)] == D("1840.00")


def test_execution_per_person_and_key_account_project_budgets(tixi_world):  # noqa: F811
    world = tixi_world
    B = _b(world)
    emp = world.data["masterdata"]["acme"]["employees"]
    terr = world.data["territories"]["acme"]
    m = world.addon_module("budget", "models")
    with world.session() as s:
        director, gm = world.env(s, "director"), world.env(s, "general_manager")
        b = world.factories.budget.budget(director, territory=terr["territory"], owner=emp["territory_manager"],
                                          amounts={"entertainment": "12000"}, approver=gm, name="华东营销预算")
        line = director.search(m.Line, m.Line.budget_id == b.id)[0]
        world.factories.budget.claim(world.env(s, "salesperson"), line, "300", "2026-06-15")
        # the execution per person: spent and budget by the person answerable and by the territory's manager
        from core.measures import measure_value

        year = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
        for dim in ("owner", "manager"):
            spent = {r.dims[dim]: r.value for r in measure_value(director, "budget.spent", period=year,
                                                                 group_by=[dim], labels=False)}
            amount = {r.dims[dim]: r.value for r in measure_value(director, "budget.amount", period=year,
                                                                  group_by=[dim], labels=False)}
            assert spent == {emp["territory_manager"]: D("300.00")}
            assert amount == {emp["territory_manager"]: D("12000.00")}
        # customer-development projects: a budget owned by a key-account plan of crm_cards
        from addons.crm_cards.models import KeyAccountPlan

        admin = world.env(s, "admin")
        plan = admin.create(KeyAccountPlan, {"customer_id": terr["customer"], "year": 2026,
                                             "owner_id": emp["salesperson"]})
        project = B.create_budget(director, {"name": "重点客户开发", "year": 2026, "owner_kind": "project",
                                             "project_id": str(plan.id)})
        assert (project.project_id, project.owner_id) == (plan.id, emp["salesperson"])  # the plan's owner answers
        assert B.project_plan(director, project).id == plan.id
        assert any(pid == plan.id for pid, _label in B.project_choices(director, 2026))
        with use_lang("en"), pytest.raises(ValidationError, match="for 2026, the budget for 2027"):
            B.create_budget(director, {"name": "x", "year": 2027, "owner_kind": "project", "project_id": plan.id})
        with use_lang("en"), pytest.raises(ValidationError, match="No key-account plan #999999"):
            B.create_budget(director, {"name": "x", "year": 2026, "owner_kind": "project", "project_id": 999999})
        with use_lang("zh_CN"), pytest.raises(ValidationError) as exc:
            B.create_budget(director, {"name": "x", "year": 2026, "owner_kind": "project"})
        assert "project_id" in exc.value.errors
        assert director.count(m.Budget, m.Budget.owner_kind == "project") == 1
        project_id = project.id
    from core.testing.web import logged_in_client
    from core.web.app import create_app

    app = create_app(registry=world.registry, test_config={"TESTING": True})
    client = logged_in_client(app, world.login("director"), world.password)
    page = client.get(f"/budget/budgets/{project_id}")
    assert page.status_code == 200
    assert 'id="budget-project"' in page.text
    assert 'name="project_id"' in client.get("/budget/budgets/new").text
