"""crm_cards at scale: generated records (its ``tixi_bench_generate`` hookimpl) and a timing script.

Generation (called by ``tixi bench generate`` through the hook): for every
company, the default development stages, a profile (class, stage) for every
customer and monthly cards for the last six months of every active customer,
about 10 % of them missing the last month; the main company's first active
customer gets five years (60 months) of monthly cards, strategy cards and
class history: the "long history" customer of the profile-card benchmark.

Timing (issue 6's benchmark)::

    python3 -m addons.crm_cards.bench --tier L            # SQLite file + throwaway PostgreSQL
    python3 -m addons.crm_cards.bench --db URL            # an existing benchmark database

prints, per engine and role, the median server time of the "missing monthly
cards" query (count + first page of 50) and of the profile card page of the
long-history customer (Flask test client, whole request), with SQL counts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy import event, func, select

from core.plugins import hookimpl

if TYPE_CHECKING:
    from core.security.env import Env

DEFAULTS = Path(__file__).resolve().parent / "data" / "defaults.yaml"
HISTORY_MONTHS = 60
RECENT_MONTHS = 6


def _month(ym: tuple[int, int]) -> dt.date:
    return dt.date(ym[0], ym[1], 1)


def _months_back(last: dt.date, n: int) -> list[dt.date]:
    out = []
    y, m = last.year, last.month
    for _ in range(n):
        out.append(dt.date(y, m, 1))
        m -= 1
        if m == 0:
            y, m = y - 1, 12
    return list(reversed(out))


@hookimpl
def tixi_bench_generate(ctx: Any) -> None:
    """Stages, profiles, six months of monthly cards, one customer with five years of history."""
    generate(ctx)


def _stage_ids(ctx: Any, company_id: int, stages: list[dict[str, Any]]) -> list[int]:
    """The company's development stages: those its set-up hook seeded, else the defaults inserted."""
    table = ctx.table("crm_cards_stage")
    ids = list(ctx.conn.execute(select(table.c.id).where(table.c.company_id == company_id)).scalars())
    if ids:
        return ids
    rows = [ctx.fill("crm_cards_stage", {"company_id": company_id, **st}) for st in stages]
    ctx.bulk_insert("crm_cards_stage", rows)
    return [r["id"] for r in rows]


def generate(ctx: Any) -> None:
    """Add crm_cards' records to a benchmark database (see the module docstring)."""
    cust = ctx.table("masterdata_customer")
    stages = yaml.safe_load(DEFAULTS.read_text(encoding="utf-8"))["stages"]
    rng = ctx.rng
    last = _month(ctx.months[-1])
    recent = _months_back(last, RECENT_MONTHS)
    history_customer = None
    for company in ctx.companies:
        stage_ids = _stage_ids(ctx, company.id, stages)
        rows = list(ctx.conn.execute(
            select(cust.c.id, cust.c.owner_id, cust.c.status, cust.c.credit_limit).where(cust.c.company_id == company.id)
        ))
        active = [r for r in rows if r.status == "active"]
        if history_customer is None and active:
            history_customer = active[0].id

        def profiles(rows: list[Any] = rows, company: Any = company, stage_ids: list[int] = stage_ids) -> Any:
            for r in rows:
                yield {
                    "company_id": company.id, "customer_id": r.id, "class_code": rng.choice("ABBCCCDD"),
                    "is_key_account": rng.random() < 0.02, "stage_id": rng.choice(stage_ids),
                    "stage_since": last, "over_credit": rng.random() < 0.05, "overdue": rng.random() < 0.05,
                    "class_since": last, "custodian_id": r.owner_id, "tech_data": None,
                }

        ctx.bulk_insert("crm_cards_profile", profiles())

        def monthly(active: list[Any] = active, company: Any = company, hist: int | None = history_customer) -> Any:
            for r in active:
                months = _months_back(last, HISTORY_MONTHS) if r.id == hist else recent
                skip_last = rng.random() < 0.1 and r.id != hist
                limit = r.credit_limit or Decimal("500000")
                for m in months:
                    if skip_last and m == last:
                        continue
                    plan = Decimal(rng.randrange(20, 600) * 1000)
                    yield {
                        "company_id": company.id, "customer_id": r.id, "month": m, "owner_id": r.owner_id,
                        "sales_plan": plan, "sales_actual": plan * Decimal(rng.randrange(60, 130)) / 100,
                        "collections_plan": plan, "collections": plan * Decimal(rng.randrange(50, 110)) / 100,
                        "overdue_amount": Decimal(0), "credit_limit": limit,
                        "credit_used": limit * Decimal(rng.randrange(10, 100)) / 100,
                        "enthusiasm": rng.randint(1, 5), "risks": None, "next_actions": "回访",
                        "state": "reviewed" if m != last else "submitted",
                    }

        ctx.bulk_insert("crm_cards_monthly", monthly())
    if history_customer is not None:
        main = ctx.companies[0]
        ctx.bulk_insert("crm_cards_strategy", [
            {"company_id": main.id, "customer_id": history_customer, "year": y, "goals": "年度目标", "budget": Decimal("100000"),
             "state": "approved", "class_code": "A"}
            for y in range(last.year - 4, last.year + 1)
        ])
        ctx.bulk_insert("crm_cards_customer_class", [
            {"company_id": main.id, "customer_id": history_customer, "class_code": c, "previous_code": p,
             "reason": "年度评审", "source": "review", "set_on": dt.date(last.year - 4 + i, 1, 5)}
            for i, (p, c) in enumerate([(None, "C"), ("C", "B"), ("B", "B"), ("B", "A"), ("A", "A")])
        ])
    ctx.ids["crm_history_customer"] = [history_customer] if history_customer else []


