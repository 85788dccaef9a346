"""Shared pieces of the benchmarks: tiers, databases, query counting, statistics.

Databases: the SQLite side is a file under ``/tmp/tixi-bench/``; the
PostgreSQL side is a database on the throwaway server of
:mod:`core.testing.pgserver` (``TIXI_TEST_PG_URL`` when set), unless the user
passes ``--db URL``. The throwaway server lives as long as the process, so a
``tixi bench run`` without ``--db`` generates its PostgreSQL data in the same
run.
"""

from __future__ import annotations

import os
import platform
import re
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

BENCH_DIR = Path(os.environ.get("TIXI_BENCH_DIR", "/tmp/tixi-bench"))


@dataclass(frozen=True)
class Tier:
    """Sizes of one data tier (for the main company; two more companies get ``extra`` of it)."""

    name: str
    customers: int
    lines: int
    salespeople: int
    extra: float = 0.1  # each of the two other companies gets this fraction of the sizes

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return asdict(self)


TIERS: dict[str, Tier] = {
    "XS": Tier("XS", 120, 1_200, 12),  # smoke tests only
    "S": Tier("S", 1_000, 10_000, 200),
    "M": Tier("M", 20_000, 200_000, 200),
    "L": Tier("L", 100_000, 1_000_000, 200),
}


