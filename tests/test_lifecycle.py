"""Install, upgrade, uninstall round trips, atomic rollback and dry runs (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text

from core.errors import DependencyError, LifecycleError
from core.models import AccessRight, AddonState, CompanyAddon, ExternalId, Group
from core.testing import new_database
from tests.kernel_helpers import FIXTURE_ADDONS, fixture_db, table_migration, write_addon


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request):
    url, drop = new_database(request.param)
    database = fixture_db(url)
    yield database
    database.dispose()
    drop()


def tables(db) -> set[str]:
    return set(inspect(db.registry.engine).get_table_names())


def snapshot(db) -> dict[str, int]:
    """Row count of every table: equal snapshots mean nothing changed."""
    with db.registry.engine.connect() as conn:
        return {
            t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
            for t in sorted(tables(db))
        }


def test_install_closure_in_order_with_data(db):
    report = db.lifecycle.install(["delta"])
    assert [s.addon for s in report.steps] == ["alpha", "beta", "gamma", "delta"]
    assert {"alpha_thing", "beta_thing", "gamma_thing", "delta_thing"} <= tables(db)
    with db.session() as s:
        assert set(s.scalars(select(AddonState.name))) == {"alpha", "beta", "gamma", "delta"}
        assert s.scalar(select(Group).where(Group.code == "beta.group_beta_user")) is not None
        assert (
            s.scalar(
                select(func.count()).select_from(ExternalId).where(ExternalId.addon == "alpha")
            )
            == 3
        )
    with db.registry.engine.connect() as conn:
        heads = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    assert heads == {kernel_head(), "alpha_0001", "beta_0001", "gamma_0001", "delta_0001"}


def kernel_head() -> str:
    """The kernel's newest revision (``core_0001`` grows as platform services add tables)."""
    from alembic.script import ScriptDirectory

    from core.migrate import make_config

    (head,) = ScriptDirectory.from_config(make_config(None, [])).get_heads()
    return head


def test_dry_run_install_changes_nothing_and_reports(db):
    before = snapshot(db)
    report = db.lifecycle.install(["beta"], dry_run=True)
    assert report.dry_run
    assert [s.addon for s in report.steps] == ["alpha", "beta"]
    assert report.steps[0].tables_created == ["alpha_thing"]
    assert report.steps[0].records == 3
    assert "alpha" not in db.registry.installed
    assert snapshot(db) == before


def test_uninstall_refused_while_dependents_installed_then_cascade(db, tmp_path: Path):
    db.lifecycle.install(["delta"])
    with pytest.raises(LifecycleError, match="beta, gamma, delta depend on it|depend on it"):
        db.lifecycle.uninstall("alpha", confirmed=True)
    with pytest.raises(LifecycleError, match="confirm with --yes"):
        db.lifecycle.uninstall("alpha", cascade=True)
    preview = db.lifecycle.uninstall("alpha", cascade=True, dry_run=True)
    assert [s.addon for s in preview.steps][-1] == "alpha"
    assert [s.addon for s in preview.steps][0] == "delta"
    assert "alpha_thing" in tables(db)
    report = db.lifecycle.uninstall("alpha", cascade=True, confirmed=True, backup_dir=tmp_path)
    assert report.backup is not None
    assert report.backup.is_file()
    backup = json.loads(report.backup.read_text())
    assert set(backup["addons"]) == {"alpha", "beta", "gamma", "delta"}
    assert not {"alpha_thing", "beta_thing", "gamma_thing", "delta_thing"} & tables(db)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(AddonState)) == 0
        assert (
            s.scalar(select(func.count()).select_from(ExternalId).where(ExternalId.addon != "core"))
            == 0
        )
        assert (
            s.scalar(
                select(func.count()).select_from(AccessRight).where(AccessRight.addon != "core")
            )
            == 0
        )
        assert s.scalar(select(Group).where(Group.code == "alpha.group_alpha_user")) is None
        # the kernel's own data is untouched
        assert s.scalar(select(Group).where(Group.code == "core.group_salesperson")) is not None


def test_uninstall_removes_only_the_addon_rows(db, tmp_path: Path):
    db.install("gamma", companies=["acme"])
    from alpha.models import AlphaThing

    with db.session() as s:
        cid = db.company("acme")
        s.add(AlphaThing(name="kept", company_id=cid))
    db.lifecycle.uninstall("gamma", confirmed=True, backup_dir=tmp_path)
    assert "gamma_thing" not in tables(db)
    assert "alpha_thing" in tables(db)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(AlphaThing)) == 1
        assert s.scalar(select(Group).where(Group.code == "alpha.group_alpha_user")) is not None
        assert set(s.scalars(select(CompanyAddon.addon))) == {"alpha"}
    # reinstall works after uninstall (the registry is not left broken)
    db.lifecycle.install(["gamma"])
    assert "gamma_thing" in tables(db)


def _failing_db(db, tmp_path: Path, name: str, **kw):
    folder = tmp_path / "extra"
    write_addon(folder, name, **kw)
    return fixture_db(db.url, extra=[folder])


