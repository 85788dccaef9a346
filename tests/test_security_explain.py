""""Why can I see this?": explain_access names the access right and the rules, or says DENIED and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import TixiError
from core.security.explain import explain_access
from core.testing import make_user

HOOKALL_ADDONS = Path(__file__).resolve().parent / "fixtures" / "hookall"


@pytest.fixture(params=["sqlite", "postgresql"])
def edb(request):
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


def _perm(lines: list[str], perm: str) -> list[str]:
    """The line of one operation and its rule lines."""
    out, inside = [], False
    for line in lines:
        if not line.startswith("    "):
            inside = line.startswith(f"{perm}:")
        if inside:
            out.append(line)
    return out


def test_allowed_names_access_right_and_matching_rule(edb):
    lines = explain_access(edb.registry, "s1", "sectree_doc", edb.tree.docs[("acme", "NA-1")])
    read = _perm(lines, "read")
    assert read[0].startswith("read: ALLOWED")
    assert "sectree.access_doc_sales (group core.group_salesperson)" in read[0]
    assert "sectree.rule_doc_own" in read[0]
    assert any("group rule sectree.rule_doc_own" in x and x.endswith("matches") for x in read)
    assert any("global rule sectree.rule_doc_not_purged" in x and x.endswith("matches") for x in read)
    delete = _perm(lines, "delete")
    assert delete[0].startswith("delete: DENIED - no access right")


def test_denied_by_rules_says_why(edb):
    docs = edb.tree.docs
    lines = explain_access(edb.registry, "s1", "sectree_doc", docs[("acme", "N-1")])
    read = _perm(lines, "read")
    assert read[0].startswith("read: DENIED")
    assert "none of the user's group rules matches" in read[0]
    assert any("sectree.rule_doc_own" in x and "does not match" in x for x in read)
    lines = explain_access(edb.registry, "director", "sectree_doc", docs[("acme", "N-P")])
    read = _perm(lines, "read")
    assert read[0].startswith("read: DENIED")
    assert "global rule sectree.rule_doc_not_purged excludes the record" in read[0]
    # the hierarchy rule is named for a manager
    lines = explain_access(edb.registry, "tm_north", "sectree_doc", docs[("acme", "NA-1")])
    assert "sectree.rule_doc_subtree" in _perm(lines, "write")[0]


def test_denied_other_company_missing_record_no_rights(edb):
    docs = edb.tree.docs
    lines = explain_access(edb.registry, "s1", "sectree_doc", docs[("other", "NA-1")], company="acme")
    assert lines[-1].startswith("DENIED: the record belongs to company")
    lines = explain_access(edb.registry, "s1", "sectree_doc", 999999)
    assert lines[-1] == "DENIED: the record does not exist"
    make_user(edb, "plain", ["core.group_tech_support"], company="acme", password=None)
    lines = explain_access(edb.registry, "plain", "sectree_doc", docs[("acme", "NA-1")])
    assert all("DENIED - no access right" in x for x in lines[1:])
    with pytest.raises(TixiError, match="unknown model"):
        explain_access(edb.registry, "s1", "no_such_table", 1)
    with pytest.raises(TixiError, match="no user"):
        explain_access(edb.registry, "ghost", "sectree_doc", 1)
    with pytest.raises(TixiError, match="no company"):
        explain_access(edb.registry, "s1", "sectree_doc", 1, company="nowhere")


def test_admin_and_read_only_tables(edb):
    lines = explain_access(edb.registry, "admin", "sectree_doc", edb.tree.docs[("acme", "S-1")])
    assert _perm(lines, "read")[0].startswith("read: ALLOWED - system administrator")
    lines = explain_access(edb.registry, "admin", "core_company", edb.tree.companies["acme"])
    assert _perm(lines, "read")[0].startswith("read: ALLOWED")
    assert "hookall" not in lines[0]  # hookall is not installed here: no label
