"""Approvals: authority by amount, not by the requester, history, audit (SQLite and PostgreSQL).

Workflow ``sectree.doc`` (tests/fixtures/hookall/sectree): salespeople submit,
territory managers approve up to 50,000, directors without limit, the
requester never approves their own request; territory managers reject.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from core.errors import AccessDenied
from core.models import ApprovalRequest, AuditEntry
from core.security import approvals
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


def _flow(db) -> approvals.Workflow:
    return approvals.workflows(db.registry)["sectree.doc"]


def _doc(s, db, code, company="acme"):
    from sectree.models import Doc

    return s.get(Doc, db.tree.docs[(company, code)])


def test_workflow_declared_by_hook(adb):
    flow = _flow(adb)
    assert flow.model == "sectree_doc"
    assert [t.name for t in flow.transitions] == ["submit", "approve", "reject"]


def test_authority_limit_refuses_then_higher_approver_approves(adb):
    flow, users = _flow(adb), adb.tree.users
    with adb.session() as s:
        doc = _doc(s, adb, "NA-1")
        s1 = make_env(adb, s, users["s1"], company="acme")
        assert [t.name for t in approvals.available(s1, flow, doc)] == ["submit"]
        row = approvals.fire(s1, flow, doc, "submit", comment="please", amount=Decimal("60000"))
        assert row.state == "submitted"
        assert row.requested_by_id == users["s1"]
        # a salesperson has no authority at all
        with pytest.raises(AccessDenied, match="not allowed"):
            approvals.fire(s1, flow, doc, "approve")
        tm = make_env(adb, s, users["tm_north"], company="acme")
        with pytest.raises(AccessDenied, match="exceeds your authority"):
            approvals.fire(tm, flow, doc, "approve")
        # lowering the amount on the way does not get under the limit
        with pytest.raises(AccessDenied, match="exceeds your authority"):
            approvals.fire(tm, flow, doc, "approve", amount=Decimal("1000"))
        assert [t.name for t in approvals.available(tm, flow, doc)] == ["reject"]
        assert approvals.current_state(tm, flow, doc) == "submitted"
        director = make_env(adb, s, users["director"], company="acme")
        approvals.fire(director, flow, doc, "approve", comment="ok")
        assert approvals.current_state(director, flow, doc) == "approved"


def test_within_authority_and_not_by_requester(adb):
    flow, users = _flow(adb), adb.tree.users
    with adb.session() as s:
        doc = _doc(s, adb, "N-1")
        tm = make_env(adb, s, users["tm_north"], company="acme")  # also a salesperson: may submit
        approvals.fire(tm, flow, doc, "submit", amount=Decimal("20000"))
        with pytest.raises(AccessDenied, match="submitted yourself"):
            approvals.fire(tm, flow, doc, "approve")
        # the manager of north_a has authority but cannot read a north document
        tm_a = make_env(adb, s, users["tm_north_a"], company="acme")
        with pytest.raises(AccessDenied, match="not accessible"):
            approvals.fire(tm_a, flow, doc, "approve")
        # a request of one of tm_north's salespeople within 50,000: tm_north may approve it
        na = _doc(s, adb, "NA-1")
        s1 = make_env(adb, s, users["s1"], company="acme")
        approvals.fire(s1, flow, na, "submit", amount=Decimal("49999.99"))
        approvals.fire(tm, flow, na, "approve")
        assert approvals.current_state(tm, flow, na) == "approved"
        # firing from a state the transition does not start from is refused
        with pytest.raises(AccessDenied, match="from state"):
            approvals.fire(tm, flow, na, "reject")


def test_refusals_change_nothing_and_history_is_kept_and_audited(adb):
    flow, users = _flow(adb), adb.tree.users
    with adb.session() as s:
        doc = _doc(s, adb, "NA-1")
        s1 = make_env(adb, s, users["s1"], company="acme")
        tm = make_env(adb, s, users["tm_north"], company="acme")
        approvals.fire(s1, flow, doc, "submit", amount=Decimal("100"), comment="first try")
        approvals.fire(tm, flow, doc, "reject", comment="missing data")
        approvals.fire(s1, flow, doc, "submit", comment="second try")
        with pytest.raises(AccessDenied):
            approvals.fire(s1, flow, doc, "approve")
        approvals.fire(tm, flow, doc, "approve", comment="fine")
        events = approvals.history(tm, flow, doc)
        assert [(e.transition, e.from_state, e.to_state, e.user_id, e.comment) for e in events] == [
            ("submit", "draft", "submitted", users["s1"], "first try"),
            ("reject", "submitted", "rejected", users["tm_north"], "missing data"),
            ("submit", "rejected", "submitted", users["s1"], "second try"),
            ("approve", "submitted", "approved", users["tm_north"], "fine"),
        ]
        assert all(e.at.tzinfo is not None for e in events)
        audit = s.scalars(
            select(AuditEntry).where(AuditEntry.model == "sectree_doc", AuditEntry.res_id == doc.id,
                                     AuditEntry.action == "transition").order_by(AuditEntry.id)
        ).all()
        assert [json.loads(a.changes)["state"] for a in audit] == [
            ["draft", "submitted"], ["submitted", "rejected"], ["rejected", "submitted"], ["submitted", "approved"],
        ]
        assert [a.user_id for a in audit] == [users["s1"], users["tm_north"], users["s1"], users["tm_north"]]
        # approvals and their history stay in their company
        other = make_env(adb, s, users["s1"], company="other")
        assert other.count(ApprovalRequest) == 0
        from core.models import ApprovalEvent

        assert other.count(ApprovalEvent) == 0
        assert s1.count(ApprovalEvent) == 4


def test_group_without_submit_right_is_refused(adb):
    flow, users = _flow(adb), adb.tree.users
    with adb.session() as s:
        doc = _doc(s, adb, "N-1")
        finance = make_env(adb, s, users["finance"], company="acme")  # reads N-1, is no salesperson
        assert approvals.available(finance, flow, doc) == []
        with pytest.raises(AccessDenied, match="not allowed"):
            approvals.fire(finance, flow, doc, "submit")
        assert approvals.current_state(finance, flow, doc) == "draft"


def test_declared_state_field_is_kept_in_step_by_the_kernel(adb, monkeypatch):
    """``Workflow(state_field=...)``: the record's column follows every transition, same transaction."""
    import dataclasses

    from core.security.env import Env

    flow = dataclasses.replace(_flow(adb), state_field="state")
    with adb.session() as s:
        sales = make_env(adb, s, adb.tree.users["s3"], company="acme")
        doc = _doc(s, adb, "N-1")
        assert doc.state == "open"
        approvals.fire(sales, flow, doc, "submit", comment="please")
        assert doc.state == "submitted"
        s.commit()
    seen: list[tuple[str, dict]] = []
    real_hooks = Env.hooks

    class Spy:
        def __init__(self, hooks):
            self._hooks = hooks

        def __getattr__(self, name):
            hook = getattr(self._hooks, name)
            if name != "tixi_record_event":
                return hook

            def call(**kw):
                if kw["event"] == "state_changed":
                    seen.append((kw["record"].state, kw["changes"]))
                return hook(**kw)

            return call

    monkeypatch.setattr(Env, "hooks", property(lambda env: Spy(real_hooks.fget(env))))
    with adb.session() as s:
        doc = _doc(s, adb, "N-1")
        assert doc.state == "submitted"  # stored, not only in memory
        manager = make_env(adb, s, adb.tree.users["tm_north"], company="acme")
        approvals.fire(manager, flow, doc, "reject", comment="no")
        assert doc.state == "rejected"
    # handlers see the new state and the documented shape of ``changes``
    assert seen == [("rejected", {"state": ["submitted", "rejected"], "workflow": "sectree.doc",
                                  "transition": "reject", "comment": "no"})]


def test_a_state_field_the_model_lacks_is_refused(adb, monkeypatch):
    import dataclasses

    bad = dataclasses.replace(_flow(adb), state_field="no_such_column")
    monkeypatch.setattr(approvals, "flatten", lambda results: [bad])
    with pytest.raises(Exception, match="no column 'no_such_column'"):
        approvals.workflows(adb.registry)