def test_failing_migration_leaves_database_exactly_as_it_was(db, tmp_path: Path):
    name = f"failmig_{db.engine_name}"
    bad = _failing_db(
        db,
        tmp_path,
        name,
        depends='"alpha"',
        migration=table_migration(name, f"{name}_t", fail=True),
    )
    before = snapshot(bad)
    with pytest.raises(RuntimeError, match="failed on purpose"):
        bad.lifecycle.install([name])
    assert snapshot(bad) == before
    assert "alpha_thing" not in tables(
        bad
    )  # the dependency installed in the same operation is gone too
    bad.dispose()


def test_bad_seed_data_rolls_back_tables_and_rows(db, tmp_path: Path):
    name = f"badseed_{db.engine_name}"
    bad = _failing_db(
        db,
        tmp_path,
        name,
        migration=table_migration(name, f"{name}_t"),
        data="groups:\n  - id: g1\n    name: {zh_CN: 组, en: G}\n    implies: [core.no_such_group]\n",
    )
    before = snapshot(bad)
    with pytest.raises(LifecycleError, match="unknown reference core.no_such_group"):
        bad.lifecycle.install([name])
    assert snapshot(bad) == before
    assert f"{name}_t" not in tables(bad)
    bad.dispose()


def test_upgrade_when_manifest_version_rises(db, tmp_path: Path):
    folder = tmp_path / "up"
    shutil.copytree(FIXTURE_ADDONS / "alpha", folder / "alpha")
    name = "alpha"
    updb = fixture_db(db.url)  # alpha from fixtures
    updb.lifecycle.install([name])
    updb.dispose()
    # same addon, version 1.1.0, a new migration, changed data (one group renamed, one access removed)
    manifest = (
        (folder / "alpha" / "addon.toml")
        .read_text()
        .replace('version = "1.0.0"', 'version = "1.1.0"')
    )
    (folder / "alpha" / "addon.toml").write_text(manifest)
    (folder / "alpha" / "migrations" / "alpha_0002.py").write_text(
        'import sqlalchemy as sa\nfrom alembic import op\n\nrevision = "alpha_0002"\n'
        'down_revision = "alpha_0001"\nbranch_labels = None\ndepends_on = None\n\n\n'
        'def upgrade():\n    op.add_column("alpha_thing", sa.Column("colour", sa.String(20), nullable=True))\n\n\n'
        'def downgrade():\n    with op.batch_alter_table("alpha_thing") as b:\n        b.drop_column("colour")\n'
    )
    data = (folder / "alpha" / "data" / "data.yaml").read_text()
    data = data.replace('"alpha user"', '"alpha users"').replace(
        "  - {id: access_thing_sales, model: alpha_thing, group: core.group_salesperson, perms: r}\n",
        "",
    )
    (folder / "alpha" / "data" / "data.yaml").write_text(data)
    from core.config import Deployment
    from core.testing import TixiTestDB

    newdb = TixiTestDB(db.url, Deployment(path=None, addons_paths=[folder]))
    dry = newdb.lifecycle.upgrade(dry_run=True)
    assert [(s.addon, s.from_version, s.to_version) for s in dry.steps] == [
        ("alpha", "1.0.0", "1.1.0")
    ]
    assert any("alpha_0002" in m for m in dry.steps[0].migrations)
    cols = {c["name"] for c in inspect(newdb.registry.engine).get_columns("alpha_thing")}
    assert "colour" not in cols
    report = newdb.lifecycle.upgrade()
    assert report.steps[0].removed_records == 1
    cols = {c["name"] for c in inspect(newdb.registry.engine).get_columns("alpha_thing")}
    assert "colour" in cols
    with newdb.session() as s:
        assert s.scalar(select(AddonState.version).where(AddonState.name == "alpha")) == "1.1.0"
        assert (
            s.scalar(select(Group.name_en).where(Group.code == "alpha.group_alpha_user"))
            == "alpha users"
        )
        assert (
            s.scalar(select(AccessRight).where(AccessRight.code == "alpha.access_thing_sales"))
            is None
        )
    # nothing left to do
    assert newdb.lifecycle.upgrade().steps == []
    newdb.dispose()


def test_enable_per_company_never_touches_other_company(db):
    db.company("acme")
    db.company("other")
    db.lifecycle.enable("beta", "acme")
    with db.session() as s:
        rows = set(s.execute(select(CompanyAddon.company_id, CompanyAddon.addon)))
    acme, other = db.company("acme"), db.company("other")
    assert rows == {(acme, "alpha"), (acme, "beta")}
    db.lifecycle.disable("alpha", "acme")  # beta depends on alpha: disabled too
    with db.session() as s:
        assert (
            set(s.scalars(select(CompanyAddon.addon).where(CompanyAddon.company_id == acme)))
            == set()
        )
    db.lifecycle.enable("alpha", "other")
    with db.session() as s:
        assert set(
            s.scalars(select(CompanyAddon.addon).where(CompanyAddon.company_id == other))
        ) == {"alpha"}
    with pytest.raises(DependencyError):
        db.lifecycle.enable("no_such_addon", "acme")
