"""Load test (issue 8): gunicorn with 2 workers on PostgreSQL, a bounded locust run on loopback.

``tixi bench load --tier M`` generates the tier on the throwaway PostgreSQL
server (or uses ``--db``), writes an instance folder for it, starts
``gunicorn -w 2 core.web.wsgi:app`` on a free loopback port, and runs locust
headless (:mod:`bench.locustfile`, 80 % salespeople, 20 % managers) at
increasing numbers of simulated users, each step bounded in time. Then the
same steps against :mod:`bench.floor_app` (a bare Flask page running one
equivalent SQL query), also on gunicorn with 2 workers. Locust runs on the
same 2-core machine and takes CPU from the server: figures are for comparing
commits and the two stacks, not absolute capacity.

One locust process steps through the user counts (users stay logged in);
reported per step, leaving out its first seconds (new users logging in) and
the logins: requests/s, median and p95 latency, and failures (logins
included; a login is a success when it redirects). The *knee*
is the last step before the median latency reaches twice the best median
(steps with fewer than 20 page requests are left out); its requests/s is
the throughput compared with the floor's (goal: >= 40 %). Every process started is stopped at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.common import BENCH_DIR
from core.config import PROJECT_ROOT

STEPS = (1, 2, 4, 8, 16, 32)
THROUGHPUT_GOAL = 0.4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server did not listen on port {port} within {timeout} s")


def _stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def _gunicorn(app: str, port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--chdir", str(PROJECT_ROOT),
           "--access-logfile", "/dev/null", "--error-logfile", str(log), app]
    return subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def _locust_steps(host: str, steps: tuple[int, ...], seconds: int, env: dict[str, str],
                  folder: Path) -> list[dict[str, Any]]:
    """One locust process stepping through ``steps`` users; statistics per step.

    Users stay logged in from one step to the next; the first ``warm`` seconds
    of each step (new users logging in) are left out of its statistics, and so
    are the logins themselves (failures are counted everywhere).
    """
    out_file = folder / "requests.json"
    run_env = {**env, "BENCH_STEPS": ",".join(map(str, steps)), "BENCH_STEP_SECONDS": str(seconds),
               "BENCH_OUT": str(out_file)}
    cmd = [sys.executable, "-m", "locust", "-f", str(Path(__file__).with_name("locustfile.py")), "--headless",
           "--host", host, "--only-summary", "--stop-timeout", "5", "--loglevel", "WARNING"]
    t0 = time.time()
    subprocess.run(cmd, env=run_env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=len(steps) * seconds + 180, cwd=str(PROJECT_ROOT))
    records = json.loads(out_file.read_text()) if out_file.is_file() else []
    warm = min(5.0, seconds / 3)
    result = []
    for i, users in enumerate(steps):
        lo, hi = t0 + i * seconds + warm, t0 + (i + 1) * seconds
        window = [r for r in records if lo <= r[0] < hi]
        pages = sorted(r[2] for r in window if r[1] != "login")
        step: dict[str, Any] = {
            "users": users,
            "requests": len(pages),
            "failures": sum(1 for r in records if t0 + i * seconds <= r[0] < hi and r[3]),
            "rps": len(pages) / (hi - lo),
            "median_ms": pages[len(pages) // 2] if pages else None,
            "p95_ms": pages[min(len(pages) - 1, int(len(pages) * 0.95))] if pages else None,
            "by_name": {},
        }
        for name in sorted({r[1] for r in window}):
            times = sorted(r[2] for r in window if r[1] == name)
            step["by_name"][name] = {"requests": len(times), "median_ms": times[len(times) // 2],
                                     "failures": sum(1 for r in window if r[1] == name and r[3])}
        result.append(step)
    if not records:
        result.append({"users": 0, "requests": 0, "failures": 0, "rps": 0.0, "median_ms": None,
                       "p95_ms": None, "by_name": {}, "error": "locust recorded no request"})
    return result


MIN_REQUESTS = 20  # a step with fewer page requests is too short to judge


def _knee(steps: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The last step before the median latency reaches twice the best median."""
    ok = [s for s in steps if s.get("median_ms") is not None and s["requests"] >= MIN_REQUESTS]
    if not ok:
        return None
    base = max(min(s["median_ms"] for s in ok), 1.0)
    knee = ok[0]
    for s in ok:
        if s["median_ms"] >= 2 * base:
            break
        knee = s
    best = max(ok, key=lambda s: s["rps"])
    return {"users": knee["users"], "rps": knee["rps"], "median_ms": knee["median_ms"], "max_rps": best["rps"],
            "max_rps_users": best["users"], "base_median_ms": base}


