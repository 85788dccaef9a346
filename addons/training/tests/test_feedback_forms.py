"""Configurable feedback forms: questions as data (rating 1-5, choice, text), per course or the company's
default, answers stored with the feedback, results aggregated (service, pages, reports), on both engines."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import AccessDenied, ValidationError
from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

pytestmark = pytest.mark.tixi_world(addons=["training"])

QUESTIONS = [
    {"kind": "rating", "text": "讲师准备是否充分", "required": True},
    {"kind": "choice", "text": "课程时长", "options": "太短\n合适\n太长", "required": True},
    {"kind": "text", "text": "改进建议", "required": False},
]


def test_feedback_forms_answers_and_results(tixi_world):  # noqa: F811
    world = tixi_world
    svc = world.addon_module("training", "services")
    m = world.addon_module("training", "models")
    tr = world.factories.training
    emps = world.data["masterdata"]["acme"]["employees"]
    with world.session() as s:
        hr, director, seller = world.env(s, "marketing_admin"), world.env(s, "director"), world.env(s, "salesperson")
        manager = world.env(s, "territory_manager")
        course = tr.approved_course(hr, director, code="TR-F", competencies={"B": 2})
        other_course = tr.approved_course(hr, director, code="TR-G", competencies={"C": 2})
        # bad input: each error on its field, nothing saved
        with pytest.raises(ValidationError) as bad:
            svc.save_form(hr, "", None, [{"kind": "choice", "text": "只有一个选项", "options": "是"}])
        assert set(bad.value.errors) == {"name", "q0_options"}
        with pytest.raises(ValidationError) as bad:
            svc.save_form(hr, "空表", None, [{"kind": "rating", "text": ""}])
        assert "q0_text" in bad.value.errors
        with pytest.raises(ValidationError) as bad:
            svc.save_form(hr, "坏类型", None, [{"kind": "essay", "text": "?"}])
        assert "q0_kind" in bad.value.errors
        with pytest.raises(AccessDenied):
            svc.save_form(seller, "销售员的表", None, QUESTIONS)
        assert hr.count(m.FeedbackForm) == 0
        assert hr.count(m.FeedbackQuestion) == 0
        default = svc.save_form(hr, "公司默认满意度调查", None, QUESTIONS)
        assert [(q.sequence, q.kind) for q in default.questions] == [(10, "rating"), (20, "choice"), (30, "text")]
        assert default.questions[1].option_list() == ["太短", "合适", "太长"]
        with pytest.raises(ValidationError) as bad:  # a second default
            svc.save_form(hr, "又一个默认", None, QUESTIONS[:1])
        assert "course_id" in bad.value.errors
        own = svc.save_form(hr, "TR-G 专用", other_course.id, [{"kind": "rating", "text": "案例是否实用"}])
        with pytest.raises(ValidationError):
            svc.save_form(hr, "TR-G 又一个", other_course.id, QUESTIONS[:1])
        assert svc.form_for(seller, course.id).id == default.id  # no own form: the default
        assert svc.form_for(seller, other_course.id).id == own.id

        # a session attended by two people
        start = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
        session = tr.session(hr, course, starts_at=start)
        svc.enrol(seller, session.id)
        svc.check_in(seller, session.id)
        svc.enrol(manager, session.id)
        svc.check_in(manager, session.id)
        q_rating, q_choice, q_text = (f"q_{q.id}" for q in default.questions)
        for answers, key in (({q_choice: "合适"}, q_rating),  # a required rating left out
                             ({q_rating: "6", q_choice: "合适"}, q_rating),  # out of 1..5
                             ({q_rating: "4", q_choice: "很好"}, q_choice)):  # not one of the options
            with pytest.raises(ValidationError) as bad:
                svc.give_feedback(seller, session.id, 4, 5, answers=answers)
            assert key in bad.value.errors
        assert hr.count(m.Feedback) == 0
        assert hr.count(m.FeedbackAnswer) == 0
        svc.give_feedback(seller, session.id, 4, 5, answers={q_rating: "5", q_choice: "合适", q_text: "多一些案例"})
        svc.give_feedback(manager, session.id, 3, 4, answers={q_rating: "2", q_choice: "太长"})  # text optional
        assert hr.count(m.FeedbackAnswer) == 5
        rows = svc.form_results(hr, course_id=course.id)
        assert [(r["question"], r["answers"], r["average"], r["texts"]) for r in rows] == [
            ("讲师准备是否充分", 2, pytest.approx(3.5), 0), ("课程时长", 2, None, 0), ("改进建议", 1, None, 1)]
        assert rows[1]["options"] == "太短: 0 · 合适: 1 · 太长: 1"
        # rights: the salesperson reads only their own answers
        assert [r["average"] for r in svc.form_results(seller, course_id=course.id)][:1] == [5]
        assert svc.session_form_rating(hr, session.id) == pytest.approx(3.5)
        # an answered form keeps its questions
        with pytest.raises(ValidationError, match="已有人填写|answered already"):
            svc.save_form(hr, "公司默认满意度调查", None, QUESTIONS[:1], form=default)
        assert len(default.questions) == 3
        session_id, default_id, seller_emp = session.id, default.id, emps["salesperson"]
    assert seller_emp

    # the pages: HR edits forms (errors on the field, in Chinese); the salesperson may not
    from core.testing.web import csrf_token, logged_in_client
    from core.web.app import create_app

    app = create_app(registry=world.registry, test_config={"TESTING": True})
    hr_client = logged_in_client(app, world.login("marketing_admin"), world.password)
    listing = hr_client.get("/training/forms/")
    assert listing.status_code == 200
    assert "公司默认满意度调查" in listing.text
    page = hr_client.get("/training/forms/new")
    assert page.status_code == 200
    token = csrf_token(page.text)
    bad = hr_client.post("/training/forms/new", data={"csrf_token": token, "name": "现场课反馈", "course_id": "",
                                                      "q0_kind": "choice", "q0_text": "地点", "q0_options": "会议室"})
    assert bad.status_code == 422
    assert 'id="q0_options-error"' in bad.text
    assert "至少需要两个" in bad.text.split('id="q0_options-error"')[1][:200]
    assert 'id="course_id-error"' in bad.text  # the company already has a default form
    good = hr_client.post("/training/forms/new", data={"csrf_token": token, "name": "TR-F 专用",
                                                       "course_id": str(course.id), "q0_kind": "rating",
                                                       "q0_text": "内容是否实用", "q0_required": "1"})
    assert good.status_code in (302, 303)
    edit = hr_client.get(good.headers["Location"])
    assert edit.status_code == 200
    assert "内容是否实用" in edit.text
    seller_client = logged_in_client(app, world.login("salesperson"), world.password)
    assert seller_client.get("/training/forms/").status_code == 403
    assert seller_client.get(f"/training/forms/{default_id}").status_code == 403
    today = dt.date.today()
    span = f"period=custom&date_from={today - dt.timedelta(days=3)}&date_to={today + dt.timedelta(days=3)}"
    report = hr_client.get(f"/reports/training.feedback_answers?{span}")
    assert report.status_code == 200
    assert "讲师准备是否充分" in report.text
    assert "太短: 0 · 合适: 1 · 太长: 1" in report.text
    sessions = hr_client.get(f"/reports/training.sessions?{span}")
    assert sessions.status_code == 200
    assert "3.50" in sessions.text
    with world.session() as s:
        assert world.env(s, "marketing_admin").count(m.FeedbackForm) == 3
        assert s.get(m.Session, session_id) is not None


def test_the_session_page_asks_the_courses_form(tixi_world):  # noqa: F811
    world = tixi_world
    svc = world.addon_module("training", "services")
    m = world.addon_module("training", "models")
    tr = world.factories.training
    with world.session() as s:
        hr, director, seller = world.env(s, "marketing_admin"), world.env(s, "director"), world.env(s, "salesperson")
        course = tr.approved_course(hr, director, code="TR-P", competencies={"B": 2})
        form = svc.save_form(hr, "TR-P 反馈", course.id, QUESTIONS)
        session = tr.session(hr, course, starts_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5))
        svc.enrol(seller, session.id)
        svc.check_in(seller, session.id)
        session_id, qids = session.id, [q.id for q in form.questions]
    from core.testing.web import csrf_token, logged_in_client
    from core.web.app import create_app

    app = create_app(registry=world.registry, test_config={"TESTING": True})
    client = logged_in_client(app, world.login("salesperson"), world.password)
    page = client.get(f"/training/session/{session_id}")
    assert page.status_code == 200
    assert all(f'name="q_{q}"' in page.text for q in qids)
    assert "课程时长" in page.text
    token = csrf_token(page.text)
    data = {"csrf_token": token, "course_rating": "4", "lecturer_rating": "5"}
    refused = client.post(f"/training/session/{session_id}/feedback", data=data, follow_redirects=True)
    assert "请回答" in refused.text or "Answer this question" in refused.text
    done = client.post(f"/training/session/{session_id}/feedback",
                       data={**data, f"q_{qids[0]}": "4", f"q_{qids[1]}": "太长", f"q_{qids[2]}": "好"})
    assert done.status_code in (302, 303)
    with world.session() as s:
        got = {a.question_id: (a.rating, a.choice, a.text) for a in world.env(s, "marketing_admin").search(m.FeedbackAnswer)}
        assert got == {qids[0]: (4, None, None), qids[1]: (None, "太长", None), qids[2]: (None, None, "好")}
