"""Flows of issue 24 finished in the browser (test client, both engines): the classification
review started from its list and decided side by side, no "Edit" on a locked card, translated
history with its actor, labels instead of codes on the policy page and the profile card."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from addons.crm_cards import services
from addons.crm_cards.models import ClassProposal, CustomerClass, StrategyCard
from addons.crm_cards.workflows import CLASS_CHANGE
from addons.masterdata.models import Contact
from core.security import approvals
from core.testing import make_env
from core.testing.web import csrf_token as csrf
from core.testing.web import logged_in_client as client_for


def _app(db):
    from core.web.app import create_app

    return create_app(registry=db.registry, test_config={"TESTING": True})


def _review(db, ids):
    """Classes that the review will change: 上汽 D (scores A), 苏州汽配 B and 上海柴油机 A (score D)."""
    c = ids["c"]
    with db.session() as s:
        director = make_env(db, s, ids["users"]["director"])
        services.set_class(director, c["js"], "B", "初始")
        services.set_class(director, c["sh"], "D", "初始")
        services.set_class(director, c["sh2"], "A", "初始")
        wang = make_env(db, s, ids["users"]["wangwei"])
        for i in range(1, 13):
            month = services.add_months(services.month_start(dt.date.today()), -i)
            services.save_monthly(wang, c["sh"], month, {"sales_actual": "900000"})
        services.assess(wang, c["sh"], {"standing": 90, "credit": 90, "potential": 90})


def test_review_started_from_its_list_and_decided_side_by_side(crm):
    db, ids = crm
    c = ids["c"]
    _review(db, ids)
    app = _app(db)
    d = client_for(app, "director")
    listing = d.get("/crm/reviews/")
    assert 'href="/crm/reviews/start"' in listing.text  # the start button of those allowed
    start = d.get("/crm/reviews/start")
    assert start.status_code == 200
    assert 'id="review-start"' in start.text
    r = d.post("/crm/reviews/run", data={"csrf_token": csrf(start.text)})
    assert r.status_code == 302
    assert "/decide" in r.headers["Location"]
    board = d.get(r.headers["Location"])
    assert board.status_code == 200
    text = board.text
    for shown in ("当前分类", "建议分类", "销售量", "规模", "行业地位", "分类记录", "初始", "批准", "驳回"):
        assert shown in text, shown
    assert "sales 1" not in text
    assert "(sales" not in text
    with db.session() as s:
        by_customer = {p.customer_id: p.id for p in s.query(ClassProposal)}
    assert len(by_customer) == 4
    token = csrf(text)
    url = r.headers["Location"]
    # a refusal without a reason: a clear message, the field marked, nothing decided
    bad = d.post(url, data={"csrf_token": token, "decide": "reject:selected",
                            "ids": [by_customer[c["js"]], by_customer[c["bj"]]], f"reason_{by_customer[c['js']]}": "再看"})
    assert bad.status_code == 422
    assert "否决时请说明理由" in bad.text
    assert f'data-error-for="reason_{by_customer[c["bj"]]}"' in bad.text
    with db.session() as s:
        assert {p.state for p in s.query(ClassProposal)} == {"submitted"}
    # one row approved with its reason, then two refused in bulk with the common reason
    ok = d.post(url, data={"csrf_token": token, "decide": f"approve:{by_customer[c['sh']]}",
                           f"reason_{by_customer[c['sh']]}": "销量高"})
    assert ok.status_code == 302
    ok = d.post(url, data={"csrf_token": token, "decide": "reject:selected", "bulk_reason": "下季度再看",
                           "ids": [by_customer[c["js"]], by_customer[c["bj"]]]})
    assert ok.status_code == 302
    ok = d.post(url, data={"csrf_token": token, "decide": "approve:selected", "ids": [by_customer[c["sh2"]]]})
    assert ok.status_code == 302
    with db.session() as s:
        states = {p.customer_id: (p.state, p.decision_comment) for p in s.query(ClassProposal)}
        assert states[c["sh"]] == ("approved", "销量高")
        assert states[c["js"]] == ("rejected", "下季度再看")
        assert states[c["bj"]] == ("rejected", "下季度再看")
        assert states[c["sh2"]][0] == "approved"
        last = s.query(CustomerClass).filter(CustomerClass.customer_id == c["sh2"]).order_by(CustomerClass.id.desc()).first()
        assert last.reason == "定期评审"  # no comment: a readable reason, not the score breakdown
    # the proposal's own page shows the breakdown translated too
    page = d.get(f"/crm/class-proposals/{by_customer[c['sh']]}").text
    assert "销售量" in page
    assert "(sales" not in page
    # a territory manager sees the board but cannot decide; the bilingual message on refusal
    m = client_for(app, "zhang_east")
    board = m.get(url)
    assert board.status_code == 200
    assert "data-approve" not in board.text
    assert "/crm/reviews/start" not in m.get("/crm/reviews/").text


def test_refusal_needs_a_reason_in_english_too(crm):
    db, ids = crm
    _review(db, ids)
    with db.session() as s:
        director = make_env(db, s, ids["users"]["director"])
        review = services.run_class_review(director)
        proposals = director.search(ClassProposal, ClassProposal.review_id == review.id)
        from core.errors import ValidationError
        from core.i18n import use_lang

        with use_lang("en"), pytest.raises(ValidationError) as caught:
            services.decide_proposals(director, [(proposals[0], True, None), (proposals[1], False, " ")])
        assert "Give a reason when you refuse." in str(caught.value)
        assert list(caught.value.errors) == [f"reason_{proposals[1].id}"]
        assert {p.state for p in proposals} == {"submitted"}  # nothing decided, not even the approval
        # the kernel's approval path (generic page, API) refuses a refusal without a reason too
        with pytest.raises(ValidationError):
            approvals.fire(director, CLASS_CHANGE, proposals[1], "reject", comment="")


def test_locked_card_offers_no_edit_and_history_is_translated(crm):
    db, ids = crm
    app = _app(db)
    with db.session() as s:
        wang = make_env(db, s, ids["users"]["wangwei"])
        card = services.create_strategy(wang, ids["c"]["sh"], dt.date.today().year, {"goals": "年销售 500 万"})
        card_id = card.id
    c = client_for(app, "wangwei")
    page = c.get(f"/crm/strategy/{card_id}")
    assert 'id="edit-record"' in page.text  # a draft can be edited
    c.post(f"/crm/strategy/{card_id}/action/wf:submit", data={"csrf_token": csrf(page.text)})
    m = client_for(app, "zhang_east")
    page = m.get(f"/crm/strategy/{card_id}")
    m.post(f"/crm/strategy/{card_id}/action/wf:approve", data={"csrf_token": csrf(page.text), "comment": "同意"})
    page = c.get(f"/crm/strategy/{card_id}").text
    assert 'id="edit-record"' not in page  # approved: locked, no button leading to a refusal
    history = page[page.index('id="tab-history"'):]
    for raw in ("submitted → approved", "Transition", ": → approve", "Comment", "None", "Amount"):
        assert raw not in history, raw
    assert "批准" in history
    assert "同意" in history
    assert "待片区经理审批 → 已批准" in history or "已批准" in history
    assert history.count("data-actor") >= 2  # who did it, on every approval step
    # the server still refuses a save on the locked card
    edit = c.get(f"/crm/strategy/{card_id}/edit")
    r = c.post(f"/crm/strategy/{card_id}/edit", data={"csrf_token": csrf(edit.text), "goals": "改",
                                                      "version": re.search(r'name="version"[^>]*value="(\d+)"', edit.text).group(1)})
    assert r.status_code == 422
    with db.session() as s:
        assert s.get(StrategyCard, card_id).goals == "年销售 500 万"


def test_policies_and_profile_show_labels_and_contacts_have_a_header(crm):
    db, ids = crm
    sh = ids["c"]["sh"]
    with db.session() as s:
        director = make_env(db, s, ids["users"]["director"])
        services.set_class(director, sh, "A", "战略客户")
        s.add(Contact(company_id=director.company_id, customer_id=sh, name="刘总", title="总经理", role="decision_maker"))
        s.add(Contact(company_id=director.company_id, customer_id=sh, name="陈工", title="工程师", role="technical"))
    app = _app(db)
    d = client_for(app, "director")
    policies = d.get("/crm/policies/").text
    body = policies[policies.index("<tbody"):]
    assert "优惠价" in body
    assert "目录价" in body
    assert not re.search(r">\s*(preferred|standard|list)\s*<", body)
    profile = d.get(f"/crm/customers/{sh}").text
    assert "优惠价" in profile
    assert "· preferred" not in profile
    table = profile[profile.index('id="profile-contacts"'):]
    table = table[: table.index("</table>")]
    head, rows = table.split("<tbody>", 1)
    assert "<th" in head
    assert "姓名" in head
    assert "刘总" not in head
    assert "刘总" in rows
    assert "陈工" in rows
