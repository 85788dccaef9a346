"""Load-time refusals: an installed addon that breaks the contract is refused with one line.

Each case writes a throwaway addon (unique name per test: a module is imported
once per process) and checks the :class:`AddonLoadError` message: (a) a hook no
one declares (misspelled) or one declared by an addon it does not depend on;
(b) a hookimpl argument the spec lacks; (c) a table without the addon's prefix;
(d) a foreign key to a table of an addon outside ``depends`` (or of an optional
dependency). Refused at install (nothing installed) and, for an addon already
installed, at every start: ``tixi addons list`` prints one line, no traceback.
``Registry(strict=False)`` collects refusals so a broken addon can be
uninstalled.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import select

from core.config import Deployment
from core.errors import AddonLoadError, TixiError
from core.models import AddonState
from core.registry import Registry
from core.testing import TixiTestDB, new_database
from tests.kernel_helpers import FIXTURE_ADDONS, table_migration, write_addon

ROOT = Path(__file__).resolve().parent.parent
_names = itertools.count()


def unique(stem: str) -> str:
    """An addon name not used before in this process (``stem`` + pid + counter)."""
    return f"{stem}_{os.getpid()}_{next(_names)}"


def make_addon(folder: Path, stem: str, init: str = "", models: str | None = None, hookspecs: str | None = None,
               depends: str = "", toml_extra: str = "", table: str | None = None) -> str:
    """Write an addon (``__init__.py``, optional ``models.py``/``hookspecs.py``/migration); return its name."""
    name = unique(stem)
    migration = table_migration(name, table or f"{name}_thing") if models is not None else None
    path = write_addon(folder, name, depends=depends, toml_extra=toml_extra, migration=migration)
    header = "from typing import Any\n\nfrom core.plugins import hookimpl, hookspec  # noqa: F401\n\n"
    (path / "__init__.py").write_text(header + textwrap.dedent(init).replace("NAME", name), encoding="utf-8")
    if models is not None:
        (path / "models.py").write_text(textwrap.dedent(models).replace("NAME", name), encoding="utf-8")
    if hookspecs is not None:
        (path / "hookspecs.py").write_text(
            "from core.plugins import hookspec\n\n" + textwrap.dedent(hookspecs), encoding="utf-8"
        )
    return name


def model(table: str, fk: str | None = None) -> str:
    """A models.py with one table (and optionally a foreign key column)."""
    column = f'    other_id: Mapped[int] = mapped_column(ForeignKey("{fk}"))\n' if fk else ""
    return (
        "from sqlalchemy import ForeignKey, String\nfrom sqlalchemy.orm import Mapped, mapped_column\n\n"
        "from core.db import Base, IdMixin\n\n\n"
        f"class Thing(IdMixin, Base):\n    __tablename__ = \"{table}\"\n\n"
        "    label: Mapped[str] = mapped_column(String(20))\n" + column
    )


def mark_installed(url: str, *names: str) -> None:
    """Record addons as installed without running the lifecycle (as an older kernel left them)."""
    reg = Registry(url, Deployment(path=None), use_entry_points=False)
    with reg.Session.begin() as s:
        for name in names:
            s.add(AddonState(name=name, version="1.0.0"))
    reg.engine.dispose()


@pytest.fixture
def sqlite_url():
    url, drop = new_database("sqlite")
    yield url
    drop()


def refused_at_install(tmp_path: Path, url: str, name: str, extra: list[Path] | None = None) -> str:
    """Install ``name``: assert it is refused with one line, nothing installed; return the message."""
    db = TixiTestDB(url, Deployment(path=None, addons_paths=[tmp_path / "ext", *(extra or [])]))
    try:
        with pytest.raises(AddonLoadError) as info:
            db.lifecycle.install([name])
        with db.session() as s:
            assert s.scalar(select(AddonState).where(AddonState.name == name)) is None
        assert db.registry.pm.get_plugin(name) is None
        assert name not in db.registry.modules
    finally:
        db.dispose()
    message = str(info.value)
    assert "\n" not in message, message
    assert message.startswith(f"addon {name!r}: "), message
    assert isinstance(info.value, TixiError)  # the CLI prints it as one line
    return message


# ----- (a) hooks nobody declared ------------------------------------------------------------
def test_misspelled_hook_is_refused(tmp_path: Path, sqlite_url: str):
    name = make_addon(tmp_path / "ext", "typo", init="""
        @hookimpl
        def tixi_user_contex(env):
            return {}
    """)
    message = refused_at_install(tmp_path, sqlite_url, name)
    assert message == (
        f"addon {name!r}: hook 'tixi_user_contex' is not declared by the kernel or by any addon "
        "it depends on (misspelled?)"
    )


def test_hook_of_an_addon_not_in_depends_is_refused(tmp_path: Path, sqlite_url: str):
    mark_installed(sqlite_url, "masterdata")  # declares tixi_handover
    name = make_addon(tmp_path / "ext", "nodep", init="""
        @hookimpl
        def tixi_handover(env, from_employee, to_employee):
            return {}
    """)
    message = refused_at_install(tmp_path, sqlite_url, name)
    assert message == (
        f"addon {name!r}: hook 'tixi_handover' is declared by addon 'masterdata', which is not in "
        "its depends or optional_depends"
    )


def test_hook_of_a_dependency_and_its_own_hookspec_are_accepted(tmp_path: Path, sqlite_url: str):
    base = make_addon(tmp_path / "ext", "base", hookspecs='''
        @hookspec
        def tixi_base_thing(env):
            """A hook of the base addon.

            Example::

                ...
            """
    ''', init="""
        @hookimpl
        def tixi_base_thing(env):
            return "base"
    """)
    user = make_addon(tmp_path / "ext", "user", depends=f'"{base}"', init="""
        @hookimpl
        def tixi_base_thing(env):
            return "user"
    """)
    db = TixiTestDB(sqlite_url, Deployment(path=None, addons_paths=[tmp_path / "ext"]))
    try:
        db.lifecycle.install([user])
        assert db.registry.hook_owners["tixi_base_thing"] == base
        assert sorted(db.registry.pm.hook.tixi_base_thing(env=None)) == ["base", "user"]
    finally:
        db.dispose()


def test_optional_hook_of_an_absent_optional_dependency_is_accepted(tmp_path: Path, sqlite_url: str):
    """crm_cards is available but not installed: its hook may be implemented with optionalhook=True."""
    ok = make_addon(tmp_path / "ext", "optok", toml_extra='optional_depends = ["crm_cards"]', init="""
        @hookimpl(optionalhook=True)
        def tixi_profile_sections(env, customer):
            return []
    """)
    bad = make_addon(tmp_path / "ext", "optbad", toml_extra='optional_depends = ["crm_cards"]', init="""
        @hookimpl
        def tixi_profile_sections(env, customer):
            return []
    """)
    db = TixiTestDB(sqlite_url, Deployment(path=None, addons_paths=[tmp_path / "ext"]))
    try:
        db.lifecycle.install([ok])
        assert ok in db.registry.modules
        assert "crm_cards" not in db.registry.modules
    finally:
        db.dispose()
    assert "hook 'tixi_profile_sections' is not declared" in refused_at_install(tmp_path, sqlite_url, bad)


# ----- (b) an argument the hookspec lacks ---------------------------------------------------
def test_hookimpl_argument_the_spec_lacks_is_refused(tmp_path: Path, sqlite_url: str):
    name = make_addon(tmp_path / "ext", "badarg", init="""
        @hookimpl
        def tixi_menu_items(env, company):
            return []
    """)
    message = refused_at_install(tmp_path, sqlite_url, name)
    assert message == (
        f"addon {name!r}: hook 'tixi_menu_items' takes argument 'company', which the hookspec lacks "
        "(it offers: env)"
    )


# ----- (c) table prefix ---------------------------------------------------------------------
def test_table_without_the_addon_prefix_is_refused(tmp_path: Path, sqlite_url: str):
    table = unique("loose_table")
    name = make_addon(tmp_path / "ext", "noprefix", models=model(table), table=table)
    message = refused_at_install(tmp_path, sqlite_url, name)
    assert message == f"addon {name!r}: table {table!r} must be named {name}_..."


# ----- (d) foreign keys ---------------------------------------------------------------------
def test_foreign_key_to_an_addon_not_in_depends_is_refused(tmp_path: Path, sqlite_url: str):
    name = make_addon(tmp_path / "ext", "fkout", models=model("NAME_thing", fk="alpha_thing.id"))
    message = refused_at_install(tmp_path, sqlite_url, name, extra=[FIXTURE_ADDONS])
    assert message == (
        f"addon {name!r}: table '{name}_thing' has a foreign key to 'alpha_thing', a table of addon "
        "'alpha', which is not in its depends"
    )


def test_foreign_key_to_an_optional_dependency_is_refused(tmp_path: Path, sqlite_url: str):
    name = make_addon(tmp_path / "ext", "fkopt", toml_extra='optional_depends = ["alpha"]',
                      models=model("NAME_thing", fk="alpha_thing.id"))
    message = refused_at_install(tmp_path, sqlite_url, name, extra=[FIXTURE_ADDONS])
    assert message == (
        f"addon {name!r}: table '{name}_thing' has a foreign key to 'alpha_thing' of optional "
        "dependency 'alpha', whose table may not exist (store a plain id)"
    )


def test_foreign_keys_to_kernel_own_and_dependency_tables_are_accepted(tmp_path: Path, sqlite_url: str):
    name = make_addon(tmp_path / "ext", "fkok", depends='"alpha"', models=model("NAME_thing", fk="alpha_thing.id"))
    db = TixiTestDB(sqlite_url, Deployment(path=None, addons_paths=[tmp_path / "ext", FIXTURE_ADDONS]))
    try:
        db.lifecycle.install([name])
        assert name in db.registry.modules
        assert [t.name for t in db.registry.tables_of(db.registry.manifests[name])] == [f"{name}_thing"]
    finally:
        db.dispose()


# ----- an installed addon that is broken: every start refuses; strict=False lets it go ----------
def _broken_installed(tmp_path: Path, url: str) -> tuple[str, str]:
    """alpha and a broken addon (own hookspec + misspelled hook) recorded as installed."""
    broken = make_addon(tmp_path / "ext", "broken", hookspecs='''
        @hookspec
        def tixi_broken_own(env):
            """Declared by the broken addon.

            Example::

                ...
            """
    ''', init="""
        @hookimpl
        def tixi_user_contex(env):
            return {}
    """)
    helper = make_addon(tmp_path / "ext", "needsbroken", depends=f'"{broken}"')
    mark_installed(url, "alpha", broken, helper)
    return broken, helper


def test_installed_broken_addon_is_refused_at_start_and_non_strict_collects(tmp_path: Path, sqlite_url: str):
    broken, helper = _broken_installed(tmp_path, sqlite_url)
    deployment = Deployment(path=None, addons_paths=[tmp_path / "ext", FIXTURE_ADDONS])
    with pytest.raises(AddonLoadError, match=f"^addon '{broken}': hook 'tixi_user_contex' is not declared"):
        Registry(sqlite_url, deployment, use_entry_points=False)
    reg = Registry(sqlite_url, deployment, use_entry_points=False, strict=False)
    try:
        assert set(reg.refused) == {broken, helper}
        assert reg.refused[helper] == f"addon {helper!r}: depends on {broken!r}, which was refused"
        assert "alpha" in reg.modules
        assert broken not in reg.modules
        assert helper not in reg.modules
        assert reg.pm.get_plugin(broken) is None
        # the refused addon's own hookspec is gone again: nothing can call or implement it
        assert not hasattr(reg.pm.hook, "tixi_broken_own")
        assert "tixi_broken_own" not in reg.hook_owners
        assert set(reg.installed) >= {broken, helper}  # still installed: uninstall can remove it
        reg.pm.check_pending()
    finally:
        reg.engine.dispose()


@pytest.mark.parametrize("command", [["addons", "list"], ["run", "--port", "0"]], ids=["addons-list", "run"])
def test_cli_refuses_a_broken_installed_addon_with_one_line(tmp_path: Path, sqlite_url: str, command: list[str]):
    """``tixi addons list`` and the app (``tixi run``) on an instance with a misspelled hook:
    one line on stderr, exit 1, no traceback."""
    broken, _helper = _broken_installed(tmp_path, sqlite_url)
    inst = tmp_path / "inst"
    inst.mkdir()
    (inst / "addons.yaml").write_text(
        f"addons_paths:\n  - {tmp_path / 'ext'}\n  - {FIXTURE_ADDONS}\n", encoding="utf-8"
    )
    (inst / "config.toml").write_text(f'database = "{sqlite_url}"\nsecret_key = "x"\n', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("TIXI_TRACE_HOOKS", None)
    result = subprocess.run(
        [sys.executable, "-m", "core.cli", "--instance", str(inst), *command],
        capture_output=True, text=True, cwd=str(ROOT), env=env, timeout=120,
    )
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stderr.strip().splitlines() == [
        f"Error: addon {broken!r}: hook 'tixi_user_contex' is not declared by the kernel or by any "
        "addon it depends on (misspelled?)"
    ]
    assert "Traceback" not in result.stderr


def test_hook_declared_twice_is_refused(tmp_path: Path, sqlite_url: str):
    spec = '''
        @hookspec
        def tixi_menu_items(env):
            """Again.

            Example::

                ...
            """
    '''
    name = make_addon(tmp_path / "ext", "twice", hookspecs=spec)
    message = refused_at_install(tmp_path, sqlite_url, name)
    assert message == f"addon {name!r}: hook 'tixi_menu_items' is already declared by the kernel"


def test_broken_installed_addon_can_be_uninstalled_through_a_non_strict_registry(tmp_path: Path, sqlite_url: str):
    """Installed while valid, broken afterwards (a misspelled hook): a fresh process refuses it with a
    strict registry, and a non-strict one lets the lifecycle uninstall it (tables dropped, state gone)."""
    name = make_addon(tmp_path / "ext", "later", models=model("NAME_thing"))
    db = TixiTestDB(sqlite_url, Deployment(path=None, addons_paths=[tmp_path / "ext"]))
    db.lifecycle.install([name])
    db.dispose()
    (tmp_path / "ext" / name / "__init__.py").write_text(
        "from core.plugins import hookimpl\n\n\n@hookimpl\ndef tixi_menu_item(env):\n    return []\n", encoding="utf-8"
    )
    script = textwrap.dedent(f"""
        from pathlib import Path
        from sqlalchemy import inspect
        from core.config import Deployment
        from core.errors import AddonLoadError
        from core.lifecycle import Lifecycle
        from core.registry import Registry

        dep = Deployment(path=None, addons_paths=[Path({str(tmp_path / "ext")!r})])
        try:
            Registry({sqlite_url!r}, dep, use_entry_points=False)
        except AddonLoadError as exc:
            print("strict:", exc)
        reg = Registry({sqlite_url!r}, dep, use_entry_points=False, strict=False)
        print("refused:", sorted(reg.refused))
        Lifecycle(reg).uninstall({name!r}, confirmed=True, backup_dir=Path({str(tmp_path / "backup")!r}))
        print("installed:", {name!r} in reg.installed, "refused:", sorted(reg.refused))
        print("table:", inspect(reg.engine).has_table({name + "_thing"!r}))
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("TIXI_TRACE_HOOKS", None)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=str(ROOT),
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines() == [
        f"strict: addon {name!r}: hook 'tixi_menu_item' is not declared by the kernel or by any addon it "
        "depends on (misspelled?)",
        f"refused: [{name!r}]",
        "installed: False refused: []",
        "table: False",
    ]
    assert list((tmp_path / "backup").glob("*.json"))  # the rows were backed up first


