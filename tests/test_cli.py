"""The ``tixi`` command line (click's CliRunner, ``--instance tmpdir``).

Every user error must be ONE line on stderr with a non-zero exit code and no
traceback; long operations print progress lines on stderr.
"""

from __future__ import annotations

import shutil
import textwrap
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, inspect, select

from core.cli import cli
from core.models import AddonState, Company, CompanyAddon, User
from tests.kernel_helpers import FIXTURE_ADDONS, table_migration, write_addon

HOOKALL_ADDONS = Path(__file__).resolve().parent / "fixtures" / "hookall"


def _deployment(inst: Path, *paths: Path, companies: str | None = None) -> None:
    """Write the instance's own addons.yaml (it wins over the project's)."""
    inst.mkdir(parents=True, exist_ok=True)
    listed = "".join(f"  - {p}\n" for p in paths)
    companies = companies or textwrap.dedent("""\
        companies:
          acme:
            name: {zh_CN: 顶点, en: Acme}
            addons: []
          other:
            name: {zh_CN: 其他, en: Other}
            addons: []
        """)
    (inst / "addons.yaml").write_text(f"addons_paths:\n{listed}{companies}", encoding="utf-8")


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv("TIXI_DATABASE_URL", raising=False)
    monkeypatch.delenv("TIXI_INSTANCE", raising=False)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def inst(tmp_path: Path, runner: CliRunner) -> Path:
    """An initialised SQLite instance whose addons are copies of the fixture addons."""
    addons = tmp_path / "ext"
    for name in ("alpha", "beta", "gamma", "delta"):
        shutil.copytree(FIXTURE_ADDONS / name, addons / name)
    path = tmp_path / "inst"
    _deployment(path, addons, HOOKALL_ADDONS)
    result = runner.invoke(cli, ["--instance", str(path), "init", "--admin-password", "admin-pass-1"])
    assert result.exit_code == 0, result.output
    return path


def run(runner: CliRunner, inst: Path, *args: str):
    return runner.invoke(cli, ["--instance", str(inst), *args])


def assert_one_line_error(result, *needles: str) -> None:
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    for needle in needles:
        assert needle in lines[0], lines[0]


def _db(inst: Path):
    from core.config import Instance

    return create_engine(Instance(inst).database_url())


# ----- init ---------------------------------------------------------------------------------
def test_init_sqlite_default(tmp_path: Path, runner: CliRunner):
    path = tmp_path / "inst"
    _deployment(path)
    result = run(runner, path, "init", "--admin-password", "admin-pass-1")
    assert result.exit_code == 0, result.output
    assert f"created instance {path}" in result.stdout
    assert "create company acme" in result.stdout
    assert "created user 'admin'" in result.stdout
    conf = tomllib.loads((path / "config.toml").read_text())
    assert conf["database"] == "sqlite:///tixi.db"  # relative to the instance: a copy uses its own
    from core.config import Instance

    assert Instance(path).database_url() == f"sqlite:///{path / 'tixi.db'}"
    assert len(conf["secret_key"]) >= 32
    assert (path / "tixi.db").is_file()
    engine = _db(path)
    with engine.connect() as conn:
        assert {c for c in conn.execute(select(Company.code)).scalars()} == {"acme", "other"}
        assert conn.execute(select(User.is_admin).where(User.login == "admin")).scalar_one() is True
    engine.dispose()
    # again: the instance is kept, addons.yaml applied, no second admin
    again = run(runner, path, "init")
    assert again.exit_code == 0, again.output
    assert "already exists" in again.stderr
    assert "created user" not in again.stdout


def test_init_postgresql_url(tmp_path: Path, runner: CliRunner):
    from core.testing.pgserver import create_database, drop_database, postgres_url

    base = postgres_url()
    name = f"tixi_cli_{tmp_path.name[-8:].lower().replace('-', '_')}"
    url = create_database(base, name)
    path = tmp_path / "inst"
    _deployment(path, HOOKALL_ADDONS)
    try:
        result = run(runner, path, "init", "--db", url, "--admin-password", "admin-pass-1")
        assert result.exit_code == 0, result.output
        assert tomllib.loads((path / "config.toml").read_text())["database"] == url
        result = run(runner, path, "addons", "install", "sectree")
        assert result.exit_code == 0, result.output
        engine = create_engine(url)
        assert "sectree_doc" in inspect(engine).get_table_names()
        engine.dispose()
        listing = run(runner, path, "addons", "list")
        assert "sectree" in listing.stdout
    finally:
        from core.cli import _forget_registries

        _forget_registries()
        drop_database(base, name)


