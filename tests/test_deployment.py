"""addons.yaml, the instance, applying a deployment, and importing only installed addons."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from core.config import Instance, load_deployment
from core.errors import TixiError
from core.lifecycle import Lifecycle
from core.models import Company, CompanyAddon
from core.registry import Registry
from core.testing import new_database
from tests.kernel_helpers import FIXTURE_ADDONS, write_addon


def write_yaml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "addons.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_deployment_file_is_parsed_with_relative_paths(tmp_path: Path):
    (tmp_path / "custom").mkdir()
    path = write_yaml(
        tmp_path,
        "addons_paths: [custom]\ncompanies:\n  acme:\n    name: {zh_CN: 甲, en: Acme}\n    addons: [alpha]\n",
    )
    dep = load_deployment(path)
    assert dep.addons_paths == [(tmp_path / "custom").resolve()]
    assert dep.companies[0].code == "acme"
    assert dep.companies[0].name_zh == "甲"
    assert dep.companies[0].addons == ["alpha"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("companies: [1, 2", "not valid YAML"),
        ("companies:\n  acme: 3\n", "companies.acme must be a mapping"),
        ("companies:\n  acme:\n    addons: alpha\n", "companies.acme.addons must be a list"),
    ],
)
def test_bad_deployment_file_is_one_clear_error(tmp_path: Path, text: str, message: str):
    with pytest.raises(TixiError, match=message):
        load_deployment(write_yaml(tmp_path, text))


def test_instance_database_url_precedence(tmp_path: Path, monkeypatch):
    inst = Instance(tmp_path / "inst")
    monkeypatch.delenv("TIXI_DATABASE_URL", raising=False)
    assert inst.database_url().endswith("inst/tixi.db")
    inst.write_config("postgresql+psycopg://x@127.0.0.1/db")
    assert inst.database_url() == "postgresql+psycopg://x@127.0.0.1/db"
    monkeypatch.setenv("TIXI_DATABASE_URL", "sqlite:///elsewhere.db")
    assert inst.database_url() == "sqlite:///elsewhere.db"
    assert len(inst.secret_key()) == 64


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_apply_deployment_installs_closure_and_enables_per_company(tmp_path: Path, engine: str):
    url, drop = new_database(engine)
    path = write_yaml(
        tmp_path,
        f"addons_paths: [{FIXTURE_ADDONS}]\ncompanies:\n"
        "  one:\n    name: {zh_CN: 一, en: One}\n    addons: [beta]\n"
        "  two:\n    name: {zh_CN: 二, en: Two}\n    addons: [gamma]\n",
    )
    reg = Registry(url, load_deployment(path), use_entry_points=False)
    try:
        dry = Lifecycle(reg).apply_deployment(dry_run=True)
        assert any(s.action == "create company" and s.addon == "one" for s in dry.steps)
        assert "alpha" not in reg.installed
        Lifecycle(reg).apply_deployment()
        assert set(reg.installed) == {"alpha", "beta", "gamma"}
        with reg.Session() as s:
            rows = set(
                s.execute(
                    select(Company.code, CompanyAddon.addon).join(Company, Company.id == CompanyAddon.company_id)
                )
            )
        assert rows == {("one", "alpha"), ("one", "beta"), ("two", "alpha"), ("two", "gamma")}
        # applying twice changes nothing
        assert Lifecycle(reg).apply_deployment().steps == []
        # per-company dispatch: company two's hooks do not reach beta
        with reg.Session() as s:
            one = s.scalar(select(Company.id).where(Company.code == "one"))
            two = s.scalar(select(Company.id).where(Company.code == "two"))
            enabled_two = reg.enabled_addons(s, two)
            enabled_one = reg.enabled_addons(s, one)
        assert enabled_two == {"alpha", "gamma"}
        impls_two = reg.hooks(enabled_two).tixi_user_context.get_hookimpls()
        impls_one = reg.hooks(enabled_one).tixi_user_context.get_hookimpls()
        assert {i.plugin_name for i in impls_two} == {"core.defaults", "alpha", "gamma"}
        assert {i.plugin_name for i in impls_one} == {"core.defaults", "alpha", "beta"}
    finally:
        reg.engine.dispose()
        drop()


def test_only_installed_addons_are_imported(tmp_path: Path):
    name = "never_imported_addon"
    folder = tmp_path / "extra"
    write_addon(folder, name)
    (folder / name / "__init__.py").write_text("raise RuntimeError('imported although not installed')\n")
    url, drop = new_database("sqlite")
    from core.config import Deployment

    reg = Registry(url, Deployment(path=None, addons_paths=[folder]), use_entry_points=False)
    try:
        assert name in reg.manifests
        assert name not in sys.modules
        with pytest.raises(RuntimeError, match="imported although not installed"):
            Lifecycle(reg).install([name])
        assert name not in reg.installed
    finally:
        reg.engine.dispose()
        drop()


def test_missing_python_requirement_refuses_install(tmp_path: Path):
    folder = tmp_path / "extra"
    write_addon(
        folder,
        "needs_pkg",
        toml_extra='[external_dependencies]\npython = ["surely-not-installed-pkg>=1"]',
    )
    url, drop = new_database("sqlite")
    from core.config import Deployment

    reg = Registry(url, Deployment(path=None, addons_paths=[folder]), use_entry_points=False)
    try:
        with pytest.raises(TixiError, match="needs the Python package 'surely-not-installed-pkg>=1'"):
            Lifecycle(reg).install(["needs_pkg"])
    finally:
        reg.engine.dispose()
        drop()
