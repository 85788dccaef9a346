"""Generate ``training_demo.yaml``: training demo data for 贵研催化 (company ``guiyan``), deterministic.

    python3 addons/training/demo/generate.py

Consistent with competency's demo (``addons/competency/demo/competency_demo.yaml``):
the needs are the gaps of the calibrated 2026-H1 manager assessments
(assessed 2026-06-28, calibrated 2026-07-06) against the position matrix.

* rules: the training policy, the internal lecturer rules, the needs survey form;
* lecturers: 刘建国 (marketing director), 赵北辰 (senior, territory manager), 何工
  (technical head), and an external expert;
* courses: five approved ones (B, F, G+D, E, A) and a draft (C+H) waiting to be submitted;
* the 2026-Q3 plan (approved) and its sessions in August and September, held:
  the people with a gap on a course's competencies enrolled and (all but one)
  attended, with feedback, test scores, and the ratings that follow;
* a TR-B01 session on 2026-12-15 open for enrolment (two seats taken);
* needs: trained, planned or open; two managers' requests; the 2027 needs survey
  (sent 2026-11-25) with three answers.

The effect report stays empty until the 2026-H2 assessments are calibrated
(competency's demo has them provisional): the effect is read from calibrated ones.
kmtrade gets no training data.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
COMPETENCY = HERE.parent.parent / "competency"
MODEL = COMPETENCY / "data" / "competency_model.yaml"
ASSESSMENTS = COMPETENCY / "demo" / "competency_demo.yaml"
OUT = HERE / "training_demo.yaml"
COMPANY = "company:guiyan"
CODES = "ABCDEFGHIJ"
UTC = dt.UTC

LECTURERS = [
    ("lecturer_liu", "internal", "employee_liu_director", "刘建国", None, "营销战略、客户信任", "0"),
    ("lecturer_zhao", "internal", "employee_zhao_north", "赵北辰", None, "大客户开发、需求挖掘", "0"),
    ("lecturer_he", "internal", "employee_he_tech", "何工", None, "催化剂产品与应用技术", "0"),
    ("lecturer_wang", "external", None, "王教授", "云南大学工商管理学院", "行业分析、竞争战略", "800"),
]
COURSES = [
    # code, zh, en, {code: target}, hours, cost per session, lecturer, approved
    ("TR-B01", "大客户需求挖掘与机会把握", "Key account needs and opportunities", {"B": 2}, "6", "3000",
     "lecturer_zhao", True),
    ("TR-F01", "催化剂产品与应用技术", "Catalyst products and applications", {"F": 2}, "8", "2000", "lecturer_he", True),
    ("TR-G01", "建立客户信任与协调沟通", "Building trust and communicating", {"G": 1, "D": 3}, "4", "1500",
     "lecturer_liu", True),
    ("TR-E01", "销售计划与费用预算控制", "Sales planning and budget control", {"E": 3}, "4", "1500",
     "lecturer_liu", True),
    ("TR-A01", "行业趋势与竞争对手分析", "Industry trends and competitor analysis", {"A": 2}, "6", "5000",
     "lecturer_wang", True),
    ("TR-C01", "团队领导力与协作", "Team leadership and teamwork", {"C": 2, "H": 1}, "8", "9000",
     "lecturer_wang", False),
]
SESSIONS = {  # course -> (day, place)
    "TR-B01": (dt.date(2026, 8, 6), "昆明总部三楼培训室"),
    "TR-F01": (dt.date(2026, 8, 20), "贵研催化技术中心"),
    "TR-G01": (dt.date(2026, 9, 3), "昆明总部三楼培训室"),
    "TR-E01": (dt.date(2026, 9, 17), "昆明总部三楼培训室"),
    "TR-A01": (dt.date(2026, 9, 24), "云南大学呈贡校区"),
}


def _utc(day: dt.date, hour: int) -> dt.datetime:
    """``hour`` o'clock in Asia/Shanghai on ``day``, as UTC."""
    return dt.datetime(day.year, day.month, day.day, hour - 8, 0, tzinfo=UTC)


