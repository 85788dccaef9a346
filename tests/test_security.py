"""Security kernel: access-right matrix, record rules, companies, hierarchy, fields, audit, locking.

Every test runs on SQLite and PostgreSQL. The data: two companies (``acme``
and ``other``) with look-alike trees and documents (same names, same codes),
from the ``sectree`` fixture addon (tests/fixtures/hookall/sectree)::

    root (director)            acme and other alike
    ├── north (tm_north)
    │   └── north_a (tm_north_a)
    └── south (tm_south)
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from core.errors import AccessDenied, ConcurrentEditError
from core.models import AccessRight, AuditEntry, Company, Group, RecordRule, User
from core.security.env import APPEND_ONLY, PERMS, Env
from core.testing import make_env, make_user

HOOKALL_ADDONS = Path(__file__).resolve().parent / "fixtures" / "hookall"


@pytest.fixture(params=["sqlite", "postgresql"])
def sdb(request):
    """A database with sectree installed and enabled for acme and other, and the look-alike data."""
    db, drop = _sectree_db(request.param)
    yield db
    db.dispose()
    drop()


@pytest.fixture
def tree(sdb):
    return sdb.tree


def _sectree_db(engine: str):
    """A copy of the sectree template database (tests/fixtures/hookall/sectree/testdata.py)."""
    from core.registry import ensure_module_path

    ensure_module_path(HOOKALL_ADDONS)
    from sectree.testdata import sectree_db

    return sectree_db(engine)


def _doc():
    from sectree.models import Doc

    return Doc


# ----- record rules through every read path -------------------------------------------------
EXPECTED_READ = {
    # login: codes of acme documents the user reads (purged ones never: global rule)
    "s1": {"NA-1"},
    "s3": {"N-1"},
    "s2": {"S-1"},
    "tm_north": {"NA-1", "N-1"},  # own subtree, not the peer's (south)
    "tm_north_a": {"NA-1"},
    "tm_south": {"S-1"},
    "director": {"NA-1", "N-1", "S-1", "R-1"},
    "finance": {"N-1", "S-1"},  # amount >= 10,000
    "admin": {"NA-1", "N-1", "S-1", "R-1"},  # no group rules, but the global rule holds
}


def test_rows_outside_rules_never_come_back_through_any_read_path(sdb, tree):
    Doc = _doc()
    with sdb.session() as s:
        for login, expected in EXPECTED_READ.items():
            env = make_env(sdb, s, tree.users[login], company="acme")
            assert {d.code for d in env.search(Doc)} == expected, login
            assert env.count(Doc) == len(expected), login
            assert {d.code for d in s.scalars(env.select(Doc))} == expected, login
            assert set(s.scalars(env.select(Doc, "read", Doc.code))) == expected, login
            # an aggregate built on env.select only sums what the rules let through
            total = s.scalar(env.select(Doc, "read", func.coalesce(func.sum(Doc.amount), 0)))
            assert Decimal(total) == sum((tree.amounts[c] for c in expected), Decimal(0)), login
            for key, doc_id in tree.docs.items():
                company, code = key
                visible = company == "acme" and code in expected
                record = s.get(Doc, doc_id)
                assert env.allowed(record, "read") is visible, (key, login)
                if visible:
                    assert env.get(Doc, doc_id).code == code
                else:
                    with pytest.raises(AccessDenied):
                        env.get(Doc, doc_id)


def test_global_rules_intersect_and_group_rules_union(sdb, tree):
    Doc = _doc()
    with sdb.session() as s:
        # tm_north is also a salesperson (implied): own rule OR subtree rule, AND not purged
        env = make_env(sdb, s, tree.users["tm_north"], company="acme")
        s.add(Doc(company_id=tree.companies["acme"], name="far", code="FAR", node_id=tree.nodes[("acme", "south")],
                  owner_id=tree.users["tm_north"], amount=Decimal("1")))
        s.add(Doc(company_id=tree.companies["acme"], name="far2", code="FAR2", node_id=tree.nodes[("acme", "south")],
                  owner_id=tree.users["tm_north"], amount=Decimal("1"), state="purged"))
        s.flush()
        assert {d.code for d in env.search(Doc)} == {"NA-1", "N-1", "FAR"}
        # a second global rule narrows further (intersection), for admins too
        g = RecordRule(code="test.rule_doc_big", model="sectree_doc", name="big", domain='[["amount", ">=", 10000]]')
        s.add(g)
        s.flush()
        env = make_env(sdb, s, tree.users["tm_north"], company="acme")
        assert {d.code for d in env.search(Doc)} == {"N-1"}
        admin = make_env(sdb, s, tree.users["admin"], company="acme")
        assert {d.code for d in admin.search(Doc)} == {"N-1", "S-1"}


def test_rules_are_fetched_once_per_env_and_compiled_to_one_statement(sdb, tree):
    from sqlalchemy import event

    Doc = _doc()
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with sdb.session() as s:
        env = make_env(sdb, s, tree.users["tm_north"], company="acme")
        env.search(Doc)  # warm: groups, access rights, rules, context
        event.listen(sdb.registry.engine, "before_cursor_execute", count)
        try:
            env.search(Doc)
            env.count(Doc)
            env.get(Doc, tree.docs[("acme", "N-1")])
        finally:
            event.remove(sdb.registry.engine, "before_cursor_execute", count)
        assert len(statements) == 3, statements  # one query per read, rules inlined
        # the manager's small subtree is inlined as literal ids (resolved once per env)
        assert "sectree_node_closure" not in statements[0]
        assert "node_id IN (" in statements[0]
        # a fresh env loads the model's rules (with their groups) in a single query
        env2 = make_env(sdb, s, tree.users["tm_north"], company="acme")
        event.listen(sdb.registry.engine, "before_cursor_execute", count)
        statements.clear()
        try:
            env2.rule_clause(Doc)
        finally:
            event.remove(sdb.registry.engine, "before_cursor_execute", count)
        assert sum("core_rule" in q for q in statements) == 1


# ----- companies ----------------------------------------------------------------------------
def test_cross_company_isolation_with_look_alike_data(sdb, tree):
    Doc = _doc()
    from sectree.models import Node

    only_acme = make_user(sdb, "acme_only", ["core.group_salesperson"], company="acme")
    with sdb.session() as s:
        for company in ("acme", "other"):
            env = make_env(sdb, s, tree.users["s1"], company=company)  # s1 works in both companies
            docs = env.search(Doc)
            assert [d.code for d in docs] == ["NA-1"]
            assert docs[0].company_id == tree.companies[company]
            assert docs[0].id == tree.docs[(company, "NA-1")]
            nodes = env.search(Node)
            assert {n.company_id for n in nodes} == {tree.companies[company]}
            assert len(nodes) == 4
        acme = make_env(sdb, s, tree.users["s1"], company="acme")
        other_doc = s.get(Doc, tree.docs[("other", "NA-1")])
        for perm in PERMS[1:]:
            assert not acme.allowed(other_doc, perm)
        with pytest.raises(AccessDenied):
            acme.write(other_doc, {"name": "hijack"})
        with pytest.raises(AccessDenied):
            acme.get(Doc, other_doc.id)
        own = acme.get(Doc, tree.docs[("acme", "NA-1")])
        with pytest.raises(AccessDenied):
            acme.write(own, {"company_id": tree.companies["other"]})
        created = acme.create(Doc, {"name": "new", "code": "NEW", "node_id": tree.nodes[("acme", "north_a")],
                                    "owner_id": tree.users["s1"], "company_id": tree.companies["other"]})
        assert created.company_id == tree.companies["acme"]  # always the current company
        # the admin of both companies is still bound to the current one
        admin = make_env(sdb, s, tree.users["admin"], company="other")
        assert {d.company_id for d in admin.search(Doc)} == {tree.companies["other"]}
        # kernel tables: companies and users of the current company only
        env = make_env(sdb, s, only_acme)
        assert {c.code for c in env.search(Company)} == {"acme"}
        assert tree.users["s1"] in {u.id for u in env.search(User)}
        env_other = make_env(sdb, s, tree.users["s1"], company="other")
        assert only_acme not in {u.id for u in env_other.search(User)}


def test_user_cannot_work_in_a_company_they_do_not_belong_to(sdb, tree):
    only_acme = make_user(sdb, "acme_only2", ["core.group_salesperson"], company="acme")
    with sdb.session() as s, pytest.raises(AccessDenied):
        make_env(sdb, s, only_acme, company="other")


# ----- deny by default ----------------------------------------------------------------------
def test_deny_by_default(sdb, tree):
    Doc = _doc()
    from sectree.models import Node, Secret

    nobody = make_user(sdb, "nobody", [], company="acme")
    with sdb.session() as s:
        s.add(Secret(name="the formula"))
        s.flush()
        env = make_env(sdb, s, nobody)
        for model in (Doc, Node, Secret, Company, User, Group, AuditEntry):
            with pytest.raises(AccessDenied):
                env.search(model)
            with pytest.raises(AccessDenied):
                env.count(model)
            with pytest.raises(AccessDenied):
                env.select(model)
        sales = make_env(sdb, s, tree.users["s1"], company="acme")
        with pytest.raises(AccessDenied):
            sales.search(Secret)
        director = make_env(sdb, s, tree.users["director"], company="acme")
        with pytest.raises(AccessDenied):
            director.search(Secret)
        admin = make_env(sdb, s, tree.users["admin"], company="acme")
        assert [x.name for x in admin.search(Secret)] == ["the formula"]


def test_disabled_addon_models_are_refused(sdb, tree):
    Doc = _doc()
    sdb.lifecycle.disable("sectree", "other")
    with sdb.session() as s:
        env = make_env(sdb, s, tree.users["s1"], company="other")
        with pytest.raises(AccessDenied):
            env.search(Doc)
        admin = make_env(sdb, s, tree.users["admin"], company="other")
        with pytest.raises(AccessDenied):
            admin.search(Doc)
        assert make_env(sdb, s, tree.users["s1"], company="acme").count(Doc) == 1


def test_disabled_user_gets_no_env(sdb, tree):
    with sdb.session() as s:
        s.get(User, tree.users["s1"]).active = False
    with sdb.session() as s, pytest.raises(AccessDenied):
        Env(sdb.registry, s, tree.users["s1"])


# ----- writes under rules -------------------------------------------------------------------
def test_write_create_delete_respect_rules_and_leave_nothing_on_refusal(sdb, tree):
    Doc = _doc()
    with sdb.session() as s:
        s1 = make_env(sdb, s, tree.users["s1"], company="acme")
        mine = s1.get(Doc, tree.docs[("acme", "NA-1")])
        assert s1.write(mine, {"name": "renamed"}) == {"name": ["NA-1 doc", "renamed"]}
        theirs = s.get(Doc, tree.docs[("acme", "N-1")])
        with pytest.raises(AccessDenied):
            s1.write(theirs, {"name": "mine now"})
        # moving my record out of my reach is refused and rolled back
        with pytest.raises(AccessDenied):
            s1.write(mine, {"owner_id": tree.users["s2"]})
        assert s.get(Doc, mine.id).owner_id == tree.users["s1"]
        # creating a record the rules would hide from me is refused, nothing is written
        before = s.scalar(select(func.count()).select_from(Doc))
        with pytest.raises(AccessDenied):
            s1.create(Doc, {"name": "x", "code": "X", "node_id": tree.nodes[("acme", "north")],
                            "owner_id": tree.users["s2"]})
        assert s.scalar(select(func.count()).select_from(Doc)) == before
        # a salesperson has no delete right; a territory manager deletes in their subtree only
        with pytest.raises(AccessDenied):
            s1.delete(mine)
        tm = make_env(sdb, s, tree.users["tm_north"], company="acme")
        with pytest.raises(AccessDenied):
            tm.delete(s.get(Doc, tree.docs[("acme", "S-1")]))
        tm.delete(s.get(Doc, tree.docs[("acme", "NA-1")]))
        assert s.get(Doc, tree.docs[("acme", "NA-1")]) is None
        assert s.get(Doc, tree.docs[("acme", "S-1")]) is not None


# ----- hierarchy ----------------------------------------------------------------------------
def test_hierarchy_rule_follows_the_closure_table(sdb, tree):
    Doc = _doc()
    from sectree.models import Node, rebuild_closure

    with sdb.session() as s:
        # a new level under north_a: tm_north (two levels up) sees it, the south manager does not
        deep = Node(company_id=tree.companies["acme"], name="north_a_1", parent_id=tree.nodes[("acme", "north_a")])
        s.add(deep)
        s.flush()
        rebuild_closure(s)
        s.add(Doc(company_id=tree.companies["acme"], name="deep", code="D-1", node_id=deep.id,
                  owner_id=tree.users["s1"], amount=Decimal("3")))
        s.flush()
        for login, sees in {"tm_north": True, "tm_north_a": True, "tm_south": False}.items():
            env = make_env(sdb, s, tree.users[login], company="acme")
            assert ("D-1" in {d.code for d in env.search(Doc)}) is sees, login
        # moving north_a under south moves its documents to the south manager
        s.get(Node, tree.nodes[("acme", "north_a")]).parent_id = tree.nodes[("acme", "south")]
        s.flush()
        rebuild_closure(s)
        assert {d.code for d in make_env(sdb, s, tree.users["tm_south"], company="acme").search(Doc)} == \
            {"S-1", "NA-1", "D-1"}
        assert {d.code for d in make_env(sdb, s, tree.users["tm_north"], company="acme").search(Doc)} == {"N-1"}


# ----- fields -------------------------------------------------------------------------------
def test_restricted_fields_hidden_and_refused(sdb, tree):
    Doc = _doc()
    with sdb.session() as s:
        s1 = make_env(sdb, s, tree.users["s1"], company="acme")
        assert "cost" not in s1.visible_fields(Doc)
        assert "amount" in s1.visible_fields(Doc)
        assert s1.visible_fields(Doc, ["name", "cost"]) == ["name"]
        mine = s1.get(Doc, tree.docs[("acme", "NA-1")])
        with pytest.raises(AccessDenied, match="cost"):
            s1.write(mine, {"cost": Decimal("1")})
        with pytest.raises(AccessDenied, match="cost"):
            s1.create(Doc, {"name": "x", "code": "X", "node_id": tree.nodes[("acme", "north_a")],
                            "owner_id": tree.users["s1"], "cost": Decimal("1")})
        tm = make_env(sdb, s, tree.users["tm_north"], company="acme")
        assert "cost" not in tm.visible_fields(Doc)
        for login in ("director", "finance", "admin"):
            assert "cost" in make_env(sdb, s, tree.users[login], company="acme").visible_fields(Doc)
        director = make_env(sdb, s, tree.users["director"], company="acme")
        director.write(director.get(Doc, mine.id), {"cost": Decimal("12.50")})
        assert s.get(Doc, mine.id).cost == Decimal("12.50")


# ----- audit --------------------------------------------------------------------------------
def _entries(s, model, res_id):
    import json

    rows = s.scalars(select(AuditEntry).where(AuditEntry.model == model, AuditEntry.res_id == res_id)
                     .order_by(AuditEntry.id)).all()
    return [(r.action, r.user_id, json.loads(r.changes), r.at) for r in rows]


def test_audit_entries_for_create_update_delete_and_tracked_fields(sdb, tree):
    Doc = _doc()
    from sectree.models import Node

    with sdb.session() as s:
        s1 = make_env(sdb, s, tree.users["s1"], company="acme")
        doc = s1.create(Doc, {"name": "audited", "code": "A-1", "node_id": tree.nodes[("acme", "north_a")],
                              "owner_id": tree.users["s1"], "amount": Decimal("100.10")})
        s1.write(doc, {"amount": Decimal("200.20"), "name": "audited 2"})
        s1.write(doc, {"name": "audited 2"})  # no change, no entry
        tm = make_env(sdb, s, tree.users["tm_north"], company="acme")
        tm.delete(doc)
        entries = _entries(s, "sectree_doc", doc.id)
        assert [e[0] for e in entries] == ["create", "update", "delete"]
        assert [e[1] for e in entries] == [tree.users["s1"], tree.users["s1"], tree.users["tm_north"]]
        assert entries[0][2]["amount"] == [None, "100.10"]
        assert entries[1][2] == {"amount": ["100.10", "200.20"], "name": ["audited", "audited 2"]}
        assert entries[2][2]["name"] == ["audited 2", None]
        assert all(e[3].tzinfo is not None for e in entries)
        # Node is not fully audited but tracks its manager: only that field is recorded
        director = make_env(sdb, s, tree.users["director"], company="acme")
        node = director.get(Node, tree.nodes[("acme", "south")])
        director.write(node, {"name": "south renamed"})
        director.write(node, {"manager_id": tree.users["tm_north"], "name": "south again"})
        entries = _entries(s, "sectree_node", node.id)
        assert [(e[0], e[2]) for e in entries] == [
            ("update", {"manager_id": [tree.users["tm_south"], tree.users["tm_north"]]})
        ]
        # history: the record's readers see it, in their company only
        hist = director.history(Node, node.id)
        assert [h.action for h in hist] == ["update"]
        other_director = make_env(sdb, s, tree.users["director"], company="other")
        assert other_director.history(Node, node.id) == []
        with pytest.raises(AccessDenied):
            make_env(sdb, s, tree.users["s2"], company="acme").history(Doc, tree.docs[("acme", "N-1")])


def test_nobody_can_write_or_delete_the_audit_trail_through_env(sdb, tree):
    Doc = _doc()
    with sdb.session() as s:
        s1 = make_env(sdb, s, tree.users["s1"], company="acme")
        s1.write(s1.get(Doc, tree.docs[("acme", "NA-1")]), {"name": "x"})
        entry = s.scalars(select(AuditEntry)).first()
        # even a data file that grants everything on core_audit does not open it
        g = s.scalar(select(Group).where(Group.code == "core.group_user"))
        s.add(AccessRight(code="evil.access_audit", model="core_audit", group_id=g.id, perm_read=True,
                          perm_create=True, perm_write=True, perm_delete=True, addon="evil"))
        s.flush()
        for login in ("admin", "director", "s1"):
            env = make_env(sdb, s, tree.users[login], company="acme")
            for perm in ("create", "write", "delete"):
                assert not env.can(AuditEntry, perm)
            with pytest.raises(AccessDenied):
                env.write(entry, {"changes": "{}"})
            with pytest.raises(AccessDenied):
                env.delete(entry)
            with pytest.raises(AccessDenied):
                env.create(AuditEntry, {"model": "x", "res_id": 1, "action": "create"})
        assert "core_audit" in APPEND_ONLY
        admin = make_env(sdb, s, tree.users["admin"], company="acme")
        assert admin.count(AuditEntry) >= 1


# ----- optimistic locking -------------------------------------------------------------------
def test_concurrent_edit_refused_with_expected_version(sdb, tree):
    Doc = _doc()
    doc_id = tree.docs[("acme", "NA-1")]
    with sdb.session() as s:
        env = make_env(sdb, s, tree.users["s1"], company="acme")
        form_version = env.get(Doc, doc_id).version  # the form both users opened
    with sdb.session() as s:
        env = make_env(sdb, s, tree.users["s1"], company="acme")
        env.write(env.get(Doc, doc_id), {"name": "first"}, expected_version=form_version)
    with sdb.session() as s:
        env = make_env(sdb, s, tree.users["tm_north"], company="acme")
        with pytest.raises(ConcurrentEditError, match="Somebody else saved"):
            env.write(env.get(Doc, doc_id), {"name": "second"}, expected_version=form_version)
    with sdb.session() as s:
        assert s.get(Doc, doc_id).name == "first"
        assert s.get(Doc, doc_id).version == form_version + 1


def test_concurrent_edit_refused_by_version_counter(sdb, tree):
    """Two sessions hold the same record; the second save hits SQLAlchemy's StaleDataError."""
    Doc = _doc()
    doc_id = tree.docs[("acme", "NA-1")]
    s_a = sdb.registry.Session()
    s_b = sdb.registry.Session()
    try:
        env_a = make_env(sdb, s_a, tree.users["s1"], company="acme")
        env_b = make_env(sdb, s_b, tree.users["tm_north"], company="acme")
        rec_a = env_a.get(Doc, doc_id)
        rec_b = env_b.get(Doc, doc_id)
        s_a.commit()
        s_b.commit()  # both keep their loaded copy (version 1)
        env_a.write(rec_a, {"name": "from a"})
        s_a.commit()
        with pytest.raises(ConcurrentEditError):
            env_b.write(rec_b, {"name": "from b"})
        s_b.rollback()
    finally:
        s_a.close()
        s_b.close()
    with sdb.session() as s:
        assert s.get(Doc, doc_id).name == "from a"
        entries = _entries(s, "sectree_doc", doc_id)
        assert [e[2].get("name") for e in entries] == [["NA-1 doc", "from a"]]


