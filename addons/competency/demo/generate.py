"""Generate ``competency_demo.yaml``: competency demo data for 贵研催化 (company ``guiyan``), deterministic.

    python3 addons/competency/demo/generate.py

Writes guiyan's copy of the model (groups, competencies A–J, level texts and
the position matrix from ``data/competency_model.yaml``, with external ids so
the assessments can refer to them; the company set-up then finds them and
adds nothing), and assessments of masterdata's demo employees:

* 2026-H1: a self-assessment and a manager assessment of every salesperson,
  territory manager, the technical support and the marketing admin, each
  calibrated (final) by 周运营 (marketing admin, HR) on 2026-07-06, and peer
  assessments among 赵北辰's team;
* 2026-H2 (up to 2026-11): self-assessments of most salespeople; 赵北辰 has
  rated 孙力 (provisional, waiting for calibration), his other reports wait
  (to-dos).

kmtrade gets the default model from the company set-up only.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
MODEL = HERE.parent / "data" / "competency_model.yaml"
EMPLOYEES = HERE.parent.parent / "masterdata" / "demo" / "employees.yaml"
OUT = HERE / "competency_demo.yaml"
COMPANY = "company:guiyan"
RATED = ("salesperson", "territory_manager", "tech_support", "marketing_admin")
CALIBRATED_AT = dt.datetime(2026, 7, 6, 2, 0, tzinfo=dt.UTC)


def _employees() -> dict[str, dict]:
    data = yaml.safe_load(EMPLOYEES.read_text(encoding="utf-8"))
    return {r["id"]: r["values"] for r in data["records"]
            if r["model"] == "masterdata_employee" and r["values"]["company_id"] == COMPANY}


def _levels(rng: random.Random, required: list[int], bias: int) -> list[int]:
    return [min(5, max(1, req + rng.choice([-1, 0, 0, 0, 1, 1]) + bias)) for req in required]


def generate() -> dict:
    """The demo records, in load order."""
    model = yaml.safe_load(MODEL.read_text(encoding="utf-8"))
    rng = random.Random(19)
    records: list[dict] = []
    for seq, g in enumerate(model["groups"], start=1):
        records.append({"model": "competency_group", "id": f"group_guiyan_{g['code']}", "values": {
            "company_id": COMPANY, "code": g["code"], "name_zh": g["zh"], "name_en": g["en"], "sequence": seq * 10}})
    codes = []
    for seq, c in enumerate(model["competencies"], start=1):
        codes.append(c["code"])
        records.append({"model": "competency_competency", "id": f"competency_guiyan_{c['code']}", "values": {
            "company_id": COMPANY, "code": c["code"], "group_id": f"ref:group_guiyan_{c['group']}",
            "name_zh": c["zh"], "name_en": c["en"], "sequence": seq * 10}})
        for level, (zh, en) in enumerate(c["levels"], start=1):
            records.append({"model": "competency_level", "id": f"level_guiyan_{c['code']}{level}", "values": {
                "company_id": COMPANY, "competency_id": f"ref:competency_guiyan_{c['code']}", "level": level,
                "text_zh": zh, "text_en": en}})
    for position, levels in model["requirements"].items():
        for code, level in zip(codes, levels, strict=True):
            records.append({"model": "competency_requirement", "id": f"req_guiyan_{position}_{code}", "values": {
                "company_id": COMPANY, "position": position, "competency_id": f"ref:competency_guiyan_{code}",
                "level": level}})

    employees = _employees()

    def assessment(emp_id: str, rater_id: str, period: str, kind: str, on: dt.date, final: bool,
                   bias: int, comment: str | None = None) -> None:
        emp = employees[emp_id]
        key = f"assess_{period.replace('-', '').lower()}_{kind}_{emp_id.removeprefix('employee_')}"
        if kind == "peer":
            key += "_by_" + rater_id.removeprefix("employee_")
        values = {"company_id": COMPANY, "employee_id": f"ref:masterdata.{emp_id}",
                  "rater_id": f"ref:masterdata.{rater_id}", "period": period, "kind": kind,
                  "state": "final" if final else "submitted", "assessed_on": on, "position": emp["position"]}
        if comment:
            values["comment"] = comment
        if final:
            values["calibrated_at"] = CALIBRATED_AT
            values["calibrated_by_id"] = "ref:masterdata.user_zhou_ops"
        records.append({"model": "competency_assessment", "id": key, "values": values})
        required = model["requirements"][emp["position"]]
        for code, level in zip(codes, _levels(rng, required, bias), strict=True):
            records.append({"model": "competency_rating", "id": f"{key}_{code}", "values": {
                "company_id": COMPANY, "assessment_id": f"ref:{key}", "competency_id": f"ref:competency_guiyan_{code}",
                "level": level}})

    rated = [k for k, v in employees.items() if v["position"] in RATED and v.get("manager_id")]
    for emp_id in rated:
        manager = employees[emp_id]["manager_id"].removeprefix("ref:")
        assessment(emp_id, emp_id, "2026-H1", "self", dt.date(2026, 6, 20), False, bias=-1)
        assessment(emp_id, manager, "2026-H1", "manager", dt.date(2026, 6, 28), True, bias=0,
                   comment="上半年能力评估（已校准）")
    north = [k for k, v in employees.items() if v.get("manager_id") == "ref:employee_zhao_north"]
    for emp_id in north:
        for peer in north:
            if peer != emp_id:
                assessment(emp_id, peer, "2026-H1", "peer", dt.date(2026, 6, 22), False, bias=0)
    for emp_id in rated:
        if employees[emp_id]["position"] == "salesperson" and emp_id != "employee_gao_yang":
            assessment(emp_id, emp_id, "2026-H2", "self", dt.date(2026, 11, 10), False, bias=-1)
    assessment("employee_sun_li", "employee_zhao_north", "2026-H2", "manager", dt.date(2026, 11, 18), False,
               bias=0, comment="下半年评估，待人事校准")
    return {"records": records}


def main() -> None:
    """Write ``competency_demo.yaml``."""
    header = ("# competency demo data for 贵研催化 (company guiyan).\n"
              "# Generated by addons/competency/demo/generate.py: do not edit by hand.\n")
    OUT.write_text(header + yaml.safe_dump(generate(), allow_unicode=True, sort_keys=False, width=200),
                   encoding="utf-8")


if __name__ == "__main__":
    main()
