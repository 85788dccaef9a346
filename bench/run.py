"""The query/page benchmark (``tixi bench run``).

On one or more generated databases (SQLite and/or PostgreSQL), in one run, as
an unrestricted admin, a territory manager (a region manager of the main
company) and a salesperson, each case is run ``repeat`` times after one
warm-up and reported as median and spread (p10-p90), with the number of SQL
statements it sent (SQLAlchemy ``before_cursor_execute``).

Every case goes through the kernel :class:`~core.security.env.Env`, the way a
request does: a new session and a new ``Env`` per operation (so the time
includes loading the user's groups, rules and context), then
``env.select(...)`` with order/limit/offset. ``list_query`` is the exception:
the SQL of the first list page alone, on a warm ``Env`` (issue 3's "query
itself").

Cases: ``env`` (session + ``Env`` + compiled rules only), ``list_page`` (count +
first page of 50, sorted by name, owners eager-loaded), ``list_page_capped``
(the same with the count capped at 10,001), ``list_query``, ``list_query_alt``
(the list query with the rules written as we propose, see
:func:`_alt_list_query`),
``list_deep`` (the page at 90 % of the user's rows), ``list_filtered``
(status and a name fragment), ``detail`` (customer, owner, contacts, 12-month
sales), ``aggregate`` (plan-vs-actual style: sales of the user's customers by
month over 12 months), ``dashboard`` (customers by status, sales this year),
``export`` (up to 10,000 rows the user may read into an .xlsx, openpyxl
write-only), ``import_5k`` (5,000 new customers from an .xlsx through
``addons.masterdata.importer.import_file``, full validation, rolled back), ``web_list`` (the customer list page through the Flask test
client, when the masterdata pages exist) and ``web_home`` (the home page with
the addons' dashboard widgets).

Ratios reported: restricted/unrestricted (role median / admin median, same
engine) and SQLite/PostgreSQL (same role and case).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, selectinload

from bench.common import QueryCounter, Stats, engine_name, machine_info
from bench.generate import read_meta, sales_line
from core.config import PROJECT_ROOT, Deployment
from core.errors import AccessDenied

if TYPE_CHECKING:
    from core.security.env import Env

ROLES = ("admin", "region_manager", "salesperson")
ROLE_LABEL = {"admin": "admin (unrestricted)", "region_manager": "territory manager", "salesperson": "salesperson"}
PAGE = 50
RATIO_GOAL = 1.3
LIST_GOAL_MS = 20.0
QUERY_GOAL = 30
COUNT_CAP = 10_000
SLOW_SQL_MS = 50.0
LIST_CASES = ("list_page", "list_page_capped", "list_query", "list_query_alt", "list_deep", "list_filtered")


class Target:
    """One generated database: registry, users and the query counter."""

    def __init__(self, url: str) -> None:
        from core.registry import Registry

        self.url = url
        self.engine = engine_name(url)
        self.meta = read_meta(url)
        if not self.meta:
            raise RuntimeError(f"{_mask(url)} has no benchmark data: run 'tixi bench generate' first")
        self.registry = Registry(url, Deployment(path=None), use_entry_points=False)
        self.counter = QueryCounter(self.registry.engine)
        from core.models import Company, User

        with self.registry.Session() as s:
            self.company_id = s.scalar(select(Company.id).where(Company.code == self.meta["company"]))
            self.user_ids = {
                role: s.scalar(select(User.id).where(User.login == login))
                for role, login in self.meta["users"].items()
            }

    def close(self) -> None:
        """Release connections."""
        self.counter.close()
        self.registry.engine.dispose()


def _mask(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _models() -> tuple[type, type]:
    from addons.masterdata.models import Contact, Customer

    return Customer, Contact


def _env(target: Target, session: Session, role: str) -> Any:
    from core.security.env import Env

    return Env(target.registry, session, target.user_ids[role], target.company_id)


def _months_back(meta: dict[str, Any], n: int) -> int:
    y, m = meta["end"]
    for _ in range(n - 1):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
    return y * 100 + m


# ------------------------------------------------------------------ the cases


def _cases(target: Target, role: str) -> dict[str, Callable[[], Any]]:
    """The operations of one role on one database; each returns a row count."""
    customer, contact = _models()
    order = (customer.name_zh, customer.id)
    from_period = _months_back(target.meta, 12)
    year_start = target.meta["end"][0] * 100 + 1
    reg = target.registry

    with reg.Session() as s:
        env = _env(target, s, role)
        visible = env.count(customer)
        deep_offset = max(0, (int(visible * 0.9) // PAGE) * PAGE)
        first = s.scalars(env.select(customer).order_by(*order).limit(1)).first()
        detail_id = first.id if first is not None else None
        words = [r[0][2:4] for r in s.execute(env.select(customer, "read", customer.name_zh).limit(1))]
    fragment = words[0] if words else "华"

    def request(work: Callable[[Any, Session], Any]) -> Callable[[], Any]:
        def op() -> Any:
            with reg.Session() as session:
                env = _env(target, session, role)
                return work(env, session)

        return op

    def list_page(env: Env, s: Session) -> int:
        total = env.count(customer)
        stmt = env.select(customer).order_by(*order).limit(PAGE).options(selectinload(customer.owner))
        rows = s.scalars(stmt).all()
        [r.owner for r in rows]  # the owner column of the list: one query, not 50
        return min(total, len(rows))

    def list_page_capped(env: Env, s: Session) -> int:
        # the count stops at 10,001 ("10,000+"), as a list pager needs no more
        capped = env.select(customer, "read", customer.id).limit(COUNT_CAP + 1).subquery()
        total = s.scalar(select(func.count()).select_from(capped))
        stmt = env.select(customer).order_by(*order).limit(PAGE).options(selectinload(customer.owner))
        rows = s.scalars(stmt).all()
        [r.owner for r in rows]
        return min(total, len(rows))

    def list_deep(env: Env, s: Session) -> int:
        return len(s.scalars(env.select(customer).order_by(*order).offset(deep_offset).limit(PAGE)).all())

    def list_filtered(env: Env, s: Session) -> int:
        stmt = (
            env.select(customer)
            .where(customer.status == "active", customer.name_zh.contains(fragment))
            .order_by(*order)
            .limit(PAGE)
        )
        return len(s.scalars(stmt).all())

    def detail(env: Env, s: Session) -> int:
        if detail_id is None:
            return 0
        rec = env.get(customer, detail_id)
        _ = rec.owner
        contacts = env.search(contact, contact.customer_id == detail_id)
        total = s.execute(
            select(func.coalesce(func.sum(sales_line.c.amount), 0)).where(
                sales_line.c.customer_id == detail_id, sales_line.c.period >= from_period
            )
        ).scalar()
        return 1 + len(contacts) + (1 if total is not None else 0)

    def aggregate(env: Env, s: Session) -> int:
        mine = env.select(customer, "read", customer.id)
        stmt = (
            select(sales_line.c.period, func.sum(sales_line.c.amount))
            .where(
                sales_line.c.company_id == env.company_id,
                sales_line.c.period >= from_period,
                sales_line.c.customer_id.in_(mine),
            )
            .group_by(sales_line.c.period)
            .order_by(sales_line.c.period)
        )
        return len(s.execute(stmt).all())

    def dashboard(env: Env, s: Session) -> int:
        by_status = s.execute(
            env.select(customer, "read", customer.status, func.count(customer.id)).group_by(customer.status)
        ).all()
        mine = env.select(customer, "read", customer.id)
        s.execute(
            select(func.sum(sales_line.c.amount)).where(
                sales_line.c.company_id == env.company_id,
                sales_line.c.period >= year_start,
                sales_line.c.customer_id.in_(mine),
            )
        ).scalar()
        return len(by_status)

    def export(env: Env, s: Session) -> int:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("客户")
        cols = env.visible_fields(customer, ["code", "name_zh", "credit_code", "province", "city",
                                             "status", "credit_limit", "settlement_method"])
        ws.append(cols)
        n = 0
        stmt = env.select(customer, "read", *[getattr(customer, c) for c in cols]).order_by(*order).limit(10_000)
        for row in s.execute(stmt):
            ws.append(list(row))
            n += 1
        wb.save(io.BytesIO())
        return n

    def env_only(env: Env, s: Session) -> int:
        env.select(customer)  # rights, groups, rules and context: what every request pays first
        return 0

    import_file = _import_file_bytes(role)

    def import_5k(env: Env, s: Session) -> int:
        from addons.masterdata.importer import import_file as do_import

        try:
            result = do_import(env, "customers", import_file, "bench.xlsx", "zh_CN")
        finally:
            s.rollback()  # measured, never kept
        if result.errors:
            first = result.errors[0]
            raise RuntimeError(f"import refused: row {first.row} {first.column}: {first.message}")
        return result.created

    cases: dict[str, Callable[[], Any]] = {
        "env": request(env_only),
        "list_page": request(list_page),
        "list_page_capped": request(list_page_capped),
        "list_deep": request(list_deep),
        "list_filtered": request(list_filtered),
        "detail": request(detail),
        "aggregate": request(aggregate),
        "dashboard": request(dashboard),
        "export": request(export),
    }
    if import_file is not None:
        cases["import_5k"] = request(import_5k)

    # the list SQL alone, on a warm Env (built once)
    warm_session = reg.Session()
    warm_env = _env(target, warm_session, role)
    warm_stmt = warm_env.select(customer).order_by(*order).limit(PAGE)

    def list_query() -> int:
        return len(warm_session.scalars(warm_stmt).all())

    cases["list_query"] = list_query
    alt = _alt_list_query(target, warm_session, warm_env, order)
    if alt is not None:
        cases["list_query_alt"] = alt
    cases["_close"] = warm_session.close
    cases["_explain"] = lambda: explain(target, warm_session, warm_stmt)
    cases["_meta"] = lambda: {"visible": visible, "deep_offset": deep_offset, "fragment": fragment}
    return cases


IMPORT_ROWS = 5_000


def _import_file_bytes(role: str) -> bytes | None:
    """An .xlsx of 5,000 new valid customers (Chinese headers), or None without the importer."""
    try:
        import addons.masterdata.importer  # noqa: F401
    except ImportError:
        return None
    from openpyxl import Workbook

    from bench.generate import REGIONS, credit_code

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("客户")
    ws.append(["客户名称", "统一社会信用代码", "省份", "城市", "信用额度", "结算方式", "状态"])
    provinces = [(p, d, cities) for _r, _z, _e, provs in REGIONS for _c, p, _pe, d, cities in provs]
    for i in range(IMPORT_ROWS):
        prov, division, cities = provinces[i % len(provinces)]
        ws.append([f"{cities[i % 3]}导入基准{role}{i:05d}有限公司", credit_code(division, 90_000_000 + i), prov,
                   cities[i % 3], f"{(i % 500) * 1000}.00", "月结", "潜在"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _alt_list_query(target: Target, session: Session, env: Env, order: Any) -> Callable[[], Any] | None:
    """The list query with the rules written the way we propose (a measured suggestion).

    Same rows as the kernel's rules (checked), but: the user's sub-trees
    (employees under them, territories under theirs) are resolved to literal id
    lists first (two small queries, included in the time), and "customer in one
    of my territories" is a correlated ``EXISTS`` on the current assignment
    instead of ``id IN (every customer of the territories)``. Planners can then
    estimate the filter and use the owner index (SQLite) or probe per row
    instead of hashing tens of thousands of ids (PostgreSQL).
    """
    from sqlalchemy import exists, or_

    from core.db import Base

    customer, _contact = _models()
    meta = Base.metadata.tables
    if "masterdata_employee_closure" not in meta:
        return None
    emp, emp_cl = meta["masterdata_employee"], meta["masterdata_employee_closure"]
    has_terr = "territories_territory" in meta and "territories" in env.enabled
    uid, cid = env.user_id, env.company_id
    is_admin = env.user.is_admin
    is_tm = env.in_group("core.group_territory_manager")
    is_sp = env.in_group("core.group_salesperson")

    def stmt() -> Any:
        where = [customer.company_id == cid]
        if not is_admin:
            parts = []
            mine = select(emp.c.id).where(emp.c.company_id == cid, emp.c.user_id == uid)
            if is_sp:
                under = list(session.scalars(select(emp_cl.c.descendant_id).where(emp_cl.c.ancestor_id.in_(mine))))
                parts.append(customer.owner_id.in_(under))
            if is_tm and has_terr:
                ter, ter_cl, tc = (meta["territories_territory"], meta["territories_territory_closure"],
                                   meta["territories_customer"])
                managed = select(ter.c.id).where(ter.c.company_id == cid, ter.c.manager_id.in_(mine))
                subtree = list(session.scalars(
                    select(ter_cl.c.descendant_id).where(ter_cl.c.ancestor_id.in_(managed))))
                parts.append(exists().where(tc.c.customer_id == customer.id, tc.c.date_to.is_(None),
                                            tc.c.territory_id.in_(subtree)))
            where.append(or_(*parts) if parts else customer.id.is_(None))
        return select(customer).where(*where).order_by(*order).limit(PAGE)

    kernel_ids = [c.id for c in session.scalars(env.select(customer).order_by(*order).limit(PAGE))]
    alt_ids = [c.id for c in session.scalars(stmt())]
    if kernel_ids != alt_ids:
        return None  # not equivalent on this data: do not report it

    def op() -> int:
        return len(session.scalars(stmt()).all())

    return op


def explain(target: Target, session: Session, stmt: Any) -> str:
    """The database's plan for a statement (EXPLAIN ANALYZE / EXPLAIN QUERY PLAN)."""
    dialect = session.get_bind().dialect
    try:
        sql = str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    except Exception as exc:  # noqa: BLE001 - the plan is informative only
        return f"(cannot render the statement: {exc})"
    try:
        if target.engine == "postgresql":
            rows = session.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql)).scalars().all()
            return "\n".join(rows)
        rows = session.execute(text("EXPLAIN QUERY PLAN " + sql)).all()
        return "\n".join(str(tuple(r)) for r in rows)
    except Exception as exc:  # noqa: BLE001
        session.rollback()
        return f"(EXPLAIN failed: {exc})"


