"""``tixi bench``: the scale generator, the query/page benchmark and the kernel benchmark.

Commands::

    tixi bench generate --tier S|M|L [--db URL] [--engine sqlite|postgresql]
    tixi bench run [--db URL ...] [--tier S] [--engines sqlite,postgresql] [--json FILE] [--repeat N]
                   [--plans] [--markdown FILE]
    tixi bench kernel [--engines sqlite,postgresql] [--repeat N] [--json FILE]
    tixi bench load [--db URL] [--tier M] [--steps 1,2,4,8,16,32] [--seconds 15] [--json FILE]
    tixi bench pdf [--engines sqlite,postgresql] [--lines 200] [--repeat N] [--json FILE]
    tixi bench jobs [--jobs 500] [--concurrency 1] [--json FILE]

Without ``--db``, SQLite databases are files under ``/tmp/tixi-bench/`` and
PostgreSQL databases live on the throwaway server of
:mod:`core.testing.pgserver` (or ``TIXI_TEST_PG_URL``), which stops when the
command ends: ``bench run`` then generates its PostgreSQL data in the same run.
"""

from __future__ import annotations

import json
import time
from typing import Any

import click

from bench.common import BENCH_DIR, TIERS, database_for, engine_name, sqlite_url


def _say(msg: str) -> None:
    click.echo(msg, err=True)


def _engines(raw: str) -> list[str]:
    out = [e.strip().lower() for e in raw.split(",") if e.strip()]
    aliases = {"pg": "postgresql", "postgres": "postgresql", "lite": "sqlite"}
    out = [aliases.get(e, e) for e in out]
    bad = [e for e in out if e not in ("sqlite", "postgresql")]
    if bad:
        raise click.BadParameter(f"unknown engine {bad[0]!r} (sqlite, postgresql)")
    return out


def _summary_lines(summary: dict[str, Any]) -> list[str]:
    t = summary["timings_s"]
    c = summary["counts"]
    rows = summary["rows"]
    return [
        f"tier {summary['tier']['name']} on {summary['engine']}: {rows} rows in {t['total']:.1f} s "
        f"({rows / max(t['total'] - t['install'], 1e-9):,.0f} rows/s after the {t['install']:.1f} s install)",
        "  " + ", ".join(f"{k} {v}" for k, v in c.items()),
        "  timings: " + ", ".join(f"{k} {v:.2f}s" for k, v in t.items()),
        "  users: " + ", ".join(f"{k}={v}" for k, v in summary["users"].items())
        + f" (passwords: admin {summary['passwords']['admin']}, others {summary['passwords']['others']})",
        "  addons: " + (", ".join(summary["addons"]) or "-")
        + "; tixi_bench_generate called for: " + (", ".join(summary["hooks_called"]) or "-"),
    ]


@click.group()
def bench() -> None:
    """Benchmarks: scale data, query/page timings, kernel start-up and install."""


@bench.command("generate")
@click.option("--tier", type=click.Choice(sorted(TIERS), case_sensitive=False), default="S", show_default=True)
@click.option("--db", "url", default=None, help="Database URL (an empty database you own).")
@click.option("--engine", type=click.Choice(["sqlite", "postgresql"]), default="sqlite", show_default=True,
              help="Without --db: SQLite file under /tmp/tixi-bench, or a throwaway PostgreSQL "
              "database (dropped when the command ends: for timing the generation).")
@click.option("--seed", type=int, default=None, help="Random seed (default: the fixed benchmark seed).")
@click.option("--addons", default=None, help="Comma-separated addons to install (default: every addon found).")
@click.option("--json", "json_path", default=None, help="Write the summary as JSON.")
def generate_cmd(tier: str, url: str | None, engine: str, seed: int | None, addons: str | None,
                 json_path: str | None) -> None:
    """Create a database holding a tier of deterministic scale data."""
    from bench.generate import SEED, generate

    tier = tier.upper()
    throwaway = url is None and engine == "postgresql"
    if url is None:
        url = sqlite_url(tier) if engine == "sqlite" else database_for("postgresql", f"gen_{tier}")
    names = [a.strip() for a in addons.split(",") if a.strip()] if addons is not None else None
    _say(f"generating tier {tier} into {url}")
    summary = generate(url, tier, seed if seed is not None else SEED, names, progress=_say)
    for line in _summary_lines(summary):
        click.echo(line)
    click.echo(f"database: {url}" + (" (throwaway server: dropped when this command ends)" if throwaway else ""))
    if json_path:
        with open(json_path, "w", encoding="utf-8") as fh:
            json.dump(summary, fh, ensure_ascii=False, indent=1, default=str)


