"""Tests of the competency addon on SQLite and PostgreSQL: the seeded model and matrix,
assessments and calibration, gaps, bad input, who sees what, per-company edits."""

from __future__ import annotations

import re

import pytest

from core.errors import AccessDenied, ValidationError
from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

# one world per engine for every part: building a world is most of the time of these tests
pytestmark = pytest.mark.tixi_world(addons=["competency", "territories"])
H1 = "2026-H1"

# DOMAIN.md §11, typed here independently of data/competency_model.yaml
MATRIX = {
    "director":          "1 1 1 2 1 3 1 1 1 2",
    "territory_manager": "2 2 2 3 2 3 1 1 1 2",
    "tech_support":      "2 2 4 3 4 1 1 2 1 2",
    "marketing_admin":   "2 4 3 3 1 5 3 2 3 2",
    "salesperson":       "4 2 4 3 4 3 1 2 1 2",
}
GROUPS = {"A": "判断力", "B": "判断力", "C": "推动力", "D": "推动力", "E": "推动力", "F": "推动力",
          "G": "凝聚力", "H": "凝聚力", "I": "内驱力", "J": "内驱力"}


def _models(world):
    return world.addon_module("competency", "models")


def _svc(world):
    return world.addon_module("competency", "services")


def _emp(world, role, company="acme"):
    return world.data["masterdata"][company]["employees"][role]


def check_seeded_model_and_matrix(world) -> None:
    """The seeded matrix matches DOMAIN.md §11 cell by cell; edits are audited and stay in their company."""
    m, svc = _models(world), _svc(world)
    with world.session() as s:
        env = world.env(s, "salesperson")  # everybody reads the model
        comps = svc.competencies(env)
        assert [c.code for c in comps] == list("ABCDEFGHIJ")
        assert {c.code: c.group.name_zh for c in comps} == GROUPS
        assert {g.name_en for g in env.search(m.CompetencyGroup)} == {"Judgment", "Drive", "Cohesion", "Inner drive"}
        assert comps[0].name_zh == "分析/预见能力"
        assert comps[1].name_zh == "把握客户需求/机会能力"
        levels = env.search(m.CompetencyLevel)
        assert len(levels) == 50
        assert all(lv.text_zh and lv.text_en for lv in levels)
        a1 = next(lv for lv in levels if lv.competency.code == "A" and lv.level == 1)
        assert "分析、预见行业、技术、竞争对手的发展趋势" in a1.text_zh
        matrix = svc.position_matrix(env)
        for position, row in MATRIX.items():
            expected = dict(zip("ABCDEFGHIJ", (int(x) for x in row.split()), strict=True))
            assert matrix[position] == expected, position
        assert set(matrix) == set(MATRIX)
        # the model is read-only for a salesperson
        req = env.search(m.Requirement)[0]
        with pytest.raises(AccessDenied):
            env.write(req, {"level": 3})
        # set-up is idempotent and keeps edits; an edit is audited and stays in its company
        hr = world.env(s, "marketing_admin")
        sp_a = next(r for r in hr.search(m.Requirement, m.Requirement.position == "salesperson")
                    if r.competency.code == "A")
        svc.set_requirement(hr, "salesperson", sp_a.competency_id, 3)
        svc.ensure_company_defaults(world.env(s, "admin"))
        assert svc.position_matrix(hr)["salesperson"]["A"] == 3
        assert svc.position_matrix(world.env(s, "marketing_admin", "other"))["salesperson"]["A"] == 4
        hist = [h.changes for h in hr.history(m.Requirement, sp_a.id)]
        assert any("level" in c and "4" in str(c) and "3" in str(c) for c in hist), hist
        assert sp_a.version == 2
        # bad level: a clear message, nothing changed (service and generic write path alike)
        with pytest.raises(ValidationError, match="1"):
            svc.set_requirement(hr, "salesperson", sp_a.competency_id, 6)
        with pytest.raises(ValidationError):
            hr.write(sp_a, {"level": 0})
        s.refresh(sp_a)
        assert sp_a.level == 3


