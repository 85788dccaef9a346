"""Report centre benchmark (issue 12): the page of the margin report over 1,000,000 quote lines.

A throwaway database (kernel + masterdata + territories + pricing, the world of
:mod:`addons.pricing.bench_pricing`) gets ``lines`` generated quote lines over
2026 (tier L holds 1,000,000 in the main company), then the case times, as the
administrator (a cost role reading every line), after one warm-up:

* ``page``: ``GET /reports/pricing.margin?period=custom&date_from=2026-01-01&date_to=2026-12-31``
  through the Flask test client, logged in: access check, parameter form
  (territory, salesperson and product choices read through ``Env``), the
  margin query grouped by customer class x territory x product, totals,
  chart and the rendered table;
* ``query``: :func:`core.reports.run_report` alone (no HTML);
* ``lines``: the same aggregate forced onto the quote lines
  (``margin_rows(source="lines")``), what the page cost before the summary.

The bulk fill bypasses the on-write maintenance of the monthly margin summary
(``pricing_margin_month``, :mod:`addons.pricing.summary`); it is rebuilt once
after the fill (timed: ``rebuild_s``), as ``tixi jobs run
pricing.rebuild_margin_summary`` would. The year falls on whole months, so the
page reads the summary.

Goal (issue 12): the page <= 1 s on PostgreSQL at tier L.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import asdict
from typing import Any

from bench.common import Stats, timed

REPORT_GOAL_S = 1.0
URL = "/reports/pricing.margin?period=custom&date_from=2026-01-01&date_to=2026-12-31"


def report_case(engine: str = "postgresql", lines: int = 1_000_000, repeat: int = 5) -> dict[str, Any]:
    """Time the margin report's page and query over ``lines`` quote lines on ``engine``."""
    from addons.pricing import reports as margin
    from addons.pricing import summary
    from addons.pricing.bench_pricing import _world, fill_lines
    from core.reports import run_report
    from core.testing import TixiTestDB, make_env, new_database
    from core.testing.web import logged_in_client
    from core.web.app import create_app

    url, drop = new_database(engine)
    db = TixiTestDB(url)
    try:
        t0 = time.perf_counter()
        w = _world(db, 40)
        fill_lines(db, w, lines, summary=False)
        setup_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        with db.registry.Session() as s:
            summary_rows = summary.rebuild(make_env(db, s, w["root"]))
            s.commit()
        rebuild_s = time.perf_counter() - t0
        app = create_app(registry=db.registry, test_config={"TESTING": True})
        client = logged_in_client(app, "root")

        def page() -> Any:
            r = client.get(URL)
            assert r.status_code == 200, r.status_code
            return r

        page_stats, response = timed(page, repeat)
        with db.registry.Session() as s:
            env = make_env(db, s, w["root"])
            params = {"period": "custom", "date_from": "2026-01-01", "date_to": "2026-12-31"}
            query_stats, result = timed(lambda: run_report(env, "pricing.margin", params), repeat)
            year = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
            by = ["customer_class", "territory", "product"]
            lines_stats, raw = timed(lambda: margin.margin_rows(env, by, *year, source="lines"), repeat)
            same = raw == margin.margin_rows(env, by, *year, source="summary")
        return {"engine": engine, "lines": lines, "setup_s": round(setup_s, 1), "rebuild_s": round(rebuild_s, 2),
                "summary_rows": summary_rows, "page": asdict(page_stats), "query": asdict(query_stats),
                "lines_query": asdict(lines_stats), "same_rows": same, "rows": len(result.rows),
                "bytes": len(response.data), "load": os.getloadavg()[0]}
    finally:
        db.dispose()
        drop()


def run_report_bench(engines: list[str], lines: int, repeat: int) -> list[dict[str, Any]]:
    """One :func:`report_case` per engine."""
    return [report_case(e, lines, repeat) for e in engines]


def format_report(results: list[dict[str, Any]]) -> list[str]:
    """Lines to print: median and spread of the page and the query, against the goal."""
    out = []
    for r in results:
        page, query, raw = Stats(**r["page"]), Stats(**r["query"]), Stats(**r["lines_query"])
        verdict = "met" if page.median <= REPORT_GOAL_S * 1000 else "MISSED"
        out.append(f"margin report page [{r['engine']}, {r['lines']:,} lines, summary]: median {page.median:.0f} ms "
                   f"(p10-p90 {page.p10:.0f}-{page.p90:.0f} ms, {page.n} runs; query alone {query.median:.0f} ms; "
                   f"{r['rows']} rows, {r['bytes'] // 1024} KiB; load {r['load']:.1f}); goal <= {REPORT_GOAL_S:.0f} s: {verdict}")
        out.append(f"  same query on the quote lines: median {raw.median:.0f} ms (p10-p90 {raw.p10:.0f}-{raw.p90:.0f} ms); "
                   f"same rows: {'yes' if r['same_rows'] else 'NO'}; summary rebuilt in {r['rebuild_s']:.1f} s "
                   f"({r['summary_rows']:,} rows); fill {r['setup_s']:.0f} s")
    return out
