"""training at scale: generated records (its ``tixi_bench_generate`` hookimpl) and a timing script.

Generation (called by ``tixi bench generate`` through the hook, after competency's
two half-years of calibrated assessments of every employee with a manager): per
company ten approved courses, one per competency A..J plus combined ones, with
an external lecturer's fee, so needs have courses to match.

Timing::

    python3 -m addons.training.bench --tier L --engines sqlite   # generate, then time
    python3 -m addons.training.bench --db URL                   # an existing benchmark database

prints, per engine, the median time of (a) the gap candidates of the last
period (``gap_candidates``: the competency hook and the course match), (b)
``compute_needs`` writing the needs of every person with a gap (rolled back
after each run) and (c) ``generate_plan`` on those needs within a budget
(rolled back), with SQL statement counts and sizes.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from sqlalchemy import event, select

from core.plugins import hookimpl

COURSES = [("BTR-A", {"A": 2}), ("BTR-B", {"B": 2}), ("BTR-C", {"C": 3}), ("BTR-D", {"D": 3}),
           ("BTR-E", {"E": 3}), ("BTR-F", {"F": 2}), ("BTR-G", {"G": 1}), ("BTR-H", {"H": 2}),
           ("BTR-IJ", {"I": 1, "J": 2}), ("BTR-BG", {"B": 2, "G": 1})]


@hookimpl
def tixi_bench_generate(ctx: Any) -> None:
    """Ten approved courses per company (and an external lecturer)."""
    generate(ctx)


def generate(ctx: Any) -> None:
    """Add training's records to a benchmark database (see the module docstring)."""
    for company in ctx.companies:
        cid = company.id
        lecturer = ctx.fill("training_lecturer", {"company_id": cid, "kind": "external", "name": "外部专家",
                                                  "certified": True, "fee_per_hour": "500", "rating_count": 0})
        ctx.bulk_insert("training_lecturer", [lecturer])
        courses = []
        for i, (code, _comps) in enumerate(COURSES):
            courses.append(ctx.fill("training_course", {
                "company_id": cid, "code": code, "name_zh": f"能力提升课程 {code}", "duration_hours": "6",
                "capacity": 20 + 5 * (i % 3), "cost_per_session": str(2000 + 500 * i), "pass_score": 60,
                "lecturer_id": lecturer["id"], "state": "approved", "rating_count": 0}))
        ctx.bulk_insert("training_course", courses)
        ctx.bulk_insert("training_course_competency", [
            ctx.fill("training_course_competency", {"company_id": cid, "course_id": row["id"], "code": c,
                                                    "target_level": level})
            for row, (_code, comps) in zip(courses, COURSES, strict=True) for c, level in comps.items()])


def _median_ms(fn: Any, repeat: int) -> tuple[float, float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times) - min(times), result


def measure(url: str, repeat: int = 5) -> dict[str, Any]:
    """Time gap candidates, needs computation and plan generation on a generated database."""
    from addons.training import services as svc
    from bench.generate import read_meta
    from core.config import Deployment
    from core.models import User
    from core.registry import Registry
    from core.security.env import Env

    meta = read_meta(url)
    registry = Registry(url, Deployment(path=None))
    out: dict[str, Any] = {"engine": meta["engine"], "tier": meta["tier"]["name"],
                           "ratings": meta["counts"].get("competency_rating")}
    counter = {"n": 0}
    event.listen(registry.engine, "before_cursor_execute", lambda *_a: counter.__setitem__("n", counter["n"] + 1))
    with registry.Session() as s:
        env = Env(registry, s, s.scalar(select(User.id).where(User.login == meta["users"]["admin"])))
        svc.gap_candidates(env, "2026-H2")  # warm the env (rules, context)
        counter["n"] = 0
        med, spread, rows = _median_ms(lambda: svc.gap_candidates(env, "2026-H2"), repeat)
        out["gap_candidates"] = {"median_ms": round(med, 1), "spread_ms": round(spread, 1), "rows": len(rows),
                                 "people": len({r["employee"] for r in rows}), "sql_per_run": counter["n"] / repeat}

        def needs() -> dict:
            sp = s.begin_nested()
            try:
                return svc.compute_needs(env, "2026-H2")
            finally:
                sp.rollback()

        counter["n"] = 0
        med, spread, result = _median_ms(needs, repeat)
        out["compute_needs"] = {"median_ms": round(med, 1), "spread_ms": round(spread, 1), **result,
                                "sql_per_run": counter["n"] / repeat}

        def plan() -> Any:
            sp = s.begin_nested()
            try:
                svc.compute_needs(env, "2026-H2")
                t0 = time.perf_counter()
                p = svc.generate_plan(env, 2027, 1, "60000", need_period="2026-H2")
                return (time.perf_counter() - t0) * 1000, len(p.lines), p.covered_gap, p.open_gap
            finally:
                sp.rollback()

        runs = [plan() for _ in range(repeat)]
        out["generate_plan"] = {"median_ms": round(statistics.median(r[0] for r in runs), 1),
                                "lines": runs[-1][1], "covered_gap": runs[-1][2], "open_gap": runs[-1][3]}
    registry.engine.dispose()
    return out


def main() -> None:
    """``python3 -m addons.training.bench [--db URL] [--tier S|M|L] [--engines sqlite,postgresql] [--json FILE]``."""
    from bench.common import addon_bench_main

    addon_bench_main("training", ["masterdata", "competency", "training"], measure, __doc__.split("\n\n")[0])


if __name__ == "__main__":
    main()