# ----- timing ----------------------------------------------------------------------------
def _median_ms(fn: Any, repeat: int) -> tuple[float, float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times) - min(times), result


def explain(env: Env, month: dt.date) -> list[str]:
    """The query plan (PostgreSQL ``EXPLAIN ANALYZE``) of the missing-cards first page."""
    from sqlalchemy import text

    from addons.masterdata.models import Customer

    stmt = services_mod().missing_monthly_query(env, month).order_by(Customer.name_zh).limit(50)
    sql = str(stmt.compile(dialect=env.session.get_bind().dialect, compile_kwargs={"literal_binds": True}))
    prefix = "EXPLAIN ANALYZE " if env.session.get_bind().dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
    return [" | ".join(str(x) for x in row) for row in env.session.execute(text(prefix + sql))]


def services_mod() -> Any:
    """The services module (imported late: the addon must be loaded by the registry first)."""
    from addons.crm_cards import services

    return services


def measure(url: str, repeat: int = 7, with_plans: bool = False) -> dict[str, Any]:
    """Time the missing-cards query and the profile page on a generated database."""
    from addons.crm_cards import services
    from addons.crm_cards.models import MonthlyCard
    from bench.generate import read_meta
    from core.config import Deployment
    from core.models import User
    from core.registry import Registry
    from core.security.env import Env
    from core.web.app import create_app

    meta = read_meta(url)
    registry = Registry(url, Deployment(path=None))
    last = dt.date(*meta["end"], 1)
    out: dict[str, Any] = {"engine": meta["engine"], "tier": meta["tier"]["name"], "missing": {}, "profile": {}}
    counter = {"n": 0}

    def count(*_a: Any) -> None:
        counter["n"] += 1

    event.listen(registry.engine, "before_cursor_execute", count)
    with registry.Session() as s:
        history = s.scalar(
            select(MonthlyCard.customer_id).group_by(MonthlyCard.customer_id).order_by(func.count().desc()).limit(1)
        )
        out["customers"] = meta["counts"].get("masterdata_customer")
        out["monthly_cards"] = meta["counts"].get("crm_cards_monthly")
        for role, login in meta["users"].items():
            uid = s.scalar(select(User.id).where(User.login == login))
            env = Env(registry, s, uid)

            def run(env: Env = env) -> tuple[int, int]:
                n, rows = services.missing_monthly_page(env, last, limit=50)
                return n, len(rows)

            run()  # warm the env (rules, context)
            counter["n"] = 0
            med, spread, (n, page) = _median_ms(run, repeat)
            out["missing"][role] = {"median_ms": round(med, 2), "spread_ms": round(spread, 2), "missing": n,
                                    "first_page": page, "sql_per_run": counter["n"] / repeat}
            if with_plans:
                out["missing"][role]["plan"] = explain(env, last)
    app = create_app(registry=registry, test_config={"TESTING": True})
    for role in ("director", "admin"):
        login = meta["users"][role]
        password = meta["passwords"]["admin" if role == "admin" else "others"]
        client = app.test_client()
        page = client.get("/login")
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page.text).group(1)
        client.post("/login", data={"login": login, "password": password, "csrf_token": token})
        url_ = f"/crm/customers/{history}"
        status = client.get(url_).status_code
        counter["n"] = 0
        med, spread, _r = _median_ms(lambda c=client, u=url_: c.get(u), repeat)
        out["profile"][role] = {"status": status, "median_ms": round(med, 2), "spread_ms": round(spread, 2),
                                "sql_per_request": counter["n"] / repeat, "customer_id": history}
    registry.engine.dispose()
    return out


