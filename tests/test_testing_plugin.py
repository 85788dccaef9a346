"""The pytest plugin core.testing.plugin: tixi_world, factories of other addons, outside addons.

Found by writing an outside addon (issue 11): ``tixi_db.install`` found only addons
under ``addons/``, an outside addon needed an undocumented ``TixiTestDB(...,
addons_paths=[...])``, and making a customer in a territory meant learning
masterdata's and territories' internals.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import AccessDenied
from core.testing.world import ROLES, WORLD_PASSWORD

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.tixi_world(addons=["territories"])
def test_world_has_companies_users_per_role_and_customers_in_territories(tixi_world):
    from addons.masterdata.models import Customer, Employee

    world = tixi_world
    assert set(world.companies) == {"acme", "other"}
    assert world.addons == ("masterdata", "territories")
    for company in world.companies:
        assert set(world.users[company]) == set(ROLES)
    assert world.login("territory_manager", "other") == "territory_manager_other"
    assert WORLD_PASSWORD == "secret-pass-1"
    data = world.data["territories"]["acme"]
    with world.session() as s:
        manager = world.env(s, "territory_manager")
        assert [c.id for c in manager.search(Customer)] == [data["customer"]]
        with pytest.raises(AccessDenied):
            manager.get(Customer, data["other_customer"])
        # the other company's manager sees only the other company's customer in his territory
        other = world.env(s, "territory_manager", "other")
        assert [c.id for c in other.search(Customer)] == [world.data["territories"]["other"]["customer"]]
        sales = world.env(s, "salesperson")
        me = s.get(Employee, world.data["masterdata"]["acme"]["employees"]["salesperson"])
        assert me.user_id == world.user("salesperson")
        assert me.manager_id == world.data["masterdata"]["acme"]["employees"]["territory_manager"]
        # factories of other addons, two ways, with the rules of the env's user
        admin = world.env(s, "admin")
        north = world.factories.territories.territory(admin, name="华北",
                                                      manager=world.data["masterdata"]["acme"]["employees"]["territory_manager"])
        bq = world.make("masterdata.customer", admin, name="北汽", owner=me)
        world.make("territories.assign", admin, bq, north)
        assert {c.name_zh for c in manager.search(Customer)} == {"北汽", "片区客户 acme"}
        assert bq.id in {c.id for c in sales.search(Customer)}  # the salesperson owns it
        with pytest.raises(LookupError, match="masterdata.customer"):
            world.make("masterdata.no_such_factory", admin)


def test_world_users_log_in_with_the_documented_password(tixi_world_web):
    world, app = tixi_world_web
    from core.testing.web import logged_in_client

    client = logged_in_client(app, world.login("salesperson"), WORLD_PASSWORD)
    assert client.get("/").status_code == 200


@pytest.fixture
def tixi_world_web():
    """A masterdata world on SQLite and its web app (the world itself runs on both engines above)."""
    from core.testing.world import build_world
    from core.web.app import create_app

    world, cleanup = build_world("sqlite", ["masterdata"])
    try:
        yield world, create_app(registry=world.registry, test_config={"TESTING": True})
    finally:
        cleanup()


# ----- an outside addon, from a folder and from a wheel -----------------------------------
VISITS_TOML = """\
name = "{name}"
version = "0.1.0"
category = "Custom"
license = "MIT"
depends = ["masterdata", "territories"]
data = ["security/security.yaml"]

[label]
zh_CN = "拜访"
en = "Visits"

[summary]
zh_CN = "拜访记录"
en = "Visit reports"
"""

VISITS_MODELS = """\
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import Base, BusinessMixin


class Visit(BusinessMixin, Base):
    __tablename__ = "{name}_visit"
    __tixi_label__ = {{"zh_CN": "拜访", "en": "Visit"}}

    customer_id: Mapped[int] = mapped_column(ForeignKey("masterdata_customer.id"))
    note: Mapped[str] = mapped_column(String(200))
"""

VISITS_MIGRATION = """\
import sqlalchemy as sa
from alembic import op

import core.db

revision = "{name}_0001"
down_revision = None
branch_labels = ("{name}",)
depends_on = None


def upgrade():
    op.create_table(
        "{name}_visit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("company_id", sa.Integer(), sa.ForeignKey("core_company.id"), nullable=False),
        sa.Column("created_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", core.db.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("core_user.id"), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), sa.ForeignKey("core_user.id"), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("masterdata_customer.id"), nullable=False),
        sa.Column("note", sa.String(200), nullable=False),
    )


def downgrade():
    op.drop_table("{name}_visit")
