"""Kernel benchmarks (issue 2): cold start, and installing 20 small addons.

* **Cold start**: a fresh Python process imports the kernel, builds the
  :class:`~core.registry.Registry` of a database where every addon found in the
  project is installed (and enabled for a company), and creates the Flask app
  (``core.web.app.create_app``) when the web shell exists; otherwise the
  registry only, and the result says so. Timed from the parent (whole process,
  interpreter start included) and inside the child (imports, registry, app).
* **20 addons**: 20 addons are generated with ``tixi scaffold``'s template
  (one model, one migration, access rights and a record rule each) into a
  temporary folder and installed into an empty database (kernel included), in
  one ``install`` call; then again one ``install`` call per addon.

Goals (issue 2): cold start <= 1 s, 20 addons <= 5 s, on this 2-core machine.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import BENCH_DIR, database_for, engine_name
from core.config import PROJECT_ROOT, CompanySpec, Deployment

COLD_START_GOAL_S = 1.0
INSTALL_20_GOAL_S = 5.0

_CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
from pathlib import Path
from core.config import Instance
from core.registry import Registry
import core.security.env  # noqa: F401  (what every request uses)
t1 = time.perf_counter()
instance = Instance(Path(sys.argv[1]))
web = sys.argv[2] == "1"
error = None
if web:
    try:
        from core.web.app import create_app
    except Exception as exc:  # the web shell is not importable: registry only
        web, error = False, f"{exc.__class__.__name__}: {exc}"
t2 = time.perf_counter()
app = None
if web:
    try:
        app = create_app(instance=instance)
    except Exception as exc:
        web, error = False, f"{exc.__class__.__name__}: {exc}"
        t2 = time.perf_counter()
if app is None:
    registry = Registry.from_instance(instance)
t3 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "web_imports": t2 - t1, "registry_app": t3 - t2,
                  "total_in_process": t3 - t0, "web": web, "error": error}))
"""


def has_web_shell() -> bool:
    """Whether ``core.web.app.create_app`` exists in this checkout."""
    try:
        spec = importlib.util.find_spec("core.web.app")
    except ModuleNotFoundError:
        return False
    if spec is None or spec.origin is None:
        return False
    return "def create_app" in Path(spec.origin).read_text(encoding="utf-8")


def _all_addons_instance(engine: str) -> tuple[Path, list[str], str]:
    """An instance folder whose database has every project addon installed and enabled."""
    from core.lifecycle import Lifecycle
    from core.registry import Registry
    from core.security.users import ensure_admin

    folder = BENCH_DIR / f"coldstart-{engine}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    url = database_for(engine, f"coldstart_{engine}") if engine == "postgresql" else f"sqlite:///{folder / 'tixi.db'}"
    probe = Registry(url, Deployment(path=None))
    names = sorted(probe.manifests)
    probe.engine.dispose()
    (folder / "addons.yaml").write_text(
        "companies:\n  bench:\n    name: {zh_CN: 基准, en: Bench}\n    addons: ["
        + ", ".join(names)
        + "]\n",
        encoding="utf-8",
    )
    (folder / "config.toml").write_text(
        f'database = "{url}"\nsecret_key = "bench-only"\n', encoding="utf-8"
    )
    from core.config import Instance

    inst = Instance(folder)
    reg = Registry.from_instance(inst)
    Lifecycle(reg).apply_deployment()
    with reg.Session.begin() as s:
        ensure_admin(s, "bench-admin-1")
    reg.engine.dispose()
    return folder, names, url


def cold_start(engine: str = "sqlite", repeat: int = 5) -> dict[str, Any]:
    """Time ``repeat`` fresh processes: imports + registry (+ Flask app when it exists)."""
    folder, names, _url = _all_addons_instance(engine)
    web = has_web_shell()
    runs = []
    for _ in range(repeat + 1):
        t0 = time.perf_counter()
        res = subprocess.run(
            [sys.executable, "-c", _CHILD, str(folder), "1" if web else "0"],
            capture_output=True,
            text=True,
            cwd=str(PROJECT_ROOT),
            timeout=120,
        )
        wall = time.perf_counter() - t0
        if res.returncode != 0:
            raise RuntimeError(f"cold-start child failed:\n{res.stderr[-2000:]}")
        inner = json.loads(res.stdout.strip().splitlines()[-1])
        inner["process_wall"] = wall
        runs.append(inner)
    runs = runs[1:]  # the first run warms the OS file cache (.pyc files)
    web_ok = all(r["web"] for r in runs)
    error = next((r["error"] for r in runs if r["error"]), None)
    keys = ("process_wall", "total_in_process", "imports", "web_imports", "registry_app")
    med = {k: statistics.median(r[k] for r in runs) for k in keys}
    return {
        "engine": engine,
        "addons_installed": names,
        "web_shell": web_ok,
        "web_error": error,
        "what": "imports + Registry + create_app" if web_ok else (
            "imports + Registry (create_app failed: registry only)" if web else
            "imports + Registry (no web shell yet)"),
        "median_s": med,
        "min_process_wall_s": min(r["process_wall"] for r in runs),
        "runs": len(runs),
        "goal_s": COLD_START_GOAL_S,
        "meets_goal": med["process_wall"] <= COLD_START_GOAL_S,
    }


