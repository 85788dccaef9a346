"""``tixi masterdata handover|import|export`` through Click (the registry of a test database)."""

from __future__ import annotations

import types

from click.testing import CliRunner
from sqlalchemy import func, select

from addons.masterdata.cli import masterdata
from addons.masterdata.models import Customer
from addons.masterdata.tests.helpers import build_org
from core.testing import make_env, tixi_db  # noqa: F401


def test_cli_import_export_handover(tixi_db, tmp_path):  # noqa: F811
    tixi_db.install("masterdata", companies=["acme"])
    ids = build_org(tixi_db)
    obj = types.SimpleNamespace(registry=tixi_db.registry)
    runner = CliRunner()
    bad = tmp_path / "bad.csv"
    bad.write_text("客户名称,销售员\n甲公司,王伟\n,王伟\n", encoding="utf-8")
    res = runner.invoke(masterdata, ["import", "customers", str(bad), "--as", "ops"], obj=obj)
    assert res.exit_code != 0
    assert "3" in res.output  # the row of the error
    good = tmp_path / "good.csv"
    good.write_text("客户名称,销售员\n甲公司,王伟\n乙公司,wangwei\n", encoding="utf-8")
    res = runner.invoke(masterdata, ["import", "customers", str(good), "--as", "ops", "--dry-run"], obj=obj)
    assert res.exit_code == 0, res.output
    with tixi_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == 0
    res = runner.invoke(masterdata, ["import", "customers", str(good), "--as", "ops"], obj=obj)
    assert res.exit_code == 0, res.output
    out = tmp_path / "out.xlsx"
    res = runner.invoke(masterdata, ["export", "customers", str(out), "--as", "wangwei"], obj=obj)
    assert res.exit_code == 0, res.output
    assert out.stat().st_size > 0
    res = runner.invoke(masterdata, ["handover", "--from", "wangwei", "--to", "zhao", "--as", "zhang_east"], obj=obj)
    assert res.exit_code == 0, res.output
    assert "masterdata_customer: 2" in res.output
    with tixi_db.session() as s:
        zhao = make_env(tixi_db, s, ids["users"]["zhao"])
        assert zhao.count(Customer) == 2
