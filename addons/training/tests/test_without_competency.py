"""Without the competency addon (an optional dependency): needs come from requests only, the
effect is empty, sessions and feedback work as usual (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest

from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

pytestmark = pytest.mark.tixi_world(addons=["training"])


def test_training_without_competency(tixi_world):  # noqa: F811
    world = tixi_world
    svc = world.addon_module("training", "services")
    tr = world.factories.training
    sp = world.data["masterdata"]["acme"]["employees"]["salesperson"]
    with world.session() as s:
        hr, director = world.env(s, "marketing_admin"), world.env(s, "director")
        manager, seller = world.env(s, "territory_manager"), world.env(s, "salesperson")
        assert "competency" not in hr.enabled
        assert svc.compute_needs(hr) == {"created": 0, "updated": 0, "closed": 0, "people": 0}
        assert svc.gap_candidates(hr) == []
        course = tr.approved_course(hr, director, code="TR-1", competencies={"B": 2}, cost_per_session="1000")
        svc.request_need(manager, sp, "B", "2026-H2")
        plan = svc.generate_plan(hr, 2027, 2, "5000")
        assert [(ln.course_id, ln.covered_gap) for ln in plan.lines] == [(course.id, 1)]
        start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
        session = tr.session(hr, course, starts_at=start)
        svc.enrol(seller, session.id)
        svc.check_in(seller, session.id)
        svc.give_feedback(seller, session.id, 4, 5)
        s.refresh(course)
        assert course.rating == 4
        assert svc.effect_rows(hr) == []
        from core.measures import measure_value, total

        assert total(measure_value(hr, "training.effect")) == 0
        assert total(measure_value(hr, "training.attendance")) == 1
    # without the budget addon the plan page offers no budget line
    from core.testing.web import logged_in_client
    from core.web.app import create_app

    app = create_app(registry=world.registry, test_config={"TESTING": True})
    page = logged_in_client(app, world.login("marketing_admin"), world.password).get("/training/plans/build")
    assert page.status_code == 200
    assert 'id="plan-form"' in page.text
    assert 'id="budget_line_id"' not in page.text
