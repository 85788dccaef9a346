"""The audit trail: who reads it, what it holds, and that it follows the business transaction.

(Create/update/delete entries, tracked fields and the append-only guarantee are
in tests/test_security.py; approvals' entries in tests/test_approvals.py.)
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from core.errors import AccessDenied
from core.models import AuditEntry
from core.testing import make_env

HOOKALL_ADDONS = Path(__file__).resolve().parent / "fixtures" / "hookall"


@pytest.fixture(params=["sqlite", "postgresql"])
def adb(request):
    db, drop = _sectree_db(request.param)
    yield db
    db.dispose()
    drop()


def _sectree_db(engine: str):
    """A copy of the sectree template database (tests/fixtures/hookall/sectree/testdata.py)."""
    from core.registry import ensure_module_path

    ensure_module_path(HOOKALL_ADDONS)
    from sectree.testdata import sectree_db

    return sectree_db(engine)


def _count(s) -> int:
    return s.scalar(select(func.count()).select_from(AuditEntry))


def test_audit_follows_the_business_transaction(adb):
    from sectree.models import Doc

    doc_id = adb.tree.docs[("acme", "NA-1")]
    with adb.session() as s:
        before = _count(s)
    s = adb.registry.Session()
    try:
        env = make_env(adb, s, adb.tree.users["s1"], company="acme")
        env.write(env.get(Doc, doc_id), {"amount": Decimal("1.23")})
        assert _count(s) == before + 1
        s.rollback()  # the operation fails later: its audit entry goes with it
    finally:
        s.close()
    with adb.session() as s:
        assert _count(s) == before
        # a refused write leaves no entry either
        env = make_env(adb, s, adb.tree.users["s1"], company="acme")
        with pytest.raises(AccessDenied):
            env.write(s.get(Doc, adb.tree.docs[("acme", "S-1")]), {"name": "x"})
        with pytest.raises(AccessDenied):
            env.write(env.get(Doc, doc_id), {"owner_id": adb.tree.users["s2"]})
        assert _count(s) == before


def test_who_reads_the_trail_and_in_which_company(adb):
    from sectree.models import Doc

    users = adb.tree.users
    with adb.session() as s:
        for company in ("acme", "other"):
            env = make_env(adb, s, users["s1"], company=company)
            env.write(env.get(Doc, adb.tree.docs[(company, "NA-1")]), {"name": f"changed in {company}"})
        director = make_env(adb, s, users["director"], company="acme")
        rows = director.search(AuditEntry)
        assert {r.company_id for r in rows} == {adb.tree.companies["acme"]}
        assert [json.loads(r.changes)["name"][1] for r in rows] == ["changed in acme"]
        admin = make_env(adb, s, users["admin"], company="other")
        assert [json.loads(r.changes)["name"][1] for r in admin.search(AuditEntry)] == ["changed in other"]
        with pytest.raises(AccessDenied):
            make_env(adb, s, users["s1"], company="acme").search(AuditEntry)
        with pytest.raises(AccessDenied):
            make_env(adb, s, users["finance"], company="acme").count(AuditEntry)


def test_entry_content_who_when_fields_old_new(adb):
    from sectree.models import Doc

    users = adb.tree.users
    with adb.session() as s:
        director = make_env(adb, s, users["director"], company="acme")
        doc = director.get(Doc, adb.tree.docs[("acme", "N-1")])
        version = doc.version
        director.write(doc, {"cost": Decimal("7.10"), "amount": Decimal("20000.50")}, expected_version=version)
        entry = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert (entry.model, entry.res_id, entry.action, entry.user_id) == ("sectree_doc", doc.id, "update", users["director"])
        assert entry.company_id == adb.tree.companies["acme"]
        assert entry.at.tzinfo is not None
        assert json.loads(entry.changes) == {"cost": [None, "7.10"], "amount": ["20000.00", "20000.50"]}
        # addons append their own entries (e.g. a handover) through env.audit
        director.audit("sectree_doc", doc.id, "handover", {"owner_id": [1, 2]})
        assert director.history(Doc, doc.id)[0].action == "handover"
