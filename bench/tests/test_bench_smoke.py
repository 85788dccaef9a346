"""Smoke tests of the benchmark harness (tier XS, both engines) and query-count guards.

Not timed: they check that the generator is deterministic and complete, that
every benchmark case runs for every role, and that no operation sends more
than 30 SQL statements (issue 8's bound, Odoo's ``assertQueryCount`` idea).
Run with ``python3 -m pytest bench/tests -q``.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import warnings
from pathlib import Path

import pytest
from sqlalchemy import text

from bench.common import QUERY_LIMIT, QueryCounter, database_for, max_queries
from bench.generate import credit_code, generate, read_meta
from bench.kernel import install_addons, make_small_addons
from bench.run import Target, run_target
from core.db import make_engine


def _fingerprint(url: str) -> str:
    eng = make_engine(url)
    try:
        with eng.connect() as conn:
            rows = conn.execute(text(
                "SELECT c.code, c.name_zh, c.owner_id, c.status, "
                "(SELECT count(*) FROM bench_sales_line s WHERE s.customer_id = c.id) "
                "FROM masterdata_customer c ORDER BY c.code"
            )).all()
    finally:
        eng.dispose()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_generate_and_run_tier_xs(engine: str) -> None:
    url = database_for(engine, f"smoke_{engine}")
    summary = generate(url, "XS")
    counts = summary["counts"]
    assert counts["masterdata_customer"] == 120 + 2 * 12
    assert counts["bench_sales_line"] == 1200 + 2 * 120
    assert read_meta(url)["users"]["salesperson"].startswith("bench_a_sp")

    target = Target(url)
    try:
        result = run_target(target, repeat=1, progress=lambda _m: None)
    finally:
        target.close()
    errors = [r for r in result["results"] if "error" in r]
    assert not errors, errors
    visible = {role: info["visible"] for role, info in result["users"].items()}
    assert visible["admin"] == 120  # only the main company's customers
    assert 0 < visible["salesperson"] < visible["region_manager"] < visible["admin"]
    over = [(r["role"], r["case"], r["queries"]) for r in result["results"] if r["queries"] > QUERY_LIMIT]
    # The home page runs every addon's dashboard widgets; it is over the bound for
    # a territory manager (docs/performance.md, item 11): reported, not failed.
    known = [o for o in over if o[1] == "web_home"]
    if known:
        warnings.warn(f"home page above {QUERY_LIMIT} SQL statements: {known}", stacklevel=1)
    assert [o for o in over if o[1] != "web_home"] == []
    page = next(r for r in result["results"] if r["role"] == "admin" and r["case"] == "list_page")
    assert page["rows"] == 50


def test_generation_is_deterministic() -> None:
    a = database_for("sqlite", "smoke_det_a")
    b = database_for("sqlite", "smoke_det_b")
    generate(a, "XS")
    generate(b, "XS")
    assert _fingerprint(a) == _fingerprint(b)


def test_credit_codes_are_valid() -> None:
    from addons.masterdata.validation import check_credit_code

    codes = {credit_code("310000", i) for i in range(1000)}
    assert len(codes) == 1000
    assert all(c.startswith("91310000") for c in codes)
    assert [c for c in codes if check_credit_code(c) is not None] == []


def test_max_queries_guard() -> None:
    url = database_for("sqlite", "smoke_guard")
    eng = make_engine(url)
    try:
        counter = QueryCounter(eng)
        with counter.count() as box, eng.connect() as conn:
            conn.execute(text("SELECT 1"))
            conn.execute(text("SELECT 2"))
        assert box.value == 2
        counter.close()

        def three_queries() -> None:
            with max_queries(eng, 2), eng.connect() as conn:
                for i in range(3):
                    conn.execute(text(f"SELECT {i}"))

        with pytest.raises(AssertionError, match="3 SQL statements"):
            three_queries()
    finally:
        eng.dispose()


def test_install_small_addons_sqlite() -> None:
    folder = Path(tempfile.mkdtemp(prefix="tixi-bench-smoke-"))
    try:
        names = make_small_addons(folder, 2, prefix="benchsmoke")
        out = install_addons("sqlite", folder, names)
        assert out["installed"] == 2
        assert out["one_call_s"] > 0
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_pdf_case_smoke() -> None:
    """The PDF benchmark case runs end to end (3 lines, one timed run; not a timing)."""
    from bench.pdf import format_pdf, pdf_case

    out = pdf_case("sqlite", lines=3, repeat=1)
    assert out["pdf_bytes"] > 1000
    assert out["html_chars"] > 0
    assert out["pdf_ms"]["n"] == 1
    assert "3-line quote [sqlite]" in format_pdf({"pdf": [out]})[0]


def test_jobs_case_smoke() -> None:
    """The job queue benchmark runs end to end on PostgreSQL (5 jobs; not a timing)."""
    from bench.jobs import format_jobs, jobs_case

    out = jobs_case(jobs=5)
    assert out["done"] == 5
    assert "5 no-op jobs [postgresql" in format_jobs(out)[0]