# ----- addons -------------------------------------------------------------------------------
def test_addons_list(inst: Path, runner: CliRunner):
    run(runner, inst, "addons", "enable", "beta", "--company", "acme")
    result = run(runner, inst, "addons", "list")
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines()[1:]}
    assert result.stdout.splitlines()[0].split() == ["name", "version", "state", "depends", "companies", "location"]
    assert rows["alpha"][1:5] == ["1.0.0", "installed", "-", "acme"]
    assert rows["beta"][1:5] == ["1.2.0", "installed", "alpha>=1.0", "acme"]
    assert rows["delta"][1:5] == ["1.0.0", "available", "beta,gamma", "-"]
    assert rows["sectree"][2] == "available"
    # where each addon was found: the folder, and whether project, addons path or entry point
    ext = inst.parent / "ext"
    assert rows["alpha"][5:] == [str(ext / "alpha"), "(addons", "path)"]
    assert rows["sectree"][5:] == [str(HOOKALL_ADDONS / "sectree"), "(addons", "path)"]
    project = [r for r in rows.values() if r[-1] == "(project)"]
    assert project, result.stdout
    assert all(Path(r[5]).parent.name == "addons" for r in project)


def test_install_dry_run_then_install_with_progress(inst: Path, runner: CliRunner):
    dry = run(runner, inst, "addons", "install", "delta", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.splitlines()[0].startswith("[dry run] install alpha")
    assert "tables +alpha_thing" in dry.stdout
    assert [line.split()[3] for line in dry.stdout.splitlines()] == ["alpha,", "beta,", "gamma,", "delta,"]
    engine = _db(inst)
    assert "alpha_thing" not in inspect(engine).get_table_names()
    result = run(runner, inst, "addons", "install", "delta")
    assert result.exit_code == 0, result.output
    assert "installing alpha 1.0.0" in result.stderr  # progress on stderr
    assert "alpha: loading data/data.yaml" in result.stderr
    assert [line.split()[1].rstrip(",") for line in result.stdout.splitlines()] == ["alpha", "beta", "gamma", "delta"]
    with engine.connect() as conn:
        assert set(conn.execute(select(AddonState.name)).scalars()) == {"alpha", "beta", "gamma", "delta"}
    engine.dispose()


def test_upgrade_dry_run_and_upgrade(inst: Path, runner: CliRunner, tmp_path: Path):
    assert run(runner, inst, "addons", "install", "alpha").exit_code == 0
    result = run(runner, inst, "addons", "upgrade", "--dry-run")
    assert result.stdout.strip() == "[dry run] nothing to do"
    toml = tmp_path / "ext" / "alpha" / "addon.toml"
    toml.write_text(toml.read_text().replace('version = "1.0.0"', 'version = "1.1.0"'))
    listing = run(runner, inst, "addons", "list")
    assert "to upgrade (1.0.0)" in listing.stdout
    dry = run(runner, inst, "addons", "upgrade", "--dry-run")
    assert dry.stdout.startswith("[dry run] upgrade alpha, 1.0.0 -> 1.1.0")
    result = run(runner, inst, "addons", "upgrade", "alpha")
    assert result.exit_code == 0, result.output
    assert "upgrading alpha 1.0.0 -> 1.1.0" in result.stderr
    engine = _db(inst)
    with engine.connect() as conn:
        assert conn.execute(select(AddonState.version).where(AddonState.name == "alpha")).scalar_one() == "1.1.0"
    engine.dispose()
    assert run(runner, inst, "db", "upgrade").stdout.strip() == "nothing to do"


def test_uninstall_needs_yes_dry_run_and_yes(inst: Path, runner: CliRunner):
    assert run(runner, inst, "addons", "install", "beta").exit_code == 0
    refused = run(runner, inst, "addons", "uninstall", "beta")
    assert_one_line_error(refused, "not confirmed", "--yes")
    assert refused.stdout == ""  # non-interactive: refused before any work
    engine = _db(inst)
    assert "beta_thing" in inspect(engine).get_table_names()
    dry = run(runner, inst, "addons", "uninstall", "alpha", "--cascade", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "[dry run] uninstall beta" in dry.stdout
    assert "tables -beta_thing(0 rows)" in dry.stdout
    dependents = run(runner, inst, "addons", "uninstall", "alpha", "--yes")
    assert_one_line_error(dependents, "beta depend on it", "--cascade")
    result = run(runner, inst, "addons", "uninstall", "beta", "--yes")
    assert result.exit_code == 0, result.output
    assert "uninstalling beta" in result.stderr
    assert "backup written to" in result.stdout
    assert list((inst / "backups").glob("*-uninstall-beta.json"))
    assert "beta_thing" not in inspect(engine).get_table_names()
    engine.dispose()


def test_uninstall_interactive_confirmation(inst: Path, runner: CliRunner, monkeypatch):
    import core.cli

    monkeypatch.setattr(core.cli, "_interactive", lambda: True)
    assert run(runner, inst, "addons", "install", "alpha").exit_code == 0
    no = runner.invoke(cli, ["--instance", str(inst), "addons", "uninstall", "alpha"], input="n\n")
    assert no.exit_code == 1
    assert no.stderr.strip().splitlines()[-1] == "Error: uninstall not confirmed"
    assert "Traceback" not in no.output
    assert "[dry run] uninstall alpha" in no.stdout  # the preview comes before the question
    engine = _db(inst)
    assert "alpha_thing" in inspect(engine).get_table_names()
    yes = runner.invoke(cli, ["--instance", str(inst), "addons", "uninstall", "alpha"], input="y\n")
    assert yes.exit_code == 0, yes.output
    assert "alpha_thing" not in inspect(engine).get_table_names()
    engine.dispose()


def test_enable_disable_per_company(inst: Path, runner: CliRunner):
    result = run(runner, inst, "addons", "enable", "beta", "--company", "acme")
    assert result.exit_code == 0, result.output
    assert "enable for acme" in result.stdout
    assert "installing alpha" in result.stderr  # enabling installs what is missing
    engine = _db(inst)

    def enabled() -> set[tuple[str, str]]:
        with engine.connect() as conn:
            return set(conn.execute(
                select(Company.code, CompanyAddon.addon).join(Company, Company.id == CompanyAddon.company_id)
            ).all())

    assert enabled() == {("acme", "alpha"), ("acme", "beta")}
    assert run(runner, inst, "addons", "enable", "alpha", "--company", "other").exit_code == 0
    result = run(runner, inst, "addons", "disable", "alpha", "--company", "acme")
    assert result.exit_code == 0, result.output
    assert enabled() == {("other", "alpha")}
    dry = run(runner, inst, "addons", "enable", "gamma", "--company", "acme", "--dry-run")
    assert dry.stdout.startswith("[dry run]")
    assert enabled() == {("other", "alpha")}
    engine.dispose()


def test_db_upgrade(inst: Path, runner: CliRunner):
    result = run(runner, inst, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "nothing to do"
    dry = run(runner, inst, "db", "upgrade", "--dry-run")
    assert dry.stdout.strip() == "[dry run] nothing to do"


def test_scaffold_command(inst: Path, runner: CliRunner, tmp_path: Path):
    result = run(runner, inst, "scaffold", "visits", "--path", str(tmp_path / "ext"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ext" / "visits" / "addon.toml").is_file()
    assert "visits" in run(runner, inst, "addons", "list").stdout
    result = run(runner, inst, "addons", "install", "visits")
    assert result.exit_code == 0, result.output
    engine = _db(inst)
    assert "visits_item" in inspect(engine).get_table_names()
    engine.dispose()


def test_explain_command(inst: Path, runner: CliRunner):
    assert run(runner, inst, "addons", "enable", "sectree", "--company", "acme").exit_code == 0
    result = run(runner, inst, "explain", "admin", "core_company", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith("user admin")
    assert "read: ALLOWED - system administrator" in result.stdout
    assert_one_line_error(run(runner, inst, "explain", "ghost", "core_company", "1"), "no user 'ghost'")
    assert_one_line_error(run(runner, inst, "explain", "admin", "nope", "1"), "unknown model 'nope'")


def test_addon_cli_commands_are_added(inst: Path, runner: CliRunner):
    assert run(runner, inst, "hookall-hello").exit_code != 0  # not installed: no such command
    assert run(runner, inst, "addons", "install", "hookall").exit_code == 0
    result = run(runner, inst, "hookall-hello")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "hello from hookall"
    assert "hookall-hello" in run(runner, inst, "--help").stdout


# ----- user errors: one line, non-zero, no traceback ----------------------------------------
def test_error_unknown_addon(inst: Path, runner: CliRunner):
    assert_one_line_error(run(runner, inst, "addons", "install", "no_such_addon"), "no_such_addon")
    assert_one_line_error(run(runner, inst, "addons", "uninstall", "delta", "--yes"), "not installed")


def test_error_unknown_company(inst: Path, runner: CliRunner):
    assert_one_line_error(run(runner, inst, "addons", "enable", "alpha", "--company", "nowhere"), "nowhere")
    assert_one_line_error(run(runner, inst, "addons", "disable", "alpha", "--company", "nowhere"), "nowhere")


def test_error_no_instance(tmp_path: Path, runner: CliRunner):
    for args in (["addons", "list"], ["addons", "install", "alpha"], ["db", "upgrade"]):
        assert_one_line_error(run(runner, tmp_path / "missing", *args), "no instance", "tixi init")


def test_error_missing_dependency_and_cycle(tmp_path: Path, runner: CliRunner):
    extra = tmp_path / "bad"
    write_addon(extra, "needy", depends='"ghost_addon"', migration=table_migration("needy", "needy_t"))
    write_addon(extra, "cyc_a", depends='"cyc_b"')
    write_addon(extra, "cyc_b", depends='"cyc_a"')
    write_addon(extra, "oldie", depends='"alpha>=9.0"')
    path = tmp_path / "inst"
    _deployment(path, FIXTURE_ADDONS, extra)
    assert run(runner, path, "init").exit_code == 0
    assert_one_line_error(run(runner, path, "addons", "install", "needy"), "needy", "ghost_addon")
    cycle = run(runner, path, "addons", "install", "cyc_a")
    assert_one_line_error(cycle, "cycle", "cyc_a", "cyc_b")
    assert_one_line_error(run(runner, path, "addons", "install", "oldie"), "alpha", "9.0")
    engine = _db(path)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AddonState)).scalar_one() == 0
    engine.dispose()


def test_error_usage_and_bad_database_url(tmp_path: Path, runner: CliRunner):
    assert_one_line_error(run(runner, tmp_path / "i", "addons", "enable", "alpha"), "--company")
    assert_one_line_error(run(runner, tmp_path / "i", "no-such-command"), "no-such-command")
    path = tmp_path / "inst"
    _deployment(path)
    assert_one_line_error(run(runner, path, "init", "--db", "notadb://x"), "database")


# ----- commands from installed distributions (entry-point group tixi.commands) ---------------
def _fake_distribution(site: Path, entry_points: str) -> None:
    """An installed distribution on ``site`` declaring ``tixi.commands`` entry points."""
    site.mkdir(parents=True, exist_ok=True)
    (site / "tixi_fake_cmds.py").write_text(
        "import click\n\n\n@click.command()\ndef hello():\n    click.echo('hello from a distribution')\n\n\n"
        "not_a_command = 42\n",
        encoding="utf-8",
    )
    dist = site / "tixi_fake_cmds-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: tixi-fake-cmds\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[tixi.commands]\n{entry_points}")


@pytest.fixture
def fresh_cli(monkeypatch):
    """The root command with entry points not loaded yet (and its commands restored after)."""
    from core.cli import TixiCLI

    monkeypatch.setattr(TixiCLI, "entry_points_loaded", False)
    before = dict(cli.commands)
    yield cli
    cli.commands.clear()
    cli.commands.update(before)


def test_entry_point_commands_are_added_and_broken_ones_cost_one_line(tmp_path: Path, monkeypatch, fresh_cli,
                                                                      runner: CliRunner):
    site = tmp_path / "site"
    _fake_distribution(site, "hello = tixi_fake_cmds:hello\nbroken = tixi_no_such_module:cmd\n"
                             "odd = tixi_fake_cmds:not_a_command\ninit = tixi_fake_cmds:hello\n")
    monkeypatch.syspath_prepend(str(site))
    result = runner.invoke(fresh_cli, ["--instance", str(tmp_path / "none"), "hello"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "hello from a distribution"
    warnings = result.stderr.strip().splitlines()
    assert len(warnings) == 2, result.stderr  # one line each, no traceback
    assert any("'broken'" in w and "tixi_no_such_module" in w for w in warnings)
    assert any("'odd'" in w and "not a click command" in w for w in warnings)
    assert "Traceback" not in result.output
    assert cli.commands["init"].callback.__module__ == "core.cli"  # never replaces a kernel command
    listing = runner.invoke(fresh_cli, ["--instance", str(tmp_path / "none"), "--help"])
    assert "hello" in listing.stdout


def test_kernel_cli_does_not_import_bench():
    import subprocess
    import sys

    code = "import sys, core.cli; core.cli.cli; print('bench' in sys.modules, 'bench.cli' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.split() == ["False", "False"]
    source = (Path(__file__).resolve().parent.parent / "core" / "cli.py").read_text()
    assert "from bench" not in source
    assert "import bench" not in source


def test_pyproject_registers_bench_and_the_pytest_plugin():
    conf = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())
    eps = conf["project"]["entry-points"]
    assert eps["tixi.commands"] == {"bench": "bench.cli:bench"}
    assert eps["pytest11"] == {"core.testing.plugin": "core.testing.plugin"}