def measure_report(url: str, repeat: int = 7) -> dict[str, Any]:
    """Time the target customer report (``crm_cards.target_customers``) per role, last month, through the report centre."""
    from bench.generate import read_meta
    from core.config import Deployment
    from core.models import User
    from core.registry import Registry
    from core.reports.run import run_report
    from core.security.env import Env

    meta = read_meta(url)
    registry = Registry(url, Deployment(path=None))
    last = dt.date(*meta["end"], 1)
    end = (last + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    out: dict[str, Any] = {"engine": meta["engine"], "tier": meta["tier"]["name"], "report": {}}
    counter = {"n": 0}

    def count(*_a: Any) -> None:
        counter["n"] += 1

    event.listen(registry.engine, "before_cursor_execute", count)
    cases = [(role, "200") for role in meta["users"]] + [("salesperson", "1000"), ("director", "1000")]
    with registry.Session() as s:
        for role, top in cases:
            if role not in meta["users"]:
                continue
            uid = s.scalar(select(User.id).where(User.login == meta["users"][role]))
            env = Env(registry, s, uid)
            params = {"period": "custom", "date_from": last.isoformat(), "date_to": end.isoformat(), "top": top}

            def run(env: Env = env, params: dict[str, Any] = params) -> int:
                return len(run_report(env, "crm_cards.target_customers", params).rows)

            run()  # warm the env (rules, context)
            counter["n"] = 0
            med, spread, rows = _median_ms(run, repeat)
            out["report"][f"{role} top {top}"] = {"median_ms": round(med, 2), "spread_ms": round(spread, 2),
                                                  "rows": rows, "sql_per_run": counter["n"] / repeat}
    registry.engine.dispose()
    return out


def main() -> None:
    """``python3 -m addons.crm_cards.bench [--db URL] [--tier S|M|L] [--json FILE]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="append", help="benchmark database URL (repeatable)")
    parser.add_argument("--tier", default="S")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json")
    parser.add_argument("--explain", action="store_true", help="add the query plans")
    parser.add_argument("--only", choices=("all", "report"), default="all",
                        help="report: only the target customer report (tier generated with field_activity)")
    args = parser.parse_args()
    urls = list(args.db or [])
    if not urls:
        from bench.generate import generate as bench_generate

        for engine in args.engines.split(","):
            if engine == "sqlite":
                url = f"sqlite:///{tempfile.mkdtemp(prefix='tixi-crm-bench-')}/bench.db"
            else:
                from core.testing.pgserver import create_database, postgres_url

                url = create_database(postgres_url(), f"tixi_crm_bench_{args.tier.lower()}_{int(time.time())}")
            t0 = time.perf_counter()
            addons = ["masterdata", "territories", "crm_cards"] + (["field_activity"] if args.only == "report" else [])
            bench_generate(url, args.tier, addons=addons, progress=print)
            print(f"generated tier {args.tier} on {engine} in {time.perf_counter() - t0:.1f} s")
            urls.append(url)
    if args.only == "report":
        results = [measure_report(u, args.repeat) for u in urls]
    else:
        results = [measure(u, args.repeat, args.explain) | measure_report(u, args.repeat) for u in urls]
    print(json.dumps(results, ensure_ascii=False, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