def engine_name(url: str) -> str:
    """``sqlite`` or ``postgresql`` from a SQLAlchemy URL."""
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def sqlite_url(label: str, fresh: bool = True) -> str:
    """URL of an SQLite file ``/tmp/tixi-bench/<label>.db`` (removed first when ``fresh``)."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"{label}.db"
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def throwaway_pg(label: str) -> str:
    """A fresh database on the throwaway PostgreSQL server (lives as long as this process)."""
    from core.testing.pgserver import create_database, postgres_url

    return create_database(postgres_url(), f"tixi_bench_{label.lower()}")


def database_for(engine: str, label: str) -> str:
    """A fresh benchmark database URL for ``engine`` (``sqlite`` or ``postgresql``)."""
    if engine == "sqlite":
        return sqlite_url(label)
    if engine == "postgresql":
        return throwaway_pg(label)
    raise ValueError(f"unknown engine {engine!r}")


# transaction control is not a query (SQLite's explicit BEGIN would otherwise count there only)
_TX_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)


class QueryCounter:
    """Counts SQL statements sent through an engine (``before_cursor_execute``).

    Transaction control (BEGIN, SAVEPOINT, ...) is not counted.

    Usage::

        counter = QueryCounter(engine)
        with counter.count() as n:
            run_page()
        assert n.value <= 30
    """

    class Box:
        """The number of statements of one ``count()`` block."""

        def __init__(self) -> None:
            self.value = 0
            self.statements: list[str] = []
            self.durations: list[float] = []

        def slowest(self) -> tuple[float, str]:
            """(seconds, SQL) of the slowest statement of the block."""
            if not self.durations:
                return 0.0, ""
            i = max(range(len(self.durations)), key=self.durations.__getitem__)
            return self.durations[i], self.statements[i]

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._box: QueryCounter.Box | None = None
        self._t0 = 0.0
        event.listen(engine, "before_cursor_execute", self._on_execute)
        event.listen(engine, "after_cursor_execute", self._on_done)

    def _on_execute(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if self._box is not None and not _TX_CONTROL.match(statement):
            self._box.value += 1
            self._box.statements.append(statement)
            self._t0 = time.perf_counter()

    def _on_done(self, *_args: Any) -> None:
        if self._box is not None and len(self._box.durations) < len(self._box.statements):
            self._box.durations.append(time.perf_counter() - self._t0)

    @contextmanager
    def count(self) -> Iterator[QueryCounter.Box]:
        """Count the statements executed inside the block."""
        box = QueryCounter.Box()
        self._box = box
        try:
            yield box
        finally:
            self._box = None

    def close(self) -> None:
        """Stop listening."""
        event.remove(self.engine, "before_cursor_execute", self._on_execute)
        event.remove(self.engine, "after_cursor_execute", self._on_done)


QUERY_LIMIT = 30  # issue 8: no page above 30 SQL queries


@contextmanager
def max_queries(engine: Engine, limit: int = QUERY_LIMIT) -> Iterator[QueryCounter.Box]:
    """Fail (``AssertionError``) when the block sends more than ``limit`` SQL statements.

    The query-count guard for tests (Odoo's ``assertQueryCount``)::

        with max_queries(db.registry.engine, 12):
            client.get("/customers/")
    """
    counter = QueryCounter(engine)
    try:
        with counter.count() as box:
            yield box
    finally:
        counter.close()
    if box.value > limit:
        listing = "\n".join(box.statements)
        raise AssertionError(f"{box.value} SQL statements (limit {limit}):\n{listing}")


@dataclass
class Stats:
    """Timing statistics of one case, in milliseconds."""

    median: float
    p10: float
    p90: float
    min: float
    max: float
    n: int

    @classmethod
    def of(cls, samples_s: list[float]) -> Stats:
        """Statistics of samples given in seconds."""
        ms = sorted(s * 1000 for s in samples_s)
        n = len(ms)

        def pct(p: float) -> float:
            if n == 1:
                return ms[0]
            k = (n - 1) * p
            lo = int(k)
            hi = min(lo + 1, n - 1)
            return ms[lo] + (ms[hi] - ms[lo]) * (k - lo)

        return cls(statistics.median(ms), pct(0.1), pct(0.9), ms[0], ms[-1], n)

    def spread(self) -> str:
        """``p10-p90`` as text."""
        return f"{self.p10:.1f}-{self.p90:.1f}"


def timed(fn: Callable[[], Any], repeat: int, warmup: int = 1) -> tuple[Stats, Any]:
    """Run ``fn`` ``warmup`` + ``repeat`` times; statistics of the timed runs and the last result."""
    result = None
    for _ in range(warmup):
        result = fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - t0)
    return Stats.of(samples), result


def _cmd(args: list[str]) -> str:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"


def machine_info(pg_url: str | None = None) -> dict[str, Any]:
    """Description of the machine and software the figures were taken on."""
    import sqlite3

    import sqlalchemy

    info: dict[str, Any] = {
        "nproc": _cmd(["nproc"]),
        "cpu": "?",
        "memory": "?",
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlalchemy": sqlalchemy.__version__,
        "sqlite": sqlite3.sqlite_version,
        "postgresql": None,
        "loadavg_1m_at_start": round(os.getloadavg()[0], 2),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    free = _cmd(["free", "-h"]).splitlines()
    if len(free) > 1:
        parts = free[1].split()
        if len(parts) > 1:
            info["memory"] = parts[1]
    if pg_url:
        try:
            from sqlalchemy import text

            from core.db import make_engine

            eng = make_engine(pg_url)
            with eng.connect() as conn:
                info["postgresql"] = conn.execute(text("SHOW server_version")).scalar()
            eng.dispose()
        except Exception as exc:  # noqa: BLE001 - a description, never fatal
            info["postgresql"] = f"? ({exc.__class__.__name__})"
    return info


def addon_bench_main(addon: str, addons: list[str], measure: Callable[[str, int], Any], description: str) -> None:
    """The command line every addon's ``bench.py`` shares: generate (or reuse) databases, measure, print JSON.

    ``python3 -m addons.<addon>.bench [--db URL] [--tier S|M|L] [--engines sqlite,postgresql]
    [--repeat N] [--json FILE]``: without ``--db``, a tier is generated per engine with
    ``addons`` installed (a throwaway SQLite file, a database on the test PostgreSQL server);
    ``measure(url, repeat)`` returns the figures of one database.
    """
    import argparse
    import json
    import tempfile

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", action="append", help="benchmark database URL (repeatable)")
    parser.add_argument("--tier", default="S")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json")
    args = parser.parse_args()
    urls = list(args.db or [])
    if not urls:
        from bench.generate import generate as bench_generate

        for engine in args.engines.split(","):
            if engine == "sqlite":
                url = f"sqlite:///{tempfile.mkdtemp(prefix=f'tixi-{addon}-bench-')}/bench.db"
            else:
                from core.testing.pgserver import create_database, postgres_url

                url = create_database(postgres_url(), f"tixi_{addon}_bench_{args.tier.lower()}_{int(time.time())}")
            t0 = time.perf_counter()
            bench_generate(url, args.tier, addons=addons, progress=print)
            print(f"generated tier {args.tier} on {engine} in {time.perf_counter() - t0:.1f} s")
            urls.append(url)
    results = [measure(u, args.repeat) for u in urls]
    print(json.dumps(results, ensure_ascii=False, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
