"""crm_cards pages through the Flask test client (SQLite): monthly card on the phone form,
strategy card approval with a comment, profile card, pipeline, reminders, rights."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest

from addons.crm_cards import services
from addons.crm_cards.models import MonthlyCard, StrategyCard
from addons.crm_cards.tests.helpers import crm_database
from core.testing import TixiTestDB, make_env
from core.testing.web import csrf_token as csrf
from core.testing.web import logged_in_client as client_for


@pytest.fixture
def web() -> Iterator[tuple[TixiTestDB, dict[str, Any], Any]]:
    """(db, ids, app) on SQLite."""
    from core.web.app import create_app

    url, drop, ids = crm_database("sqlite")
    db = TixiTestDB(url)
    app = create_app(registry=db.registry, test_config={"TESTING": True})
    try:
        yield db, ids, app
    finally:
        db.dispose()
        drop()




def test_monthly_card_on_the_phone_form(web):
    db, ids, app = web
    sh = ids["c"]["sh"]
    month = services.last_month().strftime("%Y-%m")
    c = client_for(app, "wangwei")
    page = c.get("/crm/monthly/missing?mine=1")
    assert page.status_code == 200
    assert "上汽" in page.text
    assert "上海柴油机" in page.text
    form = c.get(f"/crm/monthly/{sh}/{month}")
    assert form.status_code == 200
    assert 'inputmode="decimal"' in form.text
    bad = c.post(f"/crm/monthly/{sh}/{month}", data={"csrf_token": csrf(form.text), "sales_actual": "abc", "enthusiasm": "3"})
    assert bad.status_code == 422
    assert "请输入数字" in bad.text  # the field error in Chinese
    with db.session() as s:
        assert s.query(MonthlyCard).count() == 0
    ok = c.post(
        f"/crm/monthly/{sh}/{month}",
        data={"csrf_token": csrf(form.text), "sales_plan": "100000", "sales_actual": "95000", "collections": "90000",
              "credit_used": "1200000", "credit_limit": "1000000", "enthusiasm": "4", "risks": "超信用额度",
              "submit": "1"},
    )
    assert ok.status_code == 302
    detail = c.get(ok.headers["Location"])
    assert detail.status_code == 200
    assert 'data-state="submitted"' in detail.text
    with db.session() as s:
        card = s.query(MonthlyCard).one()
        assert card.sales_actual == 95000
        assert card.state == "submitted"
    assert "上汽" not in c.get("/crm/monthly/missing?mine=1").text
    risks = c.get("/crm/risks")
    assert "上汽" in risks.text
    # the manager reviews it with a comment
    m = client_for(app, "zhang_east")
    page = m.get(ok.headers["Location"])
    assert 'data-transition="review"' in page.text
    r = m.post(f"/crm/monthly-cards/{card.id}/action/wf:review", data={"csrf_token": csrf(page.text), "comment": "注意回款"})
    assert r.status_code == 302
    with db.session() as s:
        card = s.get(MonthlyCard, card.id)
        assert card.state == "reviewed"
        assert card.review_comment == "注意回款"


def test_strategy_card_created_and_approved_by_the_manager(web):
    db, ids, app = web
    c = client_for(app, "wangwei")
    form = c.get(f"/crm/strategy/create?customer_id={ids['c']['sh']}")
    assert form.status_code == 200
    year = dt.date.today().year
    r = c.post("/crm/strategy/create", data={
        "csrf_token": csrf(form.text), "customer_id": ids["c"]["sh"], "year": year, "goals": "年销售 500 万",
        "budget": "10000", "action_date_0": f"{year}-06-01", "action_text_0": "技术交流",
    })
    assert r.status_code == 302, r.text[:1000]
    page = c.get(r.headers["Location"])
    assert 'data-transition="submit"' in page.text
    assert 'data-transition="submit_key"' not in page.text  # not a key account: the manager approves
    card_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
    c.post(f"/crm/strategy/{card_id}/action/wf:submit", data={"csrf_token": csrf(page.text)})
    m = client_for(app, "zhang_east")
    page = m.get(f"/crm/strategy/{card_id}")
    assert 'data-transition="approve"' in page.text
    m.post(f"/crm/strategy/{card_id}/action/wf:approve", data={"csrf_token": csrf(page.text), "comment": "同意"})
    with db.session() as s:
        assert s.get(StrategyCard, card_id).state == "approved"
    # approved: the generic edit form refuses changes with a message, nothing written
    edit = c.get(f"/crm/strategy/{card_id}/edit")
    assert edit.status_code == 200
    r = c.post(f"/crm/strategy/{card_id}/edit", data={"csrf_token": csrf(edit.text), "goals": "改", "budget": "1",
                                                      "version": re.search(r'name="version"[^>]*value="(\d+)"', edit.text).group(1)})
    assert r.status_code == 422
    with db.session() as s:
        assert s.get(StrategyCard, card_id).goals == "年销售 500 万"
    # another territory's manager does not even see the card
    n = client_for(app, "li_north")
    assert n.get(f"/crm/strategy/{card_id}").status_code in (403, 404)


def test_profile_pipeline_and_dashboard(web):
    db, ids, app = web
    sh = ids["c"]["sh"]
    with db.session() as s:
        from core.testing import make_env

        wang = make_env(db, s, ids["users"]["wangwei"])
        services.set_tech_data(wang, sh, {"排放目标": "国六b"})
        services.move_to_stage(wang, sh, services.stages(wang)[1].id)
    c = client_for(app, "wangwei")
    page = c.get(f"/crm/customers/{sh}")
    assert page.status_code == 200
    assert "国六b" in page.text
    assert "crm_cards.css" in page.text
    board = c.get(f"/crm/pipeline?territory_id={ids['t']['E']}")
    assert board.status_code == 200
    assert "上汽" in board.text
    n = client_for(app, "li_north")
    assert n.get(f"/crm/customers/{sh}").status_code in (403, 404)
    d = client_for(app, "director")
    home = d.get("/")
    assert home.status_code == 200
    assert "crm_cards_class" in home.text or "data-chart" in home.text
    for url in ("/crm/strategy/", "/crm/monthly-cards/", "/crm/key-accounts/", "/crm/plans/", "/crm/classes/",
                "/crm/reviews/", "/crm/class-proposals/", "/crm/stages/", "/crm/policies/", "/crm/criteria/",
                "/crm/progress/", "/crm/risks", "/crm/documents/", "/crm/documents/new"):
        assert d.get(url).status_code == 200, url
    page = d.get("/crm/reviews/")
    r = d.post("/crm/reviews/run", data={"csrf_token": csrf(page.text)})
    assert r.status_code == 302


def test_class_history_shows_source_label_not_code(web):
    """Selection columns (``info={"selection": ...}``) show their label in the user's language."""
    db, ids, app = web
    with db.session() as s:
        director = make_env(db, s, ids["users"]["director"])
        services.set_class(director, ids["c"]["sh"], "A", "战略客户")
    c = client_for(app, "director")
    page = c.get("/crm/classes/").text
    assert "手工设定" in page
    assert ">manual<" not in page
