"""Instances: a copied instance uses its own database; addons.yaml wins over by-hand changes."""

from __future__ import annotations

import shutil
import textwrap
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, select

from core.cli import cli
from core.config import Instance
from core.models import Company, CompanyAddon
from tests.kernel_helpers import FIXTURE_ADDONS


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    monkeypatch.delenv("TIXI_DATABASE_URL", raising=False)
    monkeypatch.delenv("TIXI_INSTANCE", raising=False)


def _init(tmp_path: Path, name: str = "inst", addons: str = "[alpha]") -> Path:
    inst = tmp_path / name
    inst.mkdir(parents=True)
    (inst / "addons.yaml").write_text(textwrap.dedent(f"""\
        addons_paths: [{FIXTURE_ADDONS}]
        companies:
          acme:
            name: {{zh_CN: 顶点, en: Acme}}
            addons: {addons}
          other:
            name: {{zh_CN: 其他, en: Other}}
            addons: []
        """), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--instance", str(inst), "init", "--admin-password", "admin-pass-1"])
    assert result.exit_code == 0, result.output
    return inst


def run(inst: Path, *args: str):
    return CliRunner().invoke(cli, ["--instance", str(inst), *args])


def enabled(inst: Path) -> set[tuple[str, str]]:
    engine = create_engine(Instance(inst).database_url())
    try:
        with engine.connect() as conn:
            return set(conn.execute(
                select(Company.code, CompanyAddon.addon).join(Company, Company.id == CompanyAddon.company_id)
            ).all())
    finally:
        engine.dispose()


def test_copied_instance_uses_its_own_database(tmp_path: Path):
    original = _init(tmp_path)
    conf = tomllib.loads((original / "config.toml").read_text())
    assert conf["database"] == "sqlite:///tixi.db"
    copy = tmp_path / "copy"
    shutil.copytree(original, copy)
    assert Instance(copy).database_url() == f"sqlite:///{copy / 'tixi.db'}"
    # a change in the copy stays in the copy
    result = run(copy, "addons", "enable", "beta", "--company", "other")
    assert result.exit_code == 0, result.output
    assert ("other", "beta") in enabled(copy)
    assert ("other", "beta") not in enabled(original)
    # and the original folder moved elsewhere keeps working too
    moved = tmp_path / "moved"
    shutil.move(str(original), moved)
    listing = run(moved, "addons", "list")
    assert listing.exit_code == 0, listing.output
    assert ("acme", "alpha") in enabled(moved)


def test_relative_sqlite_url_resolves_against_the_instance(tmp_path: Path):
    inst = Instance(tmp_path / "i")
    inst.path.mkdir()
    for written, expected in (
        ("sqlite:///data/x.db", f"sqlite:///{inst.path / 'data' / 'x.db'}"),
        ("sqlite:////abs/x.db", "sqlite:////abs/x.db"),
        ("sqlite:///:memory:", "sqlite:///:memory:"),
        ("postgresql+psycopg://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
    ):
        inst.config_file.write_text(f'database = "{written}"\nsecret_key = "k"\n')
        assert inst.database_url() == expected


def test_enable_and_disable_by_hand_warn_that_apply_undoes_them(tmp_path: Path):
    inst = _init(tmp_path)
    result = run(inst, "addons", "enable", "beta", "--company", "acme")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert len(warnings) == 1, result.stderr
    assert "company acme" in warnings[0]
    assert "beta" in warnings[0]
    assert "tixi addons apply" in warnings[0]
    result = run(inst, "addons", "disable", "alpha", "--company", "acme")  # beta goes with it
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert len(warnings) == 1, result.stderr
    assert "lists alpha" in warnings[0]
    # a company addons.yaml does not manage: no warning
    (inst / "addons.yaml").write_text((inst / "addons.yaml").read_text().replace("  other:\n", "  other2:\n"))
    quiet = run(inst, "addons", "enable", "alpha", "--company", "other")
    assert quiet.exit_code == 0, quiet.output
    assert "Warning" not in quiet.stderr


def test_apply_wins_and_lists_what_it_undid(tmp_path: Path):
    inst = _init(tmp_path)
    assert run(inst, "addons", "enable", "gamma", "--company", "other").exit_code == 0
    assert run(inst, "addons", "disable", "alpha", "--company", "acme").exit_code == 0
    assert enabled(inst) == {("other", "alpha"), ("other", "gamma")}
    dry = run(inst, "addons", "apply", "--dry-run")
    assert "Warning:" in dry.stderr
    result = run(inst, "addons", "apply")
    assert result.exit_code == 0, result.output
    assert enabled(inst) == {("acme", "alpha")}  # addons.yaml wins
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert len(warnings) == 1, result.stderr
    for undone in ("enable alpha for acme", "disable gamma for other", "disable alpha for other"):
        assert undone in warnings[0], warnings[0]
    # nothing differs any more: no warning
    again = run(inst, "addons", "apply")
    assert "Warning" not in again.stderr
    assert again.stdout.strip() == "nothing to do"