def _assessments_calibration_gaps_and_bad_input(world) -> None:
    """Period 2026-H1 (the who-sees-what part holds 2026-H2, the current half-year)."""
    m, svc = _models(world), _svc(world)
    sp, tm = _emp(world, "salesperson"), _emp(world, "territory_manager")
    with world.session() as s:
        seller = world.env(s, "salesperson")
        manager = world.env(s, "territory_manager")
        hr = world.env(s, "marketing_admin")
        # self-assessment, then the manager's rating
        world.make("competency.assessment", seller, sp, kind="self", levels=2, period=H1)
        # assessed on the day the salesperson joined the world's territory (its membership's first day)
        boss = world.make("competency.assessment", manager, sp, kind="manager", period=H1, on_date=_joined(world, s),
                          levels={"A": 4, "B": 3, "C": 5, "D": 3, "E": 4, "F": 4, "G": 2, "H": 2, "I": 1, "J": 2})
        prof = svc.person_profile(manager, sp, H1)
        gaps = {r["code"]: r["gap"] for r in prof["rows"]}
        # salesperson profile A4 B2 C4 D3 E4 F3 G1 H2 I1 J2
        assert gaps == {"A": 0, "B": 1, "C": 1, "D": 0, "E": 0, "F": 1, "G": 1, "H": 0, "I": 0, "J": 0}
        assert prof["total_gap"] == 4
        assert not prof["final"]
        assert prof["rows"][0]["self"] == 2
        # readiness for territory manager (A2 B2 C2 D3 E2 F3 G1 H1 I1 J2)
        ready = svc.person_profile(manager, sp, H1, "territory_manager")
        assert ready["total_gap"] == 2 + 1 + 3 + 0 + 2 + 1 + 1 + 1 + 0 + 0
        # calibration: not by the rater's team, only HR/director; adjusts and makes it final
        with pytest.raises(AccessDenied):
            svc.calibrate(seller, boss.id)
        comp_b = next(c for c in svc.competencies(hr) if c.code == "B")
        with pytest.raises(ValidationError):
            svc.calibrate(hr, boss.id, {comp_b.id: 9})
        s.refresh(boss)
        assert boss.state == "submitted"
        svc.calibrate(hr, boss.id, {comp_b.id: 2}, comment="校准")
        assert boss.state == "final"
        assert boss.calibrated_by_id == world.user("marketing_admin")
        with pytest.raises(ValidationError):
            svc.calibrate(hr, boss.id)
        prof = svc.person_profile(seller, sp, H1)
        assert prof["final"]
        assert prof["total_gap"] == 3
        # the gap rows (training hook) and the measure read final assessments only
        rows = manager.hooks.tixi_competency_gaps(env=manager, period=H1, position=None)
        assert sum(r["value"] for r in rows) == 3
        assert {r["employee"] for r in rows} == {sp}
        from core.measures import measure_value, total

        assert total(measure_value(hr, "competency.gap", group_by=["competency"])) == 3
        assert total(measure_value(hr, "competency.gaps_open")) == 3
        assert total(measure_value(world.env(s, "salesperson", "other"), "competency.gap")) == 0

        def count() -> int:
            return world.env(s, "admin").count(m.Assessment) + world.env(s, "admin").count(m.Rating)

        before = count()
        # bad input: a level outside 1..5, a person outside the rater's reach, a second self-assessment
        with pytest.raises(ValidationError, match="1.*5"):
            world.make("competency.assessment", seller, sp, kind="self", period="2027", levels={"A": 6})
        with pytest.raises(ValidationError, match="1.*5"):
            svc.submit_assessment(seller, sp, "2027", "self", {"A": "abc"})
        with pytest.raises(AccessDenied, match="范围|reach"):
            world.make("competency.assessment", seller, tm, kind="manager")
        with pytest.raises(AccessDenied):
            world.make("competency.assessment", seller, tm, kind="self")
        with pytest.raises(ValidationError, match="已有|already"):
            world.make("competency.assessment", seller, sp, kind="self", period=H1)
        with pytest.raises(ValidationError, match="缺少|missing"):
            svc.submit_assessment(seller, sp, "2027", "self", {"A": 2})
        with pytest.raises(ValidationError, match="期间|period"):
            world.make("competency.assessment", seller, sp, kind="self", period="next year")
        assert count() == before
        # a director may rate a salesperson two levels down, but the manager rating is already there
        with pytest.raises(ValidationError, match="已有|already"):
            world.make("competency.assessment", world.env(s, "director"), sp, kind="manager", period=H1)