"""

VISITS_SECURITY = """\
access:
  - {{id: access_visit_manager, model: {name}_visit, group: core.group_territory_manager, perms: rcw}}
  - {{id: access_visit_admin, model: {name}_visit, group: core.group_admin, perms: rcwd}}
rules:
  - id: rule_visit_territory
    model: {name}_visit
    name: Visits of customers in my territories
    groups: [core.group_territory_manager]
    domain: [[customer_id, in, user.territory_customer_ids]]
"""

VISITS_TEST = """\
import pytest

from core.errors import AccessDenied


def test_manager_sees_visits_of_customers_in_his_territory(tixi_world):
    from {module}.models import Visit

    md, terr = tixi_world.factories.masterdata, tixi_world.factories.territories
    with tixi_world.session() as s:
        admin = tixi_world.env(s, "admin")
        boss = tixi_world.data["masterdata"]["acme"]["employees"]["territory_manager"]
        north = terr.territory(admin, name="华北", manager=boss)
        far = terr.territory(admin, name="远方")
        near_customer = md.customer(admin, name="北汽")
        far_customer = tixi_world.make("masterdata.customer", admin, name="远方客户")
        terr.assign(admin, near_customer, north)
        tixi_world.make("territories.assign", admin, far_customer, far)
        near = admin.create(Visit, {{"customer_id": near_customer.id, "note": "near"}})
        away = admin.create(Visit, {{"customer_id": far_customer.id, "note": "far"}})
        manager = tixi_world.env(s, "territory_manager")
        assert [v.note for v in manager.search(Visit)] == ["near"]
        assert manager.get(Visit, near.id).id == near.id
        with pytest.raises(AccessDenied):
            manager.get(Visit, away.id)
        assert tixi_world.env(s, "territory_manager", "other").search(Visit) == []
"""


def _write_visits(package: Path, name: str, module: str) -> None:
    (package / "migrations").mkdir(parents=True)
    (package / "security").mkdir()
    (package / "tests").mkdir()
    (package / "addon.toml").write_text(VISITS_TOML.format(name=name), encoding="utf-8")
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "models.py").write_text(VISITS_MODELS.format(name=name), encoding="utf-8")
    (package / "migrations" / f"{name}_0001.py").write_text(VISITS_MIGRATION.format(name=name), encoding="utf-8")
    (package / "security" / "security.yaml").write_text(VISITS_SECURITY.format(name=name), encoding="utf-8")
    (package / "tests" / "__init__.py").write_text("", encoding="utf-8")
    (package / "tests" / f"test_{name}.py").write_text(VISITS_TEST.format(module=module), encoding="utf-8")


def _pytest(target: Path, cwd: Path, extra_path: Path | None = None) -> subprocess.CompletedProcess:
    from core.testing.pgserver import postgres_url

    env = dict(os.environ)
    env["TIXI_TEST_PG_URL"] = postgres_url()  # reuse this process's throwaway server
    env.pop("TIXI_DATABASE_URL", None)
    paths = [str(ROOT)] + ([str(extra_path)] if extra_path else [])
    env["PYTHONPATH"] = os.pathsep.join(paths + [env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "core.testing.plugin",
         "--import-mode=importlib", str(target)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
    )


def test_outside_addon_from_a_folder(tmp_path: Path):
    folder = tmp_path / "custom_addons"
    name = "visits_out"
    _write_visits(folder / name, name, "__MODULE__")
    from core.discovery import discover

    module = discover([folder], use_entry_points=False)[name].module
    test_file = folder / name / "tests" / f"test_{name}.py"
    test_file.write_text(test_file.read_text().replace("__MODULE__", module), encoding="utf-8")
    proc = _pytest(folder / name / "tests", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "2 passed" in proc.stdout  # SQLite and PostgreSQL


def test_outside_addon_from_a_wheel(tmp_path: Path):
    """An installed distribution (dist-info with a ``tixi.addons`` entry point), tests inside it."""
    site = tmp_path / "site"
    package = site / "tixi_visits_pkg"
    name = "visits_whl"
    _write_visits(package, name, "tixi_visits_pkg")
    dist = site / "tixi_visits_pkg-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: tixi-visits-pkg\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[tixi.addons]\n{name} = tixi_visits_pkg\n")
    proc = _pytest(package / "tests", cwd=tmp_path, extra_path=site)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "2 passed" in proc.stdout


def test_root_conftest_loads_the_plugin():
    assert 'pytest_plugins = ["core.testing.plugin"]' in (ROOT / "conftest.py").read_text()
