"""Uninstall on real-looking data: kernel rows still referenced, approvals, broken migrations.

Found by writing an outside addon (issue 11): ``tixi addons uninstall masterdata
--cascade --dry-run`` died with ``FOREIGN KEY constraint failed`` on ``DELETE FROM
core_user`` (a demo user with audit entries), approval rows went without being
backed up or reported, a missing revision was an Alembic traceback and a failing
migration's message did not name the migration.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from core.errors import LifecycleError
from core.migrate import MigrationFailed
from core.models import ApprovalEvent, ApprovalRequest, AuditEntry, ExternalId, User
from core.testing import new_database
from tests.kernel_helpers import fixture_db, table_migration, write_addon

USER_DATA = """\
records:
  - model: core_user
    id: user_demo
    values:
      login: demo_{engine}
      name: Demo
      password: demo-pass-123
      company_id: "company:acme"
      companies: ["company:acme"]
      groups: ["ref:core.group_salesperson"]
  - model: core_user
    id: user_idle
    values:
      login: idle_{engine}
      name: Idle
      company_id: "company:acme"
      companies: ["company:acme"]
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request):
    return request.param


@pytest.fixture
def udb(engine, tmp_path: Path):
    """A database with addon ``demoapp_<engine>``: a table and two demo users from its data file."""
    name = f"demoapp_{engine[:2]}"
    folder = tmp_path / "extra"
    write_addon(folder, name, migration=table_migration(name, f"{name}_doc"),
                data=USER_DATA.format(engine=engine))
    url, drop = new_database(engine)
    db = fixture_db(url, extra=[folder])
    db.company("acme")
    db.install(name, companies=["acme"])
    db.name = name
    db.folder = folder
    yield db
    db.dispose()
    drop()


def _activity(db) -> int:
    """The demo user works: an audit entry, an approval with its history on the addon's table."""
    with db.session() as s:
        uid = s.scalar(select(User.id).where(User.login.like("demo_%")))
        cid = db.company("acme")
        s.add(AuditEntry(company_id=cid, model=f"{db.name}_doc", res_id=1, action="update", user_id=uid,
                         changes="{}"))
        req = ApprovalRequest(company_id=cid, workflow=f"{db.name}.doc", model=f"{db.name}_doc", res_id=1,
                              state="submitted", requested_by_id=uid)
        s.add(req)
        s.flush()
        s.add(ApprovalEvent(approval_id=req.id, transition="submit", from_state="draft",
                            to_state="submitted", user_id=uid))
        return uid


def test_uninstall_keeps_a_referenced_user_deactivated_and_reports_approvals(udb, tmp_path: Path):
    uid = _activity(udb)
    dry = udb.lifecycle.uninstall(udb.name, dry_run=True)
    line = dry.lines()[0]
    assert "1 approval(s) removed" in line, line
    assert "kept (still referenced, deactivated): core_user:demo_" in line, line
    report = udb.lifecycle.uninstall(udb.name, confirmed=True, backup_dir=tmp_path / "bk")
    backup = json.loads(report.backup.read_text())
    assert [a["workflow"] for a in backup["approvals"][udb.name]] == [f"{udb.name}.doc"]
    assert [e["transition"] for e in backup["approval_events"][udb.name]] == ["submit"]
    with udb.session() as s:
        user = s.get(User, uid)
        assert user is not None
        assert user.active is False
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.user_id == uid)) == 1
        # the user nobody refers to is gone, with the addon's external ids
        assert s.scalar(select(User.id).where(User.login.like("idle_%"))) is None
        assert s.scalar(select(func.count()).select_from(ApprovalRequest)) == 0
        assert s.scalar(select(func.count()).select_from(ApprovalEvent)) == 0
        # only the kept user's external id stays, so that a reinstall finds the user again
        assert [x.table for x in s.scalars(select(ExternalId).where(ExternalId.addon == udb.name))] == ["core_user"]
    udb.lifecycle.install([udb.name])
    with udb.session() as s:
        assert s.scalar(select(User.id).where(User.login.like("demo_%"))) == uid
        assert s.get(User, uid).active is False  # an administrator decides to reactivate


def test_missing_revision_is_one_line_naming_addon_and_revision(udb):
    mig = next((udb.folder / udb.name / "migrations").glob("*.py"))
    mig.write_text(mig.read_text().replace(f'revision = "{udb.name}_0001"', f'revision = "{udb.name}_0001x"'))
    db2 = fixture_db(udb.url, extra=[udb.folder])
    try:
        with pytest.raises(LifecycleError) as err:
            db2.lifecycle.uninstall(udb.name, confirmed=True)
        msg = str(err.value)
        assert "\n" not in msg
        assert f"addon {udb.name!r}" in msg, msg
        assert f"{udb.name}_0001" in msg, msg
        with pytest.raises(LifecycleError, match=f"{udb.name}_0001"):
            db2.lifecycle.upgrade()
    finally:
        db2.dispose()