def _who_sees_what(world) -> None:
    """Period 2026-H2 (the factories' default): runs first, on the fresh world."""
    m, svc = _models(world), _svc(world)
    sp, tm = _emp(world, "salesperson"), _emp(world, "territory_manager")
    bob_uid = world.add_user("salesperson2_acme", "salesperson", "acme")
    with world.session() as s:
        md = world.factories.masterdata
        admin = world.env(s, "admin")
        bob = md.employee(admin, name="bob", user=bob_uid, position="salesperson", manager=tm).id
        seller, bob_env = world.env(s, "salesperson"), world.env(s, user=bob_uid)
        manager, director = world.env(s, "territory_manager"), world.env(s, "director")
        mine = world.make("competency.assessment", seller, sp, kind="self")
        theirs = world.make("competency.assessment", bob_env, bob, kind="self")
        peer = world.make("competency.assessment", bob_env, sp, kind="peer")  # same manager: peers
        mgr = world.make("competency.assessment", manager, tm, kind="self")
        # a person: their own (and what they wrote), never a colleague's
        assert {a.id for a in seller.search(m.Assessment)} == {mine.id, peer.id}
        assert {a.id for a in bob_env.search(m.Assessment)} == {theirs.id, peer.id}
        with pytest.raises(AccessDenied):
            seller.get(m.Assessment, theirs.id)
        assert seller.count(m.Rating) == 20
        # a manager: their reports' and their own; HR and the director: all
        assert {a.id for a in manager.search(m.Assessment)} == {mine.id, theirs.id, peer.id, mgr.id}
        assert director.count(m.Assessment) == 4
        assert world.env(s, "marketing_admin").count(m.Assessment) == 4
        # another company sees nothing
        assert world.env(s, "marketing_admin", "other").count(m.Assessment) == 0
        with pytest.raises(AccessDenied):
            svc.person_profile(world.env(s, "admin", "other"), sp, "2026-H2")
        # a person's profile shows only what they may read
        assert svc.person_profile(seller, bob, "2026-H2")["self_assessment"] is None
        # to-dos: the manager still has two reports to rate, the salesperson nothing (self done)
        from addons.competency.todos import todos

        s.flush()
        by_key = {t.key: t.count for t in todos(manager)}
        assert by_key["competency.reports"] == 2
        assert by_key["competency.self"] == 0
    # pages: list, detail, export and the person page follow the rules
    from core.testing.web import logged_in_client

    app = _app(world)
    client = logged_in_client(app, world.login("salesperson"), world.password)
    assert client.get("/competency/").status_code == 200
    listing = client.get("/competency/assessments/")
    assert listing.status_code == 200
    assert f"/assessments/{mine.id}" in listing.text
    assert f"/assessments/{theirs.id}" not in listing.text
    assert client.get(f"/competency/assessments/{theirs.id}").status_code in (403, 404)
    export = client.get("/competency/assessments/export.xlsx")
    assert export.status_code == 200
    import io

    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(export.data)).active
    assert sheet.max_row == 3  # header, own self-assessment, the peer assessment of them
    assert client.get(f"/competency/person/{sp}").status_code == 200
    assert client.get("/competency/model").status_code == 200
    assert client.get("/competency/team").status_code == 200
    page = client.get(f"/competency/assess/{tm}?kind=manager")
    assert page.status_code == 403
    report = client.get("/reports/competency.gaps?period=2026-H2")
    assert report.status_code == 200, report.text[:300]
    # recruitment standard: the interview sheet prints (PDF) with the level texts
    sheet = client.get("/competency/standards/salesperson/print")
    assert sheet.status_code == 200
    assert "能有效地利用信息" in sheet.text
    assert 'class="required"' in sheet.text
    if world.engine == "sqlite":
        # the PDF is the print view's HTML (checked above on both engines) through the PDF engine,
        # which does not depend on the database: rendered once (it is a fifth of the test's time)
        pdf = client.get("/competency/standards/salesperson.pdf")
        assert pdf.status_code == 200
        assert pdf.data.startswith(b"%PDF")
    assert client.get("/competency/standards/nobody.pdf").status_code == 404
    # a candidate against the 销售员 profile (nothing stored); a bad level is refused
    from core.testing.web import csrf_token

    form = client.get("/competency/candidate?position=salesperson")
    token = csrf_token(form.text)
    comp_a = re.search(r'name="level_(\d+)" aria-label="A"', form.text).group(1)
    bad = client.post("/competency/candidate", data={"csrf_token": token, "position": "salesperson",
                                                     f"level_{comp_a}": "7"})
    assert bad.status_code == 422
    assert 'id="candidate-error"' in bad.text
    good = client.post("/competency/candidate", data={"csrf_token": token, "position": "territory_manager",
                                                      f"level_{comp_a}": "4"})
    assert re.search(r'data-code="A" data-gap="2"', good.text)


