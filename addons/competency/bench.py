"""competency at scale: generated records (its ``tixi_bench_generate`` hookimpl) and a timing script.

Generation (called by ``tixi bench generate`` through the hook): for every
company the default model (from the company set-up; generated where it has not run) and,
for two half-years, a calibrated manager assessment of every employee who has
a manager and a self-assessment, ten ratings each (deterministic, ``ctx.rng``).

Timing::

    python3 -m addons.competency.bench --tier S            # SQLite file + throwaway PostgreSQL
    python3 -m addons.competency.bench --db URL            # an existing benchmark database

prints, per engine and role, the median server time of the team-gap page
(``/competency/team``, whole request through the Flask test client) and of
the gap report rows (``gap_rows``) for the last period, with SQL counts.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import time
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import event, select

from core.plugins import hookimpl

MODEL = Path(__file__).resolve().parent / "data" / "competency_model.yaml"
PERIODS = (("2026-H1", dt.date(2026, 6, 28)), ("2026-H2", dt.date(2026, 11, 20)))


@hookimpl
def tixi_bench_generate(ctx: Any) -> None:
    """The model per company and two half-years of assessments of every employee with a manager."""
    generate(ctx)


def generate(ctx: Any) -> None:
    """Add competency's records to a benchmark database (see the module docstring)."""
    model = yaml.safe_load(MODEL.read_text(encoding="utf-8"))
    codes = [c["code"] for c in model["competencies"]]
    emp = ctx.table("masterdata_employee")
    comp = ctx.table("competency_competency")
    for company in ctx.companies:
        cid = company.id
        existing = dict(ctx.conn.execute(select(comp.c.code, comp.c.id).where(comp.c.company_id == cid)).all())
        comp_ids = [existing[c] for c in codes] if existing else _model_rows(ctx, cid, model)
        people = ctx.conn.execute(select(emp.c.id, emp.c.manager_id, emp.c.position).where(
            emp.c.company_id == cid, emp.c.manager_id.is_not(None))).all()
        assessments, ratings = [], []
        for period, on in PERIODS:
            for emp_id, manager_id, position in people:
                required = model["requirements"].get(position)
                if required is None:
                    continue
                for kind, rater in (("self", emp_id), ("manager", manager_id)):
                    final = kind == "manager"
                    a = ctx.fill("competency_assessment", {
                        "company_id": cid, "employee_id": emp_id, "rater_id": rater, "period": period, "kind": kind,
                        "state": "final" if final else "submitted", "assessed_on": on, "position": position,
                        "calibrated_at": ctx.now if final else None})
                    a["id"] = ctx.alloc("competency_assessment", 1)[0]
                    assessments.append(a)
                    for i, req in enumerate(required):
                        level = min(5, max(1, req + ctx.rng.choice((-1, 0, 0, 1, 1, 2))))
                        ratings.append(ctx.fill("competency_rating", {
                            "company_id": cid, "assessment_id": a["id"], "competency_id": comp_ids[i],
                            "level": level}))
        ctx.bulk_insert("competency_assessment", assessments)
        ctx.bulk_insert("competency_rating", ratings)


def _model_rows(ctx: Any, cid: int, model: dict) -> list[int]:
    """The default model for a company the set-up has not reached; the competency ids A..J."""
    groups = {}
    for seq, g in enumerate(model["groups"], start=1):
        row = ctx.fill("competency_group", {"company_id": cid, "code": g["code"], "name_zh": g["zh"],
                                            "name_en": g["en"], "sequence": seq * 10})
        ctx.bulk_insert("competency_group", [row])
        groups[g["code"]] = row["id"]
    comp_rows = [ctx.fill("competency_competency", {
        "company_id": cid, "code": c["code"], "group_id": groups[c["group"]], "name_zh": c["zh"],
        "name_en": c["en"], "sequence": (i + 1) * 10}) for i, c in enumerate(model["competencies"])]
    ctx.bulk_insert("competency_competency", comp_rows)
    comp_ids = [r["id"] for r in comp_rows]
    ctx.bulk_insert("competency_level", [
        ctx.fill("competency_level", {"company_id": cid, "competency_id": comp_ids[i], "level": lv,
                                      "text_zh": zh, "text_en": en})
        for i, c in enumerate(model["competencies"]) for lv, (zh, en) in enumerate(c["levels"], start=1)])
    ctx.bulk_insert("competency_requirement", [
        ctx.fill("competency_requirement", {"company_id": cid, "position": pos, "competency_id": comp_ids[i],
                                            "level": levels[i]})
        for pos, levels in model["requirements"].items() for i in range(len(comp_ids))])
    return comp_ids


def _median_ms(fn: Any, repeat: int) -> tuple[float, float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times) - min(times), result


def measure(url: str, repeat: int = 5) -> dict[str, Any]:
    """Time the gap rows and the team page on a generated database."""
    from addons.competency.services import gap_rows
    from bench.generate import read_meta
    from core.config import Deployment
    from core.models import User
    from core.registry import Registry
    from core.security.env import Env
    from core.web.app import create_app

    meta = read_meta(url)
    registry = Registry(url, Deployment(path=None))
    out: dict[str, Any] = {"engine": meta["engine"], "tier": meta["tier"]["name"],
                           "ratings": meta["counts"].get("competency_rating"), "gap_rows": {}, "team_page": {}}
    counter = {"n": 0}
    event.listen(registry.engine, "before_cursor_execute", lambda *_a: counter.__setitem__("n", counter["n"] + 1))
    with registry.Session() as s:
        for role, login in meta["users"].items():
            env = Env(registry, s, s.scalar(select(User.id).where(User.login == login)))
            gap_rows(env, period="2026-H2")  # warm the env (rules, context)
            counter["n"] = 0
            med, spread, rows = _median_ms(lambda env=env: gap_rows(env, period="2026-H2"), repeat)
            out["gap_rows"][role] = {"median_ms": round(med, 2), "spread_ms": round(spread, 2), "rows": len(rows),
                                     "sql_per_run": counter["n"] / repeat}
    app = create_app(registry=registry, test_config={"TESTING": True})
    for role in ("province_manager", "director"):
        client = app.test_client()
        page = client.get("/login")
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page.text).group(1)
        client.post("/login", data={"login": meta["users"][role], "password": meta["passwords"]["others"],
                                    "csrf_token": token})
        status = client.get("/competency/team?period=2026-H2").status_code
        counter["n"] = 0
        med, spread, _r = _median_ms(lambda c=client: c.get("/competency/team?period=2026-H2"), repeat)
        out["team_page"][role] = {"status": status, "median_ms": round(med, 2), "spread_ms": round(spread, 2),
                                  "sql_per_request": counter["n"] / repeat}
    registry.engine.dispose()
    return out


def main() -> None:
    """``python3 -m addons.competency.bench [--db URL] [--tier S|M|L] [--engines sqlite,postgresql] [--json FILE]``."""
    from bench.common import addon_bench_main

    addon_bench_main("competency", ["masterdata", "competency"], measure, __doc__.split("\n\n")[0])


if __name__ == "__main__":
    main()