def test_secrets_are_never_visible_nor_writable(sdb, tree):
    with sdb.session() as s:
        for login in ("admin", "s1"):
            env = make_env(sdb, s, tree.users[login], company="acme")
            assert "password_hash" not in env.visible_fields(User)
            assert "login" in env.visible_fields(User)
        admin = make_env(sdb, s, tree.users["admin"], company="acme")
        with pytest.raises(AccessDenied, match="password_hash"):
            admin.write(admin.get(User, tree.users["s1"]), {"password_hash": "x"})


def test_filtering_or_sorting_on_a_restricted_field_is_refused(sdb, tree):
    Doc = _doc()
    with sdb.session() as s:
        s1 = make_env(sdb, s, tree.users["s1"], company="acme")
        for call in (
            lambda: s1.search(Doc, Doc.cost > 1),
            lambda: s1.search(Doc, order_by=[Doc.cost.desc()]),
            lambda: s1.count(Doc, Doc.cost.is_(None)),
            lambda: s1.select(Doc, "read", Doc.code, Doc.cost),
            lambda: s1.select(Doc, "read", func.sum(Doc.cost)),
            lambda: s1.search(User, User.password_hash.like("$argon2%")),
            lambda: s1.search(Doc, aliased(Doc).cost > 1),
        ):
            with pytest.raises(AccessDenied, match="restricted"):
                call()
        # allowed fields, and the same filters for a user who may see the field
        assert s1.search(Doc, Doc.amount > 1, order_by=[Doc.amount]) != []
        director = make_env(sdb, s, tree.users["director"], company="acme")
        assert director.count(Doc, Doc.cost.is_(None)) == 4
        # whole entities (aliased or not) are fine: their fields go through visible_fields
        owner = aliased(User)
        stmt = s1.select(Doc, "read", Doc, owner).join(owner, owner.id == Doc.owner_id)
        assert [(d.code, u.login) for d, u in s.execute(stmt)] == [("NA-1", "s1")]


