"""Settings and visit-type pages: the director or an administrator changes the radius, the cut-off hour,
the "not visited" days, the photo size, and visit types made of ordered steps; bad input is refused on
its field in the user's language with nothing saved; the others may not (both engines)."""

from __future__ import annotations

import pytest

from core.errors import AccessDenied, ValidationError
from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

pytestmark = pytest.mark.tixi_world(addons=["field_activity"])

GOOD = {"radius_m": "300", "cutoff_hour": "21", "not_visited_days": "45", "max_photo_kb": "4096"}


def test_settings_and_visit_types_service_and_rights(tixi_world):  # noqa: F811
    world = tixi_world
    svc = world.addon_module("field_activity", "services")
    m = world.addon_module("field_activity", "models")
    with world.session() as s:
        director, seller = world.env(s, "director"), world.env(s, "salesperson")
        manager = world.env(s, "territory_manager")
        for who in (seller, manager):
            with pytest.raises(AccessDenied):
                svc.save_settings(who, GOOD)
            with pytest.raises(AccessDenied):
                svc.save_visit_type(who, {"code": "x", "name_zh": "x", "name_en": "x"}, ["checkin"])
        with pytest.raises(ValidationError) as bad:
            svc.save_settings(director, {"radius_m": "5", "cutoff_hour": "24", "not_visited_days": "abc",
                                         "max_photo_kb": "4096"})
        assert set(bad.value.errors) == {"radius_m", "cutoff_hour", "not_visited_days"}
        assert svc.settings(director).radius_m == 500  # nothing saved
        svc.save_settings(director, GOOD)
        got = svc.settings(seller)
        assert (got.radius_m, got.cutoff_hour, got.not_visited_days, got.max_photo_kb) == (300, 21, 45, 4096)
        # the other company keeps its own
        assert svc.settings(world.env(s, "director", "other")).radius_m == 500

        before = director.count(m.VisitType)
        for values, steps, key in (
            ({"code": "9x", "name_zh": "回访", "name_en": "Follow-up"}, ["checkin"], "code"),
            ({"code": "routine", "name_zh": "回访", "name_en": "Follow-up"}, ["checkin"], "code"),  # taken
            ({"code": "follow", "name_zh": "", "name_en": "Follow-up"}, ["checkin"], "name_zh"),
            ({"code": "follow", "name_zh": "回访", "name_en": "Follow-up"}, [], "steps"),
            ({"code": "follow", "name_zh": "回访", "name_en": "Follow-up"}, ["checkin", "dance"], "steps"),
            ({"code": "follow", "name_zh": "回访", "name_en": "Follow-up"}, ["checkin", "checkin"], "steps"),
            ({"code": "follow", "name_zh": "回访", "name_en": "Follow-up", "photo_required": "1"},
             ["checkin", "checkout"], "photo_required"),
        ):
            with pytest.raises(ValidationError) as bad:
                svc.save_visit_type(director, values, steps)
            assert key in bad.value.errors
        assert director.count(m.VisitType) == before
        vt = svc.save_visit_type(director, {"code": "follow", "name_zh": "回访", "name_en": "Follow-up",
                                            "sequence": "40"}, ["checkin", "", "next_step", "contacts", "checkout"])
        assert vt.step_list() == ["checkin", "next_step", "contacts", "checkout"]
        assert vt.photo_required is False
        svc.save_visit_type(director, {"code": "follow", "name_zh": "回访", "name_en": "Follow-up",
                                       "photo_required": "1"}, ["checkin", "photo", "checkout"], vtype=vt)
        assert (vt.steps, vt.photo_required) == ("checkin,photo,checkout", True)
        # a salesperson sees the type (read), in the other company it does not exist
        assert [t.code for t in seller.search(m.VisitType, m.VisitType.code == "follow")] == ["follow"]
        assert world.env(s, "director", "other").search(m.VisitType, m.VisitType.code == "follow") == []
        type_id = vt.id

    from core.testing.web import csrf_token, logged_in_client
    from core.web.app import create_app

    app = create_app(registry=world.registry, test_config={"TESTING": True})
    for role in ("salesperson", "territory_manager"):
        other = logged_in_client(app, world.login(role), world.password)
        assert other.get("/field_activity/settings").status_code == 403
        assert other.get(f"/field_activity/visit-types/{type_id}").status_code == 403
    boss = logged_in_client(app, world.login("director"), world.password)
    page = boss.get("/field_activity/settings")
    assert page.status_code == 200
    assert 'value="300"' in page.text
    assert "回访" in page.text
    token = csrf_token(page.text)
    bad = boss.post("/field_activity/settings", data={**GOOD, "radius_m": "五百", "csrf_token": token})
    assert bad.status_code == 422
    assert 'id="radius_m-error"' in bad.text
    assert "10 到 50000" in bad.text.split('id="radius_m-error"')[1][:200]
    ok = boss.post("/field_activity/settings", data={**GOOD, "radius_m": "800", "csrf_token": token})
    assert ok.status_code == 303
    form = boss.get("/field_activity/visit-types/new")
    assert form.status_code == 200
    bad = boss.post("/field_activity/visit-types/new", data={"csrf_token": token, "code": "demo_call",
                                                             "name_zh": "电话回访", "name_en": "Phone call",
                                                             "step_0": "checkin", "step_1": "checkin"})
    assert bad.status_code == 422
    assert 'id="steps-error"' in bad.text
    made = boss.post("/field_activity/visit-types/new", data={"csrf_token": token, "code": "demo_call",
                                                              "name_zh": "电话回访", "name_en": "Phone call",
                                                              "step_0": "contacts", "step_2": "next_step"})
    assert made.status_code == 303
    with world.session() as s:
        env = world.env(s, "salesperson")
        assert svc.settings(env).radius_m == 800
        vt = env.search(m.VisitType, m.VisitType.code == "demo_call")[0]
        assert (vt.steps, vt.photo_required) == ("contacts,next_step", False)