def _pages_and_users(url: str, meta: dict[str, Any], app_env: dict[str, str]) -> tuple[dict[str, Any], list]:
    """URLs of the pages and the users of the scenario (from the generated data)."""
    from core.db import Base, make_engine

    pages: dict[str, Any] = {"home": "/", "list": None, "detail": None, "ids": {}}
    probe = subprocess.run(
        [sys.executable, "-c",
         "import json; from core.web.wsgi import app; "
         "print(json.dumps({r.endpoint: r.rule for r in app.url_map.iter_rules()}))"],
        env=app_env, capture_output=True, text=True, cwd=str(PROJECT_ROOT), timeout=120,
    )
    if probe.returncode == 0:
        rules = json.loads(probe.stdout.strip().splitlines()[-1])
        if "masterdata.customer_list" in rules:
            pages["list"] = rules["masterdata.customer_list"]
        if "masterdata.customer_detail" in rules:
            pages["detail"] = rules["masterdata.customer_detail"].replace("<int:id>", "{id}").replace("<id>", "{id}")
    eng = make_engine(url)
    users = []
    try:
        with eng.connect() as conn:
            user_t = Base.metadata.tables["core_user"]
            emp = Base.metadata.tables["masterdata_employee"]
            cust = Base.metadata.tables["masterdata_customer"]
            prefix = meta["company"]
            rows = conn.execute(
                select(user_t.c.login, emp.c.id, emp.c.position).join(emp, emp.c.user_id == user_t.c.id)
                .where(user_t.c.login.like(f"{prefix}_%"))
            ).all()
            for login, eid, position in rows:
                kind = "sales" if position == "salesperson" else "manager"
                users.append([login, meta["passwords"]["others"], kind])
                if kind == "sales":
                    ids = conn.execute(select(cust.c.id).where(cust.c.owner_id == eid).limit(20)).scalars().all()
                    pages["ids"][login] = list(ids)
    finally:
        eng.dispose()
    return pages, users


