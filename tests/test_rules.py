"""The record-rule compiler: every operator, prefix operators, paths, child_of, context values.

The compiled clause is run as SQL on SQLite and PostgreSQL against the
``sectree`` look-alike data, and compared with the expected document codes.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from core.errors import LifecycleError
from core.security.rules import ContextValueMissing, compile_domain, validate_domain
from core.testing import new_database
from tests.kernel_helpers import fixture_db

HOOKALL_ADDONS = Path(__file__).resolve().parent / "fixtures" / "hookall"
ALL = {"NA-1", "N-1", "N-P", "S-1", "R-1"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def rdb(request):
    """Read-only data for the whole module (one database per engine)."""
    url, drop = new_database(request.param)
    db = fixture_db(url, extra=[HOOKALL_ADDONS])
    db.install("sectree", companies=["acme", "other"])
    from sectree.testdata import build_tree

    db.tree = build_tree(db)
    yield db
    db.dispose()
    drop()


def codes(db, domain, ctx=None) -> set[str]:
    from sectree.models import Doc

    validate_domain(domain, "test")
    clause = compile_domain(Doc, domain, ctx or {})
    with db.session() as s:
        acme = db.tree.companies["acme"]
        return set(s.scalars(select(Doc.code).where(Doc.company_id == acme, clause)))


CASES = [
    ([], ALL),
    ([["code", "=", "N-1"]], {"N-1"}),
    ([["code", "!=", "N-1"]], ALL - {"N-1"}),
    ([["amount", "<", 5000]], {"R-1"}),
    ([["amount", "<=", 5000]], {"R-1", "NA-1"}),
    ([["amount", ">", 60000]], {"N-P"}),
    ([["amount", ">=", 60000]], {"N-P", "S-1"}),
    ([["code", "in", ["N-1", "S-1", "nope"]]], {"N-1", "S-1"}),
    ([["code", "not in", ["N-1", "S-1"]]], ALL - {"N-1", "S-1"}),
    ([["code", "in", []]], set()),
    ([["code", "not in", []]], ALL),
    ([["owner_id", "=", None]], {"R-1"}),
    ([["owner_id", "!=", None]], ALL - {"R-1"}),
    # implicit AND, prefix OR / AND / NOT, nesting
    ([["state", "=", "open"], ["amount", ">", 10000]], {"N-1", "S-1"}),
    (["|", ["code", "=", "N-1"], ["code", "=", "S-1"]], {"N-1", "S-1"}),
    (["!", ["state", "=", "open"]], {"N-P"}),
    (["|", "&", ["state", "=", "open"], ["amount", ">", 10000], ["code", "=", "R-1"]], {"N-1", "S-1", "R-1"}),
    ([["state", "=", "open"], ["|", ["code", "=", "N-1"], ["code", "=", "N-P"]]], {"N-1"}),
    (["|", "|", ["code", "=", "N-1"], ["code", "=", "S-1"], ["code", "=", "R-1"]], {"N-1", "S-1", "R-1"}),
    # paths through a relation and through a foreign-key column
    ([["node.name", "=", "north"]], {"N-1", "N-P"}),
    ([["node_id.name", "in", ["north_a", "south"]]], {"NA-1", "S-1"}),
]


@pytest.mark.parametrize(("domain", "expected"), CASES, ids=[json.dumps(c[0]) for c in CASES])
def test_operators(rdb, domain, expected):
    assert codes(rdb, domain) == expected


def test_context_values_and_lists(rdb):
    users = rdb.tree.users
    assert codes(rdb, [["owner_id", "=", "user.id"]], {"id": users["s3"]}) == {"N-1", "N-P"}
    # "=" with a list behaves as "in"
    assert codes(rdb, [["owner_id", "=", "user.ids"]], {"ids": [users["s1"], users["s2"]]}) == {"NA-1", "S-1"}
    with pytest.raises(ContextValueMissing):
        codes(rdb, [["owner_id", "=", "user.nope"]], {})


def test_child_of_with_ids_and_subquery(rdb):
    from sectree.models import Node

    nodes = rdb.tree.nodes
    assert codes(rdb, [["node_id", "child_of", nodes[("acme", "north")]]]) == {"NA-1", "N-1", "N-P"}
    assert codes(rdb, [["node_id", "child_of", [nodes[("acme", "north_a")], nodes[("acme", "south")]]]]) == \
        {"NA-1", "S-1"}
    assert codes(rdb, [["node_id", "child_of", nodes[("acme", "root")]]]) == ALL
    sub = select(Node.id).where(Node.manager_id == rdb.tree.users["tm_north"])
    assert codes(rdb, [["node_id", "child_of", "user.nodes"]], {"nodes": sub}) == {"NA-1", "N-1", "N-P"}
    # the whole subtree is one predicate: a sub-query on the closure table, no recursion
    from sectree.models import Doc

    sql = str(compile_domain(Doc, [["node_id", "child_of", "user.nodes"]], {"nodes": sub}))
    assert "sectree_node_closure" in sql
    assert "RECURSIVE" not in sql.upper()


@pytest.mark.parametrize(
    ("domain", "message"),
    [
        ("code = 1", "must be a list"),
        ([["code", "~", 1]], "unknown operator"),
        ([["code", "="]], "cannot read condition"),
        (["|", ["code", "=", 1]], "needs two conditions"),
        (["!"], "needs a condition"),
        (["&", "|", ["a", "=", 1], ["b", "=", 2]], "needs two conditions"),
        ([42], "cannot read condition"),
    ],
)
def test_malformed_domains_refused_at_install(domain, message):
    with pytest.raises(LifecycleError, match=message):
        validate_domain(domain, "addon.rule_x")


def test_unknown_fields_are_clear_errors(rdb):
    with pytest.raises(LifecycleError, match="no column 'colour'"):
        codes(rdb, [["colour", "=", 1]])
    with pytest.raises(LifecycleError, match="neither a relation nor a foreign key"):
        codes(rdb, [["name.x", "=", 1]])


def test_decimal_values(rdb):
    assert codes(rdb, [["amount", "=", Decimal("20000.00")]]) == {"N-1"}