def test_missing_revision_cli_one_line(tmp_path: Path, monkeypatch):
    from core.cli import cli

    monkeypatch.delenv("TIXI_DATABASE_URL", raising=False)
    folder = tmp_path / "ext"
    write_addon(folder, "lostrev", migration=table_migration("lostrev", "lostrev_t"))
    inst = tmp_path / "inst"
    inst.mkdir()
    (inst / "addons.yaml").write_text(f"addons_paths: [{folder}]\ncompanies: {{}}\n")
    runner = CliRunner()
    assert runner.invoke(cli, ["--instance", str(inst), "init"]).exit_code == 0
    assert runner.invoke(cli, ["--instance", str(inst), "addons", "install", "lostrev"]).exit_code == 0
    mig = folder / "lostrev" / "migrations" / "lostrev_0001.py"
    mig.write_text(mig.read_text().replace('revision = "lostrev_0001"', 'revision = "lostrev_0002"'))
    for args in (["addons", "uninstall", "lostrev", "--yes"], ["db", "upgrade"]):
        result = runner.invoke(cli, ["--instance", str(inst), *args])
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        lines = result.stderr.strip().splitlines()
        assert lines[-1].startswith("Error: addon 'lostrev'"), result.stderr
        assert "'lostrev_0001'" in lines[-1]


def test_failing_migration_names_revision_and_file(engine, tmp_path: Path):
    name = f"failnamed_{engine[:2]}"
    folder = tmp_path / "extra"
    write_addon(folder, name, migration=table_migration(name, f"{name}_t", fail=True))
    url, drop = new_database(engine)
    db = fixture_db(url, extra=[folder])
    try:
        with pytest.raises(MigrationFailed) as err:
            db.lifecycle.install([name])
        msg = str(err.value)
        assert isinstance(err.value, RuntimeError)
        assert isinstance(err.value, LifecycleError)
        assert f"migration {name}_0001" in msg, msg
        assert f"{name}_0001.py" in msg, msg
        assert "failed on purpose" in msg, msg
        assert isinstance(err.value.__cause__, RuntimeError)
    finally:
        db.dispose()
        drop()


def test_failing_migration_cli_one_line(tmp_path: Path, monkeypatch):
    from core.cli import cli

    monkeypatch.delenv("TIXI_DATABASE_URL", raising=False)
    folder = tmp_path / "ext"
    write_addon(folder, "badmig", migration=table_migration("badmig", "badmig_t", fail=True))
    inst = tmp_path / "inst"
    inst.mkdir()
    (inst / "addons.yaml").write_text(f"addons_paths: [{folder}]\ncompanies: {{}}\n")
    runner = CliRunner()
    assert runner.invoke(cli, ["--instance", str(inst), "init"]).exit_code == 0
    result = runner.invoke(cli, ["--instance", str(inst), "addons", "install", "badmig"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: addon 'badmig': upgrade of migration badmig_0001 ("), last
    assert str(folder / "badmig" / "migrations" / "badmig_0001.py") in last
    assert last.endswith("RuntimeError: migration failed on purpose"), last


def test_uninstall_masterdata_demo_with_a_working_demo_user(tixi_db, tmp_path: Path):
    """The reported case: masterdata's demo users log in and leave audit entries, then uninstall."""
    from core.models import UserSession

    tixi_db.install("masterdata", companies=["guiyan"], demo=True)
    with tixi_db.session() as s:
        uid = s.scalar(select(User.id).where(User.login == "sun_li"))
        s.add(UserSession(sid=f"sid-{uid}", user_id=uid))
        s.add(AuditEntry(company_id=tixi_db.company("guiyan"), model="masterdata_customer", res_id=1,
                         action="update", user_id=uid, changes="{}"))
    dry = tixi_db.lifecycle.uninstall("masterdata", cascade=True, dry_run=True)
    assert "kept (still referenced, deactivated): core_user:sun_li" in dry.lines()[-1]
    tixi_db.lifecycle.uninstall("masterdata", cascade=True, confirmed=True, backup_dir=tmp_path)
    with tixi_db.session() as s:
        assert s.get(User, uid).active is False
        assert s.scalar(select(func.count()).select_from(User).where(User.login == "wangwei")) == 0