def test_small_scopes_inlined_big_ones_stay_sub_queries_and_writes_stay_live(sdb, tree, monkeypatch):
    import core.security.env as env_module

    Doc = _doc()
    from sectree.models import Node, rebuild_closure

    with sdb.session() as s:
        monkeypatch.setattr(env_module, "LITERAL_IDS_MAX", 1)  # tm_north's subtree has 2 nodes
        env = make_env(sdb, s, tree.users["tm_north"], company="acme")
        assert "sectree_node_closure" in str(env.rule_clause(Doc, "read"))
        assert {d.code for d in env.search(Doc)} == {"NA-1", "N-1"}
        monkeypatch.setattr(env_module, "LITERAL_IDS_MAX", 1000)
        env = make_env(sdb, s, tree.users["tm_north"], company="acme")
        assert "sectree_node_closure" not in str(env.rule_clause(Doc, "read"))
        # write checks always use the live sub-query
        assert "sectree_node_closure" in str(env.rule_clause(Doc, "write"))
        assert {d.code for d in env.search(Doc)} == {"NA-1", "N-1"}
        # a new node under north, created outside Env: invisible to this env's read clause until
        # invalidate(), while creating a document in it (live write/create check) works at once
        deep = Node(company_id=tree.companies["acme"], name="north_b", parent_id=tree.nodes[("acme", "north")])
        s.add(deep)
        s.flush()
        rebuild_closure(s)
        env.invalidate()
        doc = env.create(Doc, {"name": "b", "code": "NB-1", "node_id": deep.id, "owner_id": tree.users["s3"]})
        assert env.allowed(doc, "read")
        assert {d.code for d in env.search(Doc)} == {"NA-1", "N-1", "NB-1"}
