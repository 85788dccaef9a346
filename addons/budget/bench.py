"""budget at scale: generated records (its ``tixi_bench_generate`` hookimpl) and a timing script.

Generation (called by ``tixi bench generate`` through the hook), per company: the standard
categories (where the company set-up has not run), a 2026 budget for every territory (seven
lines each, phased over twelve months), and claims through the year by the territories'
members: one claim per ten customers of the tier (100,000 at tier L in the main company,
mostly paid), an expense request per 50 claims (approved: committed) and a supplementary
budget per territory.

Timing::

    python3 -m addons.budget.bench --tier S              # SQLite file + throwaway PostgreSQL
    python3 -m addons.budget.bench --tier L --engines postgresql
    python3 -m addons.budget.bench --db URL              # an existing benchmark database

prints, per engine and role (the director: every line, like finance; a territory manager; a salesperson), the
median time of the execution report for all lines of 2026 through the report centre
(``run_report("budget.execution")``) and of the marketing audit of 2026 (per territory, and per
territory and category: budget's tables plus sales_planning's measures), with SQL counts, and
of a claim submit (line lock + figures, rolled back).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from core.plugins import hookimpl

DATA = Path(__file__).resolve().parent / "data" / "categories.yaml"
YEAR = 2026


@hookimpl
def tixi_bench_generate(ctx: Any) -> None:
    """Budgets for every territory, claims, requests and supplements (see the module docstring)."""
    generate(ctx)


def generate(ctx: Any) -> None:
    """Add budget's records to a benchmark database."""
    from addons.sales_planning.services.engine import largest_remainder

    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    cat_t, terr, mem = ctx.table("budget_category"), ctx.table("territories_territory"), ctx.table("territories_member")
    cust = ctx.table("masterdata_customer")
    for company in ctx.companies:
        cid = company.id
        cats = dict(ctx.conn.execute(select(cat_t.c.code, cat_t.c.id).where(cat_t.c.company_id == cid)).all())
        rows = []
        for c in data["categories"]:
            if c["code"] not in cats:
                row = ctx.fill("budget_category", {"company_id": cid, **c, "weight": Decimal(c["weight"])})
                row["id"] = ctx.alloc("budget_category", 1)[0]
                cats[c["code"]] = row["id"]
                rows.append(row)
        ctx.bulk_insert("budget_category", rows)
        weights = [Decimal(c["weight"]) for c in data["categories"]]
        codes = [c["code"] for c in data["categories"]]
        territories = list(ctx.conn.execute(select(terr.c.id, terr.c.manager_id).where(terr.c.company_id == cid)))
        members: dict[int, list[int]] = {}
        for tid, emp in ctx.conn.execute(select(mem.c.territory_id, mem.c.employee_id).where(mem.c.company_id == cid)):
            members.setdefault(tid, []).append(emp)
        n_customers = ctx.conn.execute(select(cust.c.id).where(cust.c.company_id == cid).limit(1_000_000)).all()
        n_claims = max(50, len(n_customers) // 10)
        budgets, lines, phases, claims, requests, sups = [], [], [], [], [], []
        line_ids: list[tuple[int, list[int]]] = []
        for tid, manager in territories:
            b = ctx.fill("budget_budget", {"company_id": cid, "name": f"片区预算 {tid}", "year": YEAR,
                                           "owner_kind": "territory", "territory_id": tid, "owner_id": manager,
                                           "state": "approved", "total_amount": Decimal("0")})
            b["id"] = ctx.alloc("budget_budget", 1)[0]
            total = Decimal(ctx.rng.randint(100_000, 600_000))
            b["total_amount"] = total
            budgets.append(b)
            people = members.get(tid) or ([manager] if manager else [])
            ids = []
            for code, part in zip(codes, largest_remainder(total, weights), strict=True):
                ln = ctx.fill("budget_line", {"company_id": cid, "budget_id": b["id"], "category_id": cats[code],
                                              "amount": part})
                ln["id"] = ctx.alloc("budget_line", 1)[0]
                lines.append(ln)
                ids.append(ln["id"])
                for m, amount in zip(range(1, 13), largest_remainder(part, [1] * 12), strict=True):
                    phases.append(ctx.fill("budget_phase", {"company_id": cid, "line_id": ln["id"],
                                                            "month": dt.date(YEAR, m, 1), "amount": amount}))
            if people:
                line_ids.append((ids[0], people))
                line_ids.extend((i, people) for i in ids[1:])
                sups.append(ctx.fill("budget_supplement", {
                    "company_id": cid, "line_id": ids[1], "employee_id": people[0], "amount": Decimal("2000.00"),
                    "reason": "追加", "state": "approved", "decided_on": dt.date(YEAR, 6, 1)}))
        for i in range(n_claims if line_ids else 0):
            line_id, people = line_ids[ctx.rng.randrange(len(line_ids))]
            month = ctx.rng.randint(1, 11)
            claims.append(ctx.fill("budget_claim", {
                "company_id": cid, "line_id": line_id, "employee_id": ctx.rng.choice(people),
                "expense_date": dt.date(YEAR, month, ctx.rng.randint(1, 28)),
                "amount": Decimal(ctx.rng.randint(50, 900)) + Decimal(ctx.rng.randint(0, 99)) / 100,
                "description": "差旅", "state": "paid" if month <= 10 else ("approved" if i % 2 else "submitted"),
                "advance_deducted": Decimal("0")}))
            if i % 50 == 0:
                requests.append(ctx.fill("budget_request", {
                    "company_id": cid, "line_id": line_id, "employee_id": ctx.rng.choice(people),
                    "amount": Decimal("800.00"), "purpose": "出差", "needed_on": dt.date(YEAR, 12, 10),
                    "state": "approved"}))
        for table, rows in (("budget_budget", budgets), ("budget_line", lines), ("budget_phase", phases),
                            ("budget_supplement", sups), ("budget_request", requests), ("budget_claim", claims)):
            if rows and table not in ("budget_budget", "budget_line", "budget_phase"):
                for r, i in zip(rows, ctx.alloc(table, len(rows)), strict=True):
                    r["id"] = i
            ctx.bulk_insert(table, rows)


def _median_ms(fn: Any, repeat: int) -> tuple[float, float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times) - min(times), result


def measure(url: str, repeat: int = 5) -> dict[str, Any]:
    """Time the execution report for all lines of 2026 and a claim submit on a generated database."""
    from sqlalchemy import event

    from addons.budget.models import Claim, Line
    from addons.budget.services import claims as C
    from bench.generate import read_meta
    from core.config import Deployment
    from core.models import User
    from core.reports import run_report
    from core.security.env import Env

    meta = read_meta(url)
    from core.registry import Registry

    registry = Registry(url, Deployment(path=None))
    out: dict[str, Any] = {"engine": meta["engine"], "tier": meta["tier"]["name"], "execution": {},
                           "marketing_audit": {}, "marketing_audit_by_category": {}}
    counter = {"n": 0}
    event.listen(registry.engine, "before_cursor_execute", lambda *_a: counter.__setitem__("n", counter["n"] + 1))
    with registry.Session() as s:
        logins = {"director": meta["users"]["director"], "region_manager": meta["users"]["region_manager"],
                  "salesperson": meta["users"]["salesperson"]}
        admin = Env(registry, s, s.scalar(select(User.id).where(User.login == logins["director"])))
        out["lines"] = admin.sudo().count(Line)
        out["claims"] = admin.sudo().count(Claim)
        for role, login in logins.items():
            env = Env(registry, s, s.scalar(select(User.id).where(User.login == login)))

            def run(env: Env = env) -> Any:
                return run_report(env, "budget.execution", {"year": str(YEAR), "as_of": "2026-11-30", "by": "line"})

            try:
                run()  # warm the env (rules, context) and the caches
            except Exception as exc:  # noqa: BLE001 - a role without access is reported, not fatal
                out["execution"][role] = {"error": str(exc)}
                continue
            counter["n"] = 0
            med, spread, res = _median_ms(run, repeat)
            out["execution"][role] = {"median_ms": round(med, 1), "spread_ms": round(spread, 1),
                                      "rows": len(res.rows), "sql_per_run": counter["n"] / repeat}
            # the marketing audit of the year (per territory, and per territory and category)
            for key, by in (("marketing_audit", "territory"), ("marketing_audit_by_category", "territory_category")):
                params = {"period": "custom", "date_from": f"{YEAR}-01-01", "date_to": f"{YEAR}-12-31", "by": by}

                def audit(env: Env = env, params: dict = params) -> Any:
                    return run_report(env, "budget.marketing_audit", params)

                try:
                    audit()
                except Exception as exc:  # noqa: BLE001 - reported, not fatal
                    out[key][role] = {"error": str(exc)}
                    continue
                counter["n"] = 0
                med, spread, res = _median_ms(audit, repeat)
                out[key][role] = {"median_ms": round(med, 1), "spread_ms": round(spread, 1), "rows": len(res.rows),
                                  "sql_per_run": counter["n"] / repeat}
        # a claim's submit: the line lock and the figures after it (rolled back)
        sudo = admin.sudo()
        claim = sudo.scalar(sudo.select(Claim).where(Claim.state == "paid").limit(1))
        times = []
        for _ in range(repeat):
            with s.begin_nested() as sp:
                t0 = time.perf_counter()
                C.L.lock(admin, claim.line_id)
                times.append((time.perf_counter() - t0) * 1000)
                sp.rollback()
        out["lock_and_figures_ms"] = round(statistics.median(times), 2)
    registry.engine.dispose()
    return out


def main() -> None:
    """``python3 -m addons.budget.bench [--db URL] [--tier S|M|L] [--engines sqlite,postgresql] [--json FILE]``."""
    from bench.common import addon_bench_main

    addon_bench_main("budget", ["masterdata", "territories", "sales_planning", "budget"], measure, __doc__.split("\n\n")[0])


if __name__ == "__main__":
    main()