def _ensure_database(engine: str, tier: str, progress: Any) -> tuple[str, dict[str, Any] | None]:
    """A generated database of ``tier`` for ``engine``: reuse the SQLite file if it matches."""
    from bench.generate import SEED, generate, read_meta

    if engine == "sqlite":
        path = BENCH_DIR / f"{tier}.db"
        url = f"sqlite:///{path}"
        if path.is_file():
            try:
                meta = read_meta(url)
            except Exception:  # noqa: BLE001 - unreadable: regenerate
                meta = {}
            if meta.get("tier", {}).get("name") == tier and meta.get("seed") == SEED:
                progress(f"reusing {url} (tier {tier})")
                return url, None
        url = sqlite_url(tier)
    else:
        url = database_for("postgresql", f"run_{tier}")
    progress(f"generating tier {tier} on {engine}")
    summary = generate(url, tier, SEED, progress=progress)
    for line in _summary_lines(summary):
        progress(line)
    return url, summary


@bench.command("run")
@click.option("--db", "urls", multiple=True, help="A generated database (repeatable). Default: one per engine.")
@click.option("--tier", type=click.Choice(sorted(TIERS), case_sensitive=False), default="S", show_default=True,
              help="Tier to generate when no --db is given.")
@click.option("--engines", default="sqlite,postgresql", show_default=True, help="Engines when no --db is given.")
@click.option("--json", "json_path", default=None, help="Write the results as JSON (compare between commits).")
@click.option("--repeat", type=int, default=20, show_default=True, help="Timed runs per case (after one warm-up).")
@click.option("--plans", is_flag=True, help="Also print the query plans of the list query.")
@click.option("--markdown", "md_path", default=None, help="Also write Markdown tables (for docs/performance.md).")
def run_cmd(urls: tuple[str, ...], tier: str, engines: str, json_path: str | None, repeat: int, plans: bool,
            md_path: str | None) -> None:
    """Time the key queries and pages as admin, territory manager and salesperson."""
    from bench.run import report_lines, run_bench, write_json

    tier = tier.upper()
    targets = list(urls)
    generated = []
    if not targets:
        for engine in _engines(engines):
            url, summary = _ensure_database(engine, tier, _say)
            targets.append(url)
            if summary:
                generated.append(summary)
    t0 = time.perf_counter()
    result = run_bench(targets, repeat=max(1, repeat), progress=_say)
    result["seconds"] = time.perf_counter() - t0
    result["generated"] = generated
    for line in report_lines(result, plans=plans):
        click.echo(line)
    if json_path:
        write_json(result, json_path)
        click.echo(f"results written to {json_path}")
    if md_path:
        from bench.run import markdown

        with open(md_path, "w", encoding="utf-8") as fh:
            fh.write(markdown(result))


@bench.command("kernel")
@click.option("--engines", default="sqlite,postgresql", show_default=True)
@click.option("--repeat", type=int, default=5, show_default=True, help="Cold-start processes to time.")
@click.option("--count", type=int, default=20, show_default=True, help="Small addons to install.")
@click.option("--json", "json_path", default=None)
def kernel_cmd(engines: str, repeat: int, count: int, json_path: str | None) -> None:
    """Cold start (imports, registry, app) and installing 20 small addons (issue 2)."""
    from bench.common import machine_info
    from bench.kernel import format_kernel, run_kernel_bench

    names = _engines(engines)
    _say(f"kernel benchmark on {', '.join(names)}")
    result = run_kernel_bench(names, repeat=max(1, repeat), count=count)
    pg = None
    if "postgresql" in names:
        from core.testing.pgserver import postgres_url

        pg = postgres_url()
    result["machine"] = machine_info(pg)
    for line in format_kernel(result):
        click.echo(line)
    if json_path:
        with open(json_path, "w", encoding="utf-8") as fh:
            json.dump(result, fh, ensure_ascii=False, indent=1, default=str)