def web_app(target: Target) -> tuple[Any, str | None]:
    """The Flask app on the target's registry (testing mode) and why it is missing, if it is."""
    try:
        from core.web.app import create_app
    except ImportError as exc:
        return None, f"no web shell: {exc}"
    try:
        return create_app(registry=target.registry, test_config={"TESTING": True}), None
    except Exception as exc:  # noqa: BLE001 - a web shell that cannot start is reported, not fatal
        return None, f"create_app failed: {exc.__class__.__name__}: {exc}"


def _web_cases(app: Any, target: Target, role: str) -> dict[str, Callable[[], Any]]:
    """Pages through the Flask test client, logged in as the role's user."""
    import re

    client = app.test_client()
    page = client.get("/login")
    m = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page.text)
    password = target.meta["passwords"]["admin" if role == "admin" else "others"]
    resp = client.post("/login", data={"login": target.meta["users"][role], "password": password,
                                       "csrf_token": m.group(1) if m else ""})
    if resp.status_code >= 400:
        return {}
    endpoints = {r.endpoint: r.rule for r in app.url_map.iter_rules()}
    urls = {"web_home": "/"}
    if "masterdata.customer_list" in endpoints:
        urls["web_list"] = endpoints["masterdata.customer_list"]

    def getter(url: str) -> Callable[[], Any]:
        def op() -> int:
            r = client.get(url)
            if r.status_code != 200:
                raise RuntimeError(f"GET {url} as {role}: HTTP {r.status_code}")
            return len(r.data)

        return op

    return {name: getter(url) for name, url in urls.items()}