def run_load(url: str, steps: tuple[int, ...] = STEPS, seconds: int = 15,
             progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Load-test Tixi and the bare-Flask floor on a generated PostgreSQL database."""
    from bench.generate import read_meta

    say = progress or (lambda _m: None)
    meta = read_meta(url)
    if not meta:
        raise RuntimeError("the database has no benchmark data: generate a tier first")
    folder = Path(tempfile.mkdtemp(prefix="load-", dir=BENCH_DIR))
    instance = folder / "instance"
    instance.mkdir()
    (instance / "config.toml").write_text(f'database = "{url}"\nsecret_key = "bench-load-only"\n', encoding="utf-8")
    (instance / "addons.yaml").write_text(
        "companies:\n" + "".join(f"  {c}:\n    name: {c}\n    addons: {json.dumps(meta['addons'])}\n"
                                  for c in meta["companies"]),
        encoding="utf-8",
    )
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("TIXI_")}
    app_env = {**base_env, "TIXI_INSTANCE": str(instance)}
    pages, users = _pages_and_users(url, meta, app_env)
    result: dict[str, Any] = {"pages": {k: v for k, v in pages.items() if k != "ids"}, "steps_users": list(steps),
                              "seconds_per_step": seconds, "tixi": [], "floor": []}
    procs: list[subprocess.Popen] = []
    try:
        # Tixi
        port = _free_port()
        server = _gunicorn("core.web.wsgi:app", port, app_env, folder / "gunicorn-tixi.log")
        procs.append(server)
        _wait_port(port, server)
        loc_env = {**base_env, "BENCH_MODE": "tixi", "BENCH_USERS": json.dumps(users),
                   "BENCH_PAGES": json.dumps(pages)}
        say(f"  tixi: {', '.join(map(str, steps))} users, {seconds} s each")
        result["tixi"] = _locust_steps(f"http://127.0.0.1:{port}", steps, seconds, loc_env, folder)
        _stop(server)
        # floor
        owners = [str(i) for i in _owner_ids(url, meta)]
        port = _free_port()
        floor_env = {**base_env, "BENCH_FLOOR_DB": url, "BENCH_FLOOR_OWNERS": ",".join(owners),
                     "BENCH_FLOOR_COMPANY": str(_company_id(url, meta))}
        server = _gunicorn("bench.floor_app:app", port, floor_env, folder / "gunicorn-floor.log")
        procs.append(server)
        _wait_port(port, server)
        loc_env = {**base_env, "BENCH_MODE": "floor"}
        say(f"  floor: {', '.join(map(str, steps))} users, {seconds} s each")
        result["floor"] = _locust_steps(f"http://127.0.0.1:{port}", steps, seconds, loc_env, folder)
    finally:
        for p in procs:
            _stop(p)
    result["tixi_knee"] = _knee(result["tixi"])
    result["floor_knee"] = _knee(result["floor"])
    result["errors"] = sum(s["failures"] for s in result["tixi"] + result["floor"])
    if result["tixi_knee"] and result["floor_knee"] and result["floor_knee"]["rps"]:
        result["throughput_vs_floor"] = result["tixi_knee"]["rps"] / result["floor_knee"]["rps"]
        result["max_throughput_vs_floor"] = result["tixi_knee"]["max_rps"] / max(result["floor_knee"]["max_rps"], 1e-9)
    logs = {p.name: p.read_text(errors="replace")[-3000:] for p in folder.glob("gunicorn-*.log")}
    result["server_log_tail"] = logs
    shutil.rmtree(folder, ignore_errors=True)
    return result


def _company_id(url: str, meta: dict[str, Any]) -> int:
    from core.db import make_engine
    from core.models import Company

    eng = make_engine(url)
    try:
        with eng.connect() as conn:
            return int(conn.execute(select(Company.id).where(Company.code == meta["company"])).scalar_one())
    finally:
        eng.dispose()


def _owner_ids(url: str, meta: dict[str, Any]) -> list[int]:
    from core.db import Base, make_engine

    eng = make_engine(url)
    try:
        with eng.connect() as conn:
            emp = Base.metadata.tables["masterdata_employee"]
            return list(conn.execute(
                select(emp.c.id).where(emp.c.position == "salesperson",
                                       emp.c.company_id == _company_id(url, meta))
            ).scalars())
    finally:
        eng.dispose()


def format_load(result: dict[str, Any]) -> list[str]:
    """The load test as text lines."""
    lines = [f"pages: {result['pages']}  ({result['seconds_per_step']} s per step)",
             f"{'stack':<6} {'users':>5} {'req/s':>8} {'median ms':>10} {'p95 ms':>8} {'requests':>9} {'failures':>9}"]
    for stack in ("tixi", "floor"):
        for s in result[stack]:
            lines.append(f"{stack:<6} {s['users']:>5} {s['rps']:>8.1f} {s['median_ms'] or 0:>10.0f} "
                         f"{s['p95_ms'] or 0:>8.0f} {s['requests']:>9} {s['failures']:>9}"
                         + (f"  {s['error']}" if s.get("error") else ""))
    for stack in ("tixi", "floor"):
        k = result.get(f"{stack}_knee")
        if k:
            lines.append(f"{stack} knee: {k['rps']:.1f} req/s at {k['users']} users (median {k['median_ms']:.0f} ms); "
                         f"max {k['max_rps']:.1f} req/s at {k['max_rps_users']} users")
    if "throughput_vs_floor" in result:
        ratio = result["throughput_vs_floor"]
        lines.append(f"Tixi / floor throughput at the knee: {ratio:.0%} (goal >= {THROUGHPUT_GOAL:.0%}): "
                     f"{'OK' if ratio >= THROUGHPUT_GOAL else 'MISSED'}; at the maximum: "
                     f"{result['max_throughput_vs_floor']:.0%}")
    lines.append(f"errors: {result['errors']} (goal 0): {'OK' if result['errors'] == 0 else 'MISSED'}")
    return lines