@bench.command("pdf")
@click.option("--engines", default="sqlite,postgresql", show_default=True)
@click.option("--lines", type=int, default=200, show_default=True, help="Lines of the printed quote.")
@click.option("--repeat", type=int, default=5, show_default=True, help="Timed runs (after one warm-up).")
@click.option("--json", "json_path", default=None)
def pdf_cmd(engines: str, lines: int, repeat: int, json_path: str | None) -> None:
    """PDF of a 200-line quote through core.pdf (issue 12; goal <= 1 s)."""
    from bench.pdf import format_pdf, run_pdf_bench

    names = _engines(engines)
    _say(f"PDF benchmark ({lines} lines) on {', '.join(names)}")
    result = run_pdf_bench(names, lines=max(1, lines), repeat=max(1, repeat))
    for line in format_pdf(result):
        click.echo(line)
    if json_path:
        with open(json_path, "w", encoding="utf-8") as fh:
            json.dump(result, fh, ensure_ascii=False, indent=1, default=str)


@bench.command("jobs")
@click.option("--jobs", "count", type=int, default=500, show_default=True, help="No-op jobs to queue.")
@click.option("--concurrency", type=int, default=1, show_default=True, help="Threads of the one worker.")
@click.option("--json", "json_path", default=None)
def jobs_cmd(count: int, concurrency: int, json_path: str | None) -> None:
    """Queue throughput on PostgreSQL: N no-op jobs enqueued, one worker drains them (jobs/s)."""
    from bench.jobs import format_jobs, jobs_case

    _say(f"job queue benchmark ({count} jobs, 1 worker x {concurrency}) on postgresql")
    result = jobs_case(max(1, count), max(1, concurrency))
    for line in format_jobs(result):
        click.echo(line)
    if json_path:
        with open(json_path, "w", encoding="utf-8") as fh:
            json.dump(result, fh, ensure_ascii=False, indent=1, default=str)


@bench.command("report")
@click.option("--engines", default="postgresql", show_default=True)
@click.option("--lines", type=int, default=1_000_000, show_default=True, help="Generated quote lines (tier L: 1,000,000).")
@click.option("--repeat", type=int, default=5, show_default=True, help="Timed runs (after one warm-up).")
@click.option("--json", "json_path", default=None)
def report_cmd(engines: str, lines: int, repeat: int, json_path: str | None) -> None:
    """The report centre's margin report page over tier L's quote lines (issue 12; goal <= 1 s)."""
    from bench.report import format_report, run_report_bench

    names = _engines(engines)
    _say(f"report centre benchmark ({lines:,} quote lines) on {', '.join(names)}")
    result = run_report_bench(names, lines=max(10, lines), repeat=max(1, repeat))
    for line in format_report(result):
        click.echo(line)
    if json_path:
        with open(json_path, "w", encoding="utf-8") as fh:
            json.dump(result, fh, ensure_ascii=False, indent=1, default=str)


@bench.command("load")
@click.option("--db", "url", default=None, help="A generated PostgreSQL database (default: generate --tier).")
@click.option("--tier", type=click.Choice(sorted(TIERS), case_sensitive=False), default="M", show_default=True)
@click.option("--steps", default="1,2,4,8,16,32", show_default=True, help="Simulated users per step.")
@click.option("--seconds", type=int, default=15, show_default=True, help="Duration of each step.")
@click.option("--json", "json_path", default=None)
def load_cmd(url: str | None, tier: str, steps: str, seconds: int, json_path: str | None) -> None:
    """Load test: gunicorn (2 workers) + locust on loopback, against the bare-Flask floor."""
    from bench.common import machine_info
    from bench.load import format_load, run_load

    tier = tier.upper()
    generated = None
    if url is None:
        url, generated = _ensure_database("postgresql", tier, _say)
    if engine_name(url) != "postgresql":
        raise click.BadParameter("the load test runs on PostgreSQL", param_hint="--db")
    n = tuple(int(x) for x in steps.split(",") if x.strip())
    result = run_load(url, n, seconds, progress=_say)
    result["machine"] = machine_info(url)
    result["tier"] = tier
    result["generated"] = generated
    for line in format_load(result):
        click.echo(line)
    if json_path:
        with open(json_path, "w", encoding="utf-8") as fh:
            json.dump(result, fh, ensure_ascii=False, indent=1, default=str)


__all__ = ["bench", "engine_name"]
