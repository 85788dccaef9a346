"""The per-company set-up hook ``tixi_company_setup``: when the lifecycle calls it, and idempotence.

It replaces seeding on first use (crm_cards ran ``ensure_company_defaults`` in a
``before_request`` on every page).
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text

from core.config import CompanySpec, Deployment
from core.lifecycle import SetupEnv
from core.security.env import Env
from core.testing import TixiTestDB, new_database
from tests.kernel_helpers import fixture_db, write_addon

SEEDY_INIT = '''
from sqlalchemy import text

from core.plugins import hookimpl

CALLS = []


@hookimpl
def tixi_company_setup(env, company):
    """One default row per company (idempotent); remembers who called."""
    CALLS.append((company.code, env.company_id, env.user_id, env.user.is_admin))
    have = env.session.execute(
        text("SELECT count(*) FROM {name}_default WHERE company_id = :c"), {{"c": company.id}}
    ).scalar_one()
    if not have:
        env.session.execute(
            text("INSERT INTO {name}_default (company_id, label) VALUES (:c, 'first')"), {{"c": company.id}}
        )
'''

SEEDY_MIGRATION = '''
import sqlalchemy as sa
from alembic import op

revision = "{name}_0001"
down_revision = None
branch_labels = ("{name}",)
depends_on = None


def upgrade():
    op.create_table("{name}_default", sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("company_id", sa.Integer()), sa.Column("label", sa.String(20)))


def downgrade():
    op.drop_table("{name}_default")
'''


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request):
    return request.param


@pytest.fixture
def seedy(engine, tmp_path: Path):
    """A database whose registry sees addon ``seedy_<engine>`` (a set-up hook writing one row)."""
    name = f"seedy_{engine[:2]}"
    folder = tmp_path / "extra"
    write_addon(folder, name, migration=SEEDY_MIGRATION.format(name=name))
    (folder / name / "__init__.py").write_text(SEEDY_INIT.format(name=name))
    url, drop = new_database(engine)
    db = fixture_db(url, extra=[folder])
    db.name, db.folder = name, folder
    yield db
    db.dispose()
    drop()


def rows(db) -> dict[int, int]:
    with db.registry.engine.connect() as conn:
        return dict(conn.execute(text(
            f"SELECT company_id, count(*) FROM {db.name}_default GROUP BY company_id")).all())


def calls(db) -> list:
    return db.registry.modules[db.name].CALLS


def test_enable_runs_setup_once_per_company_and_again_changes_nothing(seedy):
    acme, other = seedy.company("acme"), seedy.company("other")
    seedy.lifecycle.install([seedy.name])
    assert rows(seedy) == {}  # installing enables nothing: no company set-up yet
    seedy.lifecycle.enable(seedy.name, "acme")
    assert rows(seedy) == {acme: 1}
    assert calls(seedy)[-1] == ("acme", acme, None, True)  # the kernel, as administrator
    seedy.lifecycle.enable(seedy.name, "acme")  # again: called, adds nothing
    assert rows(seedy) == {acme: 1}
    assert other not in rows(seedy)
    # a company created after the install gets it when it enables the addon
    late = seedy.company("late")
    seedy.lifecycle.enable(seedy.name, "late")
    assert rows(seedy) == {acme: 1, late: 1}
    # a dry run reports and rolls the set-up back too
    seedy.lifecycle.enable(seedy.name, "other", dry_run=True)
    assert other not in rows(seedy)


def test_apply_and_upgrade_run_setup(seedy, tmp_path: Path):
    deployment = Deployment(path=None, addons_paths=[seedy.folder], companies=[
        CompanySpec("acme", "顶点", "Acme", [seedy.name]),
        CompanySpec("newco", "新", "New", [seedy.name]),
    ])
    db = TixiTestDB(seedy.url, deployment)
    try:
        db.lifecycle.apply_deployment()
        acme, newco = db.company("acme"), db.company("newco")
        assert rows(seedy) == {acme: 1, newco: 1}
        assert db.lifecycle.apply_deployment().steps == []
        assert rows(seedy) == {acme: 1, newco: 1}
        # an upgrade runs the set-up again for every company using the addon (a new default
        # in a new version reaches existing companies)
        with db.registry.engine.begin() as conn:
            conn.execute(text(f"DELETE FROM {seedy.name}_default WHERE company_id = :c"), {"c": newco})
        toml = seedy.folder / seedy.name / "addon.toml"
        toml.write_text(toml.read_text().replace('version = "1.0.0"', 'version = "1.1.0"'))
    finally:
        db.dispose()
    up = TixiTestDB(seedy.url, deployment)
    try:
        report = up.lifecycle.upgrade()
        assert [s.addon for s in report.steps] == [seedy.name]
        assert rows(seedy) == {acme: 1, newco: 1}
    finally:
        up.dispose()


def test_setup_env_sets_every_attribute_env_sets():
    """SetupEnv cannot call Env.__init__ (no user row): it must set the same attributes."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(Env.__init__)))
    names = {
        node.attr for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
        and isinstance(node.value, ast.Name) and node.value.id == "self"
    }
    setup_tree = ast.parse(textwrap.dedent(inspect.getsource(SetupEnv.__init__)))
    set_there = {
        node.attr for node in ast.walk(setup_tree)
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
    }
    assert names <= set_there, sorted(names - set_there)


