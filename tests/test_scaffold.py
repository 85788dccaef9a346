"""``tixi scaffold NAME --path DIR``: an addon that installs and whose generated test passes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect

from core.cli import cli
from core.config import Deployment
from core.manifest import load_manifest
from core.scaffold import scaffold_addon
from core.testing import TixiTestDB, new_database

ROOT = Path(__file__).resolve().parent.parent


def test_scaffold_layout_and_manifest(tmp_path: Path):
    result = CliRunner().invoke(cli, ["--instance", str(tmp_path / "inst"), "scaffold", "shop_notes",
                                      "--path", str(tmp_path)])
    assert result.exit_code == 0, result.output
    dest = tmp_path / "shop_notes"
    assert f"created addon shop_notes in {dest}" in result.stdout
    for rel in ("addon.toml", "__init__.py", "models.py", "security/security.yaml",
                "migrations", "i18n/zh_CN/LC_MESSAGES/messages.po", "i18n/en/LC_MESSAGES/messages.po",
                "tests/test_shop_notes.py",
                # the shape of the real addons
                "services.py", "views.py", "templates/shop_notes/index.html", "data/data.yaml",
                "demo/demo.yaml", "README.md", "hookspecs.py", "testing.py"):
        assert (dest / rel).exists(), rel
    assert not list(dest.rglob("*.tmpl"))
    manifest = load_manifest(dest, "addons.shop_notes", "test")
    assert manifest.name == "shop_notes"
    assert manifest.label == {"zh_CN": "Shop Notes", "en": "Shop Notes"}
    migration = next((dest / "migrations").glob("shop_notes_0001_*.py")).read_text()
    assert 'branch_labels = ("shop_notes",)' in migration
    assert "down_revision = None" in migration


def test_scaffold_refuses_bad_name_and_existing_folder(tmp_path: Path):
    runner = CliRunner()
    inst = str(tmp_path / "inst")
    result = runner.invoke(cli, ["--instance", inst, "scaffold", "Bad-Name", "--path", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0
    assert "not a valid addon name" in result.stderr
    scaffold_addon("twice", tmp_path)
    result = runner.invoke(cli, ["--instance", inst, "scaffold", "twice", "--path", str(tmp_path)])
    assert result.exit_code == 1
    assert "already exists" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_scaffolded_addon_installs_and_uninstalls(tmp_path: Path, engine: str):
    name = f"scaf_{engine[:2]}"
    scaffold_addon(name, tmp_path)
    url, drop = new_database(engine)
    db = TixiTestDB(url, Deployment(path=None, addons_paths=[tmp_path]))
    try:
        db.install(name, companies=["acme"])
        assert f"{name}_item" in inspect(db.registry.engine).get_table_names()
        db.lifecycle.uninstall(name, confirmed=True)
        assert f"{name}_item" not in inspect(db.registry.engine).get_table_names()
    finally:
        db.dispose()
        drop()


def test_generated_test_passes(tmp_path: Path):
    """Run pytest on the scaffolded addon in a subprocess, as its author would."""
    from core.testing.pgserver import postgres_url

    scaffold_addon("scaf_gen", tmp_path)
    env = dict(os.environ)
    env["TIXI_TEST_PG_URL"] = postgres_url()  # reuse this process's throwaway server
    env.pop("TIXI_DATABASE_URL", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--import-mode=importlib",
         str(tmp_path / "scaf_gen" / "tests")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "2 passed" in proc.stdout  # SQLite and PostgreSQL


def test_scaffold_code_is_clean_relative_and_translated(tmp_path: Path):
    """Ruff-clean, no absolute ``addons.`` imports (works as a folder or a wheel), complete catalogs."""
    import re

    dest = scaffold_addon("shop_log", tmp_path)
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", str(dest)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    sources = {p: p.read_text() for p in dest.rglob("*.py")}
    for path, text in sources.items():
        assert "from addons." not in text, path
        assert "import addons" not in text, path
    init = sources[dest / "__init__.py"]
    for hook in ("tixi_blueprints", "tixi_menu_items", "tixi_company_setup"):
        assert f"def {hook}(" in init
    assert 'Blueprint("shop_log"' in sources[dest / "views.py"]  # named after the addon: 404 elsewhere
    assert "tixi_world" in sources[dest / "tests" / "test_shop_log.py"]
    assert 'world.make("shop_log.item"' in sources[dest / "tests" / "test_shop_log.py"]
    texts = "".join(sources.values()) + (dest / "templates" / "shop_log" / "index.html").read_text()
    msgids = set(re.findall(r'_l?\("([^"]+)"', texts))
    assert {"Items", "The name is required.", "No items yet."} <= msgids
    for lang in ("zh_CN", "en"):
        po = (dest / "i18n" / lang / "LC_MESSAGES" / "messages.po").read_text()
        for msgid in msgids:
            m = re.search(rf'msgid "{re.escape(msgid)}"\nmsgstr "([^"]*)"', po)
            assert m is not None, (lang, msgid)
            assert m.group(1), (lang, msgid)
    manifest = load_manifest(dest, "shop_log", "test")
    assert manifest.data == ("security/security.yaml", "data/data.yaml")
    assert manifest.demo == ("demo/demo.yaml",)


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_scaffolded_addon_installs_with_demo_and_sets_up_companies(tmp_path: Path, engine: str):
    name = f"scafd_{engine[:2]}"
    scaffold_addon(name, tmp_path)
    url, drop = new_database(engine)
    db = TixiTestDB(url, Deployment(path=None, addons_paths=[tmp_path]))
    try:
        db.company("acme")
        report = db.lifecycle.install([name], demo=True)
        assert [s.addon for s in report.steps] == [name]
        db.lifecycle.enable(name, "acme")  # runs its (empty) tixi_company_setup
        assert name in db.registry.modules
    finally:
        db.dispose()
        drop()