def test_addon_hookspecs_follow_dry_runs_and_uninstall(sqlite_url: str):
    """A dry run loads and unloads masterdata: its hooks come and go with it, and come back cleanly."""
    db = TixiTestDB(sqlite_url, Deployment(path=None))
    try:
        db.lifecycle.install(["territories"], dry_run=True)
        assert not hasattr(db.registry.pm.hook, "tixi_handover")
        assert "tixi_handover" not in db.registry.hook_owners
        db.lifecycle.install(["territories"])
        assert db.registry.hook_owners["tixi_handover"] == "masterdata"
        impls = {i.plugin_name for i in db.registry.pm.hook.tixi_handover.get_hookimpls()}
        assert impls == {"territories"}
        db.lifecycle.uninstall("masterdata", cascade=True, confirmed=True)
        assert not hasattr(db.registry.pm.hook, "tixi_handover")
        db.registry.pm.check_pending()
    finally:
        db.dispose()


def test_a_non_strict_registry_still_refuses_to_install_a_broken_addon(tmp_path: Path, sqlite_url: str):
    """strict=False only tolerates broken addons already installed; installing one is refused."""
    from core.lifecycle import Lifecycle

    name = make_addon(tmp_path / "ext", "nsinstall", init="""
        @hookimpl
        def tixi_dashboard_widget(env):
            return []
    """)
    reg = Registry(sqlite_url, Deployment(path=None, addons_paths=[tmp_path / "ext"]), use_entry_points=False,
                   strict=False)
    try:
        with pytest.raises(AddonLoadError, match="hook 'tixi_dashboard_widget' is not declared"):
            Lifecycle(reg).install([name])
        assert name not in reg.installed
        assert name not in reg.modules
    finally:
        reg.engine.dispose()