# ----- crm_cards: its defaults come from the hook, never from a page -----------------------
def test_crm_cards_defaults_seeded_at_enable_not_on_pages(engine):
    from addons.crm_cards.models import ClassCriteria, ClassPolicy, DevelopmentStage
    from addons.crm_cards.views import bp

    url, drop = new_database(engine)
    db = TixiTestDB(url)
    try:
        db.install("masterdata", "crm_cards", companies=["acme"])

        def counts(code: str) -> tuple[int, int, int]:
            cid = db.company(code)
            with db.session() as s:
                return tuple(
                    s.scalar(select(func.count()).select_from(m).where(m.company_id == cid))
                    for m in (DevelopmentStage, ClassCriteria, ClassPolicy)
                )

        assert counts("acme") == (10, 1, 4)  # no page visited
        db.lifecycle.enable("crm_cards", "acme")
        assert counts("acme") == (10, 1, 4)
        # a company created after the install gets the defaults when it enables crm_cards
        db.company("kmtrade")
        assert counts("kmtrade") == (0, 0, 0)
        db.lifecycle.enable("crm_cards", "kmtrade")
        assert counts("kmtrade") == (10, 1, 4)
        # no request hook seeds any more: the blueprint has no before_request of its own
        assert not [f for f in bp.before_request_funcs.get(None, []) if "crm_cards" in f.__module__]
        if engine == "sqlite":
            _page_runs_no_seeding(db)
    finally:
        db.dispose()
        drop()


def _page_runs_no_seeding(db) -> None:
    """A crm_cards page request reads, and never inserts, stages, criteria or policies."""
    from core.testing import make_user
    from core.testing.web import logged_in_client
    from core.web.app import create_app

    make_user(db, "director_a", ["core.group_director"], company="acme")
    app = create_app(registry=db.registry, test_config={"TESTING": True})
    client = logged_in_client(app, "director_a")
    seen: list[str] = []

    def listen(conn, cursor, statement, params, context, executemany):  # noqa: ANN001
        seen.append(statement)

    event.listen(db.registry.engine, "before_cursor_execute", listen)
    try:
        for url in ("/", "/crm/stages", "/crm/"):
            client.get(url)
    finally:
        event.remove(db.registry.engine, "before_cursor_execute", listen)
    assert seen
    seeding = [s for s in seen if s.lstrip().upper().startswith("INSERT") and
               any(t in s for t in ("crm_cards_stage", "crm_cards_class_criteria", "crm_cards_class_policy"))]
    assert seeding == []