def _app(world):
    """One web app per world (creating one costs seconds)."""
    if "competency_app" not in world.data:
        from core.web.app import create_app

        world.data["competency_app"] = create_app(registry=world.registry, test_config={"TESTING": True})
    return world.data["competency_app"]


def _joined(world, s):
    """The first day of the salesperson's membership of the world's territory."""
    from addons.territories.models import TerritoryMember

    admin = world.env(s, "admin")
    return admin.search(TerritoryMember, TerritoryMember.employee_id == _emp(world, "salesperson"))[0].date_from


def _territory_gaps_and_level_measures(world) -> None:
    """After the calibrated 2026-H1 assessment of the salesperson (gaps C, F, G: 3 levels, 7 of 10 met):
    gaps per territory (the territory of the day assessed), the competency level measures."""
    from core.measures import measure_value, total

    svc = _svc(world)
    sp = _emp(world, "salesperson")
    terr = world.data["territories"]["acme"]["territory"]
    with world.session() as s:
        hr = world.env(s, "marketing_admin")
        by_terr = {r["territory"]: r.value for r in measure_value(hr, "competency.gap", group_by=["territory"])}
        assert by_terr == {terr: 3}
        level = {r["employee"]: r.value for r in measure_value(hr, "competency.level", group_by=["employee"])}
        rated = {r["employee"]: r.value for r in measure_value(hr, "competency.rated", group_by=["employee"])}
        assert (level, rated) == ({sp: 7}, {sp: 10})
        assert total(measure_value(hr, "competency.level", filters={"territory": [terr]})) == 7
        heat = svc.gaps.territory_gaps(hr, H1, final_only=True)
        codes = {c.id: c.code for c in heat["competencies"]}
        assert [t for t, _n in heat["territories"]] == [terr]
        assert {codes[c]: str(v) for (_t, c), v in heat["cells"].items() if v} == {"C": "1.0", "F": "1.0", "G": "1.0"}
        assert heat["people"] == {terr: 1}
        # the other company: nothing of acme's
        assert svc.gaps.territory_gaps(world.env(s, "marketing_admin", "other"), H1)["territories"] == []
    from core.testing.web import logged_in_client

    app = _app(world)
    page = logged_in_client(app, world.login("marketing_admin"), world.password).get(f"/competency/team?period={H1}")
    assert page.status_code == 200
    row = re.search(rf'<tr data-territory="{terr}">(.*?)</tr>', page.text, re.S).group(1)
    assert "片区 acme" in row
    assert 'data-code="C" class="table-warning">1.0<' in row


def _reminders(world) -> None:
    """The job after 2026-H2: who has no self-assessment hears of it, each manager of their reports."""
    import datetime as dt

    from core.jobs import run_periodic
    from core.notifications import inbox, render_row

    rem = world.addon_module("competency", "services.reminders")
    assert rem.previous_half(dt.datetime(2027, 1, 1, 1, tzinfo=dt.UTC)) == "2026-H2"
    assert rem.previous_half(dt.datetime(2026, 12, 4, tzinfo=dt.UTC)) == "2026-H1"
    assert rem.period_end("2026-Q1") == dt.date(2026, 3, 31)
    assert rem.period_end("2026-H1") == dt.date(2026, 6, 30)
    sp, tm, director = (_emp(world, r) for r in ("salesperson", "territory_manager", "director"))
    with world.session() as s:
        gaps = rem.missing(world.env(s, "admin"), "2026-H2")
        self_missing = {e.id for e in gaps["self"]}
        # the who-sees-what part left self-assessments of the salesperson, bob and the manager in 2026-H2
        assert sp not in self_missing
        assert tm not in self_missing
        assert director in self_missing
        by_boss = {b.id: sorted(e.name_zh for e in rows) for b, rows in gaps["manager"].items()}
        assert len(by_boss[tm]) == 2  # the salesperson and bob, no manager assessment
        assert "bob" in by_boss[tm]
        assert tm in {e.id for rows in gaps["manager"].values() for e in rows}
    counts = run_periodic(world.registry, "competency.reminders", dt.datetime(2027, 1, 1, 1, tzinfo=dt.UTC))
    assert counts["done"] == 2  # both companies
    with world.session() as s:
        manager = world.env(s, "territory_manager")
        texts = [render_row(manager, n, "zh_CN") for n in inbox(manager)]
        assert any("2026-H2" in subj and "bob" in body for subj, body in texts), texts
        seller_texts = [render_row(world.env(s, "salesperson"), n, "zh_CN")
                        for n in inbox(world.env(s, "salesperson"))]
        assert not any("自评" in subj for subj, _b in seller_texts)  # done
        boss = world.env(s, "director")
        assert any("自评" in subj for subj, _b in (render_row(boss, n, "zh_CN") for n in inbox(boss)))
    # a second run of the same period does nothing
    assert run_periodic(world.registry, "competency.reminders",
                        dt.datetime(2027, 1, 1, 1, tzinfo=dt.UTC))["done"] == 0