def h1_gaps() -> dict[str, dict[str, int]]:
    """employee id (``employee_sun_li``) -> {code: gap} from competency's calibrated 2026-H1 manager assessments."""
    model = yaml.safe_load(MODEL.read_text(encoding="utf-8"))
    records = yaml.safe_load(ASSESSMENTS.read_text(encoding="utf-8"))["records"]
    finals = {r["id"]: r["values"] for r in records if r["model"] == "competency_assessment"
              and r["values"]["period"] == "2026-H1" and r["values"]["kind"] == "manager"
              and r["values"]["state"] == "final"}
    gaps: dict[str, dict[str, int]] = defaultdict(dict)
    for r in records:
        if r["model"] != "competency_rating":
            continue
        a = finals.get(r["values"]["assessment_id"].removeprefix("ref:"))
        if a is None:
            continue
        code = r["values"]["competency_id"].removeprefix("ref:competency_guiyan_")
        required = model["requirements"][a["position"]][CODES.index(code)]
        gap = r["values"]["level"] - required
        if gap >= 1:
            gaps[a["employee_id"].removeprefix("ref:masterdata.")][code] = gap
    return dict(gaps)


def generate() -> dict:
    """The demo records, in load order."""
    rng = random.Random(20)
    records: list[dict] = []

    def add(model: str, key: str, values: dict) -> None:
        records.append({"model": model, "id": key, "values": {"company_id": COMPANY, **values}})

    add("training_policy", "policy_guiyan_main", {
        "kind": "policy", "title": "贵研催化营销人员培训管理制度", "valid_from": dt.date(2026, 1, 1),
        "body": "培训体系：需求调查 → 岗位核心能力 → 培训目标 → 培训计划 → 课程设计 → 实施 → 评估反馈 → 改进。"
                "培训计划按季度编制，经营销总监审批后执行；每期培训须签到并填写评估表。"})
    add("training_policy", "policy_guiyan_lecturers", {
        "kind": "lecturer_rules", "title": "内部讲师管理办法", "valid_from": dt.date(2026, 1, 1),
        "body": "营销总监、资深区域经理、产品技术负责人经认证可担任内部讲师；学员评分低于 3 分的讲师须复训。"})
    add("training_policy", "policy_guiyan_survey_form", {
        "kind": "form", "title": "培训需求调查表", "valid_from": dt.date(2026, 1, 1),
        "body": "请勾选您希望提升的能力（A–J），并说明工作中遇到的具体问题。"})
    for key, kind, emp, name, org, subjects, fee in LECTURERS:
        values = {"kind": kind, "name": name, "subjects": subjects, "certified": True,
                  "certified_on": dt.date(2026, 3, 1), "fee_per_hour": fee, "rating_count": 0}
        if emp:
            values["employee_id"] = f"ref:masterdata.{emp}"
        if org:
            values["organisation"] = org
        add("training_lecturer", key, values)

    gaps = h1_gaps()
    fees = {key: Decimal(fee) for key, _k, _e, _n, _o, _s, fee in LECTURERS}
    course_fb: dict[str, list[int]] = defaultdict(list)
    lecturer_fb: dict[str, list[int]] = defaultdict(list)
    trained: dict[tuple[str, str], str] = {}
    enrol_rows: list[tuple[str, dict]] = []
    fb_rows: list[tuple[str, dict]] = []
    session_rows: list[tuple[str, dict]] = []
    plan_lines = []
    for code, _zh, _en, comps, hours, cost, lecturer, _approved in COURSES:
        ckey = f"course_guiyan_{code.replace('-', '_').lower()}"
        if code not in SESSIONS:
            continue
        people = sorted((e for e, g in gaps.items() if any(c in g for c in comps)),
                        key=lambda e, comps=comps: (-sum(gaps[e].get(c, 0) for c in comps), e))[:20]
        if not people:
            continue
        day, place = SESSIONS[code]
        skey = f"session_guiyan_{code.replace('-', '_').lower()}_2026q3"
        session_rows.append((skey, {"course_id": f"ref:{ckey}", "plan_id": "ref:plan_guiyan_2026q3",
                                    "lecturer_id": f"ref:{lecturer}", "starts_at": _utc(day, 9),
                                    "ends_at": _utc(day, 9 + int(hours) // 2 + 3), "on_date": day, "place": place,
                                    "capacity": 20, "enrolled_count": len(people), "state": "done"}))
        covered = 0
        absent = people[-1] if len(people) > 3 else None
        for emp in people:
            ekey = f"enrol_{skey.removeprefix('session_guiyan_')}_{emp.removeprefix('employee_')}"
            attended = emp != absent
            score = Decimal(rng.choice([62, 70, 75, 78, 82, 85, 88, 92, 95])) if attended else None
            enrol_rows.append((ekey, {"session_id": f"ref:{skey}", "employee_id": f"ref:masterdata.{emp}",
                                      "state": "enrolled", "enrolled_at": _utc(day - dt.timedelta(days=10), 10),
                                      "attended": attended,
                                      "checked_in_at": _utc(day, 9) - dt.timedelta(minutes=rng.randint(1, 20))
                                      if attended else None,
                                      "score": str(score) if score is not None else None,
                                      "passed": (score >= 60) if score is not None else None}))
            for c in comps:
                if c in gaps[emp]:
                    covered += gaps[emp][c]
                    trained[(emp, c)] = "trained" if attended else "planned"
            if attended and rng.random() < 0.85:
                c_rating, l_rating = rng.choice([4, 4, 5, 5, 3]), rng.choice([4, 5, 5, 3, 4])
                course_fb[ckey].append(c_rating)
                lecturer_fb[lecturer].append(l_rating)
                fb_rows.append((f"feedback_{ekey.removeprefix('enrol_')}", {
                    "enrolment_id": f"ref:{ekey}", "session_id": f"ref:{skey}",
                    "employee_id": f"ref:masterdata.{emp}", "course_rating": c_rating, "lecturer_rating": l_rating,
                    "useful": c_rating >= 4, "comment": rng.choice(["案例贴近实际", "希望增加实战演练", None,
                                                                      "内容很实用", None])}))
        line_cost = Decimal(cost) + fees[lecturer] * Decimal(hours)
        plan_lines.append((ckey, len(people), covered, line_cost))

    def avg(values: list[int]) -> str | None:
        return str((Decimal(sum(values)) / len(values)).quantize(Decimal("0.01"))) if values else None

    for code, zh, en, comps, hours, cost, lecturer, approved in COURSES:
        ckey = f"course_guiyan_{code.replace('-', '_').lower()}"
        add("training_course", ckey, {
            "code": code, "name_zh": zh, "name_en": en, "duration_hours": hours, "capacity": 20,
            "cost_per_session": cost, "pass_score": 60, "lecturer_id": f"ref:{lecturer}",
            "state": "approved" if approved else "draft", "rating": avg(course_fb.get(ckey, [])),
            "rating_count": len(course_fb.get(ckey, [])),
            "objectives": f"针对能力 {'、'.join(f'{c}{t}' for c, t in comps.items())}：学员达到目标等级。"})
        for c, target in comps.items():
            add("training_course_competency", f"{ckey}_{c}", {"course_id": f"ref:{ckey}", "code": c,
                                                              "target_level": target})
    # the lecturers' ratings from the feedback (records are updated in place: same id, later values win)
    for rec in records:
        if rec["model"] == "training_lecturer" and lecturer_fb.get(rec["id"]):
            rec["values"]["rating"] = avg(lecturer_fb[rec["id"]])
            rec["values"]["rating_count"] = len(lecturer_fb[rec["id"]])
    total = sum(c for _k, _p, c, _x in plan_lines)
    cost_total = sum((x for _k, _p, _c, x in plan_lines), Decimal(0))
    all_gap = sum(sum(g.values()) for g in gaps.values())
    add("training_plan", "plan_guiyan_2026q3", {
        "name": "2026年第三季度营销人员培训计划", "year": 2026, "quarter": 3, "need_period": "2026-H1",
        "budget": "40000.00", "total_cost": str(cost_total), "covered_gap": total, "open_gap": all_gap - total,
        "state": "approved"})
    for seq, (ckey, people, covered, cost) in enumerate(plan_lines, start=1):
        add("training_plan_line", f"plan_guiyan_2026q3_{ckey.removeprefix('course_guiyan_')}", {
            "plan_id": "ref:plan_guiyan_2026q3", "course_id": f"ref:{ckey}", "sequence": seq * 10, "sessions": 1,
            "people": people, "covered_gap": covered, "cost": str(cost)})
    for key, values in session_rows:
        add("training_session", key, values)
    # the next session, open for enrolment (two seats taken)
    day = dt.date(2026, 12, 15)
    add("training_session", "session_guiyan_tr_b01_2026q4", {
        "course_id": "ref:course_guiyan_tr_b01", "lecturer_id": "ref:lecturer_zhao", "starts_at": _utc(day, 9),
        "ends_at": _utc(day, 16), "on_date": day, "place": "昆明总部三楼培训室", "capacity": 12,
        "enrolled_count": 2, "state": "scheduled"})
    for key, values in enrol_rows:
        add("training_enrolment", key, values)
    for emp in ("employee_li_na", "employee_huang_lei"):
        add("training_enrolment", f"enrol_tr_b01_2026q4_{emp.removeprefix('employee_')}", {
            "session_id": "ref:session_guiyan_tr_b01_2026q4", "employee_id": f"ref:masterdata.{emp}",
            "state": "enrolled", "enrolled_at": dt.datetime(2026, 11, 28, 2, 0, tzinfo=UTC), "attended": False})
    for key, values in fb_rows:
        add("training_feedback", key, values)
    course_of = {}
    for code, _zh, _en, comps, *_rest in COURSES:
        if code in SESSIONS:
            for c in comps:
                course_of.setdefault(c, f"ref:course_guiyan_{code.replace('-', '_').lower()}")
    for emp, g in sorted(gaps.items()):
        for c, gap in sorted(g.items()):
            state = trained.get((emp, c), "open")
            values = {"employee_id": f"ref:masterdata.{emp}", "code": c, "gap": gap, "period": "2026-H1",
                      "source": "gap", "state": state}
            if state != "open":
                values.update(plan_id="ref:plan_guiyan_2026q3", course_id=course_of.get(c))
            add("training_need", f"need_guiyan_2026h1_{emp.removeprefix('employee_')}_{c}", values)
    add("training_need", "need_guiyan_request_ma_chao_I", {
        "employee_id": "ref:masterdata.employee_ma_chao", "code": "I", "gap": 1, "period": "2026-H2",
        "source": "request", "state": "open", "requested_by_id": "ref:masterdata.employee_zhao_north",
        "note": "回款跟进不够主动，建议参加结果导向培训"})
    add("training_need", "need_guiyan_request_zhou_jie_B", {
        "employee_id": "ref:masterdata.employee_zhou_jie", "code": "B", "gap": 1, "period": "2026-H2",
        "source": "request", "state": "open", "requested_by_id": "ref:masterdata.employee_zhang_east",
        "note": "新客户需求把握不准"})
    add("training_survey", "survey_guiyan_2027", {
        "title": "2027年度培训需求调查", "period": "2027", "sent_at": dt.datetime(2026, 11, 25, 1, 0, tzinfo=UTC),
        "recipients": 18})
    for emp, codes in (("employee_sun_li", "AF"), ("employee_lin_fang", "E"), ("employee_wu_di", "BF")):
        for c in codes:
            add("training_need", f"need_guiyan_survey_2027_{emp.removeprefix('employee_')}_{c}", {
                "employee_id": f"ref:masterdata.{emp}", "code": c, "gap": 1, "period": "2027", "source": "survey",
                "state": "open", "survey_id": "ref:survey_guiyan_2027"})
    return {"records": records}


def main() -> None:
    """Write ``training_demo.yaml``."""
    header = ("# training demo data for 贵研催化 (company guiyan).\n"
              "# Generated by addons/training/demo/generate.py: do not edit by hand.\n")
    OUT.write_text(header + yaml.safe_dump(generate(), allow_unicode=True, sort_keys=False, width=200),
                   encoding="utf-8")


if __name__ == "__main__":
    main()
