"""Tests of the competency addon on SQLite and PostgreSQL: the seeded model and matrix,
assessments and calibration, gaps, bad input, who sees what, per-company edits."""

from __future__ import annotations

import re

import pytest

from core.errors import AccessDenied, ValidationError
from core.testing.plugin import tixi_engine, tixi_world  # noqa: F401

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


def test_assessments_calibration_gaps_and_bad_input(tixi_world):  # noqa: F811
    world = tixi_world
    m, svc = _models(world), _svc(world)
    sp, tm = _emp(world, "salesperson"), _emp(world, "territory_manager")
    with world.session() as s:
        seller = world.env(s, "salesperson")
        manager = world.env(s, "territory_manager")
        hr = world.env(s, "marketing_admin")
        # self-assessment, then the manager's rating
        world.make("competency.assessment", seller, sp, kind="self", levels=2)
        boss = world.make("competency.assessment", manager, sp, kind="manager",
                          levels={"A": 4, "B": 3, "C": 5, "D": 3, "E": 4, "F": 4, "G": 2, "H": 2, "I": 1, "J": 2})
        prof = svc.person_profile(manager, sp, "2026-H2")
        gaps = {r["code"]: r["gap"] for r in prof["rows"]}
        # salesperson profile A4 B2 C4 D3 E4 F3 G1 H2 I1 J2
        assert gaps == {"A": 0, "B": 1, "C": 1, "D": 0, "E": 0, "F": 1, "G": 1, "H": 0, "I": 0, "J": 0}
        assert prof["total_gap"] == 4
        assert not prof["final"]
        assert prof["rows"][0]["self"] == 2
        # readiness for territory manager (A2 B2 C2 D3 E2 F3 G1 H1 I1 J2)
        ready = svc.person_profile(manager, sp, "2026-H2", "territory_manager")
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
        prof = svc.person_profile(seller, sp, "2026-H2")
        assert prof["final"]
        assert prof["total_gap"] == 3
        # the gap rows (training hook) and the measure read final assessments only
        rows = manager.hooks.tixi_competency_gaps(env=manager, period="2026-H2", position=None)
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
            world.make("competency.assessment", seller, sp, kind="self")
        with pytest.raises(ValidationError, match="缺少|missing"):
            svc.submit_assessment(seller, sp, "2027", "self", {"A": 2})
        with pytest.raises(ValidationError, match="期间|period"):
            world.make("competency.assessment", seller, sp, kind="self", period="next year")
        assert count() == before
        # a director may rate a salesperson two levels down, but the manager rating is already there
        with pytest.raises(ValidationError, match="已有|already"):
            world.make("competency.assessment", world.env(s, "director"), sp, kind="manager")


def test_who_sees_what_and_the_seeded_model(tixi_world):  # noqa: F811
    world = tixi_world
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
    from core.web.app import create_app

    app = create_app(registry=world.registry, test_config={"TESTING": True})
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
    check_seeded_model_and_matrix(world)
