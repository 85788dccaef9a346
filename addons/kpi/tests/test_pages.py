"""The editing and survey pages on both engines, through the test client in Chinese: HR edits a
position's KPIs (a bad weight and an unknown measure come back on their fields, nothing saved),
a scheme's tiers (a gap is named on the tier, nothing saved), only marketing admin and the
director reach these pages; a salesperson answers a satisfaction survey (bad ratings refused,
a second rating refused, the answer saved once)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401
from core.testing.web import csrf_token, logged_in_client

pytestmark = pytest.mark.tixi_world(addons=["orders", "kpi"])

D = Decimal


def _rows(position_rows):
    data = {"rows": str(len(position_rows))}
    for i, row in enumerate(position_rows):
        data.update({f"r{i}-{k}": v for k, v in row.items()})
    return data


SALES = {"code": "sales", "name_zh": "销售目标完成率", "name_en": "Sales target completion",
         "measure": "orders.sales_amount", "person_dimension": "salesperson", "target": "100000", "weight": "70",
         "curve": "linear", "floor": "60", "cap": "150"}
COLL = {"code": "collections", "name_zh": "回款完成率", "name_en": "Collections completion",
        "measure": "orders.collections", "person_dimension": "salesperson", "target": "50000", "weight": "30",
        "curve": "thresholds", "thresholds": "80:60, 100:100"}


def _error(html, name):
    m = re.search(rf'data-error-for="{re.escape(name)}">([^<]*)<', html)
    return m.group(1) if m else None


def test_edit_kpis_schemes_and_answer_a_survey(tixi_world):  # noqa: F811
    world = tixi_world
    m = world.addon_module("kpi", "models")
    from core.web.app import create_app

    app = create_app(registry=world.registry, test_config={"TESTING": True})
    hr = logged_in_client(app, world.login("marketing_admin"), world.password)
    page = hr.get("/kpi/definitions/edit?position=salesperson&period_kind=month")
    assert page.status_code == 200
    assert 'name="r0-code" value="sales"' in page.text       # the seeded KPIs, as a form
    with world.session() as s:
        before = {(d.code, d.weight) for d in world.env(s, "admin").search(
            m.Definition, m.Definition.position == "salesperson", m.Definition.active.is_(True))}
    token = csrf_token(page.text)
    # weights summing to 90 %: the message on each weight field and at the top, in Chinese; nothing saved
    bad = _rows([SALES, dict(COLL, weight="20")])
    r = hr.post("/kpi/definitions/edit", data={**bad, "csrf_token": token, "position": "salesperson",
                                               "period_kind": "month"})
    assert r.status_code == 422
    assert "权重之和必须为 100" in _error(r.text, "r0-weight")
    assert "90" in _error(r.text, "r1-weight")
    assert "权重之和必须为 100" in r.text.split('id="form-error"', 1)[1][:300]
    assert 'value="20"' in r.text                               # what was typed comes back
    # a measure no enabled addon provides: named on that row's measure field only
    r = hr.post("/kpi/definitions/edit", data={**_rows([SALES, dict(COLL, measure="field_activity.visits")]),
                                               "csrf_token": token, "position": "salesperson",
                                               "period_kind": "month"})
    assert r.status_code == 422
    assert "没有已启用的插件提供指标" in _error(r.text, "r1-measure")
    assert _error(r.text, "r0-measure") is None
    with world.session() as s:
        now = {(d.code, d.weight) for d in world.env(s, "admin").search(
            m.Definition, m.Definition.position == "salesperson", m.Definition.active.is_(True))}
    assert now == before
    # a good set: saved, the old ones not in it archived
    r = hr.post("/kpi/definitions/edit", data={**_rows([SALES, COLL, dict.fromkeys(SALES, "")]), "csrf_token": token,
                                               "position": "salesperson", "period_kind": "month"})
    assert r.status_code in (302, 303)
    with world.session() as s:
        now = {(d.code, d.weight, d.curve) for d in world.env(s, "admin").search(
            m.Definition, m.Definition.position == "salesperson", m.Definition.active.is_(True))}
    assert now == {("sales", D("70"), "linear"), ("collections", D("30"), "thresholds")}

    # schemes: a gap between the tiers named on the second tier, nothing saved; then saved
    page = hr.get("/kpi/schemes/new")
    assert page.status_code == 200
    form = {"csrf_token": csrf_token(page.text), "code": "front", "name_zh": "前台激励", "kind": "front",
            "position": "salesperson", "base_pay": "3000", "target_pay": "5000", "commission_kpi": "sales",
            "rounding": "2", "deduct_advances": "1", "tiers": "3", "t0-lower": "100", "t0-upper": "110",
            "t0-rate": "3", "t1-lower": "120", "t1-upper": "", "t1-rate": "5"}
    once = re.search(r'name="_once" value="([^"]+)"', page.text)
    if once:
        form["_once"] = once.group(1)
    r = hr.post("/kpi/schemes/new", data=form)
    assert r.status_code == 422
    assert "110" in _error(r.text, "t1-lower")
    assert "120" in _error(r.text, "t1-lower")
    assert "空档" in _error(r.text, "tiers") or "间隔" in _error(r.text, "tiers")
    with world.session() as s:
        assert world.env(s, "admin").count(m.Scheme) == 0
    r = hr.post("/kpi/schemes/new", data={**form, "t0-upper": "120"})
    assert r.status_code in (302, 303)
    with world.session() as s:
        sc = world.env(s, "admin").search(m.Scheme)[0]
        assert [(t.lower, t.upper, t.rate) for t in sc.tiers] == [(D("100"), D("120"), D("3")), (D("120"), None, D("5"))]
        scheme_id = sc.id
    assert "100%–120%: 3%" in hr.get("/kpi/schemes").text
    # an overlap on an existing scheme: refused, the tiers unchanged
    page = hr.get(f"/kpi/schemes/{scheme_id}")
    form.pop("_once", None)
    r = hr.post(f"/kpi/schemes/{scheme_id}", data={**form, "csrf_token": csrf_token(page.text), "t0-upper": "125"})
    assert r.status_code == 422
    assert "重叠" in _error(r.text, "t1-lower")
    with world.session() as s:
        assert len(world.env(s, "admin").get(m.Scheme, scheme_id).tiers) == 2

    # only marketing admin and the director reach the editing pages
    director = logged_in_client(app, world.login("director"), world.password)
    assert director.get("/kpi/schemes").status_code == 200
    seller = logged_in_client(app, world.login("salesperson"), world.password)
    for url in ("/kpi/definitions/edit", "/kpi/schemes", "/kpi/schemes/new", f"/kpi/schemes/{scheme_id}"):
        assert seller.get(url).status_code == 403, url
    assert world.login("finance")
    assert logged_in_client(app, world.login("finance"), world.password).get(
        "/kpi/schemes").status_code == 403
    assert "edit-kpis" not in seller.get("/kpi/definitions").text
    assert "edit-kpis" in hr.get("/kpi/definitions").text

    # a salesperson answers this month's survey: rates the technical support and the marketing admin
    tech = world.data["masterdata"]["acme"]["employees"]["tech_support"]
    ops = world.data["masterdata"]["acme"]["employees"]["marketing_admin"]
    with world.session() as s:
        env = world.env(s, "marketing_admin")
        day = world.addon_module("kpi", "services.surveys").today(env)
        survey = env.create(m.Survey, {"title": "本月内部客户满意度", "period_start": day.replace(day=1),
                                       "period_end": day + dt.timedelta(days=5)})
        old = env.create(m.Survey, {"title": "上月", "period_start": day - dt.timedelta(days=60),
                                    "period_end": day - dt.timedelta(days=31)})
        sid, old_id = survey.id, old.id
    assert hr.get("/kpi/surveys/manage/").status_code == 200
    assert "manage-surveys" in hr.get("/kpi/surveys").text
    assert seller.get("/kpi/surveys/manage/new").status_code == 403
    listing = seller.get("/kpi/surveys").text
    assert "manage-surveys" not in listing
    assert f'data-survey="{sid}"' in listing
    assert f'data-survey="{old_id}"' not in listing
    page = seller.get(f"/kpi/surveys/{sid}")
    assert f'data-person="{tech}"' in page.text
    assert f'data-person="{ops}"' in page.text
    token = csrf_token(page.text)
    r = seller.post(f"/kpi/surveys/{sid}", data={"csrf_token": token, f"rating_{tech}": "7", f"rating_{ops}": "4"})
    assert r.status_code == 422
    assert "1 到 5" in _error(r.text, f"rating_{tech}")
    r = seller.post(f"/kpi/surveys/{sid}", data={"csrf_token": token})
    assert r.status_code == 422
    assert _error(r.text, "ratings")
    with world.session() as s:
        assert world.env(s, "admin").count(m.SurveyAnswer) == 0
    r = seller.post(f"/kpi/surveys/{sid}", data={"csrf_token": token, f"rating_{tech}": "5",
                                                 f"comment_{tech}": "响应很快"})
    assert r.status_code in (302, 303)
    page = seller.get(f"/kpi/surveys/{sid}").text
    assert "响应很快" in page
    assert 'data-answered' in page
    # a second rating of the same person in the same survey: refused; a closed survey: refused
    r = seller.post(f"/kpi/surveys/{sid}", data={"csrf_token": token, f"rating_{tech}": "3"})
    assert r.status_code == 422
    assert "已评价过" in r.text.split('id="form-error"', 1)[1][:200]
    r = seller.post(f"/kpi/surveys/{old_id}", data={"csrf_token": token, f"rating_{ops}": "3"})
    assert r.status_code == 422
    assert "已关闭" in r.text.split('id="form-error"', 1)[1][:200]
    with world.session() as s:
        answers = world.env(s, "admin").search(m.SurveyAnswer)
        assert [(a.rated_id, a.rating, a.comment) for a in answers] == [(tech, 5, "响应很快")]
    # the rated person cannot rate themselves (not offered)
    assert f'data-person="{tech}"' not in logged_in_client(app, world.login("tech_support"), world.password).get(
        f"/kpi/surveys/{sid}").text