def make_small_addons(folder: Path, count: int = 20, prefix: str = "benchaddon") -> list[str]:
    """Generate ``count`` scaffolded addons (model, migration, security data) in ``folder``."""
    from core.scaffold import scaffold_addon

    names = []
    for i in range(1, count + 1):
        name = f"{prefix}{i:02d}"
        scaffold_addon(name, folder)
        shutil.rmtree(folder / name / "tests", ignore_errors=True)
        names.append(name)
    return names


def install_addons(engine: str, folder: Path, names: list[str]) -> dict[str, Any]:
    """Install ``names`` into empty databases: all at once, then one call per addon."""
    from core.lifecycle import Lifecycle
    from core.registry import Registry

    out: dict[str, Any] = {"engine": engine, "addons": len(names)}
    dep = Deployment(path=None, addons_paths=[folder], companies=[CompanySpec("bench", "基准", "Bench", [])])

    # kernel only (reference)
    url = database_for(engine, f"inst_kernel_{engine}")
    reg = Registry(url, dep, use_entry_points=False)
    t0 = time.perf_counter()
    Lifecycle(reg).install([])
    out["kernel_only_s"] = time.perf_counter() - t0
    reg.engine.dispose()

    # kernel + 20 addons in one transaction
    url = database_for(engine, f"inst_all_{engine}")
    reg = Registry(url, dep, use_entry_points=False)
    t0 = time.perf_counter()
    report = Lifecycle(reg).install(names)
    out["one_call_s"] = time.perf_counter() - t0
    out["installed"] = len(report.steps)
    reg.engine.dispose()

    # kernel first, then one install call (one transaction) per addon
    url = database_for(engine, f"inst_each_{engine}")
    reg = Registry(url, dep, use_entry_points=False)
    life = Lifecycle(reg)
    life.install([])
    t0 = time.perf_counter()
    for name in names:
        life.install([name])
    out["one_call_per_addon_s"] = time.perf_counter() - t0
    reg.engine.dispose()
    out["goal_s"] = INSTALL_20_GOAL_S
    out["meets_goal"] = out["one_call_s"] <= INSTALL_20_GOAL_S
    return out


def run_kernel_bench(engines: list[str], repeat: int = 5, count: int = 20) -> dict[str, Any]:
    """Cold start (per engine) and the install of ``count`` small addons (per engine)."""
    result: dict[str, Any] = {"cold_start": [], "install": []}
    for engine in engines:
        result["cold_start"].append(cold_start(engine, repeat))
    folder = Path(tempfile.mkdtemp(prefix="tixi-bench-addons-"))
    try:
        names = make_small_addons(folder, count)
        for engine in engines:
            result["install"].append(install_addons(engine, folder, names))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return result


def format_kernel(result: dict[str, Any]) -> list[str]:
    """The kernel benchmark as text lines."""
    lines = []
    for cs in result["cold_start"]:
        m = cs["median_s"]
        lines.append(
            f"cold start [{cs['engine']}] ({cs['what']}; {len(cs['addons_installed'])} addon(s) installed: "
            f"{', '.join(cs['addons_installed']) or '-'}): process {m['process_wall']:.3f} s median "
            f"(in process {m['total_in_process']:.3f} s = imports {m['imports']:.3f} + web imports "
            f"{m['web_imports']:.3f} + registry/app {m['registry_app']:.3f}); goal <= {cs['goal_s']} s: "
            f"{'OK' if cs['meets_goal'] else 'MISSED'}"
            + (f" [create_app error: {cs['web_error']}]" if cs.get("web_error") else "")
        )
    for ins in result["install"]:
        lines.append(
            f"install {ins['addons']} addons [{ins['engine']}] into an empty database: "
            f"{ins['one_call_s']:.2f} s in one call (kernel alone {ins['kernel_only_s']:.2f} s), "
            f"{ins['one_call_per_addon_s']:.2f} s one call per addon; goal <= {ins['goal_s']} s: "
            f"{'OK' if ins['meets_goal'] else 'MISSED'}"
        )
    return lines


__all__ = ["cold_start", "install_addons", "run_kernel_bench", "format_kernel", "engine_name"]