def _names_and_level_texts(world) -> None:
    """HR edits a competency's name and a level text on the pages: versioned, audited, per company."""
    from core.testing.web import csrf_token, logged_in_client

    m = _models(world)
    with world.session() as s:
        hr = world.env(s, "marketing_admin")
        comp = next(c for c in hr.search(m.Competency) if c.code == "J")
        lv = next(x for x in hr.search(m.CompetencyLevel) if x.competency_id == comp.id and x.level == 3)
        comp_id, lv_id, old_name = comp.id, lv.id, comp.name_zh
    app = _app(world)
    client = logged_in_client(app, world.login("marketing_admin"), world.password)
    model = client.get("/competency/model").text
    assert f"/competency/competencies/{comp_id}/edit" in model
    assert f"/competency/levels/{lv_id}/edit" in model
    form = client.get(f"/competency/competencies/{comp_id}/edit")
    assert form.status_code == 200
    r = client.post(f"/competency/competencies/{comp_id}/edit", data={
        "csrf_token": csrf_token(form.text), "name_zh": "自我管理与自律能力", "name_en": "Self-management and discipline",
        "version": "1"})
    assert r.status_code in (302, 303), r.text[:300]
    form = client.get(f"/competency/levels/{lv_id}/edit")
    r = client.post(f"/competency/levels/{lv_id}/edit", data={
        "csrf_token": csrf_token(form.text), "text_zh": "按计划完成工作并自我检查", "text_en": "Works to plan and checks their own work",
        "version": "1"})
    assert r.status_code in (302, 303), r.text[:300]
    # a stale save (version 1 again) is refused, nothing changed
    r = client.post(f"/competency/competencies/{comp_id}/edit", data={
        "csrf_token": csrf_token(form.text), "name_zh": "旧页面", "name_en": "Stale", "version": "1"})
    assert r.status_code == 409
    with world.session() as s:
        hr = world.env(s, "marketing_admin")
        comp = hr.get(m.Competency, comp_id)
        assert (comp.name_zh, comp.version) == ("自我管理与自律能力", 2)
        assert any("name_zh" in h.changes and old_name in h.changes for h in hr.history(m.Competency, comp_id))
        lv = hr.get(m.CompetencyLevel, lv_id)
        assert (lv.text_en, lv.version) == ("Works to plan and checks their own work", 2)
        assert any("text_zh" in h.changes for h in hr.history(m.CompetencyLevel, lv_id))
        other = world.env(s, "marketing_admin", "other")
        assert next(c for c in other.search(m.Competency) if c.code == "J").name_zh == old_name
    seller = logged_in_client(app, world.login("salesperson"), world.password)
    assert seller.get(f"/competency/competencies/{comp_id}/edit").status_code == 403
    assert f"/competency/competencies/{comp_id}/edit" not in seller.get("/competency/model").text


def test_competency(tixi_world):  # noqa: F811
    """Every part in one world per engine, in an order each part states."""
    _who_sees_what(tixi_world)
    _assessments_calibration_gaps_and_bad_input(tixi_world)
    _territory_gaps_and_level_measures(tixi_world)
    _reminders(tixi_world)
    _names_and_level_texts(tixi_world)
    check_seeded_model_and_matrix(tixi_world)
