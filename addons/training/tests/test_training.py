"""Tests of the training addon on SQLite and PostgreSQL: needs computed from seeded competency gaps,
the greedy plan within a budget and its approval, course review before it is offered, enrolment with
capacity and a waiting list (threads on PostgreSQL: exactly N seats), check-in, feedback and ratings,
test scores, the effect at the next assessment (report and measure), to-dos, rights and bad input."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest

from core.errors import AccessDenied, ValidationError
from core.i18n import use_lang
from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

pytestmark = pytest.mark.tixi_world(addons=["training", "competency"])

D = Decimal
UTC = dt.UTC
# 销售员 requires A4 B2 C4 D3 E4 F3 G1 H2 I1 J2: these levels are the requirement (no gap)
PROFILE = {"A": 4, "B": 2, "C": 4, "D": 3, "E": 4, "F": 3, "G": 1, "H": 2, "I": 1, "J": 2}


def _m(world):
    return world.addon_module("training", "models")


def _svc(world):
    return world.addon_module("training", "services")


def _emp(world, role, company="acme"):
    return world.data["masterdata"][company]["employees"][role]


def _rate(world, s, employee, period, on, **gaps):
    """A calibrated manager assessment of ``employee``: the profile plus ``gaps`` levels (``B=2``)."""
    levels = {c: min(5, PROFILE[c] + gaps.get(c, 0)) for c in PROFILE}
    manager = world.env(s, "territory_manager")
    a = world.make("competency.assessment", manager, employee, kind="manager", period=period, levels=levels,
                   on_date=on)
    world.addon_module("competency", "services").calibrate(world.env(s, "marketing_admin"), a.id)
    return a


def _seed(world, s):
    """Three more salespeople under the territory manager, H2 gaps, four approved courses."""
    admin, hr, director = world.env(s, "admin"), world.env(s, "marketing_admin"), world.env(s, "director")
    md, tr = world.factories.masterdata, world.factories.training
    tm, sp = _emp(world, "territory_manager"), _emp(world, "salesperson")
    e2 = md.employee(admin, name="李娜", position="salesperson", manager=tm).id
    e3 = md.employee(admin, name="周杰", position="salesperson", manager=tm).id
    e4 = md.employee(admin, name="黄磊", position="salesperson", manager=tm).id
    on = dt.date(2026, 11, 20)
    _rate(world, s, sp, "2026-H2", on, B=2, G=1)
    _rate(world, s, e2, "2026-H2", on, B=1, F=2)
    _rate(world, s, e3, "2026-H2", on, G=2)
    _rate(world, s, e4, "2026-H2", on)
    internal = tr.lecturer(hr, kind="internal", employee_id=tm, fee_per_hour="0", certified=True)
    expert = tr.lecturer(hr, kind="external", name="王教授", organisation="云南大学", fee_per_hour="500")
    courses = {
        "B": tr.approved_course(hr, director, code="TR-B", name_zh="客户需求挖掘", competencies={"B": 2},
                                cost_per_session="3000", lecturer_id=internal.id),
        "G": tr.approved_course(hr, director, code="TR-G", name_zh="团队协作", competencies={"G": 1},
                                cost_per_session="2000", lecturer_id=internal.id),
        "F": tr.approved_course(hr, director, code="TR-F", name_zh="项目推进", competencies={"F": 3},
                                cost_per_session="3000", duration_hours="4", lecturer_id=expert.id),
        "BG": tr.approved_course(hr, director, code="TR-BG", name_zh="需求挖掘与协作", competencies={"B": 2, "G": 1},
                                 cost_per_session="4000", lecturer_id=internal.id),
    }
    return {"sp": sp, "e2": e2, "e3": e3, "e4": e4, "tm": tm, "courses": courses, "internal": internal,
            "expert": expert}


def test_needs_from_gaps_plan_generation_approval_and_rights(tixi_world):  # noqa: F811
    world = tixi_world
    m, svc = _m(world), _svc(world)
    with world.session() as s:
        d = _seed(world, s)
        hr, director = world.env(s, "marketing_admin"), world.env(s, "director")
        seller, manager = world.env(s, "salesperson"), world.env(s, "territory_manager")
        # only HR / director / GM compute needs
        with pytest.raises(AccessDenied):
            svc.compute_needs(seller, "2026-H2")
        result = svc.compute_needs(hr, "2026-H2")
        assert result == {"created": 5, "updated": 0, "closed": 0, "people": 3}
        needs = {(n.employee_id, n.code): n.gap for n in hr.search(m.Need)}
        assert needs == {(d["sp"], "B"): 2, (d["sp"], "G"): 1, (d["e2"], "B"): 1, (d["e2"], "F"): 2,
                         (d["e3"], "G"): 2}
        # idempotent; a single course addressing F is remembered on the need
        assert svc.compute_needs(hr, "2026-H2")["created"] == 0
        f_need = hr.search(m.Need, m.Need.code == "F")[0]
        assert f_need.course_id == d["courses"]["F"].id
        # candidates: the approved courses addressing the gap
        cands = {(c["employee"], c["code"]): set(c["courses"]) for c in svc.gap_candidates(hr, "2026-H2")}
        assert cands[(d["sp"], "B")] == {d["courses"]["B"].id, d["courses"]["BG"].id}
        # a manager's request for someone in the team; not for someone outside it
        req = svc.request_need(manager, d["e4"], "C", "2026-H2", note="加强推动力")
        assert req.source == "request"
        with pytest.raises(AccessDenied):
            svc.request_need(seller, d["e2"], "C", "2026-H2")
        with pytest.raises(ValidationError, match="已|already"):
            svc.request_need(manager, d["e4"], "C", "2026-H2")
        hr.write(req, {"state": "closed"})  # keep the plan below to the gaps
        # rights: own needs, the manager's team, HR all, the other company nothing
        assert {n.code for n in seller.search(m.Need)} == {"B", "G"}
        assert manager.count(m.Need) == 6
        assert director.count(m.Need) == 6
        assert world.env(s, "marketing_admin", "other").count(m.Need) == 0
        with pytest.raises(AccessDenied):
            seller.get(m.Need, f_need.id)

        # the greedy plan: TR-BG first (6 levels for 4000), then nothing fits 3000 but TR-B/TR-G (no gain left)
        before = hr.count(m.TrainingPlan)
        with pytest.raises(ValidationError, match="季度|quarter"):
            svc.generate_plan(hr, 2027, 5, "7000")
        with pytest.raises(ValidationError, match="金额|amount"):
            svc.generate_plan(hr, 2027, 1, "-5")
        with pytest.raises(AccessDenied):
            svc.generate_plan(seller, 2027, 1, "7000")
        assert hr.count(m.TrainingPlan) == before
        plan = svc.generate_plan(hr, 2027, 1, "7000", need_period="2026-H2")
        assert [(ln.course.code, ln.sessions, ln.people, ln.covered_gap, ln.cost) for ln in plan.lines] == [
            ("TR-BG", 1, 3, 6, D("4000.00"))]
        assert (plan.covered_gap, plan.open_gap, plan.total_cost) == (6, 2, D("4000.00"))
        planned = {(n.employee_id, n.code) for n in hr.search(m.Need, m.Need.state == "planned")}
        assert planned == {(d["sp"], "B"), (d["sp"], "G"), (d["e2"], "B"), (d["e3"], "G")}
        with pytest.raises(ValidationError, match="已存在|already exists"):
            svc.generate_plan(hr, 2027, 1, "7000")
        # the year plan with a larger budget takes the F course too (expert: 3000 + 4 h x 500)
        year = svc.generate_plan(hr, 2027, None, "10000")
        assert [(ln.course.code, ln.covered_gap, ln.cost) for ln in year.lines] == [("TR-F", 2, D("5000.00"))]
        assert year.open_gap == 0
        # approval: HR submits, the director approves; never the submitter, never HR
        svc.fire_plan(hr, plan, "submit")
        with pytest.raises(AccessDenied):
            svc.fire_plan(hr, plan, "approve")
        svc.fire_plan(director, plan, "approve")
        assert plan.state == "approved"
        svc.fire_plan(director, year, "submit")
        with pytest.raises(AccessDenied):
            svc.fire_plan(director, year, "approve")
        assert year.state == "submitted"
        # a plan is HR's and the managers': a salesperson reads none
        with pytest.raises(AccessDenied):
            seller.count(m.TrainingPlan)
        assert manager.count(m.TrainingPlan) == 2
        # a course is offered only once approved; its review is never by the submitter
        draft = world.factories.training.course(hr, code="TR-X", name_zh="新课程", competencies={"A": 3})
        with pytest.raises(ValidationError, match="未批准|not approved"):
            world.factories.training.session(hr, draft)
        svc.fire_course(hr, draft, "submit")
        with pytest.raises(AccessDenied):
            svc.fire_course(hr, draft, "approve")
        with pytest.raises(ValidationError, match="A–J|competency|能力"):
            world.factories.training.course(hr, code="TR-Y", name_zh="坏课程", competencies={"Z": 2})
        with pytest.raises(ValidationError, match="1"):
            world.factories.training.course(hr, code="TR-Y", name_zh="坏课程", competencies={"A": 7})
        assert hr.count(m.Course, m.Course.code == "TR-Y") == 0
        # the needs survey: notifications to employees, answers become needs
        survey = svc.send_survey(hr, "2027年培训需求调查", "2027")
        assert survey.recipients >= 5
        from core.models import Notification

        assert world.env(s, "admin").sudo().count(Notification, Notification.type_code == "training.survey") >= 5
        got = svc.answer_survey(seller, survey.id, ["A", "h"], note="想学行业分析")
        assert sorted(n.code for n in got) == ["A", "H"]
        with pytest.raises(ValidationError):
            svc.answer_survey(seller, survey.id, ["C"])
        from addons.training.todos import todos

        assert {t.key: t.count for t in todos(seller)}["training.survey"] == 0
        assert {t.key: t.count for t in todos(manager)}["training.survey"] == 1
        draft_id = draft.id
    # the course's review on its page: the director approves through the kernel workflow
    from core.testing.web import csrf_token, logged_in_client
    from core.web.app import create_app

    app = create_app(registry=world.registry, test_config={"TESTING": True})
    boss = logged_in_client(app, world.login("director"), world.password)
    page = boss.get(f"/training/courses/{draft_id}")
    assert page.status_code == 200
    assert 'data-transition="approve"' in page.text
    done = boss.post(f"/training/courses/{draft_id}/action/wf:approve", data={"csrf_token": csrf_token(page.text)})
    assert done.status_code in (302, 303)
    with world.session() as s:
        assert s.get(m.Course, draft_id).state == "approved"


def test_sessions_capacity_attendance_feedback_scores_effect_and_bad_input(tixi_world, tixi_engine):  # noqa: F811
    world = tixi_world
    m, svc = _m(world), _svc(world)
    md = world.factories.masterdata
    now = dt.datetime.now(UTC)
    e2_user = world.add_user("li_na_acme", "salesperson", "acme")
    with world.session() as s:
        d = _seed(world, s)
        hr, admin = world.env(s, "marketing_admin"), world.env(s, "admin")
        seller = world.env(s, "salesperson")
        bg = d["courses"]["BG"]
        # bad input: a session that ends before it starts; zero seats; nothing saved
        count = hr.count(m.Session)
        with use_lang("zh_CN"):
            with pytest.raises(ValidationError, match="结束时间早于开始时间"):
                svc.create_session(hr, bg.id, now, now - dt.timedelta(hours=1))
        with use_lang("en"):
            with pytest.raises(ValidationError, match="ends before it starts"):
                svc.create_session(hr, bg.id, now, now - dt.timedelta(hours=1))
            with pytest.raises(ValidationError, match="seat"):
                svc.create_session(hr, bg.id, now, now + dt.timedelta(hours=1), capacity=0)
        assert hr.count(m.Session) == count
        # a past session (for the effect) and a full one with a waiting list
        day = dt.datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
        past = svc.create_session(hr, bg.id, day, day + dt.timedelta(hours=3), place="昆明总部三楼", capacity=3)
        assert past.on_date == dt.date(2026, 12, 1)
        assert past.lecturer_id == d["internal"].id
        before = day - dt.timedelta(hours=2)
        mine = svc.enrol(seller, past.id, now=before)
        assert mine.state == "enrolled"
        with use_lang("zh_CN"):
            with pytest.raises(ValidationError, match="已报名"):
                svc.enrol(seller, past.id, now=before)
        with use_lang("en"):
            with pytest.raises(ValidationError, match="already enrolled"):
                svc.enrol(seller, past.id, now=before)
        with pytest.raises(AccessDenied):
            svc.enrol(seller, past.id, employee_id=d["e2"], now=before)
        for e in ("e2", "e3", "e4"):
            svc.enrol(hr, past.id, employee_id=d[e], now=before)
        states = {e.employee_id: e.state for e in hr.search(m.Enrolment, m.Enrolment.session_id == past.id)}
        assert states == {d["sp"]: "enrolled", d["e2"]: "enrolled", d["e3"]: "enrolled", d["e4"]: "waiting"}
        assert s.get(m.Session, past.id).enrolled_count == 3
        # cancelling frees a seat for the first on the waiting list
        e3_row = hr.search(m.Enrolment, m.Enrolment.employee_id == d["e3"])[0]
        svc.cancel(hr, e3_row.id)
        assert hr.search(m.Enrolment, m.Enrolment.employee_id == d["e4"])[0].state == "enrolled"
        # the session is over: no more enrolment
        with pytest.raises(ValidationError, match="结束|over"):
            svc.enrol(hr, past.id, employee_id=d["e3"])
        # feedback before attending is refused (zh and en), nothing saved
        with use_lang("zh_CN"):
            with pytest.raises(ValidationError, match="您未参加该培训，不能提交评估"):
                svc.give_feedback(seller, past.id, 5, 5)
        with use_lang("en"):
            with pytest.raises(ValidationError, match="did not attend"):
                svc.give_feedback(seller, past.id, 5, 5)
        assert hr.count(m.Feedback) == 0
        # check-in on the day (own), HR records the others
        with pytest.raises(ValidationError, match="一小时|hour"):
            svc.check_in(seller, past.id, now=day - dt.timedelta(hours=3))
        svc.check_in(seller, past.id, now=day + dt.timedelta(minutes=5))
        with pytest.raises(ValidationError):
            svc.check_in(seller, past.id, now=day + dt.timedelta(minutes=6))
        e2_row = hr.search(m.Enrolment, m.Enrolment.employee_id == d["e2"])[0]
        e4_row = hr.search(m.Enrolment, m.Enrolment.employee_id == d["e4"])[0]
        svc.record_attendance(hr, e2_row.id)
        with pytest.raises(AccessDenied):
            svc.record_attendance(seller, e4_row.id)
        # feedback: ratings 1..5, once; the course's and the lecturer's ratings are the averages
        with pytest.raises(ValidationError, match="1.*5"):
            svc.give_feedback(seller, past.id, 6, 4)
        svc.give_feedback(seller, past.id, 5, 4, comment="案例很实用")
        with pytest.raises(ValidationError, match="已|already"):
            svc.give_feedback(seller, past.id, 4, 4)
        admin.write(admin.get(world.addon_module("masterdata", "models").Employee, d["e2"]), {"user_id": e2_user})
        svc.give_feedback(world.env(s, user=e2_user), past.id, 4, 3)
        s.refresh(bg)
        s.refresh(d["internal"])
        assert (bg.rating, bg.rating_count) == (D("4.50"), 2)
        assert (d["internal"].rating, d["internal"].rating_count) == (D("3.50"), 2)
        # test scores (learning): HR or the lecturer; 0..100; pass mark 60
        with pytest.raises(ValidationError, match="100"):
            svc.record_score(hr, mine.id, "120")
        with pytest.raises(AccessDenied):
            svc.record_score(seller, mine.id, "80")
        svc.record_score(world.env(s, "territory_manager"), mine.id, "85")  # the lecturer
        svc.record_score(hr, e2_row.id, "55")
        with pytest.raises(ValidationError):
            svc.record_score(hr, e4_row.id, "70")  # did not attend
        assert (mine.passed, e2_row.passed) == (True, False)
        summary = svc.session_summary(hr, past.id)
        assert {k: summary[k] for k in ("enrolled", "waiting", "attended", "feedback")} == {
            "enrolled": 3, "waiting": 0, "attended": 2, "feedback": 2}
        assert summary["attendance_rate"] == D("66.7")
        assert (summary["course_rating"], summary["lecturer_rating"], summary["average_score"]) == (
            D("4.50"), D("3.50"), D("70.00"))
        # the person's record and the to-dos
        rec = svc.person_record(seller, d["sp"])
        assert [(r["course"].code, r["attended"], r["hours"], r["score"], r["feedback"]) for r in rec] == [
            ("TR-BG", True, D("4.0"), D("85.0"), True)]
        from addons.training.todos import todos

        assert {t.key: t.count for t in todos(seller)}["training.feedback"] == 0
        # the effect at the next assessment: sp B 4 -> 3 (+1), G 2 -> 2 (0); e2 B 3 -> 2 (+1), G 1 -> 1
        _rate(world, s, d["sp"], "2027-H1", dt.date(2027, 6, 20), B=1, G=1)
        _rate(world, s, d["e2"], "2027-H1", dt.date(2027, 6, 20), F=2)
        rows = svc.effect_rows(hr, by="course")
        assert [(r["name"], r["people"], r["pairs"], r["gained"], r["improved"], r["average"]) for r in rows] == [
            ("TR-BG 需求挖掘与协作", 2, 4, 2, 2, D("0.50"))]
        by_lecturer = svc.effect_rows(hr, by="lecturer")
        assert [(r["id"], r["gained"]) for r in by_lecturer] == [(d["internal"].id, 2)]
        from core.measures import measure_value, total

        assert total(measure_value(hr, "training.effect")) == 2
        assert total(measure_value(hr, "training.attendance")) == 2
        assert total(measure_value(hr, "training.hours")) == D("8.0")
        by_code = {r["competency_code"]: r.value for r in
                   measure_value(hr, "training.effect", group_by=["competency_code"])}
        assert by_code == {"B": 2, "G": 0}
        # rights: the salesperson sees their own figures only; the other company nothing
        assert total(measure_value(seller, "training.effect")) == 1
        assert total(measure_value(seller, "training.attendance")) == 1
        assert seller.count(m.Enrolment) == 1
        assert seller.count(m.Feedback) == 1
        assert world.env(s, "territory_manager").count(m.Enrolment) == 4
        other = world.env(s, "marketing_admin", "other")
        assert (other.count(m.Enrolment), other.count(m.Session), other.count(m.Course)) == (0, 0, 0)
        assert total(measure_value(other, "training.attendance")) == 0
        with pytest.raises(AccessDenied):
            other.get(m.Session, past.id)
        # a session for the concurrency check: 3 seats, 8 people
        future = now + dt.timedelta(days=3)
        race = svc.create_session(hr, d["courses"]["B"].id, future, future + dt.timedelta(hours=2), capacity=3)
        tm = d["tm"]
        people = [md.employee(admin, name=f"学员{i}", position="salesperson", manager=tm).id for i in range(8)]
        race_id, course_b_id = race.id, d["courses"]["B"].id
        sp_id, past_id = d["sp"], past.id

    def take(emp_id: int) -> None:
        with world.session() as s2:
            svc.enrol(world.env(s2, "marketing_admin"), race_id, employee_id=emp_id)

    if tixi_engine == "postgresql":
        errors: list[BaseException] = []

        def worker(emp_id: int) -> None:
            try:
                take(emp_id)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(p,)) for p in people]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors
    else:
        for p in people:
            take(p)
    with world.session() as s:
        hr = world.env(s, "marketing_admin")
        got = [e.state for e in hr.search(m.Enrolment, m.Enrolment.session_id == race_id)]
        assert sorted(got) == ["enrolled"] * 3 + ["waiting"] * 5
        assert s.get(m.Session, race_id).enrolled_count == 3

    # the pages follow the rules
    from core.testing.web import csrf_token, logged_in_client
    from core.web.app import create_app

    app = create_app(registry=world.registry, test_config={"TESTING": True})
    client = logged_in_client(app, world.login("salesperson"), world.password)
    home = client.get("/training/")
    assert home.status_code == 200
    assert f'data-session="{race_id}"' in home.text
    assert client.get(f"/training/session/{past_id}").status_code == 200
    assert client.get("/training/plans/build").status_code == 403
    assert client.get(f"/training/record/{sp_id}").status_code == 200
    assert client.get(f"/training/record/{people[0]}").status_code == 403  # a colleague's record
    boss = logged_in_client(app, world.login("territory_manager"), world.password)
    assert boss.get(f"/training/record/{people[0]}").status_code == 200  # the manager's team
    needs = client.get("/training/needs/")
    assert needs.status_code == 200
    report = client.get("/reports/training.effect?period=custom&date_from=2026-01-01&date_to=2026-12-31")
    assert report.status_code == 200, report.text[:300]
    hr_client = logged_in_client(app, world.login("marketing_admin"), world.password)
    assert hr_client.get("/training/plans/build").status_code == 200
    form = hr_client.get("/training/schedule")
    assert form.status_code == 200
    bad = hr_client.post("/training/schedule", data={
        "csrf_token": csrf_token(form.text), "course_id": str(course_b_id), "starts_at": "2027-01-10T14:00",
        "ends_at": "2027-01-10T09:00", "place": "会议室"})
    assert bad.status_code == 422
    assert 'id="session-error"' in bad.text
    assert "结束时间早于开始时间" in bad.text or "ends before it starts" in bad.text
    good = hr_client.post("/training/schedule", data={
        "csrf_token": csrf_token(form.text), "course_id": str(course_b_id), "starts_at": "2027-01-10T09:00",
        "ends_at": "2027-01-10T12:00", "place": "会议室", "capacity": "15"})
    assert good.status_code in (302, 303)
    with world.session() as s:
        made = world.env(s, "marketing_admin").search(m.Session, m.Session.place == "会议室")
        assert [(x.capacity, x.on_date, x.starts_at.hour) for x in made] == [(15, dt.date(2027, 1, 10), 1)]
    assert hr_client.get("/training/courses/").status_code == 200
    assert hr_client.get(f"/training/session/{past_id}").status_code == 200
    assert hr_client.get("/reports/training.sessions?period=custom&date_from=2026-01-01&date_to=2026-12-31"
                         ).status_code == 200
    other = logged_in_client(app, world.login("marketing_admin", "other"), world.password)
    assert other.get(f"/training/session/{past_id}").status_code in (403, 404)
