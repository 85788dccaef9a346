"""Handover: customers (archived ones too), reports, territories move in one transaction, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from addons.masterdata.handover import handover
from addons.masterdata.models import Customer, Employee
from addons.masterdata.tests.helpers import build_org
from core.errors import AccessDenied
from core.models import AuditEntry
from core.testing import make_env, tixi_db  # noqa: F401


def test_handover(tixi_db):  # noqa: F811
    tixi_db.install("masterdata", "territories", companies=["acme"])
    ids = build_org(tixi_db)
    emp = ids["employees"]
    with tixi_db.session() as s:
        root = make_env(tixi_db, s, ids["root"])
        for i in range(3):
            root.create(Customer, {"name_zh": f"王的客户{i}", "owner_id": emp["wangwei"], "active": i != 2})
        root.create(Customer, {"name_zh": "赵的客户", "owner_id": emp["zhao"]})
    with tixi_db.session() as s:
        peer = make_env(tixi_db, s, ids["users"]["sun"])
        with pytest.raises(AccessDenied):
            handover(peer, s.get(Employee, emp["wangwei"]), s.get(Employee, emp["sun"]))
    with tixi_db.session() as s:
        mgr = make_env(tixi_db, s, ids["users"]["zhang_east"])
        counts = handover(mgr, s.get(Employee, emp["wangwei"]), s.get(Employee, emp["zhao"]))
        assert counts["masterdata_customer"] == 3  # the archived one included
    with tixi_db.session() as s:
        zhao = make_env(tixi_db, s, ids["users"]["zhao"])
        assert zhao.count(Customer) == 4  # his own, the two active ones and the archive
        assert s.scalar(select(Customer.owner_id).where(Customer.name_zh == "王的客户2")) == emp["zhao"]
        wang = make_env(tixi_db, s, ids["users"]["wangwei"])
        assert wang.count(Customer) == 0
        assert s.get(Employee, emp["wangwei"]).date_left is not None
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "handover")).all()
        assert len(entries) == 1
        assert entries[0].user_id == ids["users"]["zhang_east"]
        moved = s.scalars(
            select(AuditEntry).where(AuditEntry.model == "masterdata_customer", AuditEntry.changes.contains("owner_id"))
        ).all()
        assert len(moved) >= 3