# ------------------------------------------------------------------ running


def run_target(target: Target, repeat: int, progress: Callable[[str], None]) -> dict[str, Any]:
    """Every case for every role on one database.

    The roles are interleaved (admin, manager, salesperson, admin, ...) for
    every case, so that a change of machine load hits all roles alike and the
    restricted/unrestricted ratios stay meaningful on a shared machine.
    """
    results: list[dict[str, Any]] = []
    plans: dict[str, str] = {}
    info: dict[str, Any] = {}
    app, web_error = web_app(target)
    if web_error:
        results.append({"role": "admin", "case": "web_*", "error": web_error})
    per_role: dict[str, dict[str, Callable[[], Any]]] = {}
    closers: list[Callable[[], Any]] = []
    explains: dict[str, Callable[[], str]] = {}
    try:
        for role in ROLES:
            if target.user_ids.get(role) is None:
                continue
            try:
                cases = _cases(target, role)
            except AccessDenied as exc:
                results.append({"role": role, "case": "*", "error": f"access denied: {exc}"})
                continue
            info[role] = cases.pop("_meta")()
            closers.append(cases.pop("_close"))
            explains[role] = cases.pop("_explain")
            if app is not None:
                cases.update(_web_cases(app, target, role))
            per_role[role] = cases
        names: list[str] = []
        for cases in per_role.values():
            names += [n for n in cases if n not in names]
        for name in names:
            roles = [r for r in per_role if name in per_role[r]]
            progress(f"  [{target.engine}] {name:<16} {', '.join(roles)}")
            first: dict[str, tuple[Any, Any]] = {}
            for role in roles:  # warm-up run, counted
                try:
                    with target.counter.count() as box:
                        rows = per_role[role][name]()
                    first[role] = (rows, box)
                except (AccessDenied, RuntimeError) as exc:
                    results.append({"role": role, "case": name, "error": str(exc)})
            reps = max(1, repeat // 4) if name in ("export", "import_5k") else repeat
            samples: dict[str, list[float]] = {r: [] for r in first}
            for _ in range(reps):
                for role in first:
                    fn = per_role[role][name]
                    t0 = time.perf_counter()
                    fn()
                    samples[role].append(time.perf_counter() - t0)
            for role, (rows, box) in first.items():
                slow_s, slow_sql = box.slowest()
                results.append({"role": role, "case": name, "rows": rows, "queries": box.value,
                                "stats": Stats.of(samples[role]).__dict__,
                                "slowest_sql_ms": round(slow_s * 1000, 2),
                                "slowest_sql": " ".join(slow_sql.split())[:2000]})
        for role, plan in explains.items():
            plans[role] = plan()
    finally:
        for close in closers:
            close()
    return {"engine": target.engine, "url": _mask(target.url), "meta": target.meta, "users": info,
            "results": results, "plans": plans}


def _median(run: dict[str, Any], role: str, case: str) -> float | None:
    for r in run["results"]:
        if r["role"] == role and r["case"] == case and "stats" in r:
            return r["stats"]["median"]
    return None


def ratios(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Restricted/unrestricted per engine, and SQLite/PostgreSQL per role and case."""
    out: dict[str, Any] = {"restricted_vs_admin": {}, "sqlite_vs_postgresql": {}}
    for run in runs:
        eng = run["engine"]
        for r in run["results"]:
            if r["role"] == "admin" or "stats" not in r:
                continue
            base = _median(run, "admin", r["case"])
            if base:
                out["restricted_vs_admin"].setdefault(eng, {}).setdefault(r["role"], {})[r["case"]] = (
                    r["stats"]["median"] / base
                )
    lite = [r for r in runs if r["engine"] == "sqlite"]
    pg = [r for r in runs if r["engine"] == "postgresql"]
    if lite and pg:
        for r in lite[0]["results"]:
            if "stats" not in r:
                continue
            other = _median(pg[0], r["role"], r["case"])
            if other:
                out["sqlite_vs_postgresql"].setdefault(r["role"], {})[r["case"]] = r["stats"]["median"] / other
    return out


def goals(runs: list[dict[str, Any]], rat: dict[str, Any]) -> list[str]:
    """Lines checking the figures against the goals of issues 2, 3 and 8."""
    lines = []
    for eng, roles in rat["restricted_vs_admin"].items():
        for role, cases in roles.items():
            for case in LIST_CASES:
                if case in cases:
                    v = cases[case]
                    lines.append(f"[{eng}] {case} {ROLE_LABEL[role]}/admin = {v:.2f} "
                                 f"(goal <= {RATIO_GOAL}): {'OK' if v <= RATIO_GOAL else 'MISSED'}")
    for run in runs:
        tier = run["meta"]["tier"]["name"]
        for r in run["results"]:
            if "stats" not in r:
                continue
            if r["case"] in ("list_page", "list_page_capped", "list_query", "list_query_alt"):
                m = r["stats"]["median"]
                lines.append(f"[{run['engine']} tier {tier}] {r['case']} {ROLE_LABEL[r['role']]} median {m:.1f} ms "
                             f"(goal <= {LIST_GOAL_MS} ms at tier L on PostgreSQL): "
                             f"{'OK' if m <= LIST_GOAL_MS else 'MISSED'}")
            if r["queries"] > QUERY_GOAL:
                lines.append(f"[{run['engine']}] {r['case']} {r['role']}: {r['queries']} SQL queries "
                             f"(goal <= {QUERY_GOAL}): MISSED")
    worst = max((r["queries"] for run in runs for r in run["results"] if "queries" in r), default=0)
    lines.append(f"most SQL queries in one operation: {worst} (goal <= {QUERY_GOAL}): "
                 f"{'OK' if worst <= QUERY_GOAL else 'MISSED'}")
    return lines


def table(runs: list[dict[str, Any]], rat: dict[str, Any]) -> list[str]:
    """The results as a fixed-width text table."""
    head = f"{'engine':<10} {'tier':<4} {'case':<16} {'role':<20} {'median ms':>10} {'p10-p90':>15} {'SQL':>4} {'rows':>6} {'x admin':>8}"
    lines = [head, "-" * len(head)]
    for run in runs:
        tier = run["meta"]["tier"]["name"]
        by_case: dict[str, list[dict[str, Any]]] = {}
        for r in run["results"]:
            by_case.setdefault(r["case"], []).append(r)
        for case, rows in by_case.items():
            for r in rows:
                if "error" in r:
                    lines.append(f"{run['engine']:<10} {tier:<4} {case:<16} {ROLE_LABEL[r['role']]:<20} {r['error']}")
                    continue
                st = Stats(**r["stats"])
                ratio = rat["restricted_vs_admin"].get(run["engine"], {}).get(r["role"], {}).get(case)
                lines.append(
                    f"{run['engine']:<10} {tier:<4} {case:<16} {ROLE_LABEL[r['role']]:<20} {st.median:>10.2f} "
                    f"{st.spread():>15} {r['queries']:>4} {r['rows']:>6} {'' if ratio is None else f'{ratio:.2f}':>8}"
                )
    if rat["sqlite_vs_postgresql"]:
        lines += ["", "SQLite / PostgreSQL (median ratio):"]
        for role, cases in rat["sqlite_vs_postgresql"].items():
            lines.append(f"  {ROLE_LABEL[role]:<20} " + "  ".join(f"{c} {v:.2f}" for c, v in cases.items()))
    return lines


def git_commit() -> str:
    """The checked-out commit (for comparing results between commits)."""
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=PROJECT_ROOT, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def run_bench(urls: list[str], repeat: int = 20, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run every case on every database; return the JSON-ready result."""
    say = progress or (lambda _m: None)
    load0 = round(os.getloadavg()[0], 2)
    runs = []
    pg_url = None
    for url in urls:
        target = Target(url)
        if target.engine == "postgresql":
            pg_url = url
        try:
            t0 = time.perf_counter()
            runs.append(run_target(target, repeat, say))
            runs[-1]["seconds"] = time.perf_counter() - t0
        finally:
            target.close()
    rat = ratios(runs)
    machine = machine_info(pg_url)
    machine["loadavg_1m_at_start"] = load0
    machine["loadavg_1m_at_end"] = round(os.getloadavg()[0], 2)
    return {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "repeat": repeat,
        "machine": machine,
        "runs": runs,
        "ratios": rat,
        "goals": goals(runs, rat),
    }


def report_lines(result: dict[str, Any], plans: bool = False) -> list[str]:
    """Table, ratios and goal checks as printable lines."""
    m = result["machine"]
    lines = [f"commit {result['commit']}  {result['when']}  repeat {result['repeat']}  "
             f"nproc {m['nproc']}  {m['cpu']}  mem {m['memory']}  Python {m['python']}  "
             f"SQLite {m['sqlite']}  PostgreSQL {m['postgresql'] or '-'}  "
             f"load average (1 min) {m.get('loadavg_1m_at_start')} at start, {m.get('loadavg_1m_at_end')} at end"]
    for run in result["runs"]:
        counts = run["meta"].get("counts", {})
        lines.append(f"[{run['engine']}] {run['url']}: tier {run['meta']['tier']['name']}, "
                     f"{counts.get('masterdata_customer', '?')} customers, {counts.get('bench_sales_line', '?')} "
                     f"sales lines in all companies; visible rows per role: "
                     + ", ".join(f"{r} {v['visible']}" for r, v in run["users"].items()))
    lines += [""] + table(result["runs"], result["ratios"]) + ["", "Goals:"] + ["  " + g for g in result["goals"]]
    slow = [(run["engine"], r) for run in result["runs"] for r in run["results"]
            if r.get("slowest_sql_ms", 0) >= SLOW_SQL_MS]
    if slow:
        lines += ["", f"Slowest statement of operations with one above {SLOW_SQL_MS:.0f} ms:"]
        for eng, r in slow:
            lines.append(f"  [{eng}] {r['case']} {r['role']}: {r['slowest_sql_ms']:.1f} ms  {r['slowest_sql'][:300]}")
    if plans:
        for run in result["runs"]:
            for role, plan in run["plans"].items():
                lines += ["", f"plan of list_query [{run['engine']}] {role}:", plan]
    return lines


def markdown(result: dict[str, Any]) -> str:
    """A compact Markdown table per database (for docs/performance.md)."""
    out = []
    for run in result["runs"]:
        meta = run["meta"]
        out.append(f"**{run['engine']}, tier {meta['tier']['name']}** (visible customers: "
                   + ", ".join(f"{ROLE_LABEL[r]} {v['visible']}" for r, v in run["users"].items()) + ")\n")
        out.append("| case | admin ms (SQL) | territory manager ms (SQL) | x admin | salesperson ms (SQL) | x admin |")
        out.append("|---|---:|---:|---:|---:|---:|")
        by: dict[str, dict[str, dict[str, Any]]] = {}
        for r in run["results"]:
            if "stats" in r:
                by.setdefault(r["case"], {})[r["role"]] = r
        for case, roles in by.items():
            cells = [case]
            base = roles.get("admin", {}).get("stats", {}).get("median")
            for role in ROLES:
                r = roles.get(role)
                if r is None:
                    cells.append("-")
                    if role != "admin":
                        cells.append("-")
                    continue
                med = r["stats"]["median"]
                cells.append(f"{med:.1f} ({r['queries']})")
                if role != "admin":
                    cells.append(f"{med / base:.2f}" if base else "-")
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def write_json(result: dict[str, Any], path: str) -> None:
    """Write the result as JSON (UTF-8)."""
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(result, fh, ensure_ascii=False, indent=1, default=str)
