"""The to-do list (SQLite and PostgreSQL): approvals waiting for a user, counted in SQL.

Data: the sectree fixture (tests/fixtures/hookall/sectree): workflow ``sectree.doc``
(salespeople submit; territory managers approve up to 50,000 in their subtree, the
director without limit, never one's own request). The SQL of the to-do list must
agree, user by user and record by record, with the approvals' own check
(:func:`core.security.approvals.available`), which is what the buttons offer.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.models import User
from core.security import approvals
from core.security.passwords import hash_password
from core.testing import make_env
from core.todos import approval_todos, todo_total, todos_for

HOOKALL_ADDONS = Path(__file__).resolve().parent / "fixtures" / "hookall"


@pytest.fixture(params=["sqlite", "postgresql"])
def tdb(request):
    from core.registry import ensure_module_path

    ensure_module_path(HOOKALL_ADDONS)
    from sectree.testdata import sectree_db

    db, drop = sectree_db(request.param)
    yield db
    db.dispose()
    drop()


def _flow(db):
    return approvals.workflows(db.registry)["sectree.doc"]


def _doc(s, db, code, company="acme"):
    from sectree.models import Doc

    return s.get(Doc, db.tree.docs[(company, code)])


def _submit_all(db):
    flow, users = _flow(db), db.tree.users
    with db.session() as s:
        approvals.fire(make_env(db, s, users["s1"], "acme"), flow, _doc(s, db, "NA-1"), "submit", amount=5000)
        approvals.fire(make_env(db, s, users["s3"], "acme"), flow, _doc(s, db, "N-1"), "submit", amount=20000)
        approvals.fire(make_env(db, s, users["s2"], "acme"), flow, _doc(s, db, "S-1"), "submit", amount=60000)
        # the same code in the other company, submitted there: never on an acme to-do list
        approvals.fire(make_env(db, s, users["s1"], "other"), flow, _doc(s, db, "NA-1", "other"), "submit",
                       amount=5000)


def _waiting(db, s, login, company="acme"):
    env = make_env(db, s, db.tree.users[login], company)
    todo = {t.key: t for t in approval_todos(env, entries=50)}.get("approval:sectree.doc")
    return env, ({e.res_id for e in todo.entries} if todo else set()), (todo.count if todo else 0)


def test_approvals_wait_for_exactly_who_may_approve_them(tdb):
    _submit_all(tdb)
    docs = tdb.tree.docs
    expected = {
        "tm_north_a": {"NA-1"},            # its subtree; N-1 is above it
        "tm_north": {"NA-1", "N-1"},       # north and north_a
        "tm_south": set(),                 # S-1 is 60,000: above a manager's 50,000
        "director": {"NA-1", "N-1", "S-1"},
        "s1": set(), "s2": set(), "finance": set(),
    }
    with tdb.session() as s:
        for login, codes in expected.items():
            _env, ids, count = _waiting(tdb, s, login)
            assert ids == {docs[("acme", c)] for c in codes}, login
            assert count == len(codes), login


def test_the_sql_agrees_with_the_approval_check_for_every_user_and_record(tdb):
    _submit_all(tdb)
    flow = _flow(tdb)
    with tdb.session() as s:
        for login in tdb.tree.users:
            env, ids, _count = _waiting(tdb, s, login)
            by_check = set()
            for (company, _code), doc_id in tdb.tree.docs.items():
                if company != "acme":
                    continue
                doc = _doc(s, tdb, _code)
                if not env.allowed(doc, "read"):
                    continue
                row = approvals.state_of(env, flow, doc)
                if row is None:
                    continue
                if any(t.name == "approve" for t in approvals.available(env, flow, doc)):
                    by_check.add(doc_id)
            assert ids == by_check, login


def test_a_decided_request_leaves_the_list_and_the_requester_never_sees_their_own(tdb):
    _submit_all(tdb)
    flow, users = _flow(tdb), tdb.tree.users
    with tdb.session() as s:
        # the director submits one himself: not on his own list
        approvals.fire(make_env(tdb, s, users["director"], "acme"), flow, _doc(s, tdb, "R-1"), "submit", amount=100)
        _env, ids, _n = _waiting(tdb, s, "director")
        assert tdb.tree.docs[("acme", "R-1")] not in ids
    with tdb.session() as s:
        approvals.fire(make_env(tdb, s, users["tm_north_a"], "acme"), flow, _doc(s, tdb, "NA-1"), "approve")
    with tdb.session() as s:
        assert _waiting(tdb, s, "tm_north_a")[2] == 0
        _env, ids, count = _waiting(tdb, s, "tm_north")
        assert ids == {tdb.tree.docs[("acme", "N-1")]}
        assert count == 1
        env = make_env(tdb, s, users["tm_north"], "acme")
        assert todo_total(env) == 1
        assert [t.key for t in todos_for(env)] == ["approval:sectree.doc"]


def test_the_count_is_complete_when_only_a_few_entries_are_listed(tdb):
    _submit_all(tdb)
    with tdb.session() as s:
        env = make_env(tdb, s, tdb.tree.users["director"], "acme")
        (todo,) = [t for t in approval_todos(env, entries=1) if t.key == "approval:sectree.doc"]
        assert todo.count == 3
        assert len(todo.entries) == 1


def _login(db, login):
    from core.web.app import create_app

    with db.session() as s:
        s.get(User, db.tree.users[login]).password_hash = hash_password("secret-pass-1")
    app = create_app(registry=db.registry, test_config={"TESTING": True})
    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").text)
    data = {"login": login, "password": "secret-pass-1", "csrf_token": token.group(1) if token else ""}
    assert client.post("/login", data=data).status_code in (302, 303)
    return client


def test_home_page_and_navigation_badge(tdb):
    _submit_all(tdb)
    client = _login(tdb, "tm_north")
    home = client.get("/", headers={"Accept-Language": "zh-CN"})
    assert home.status_code == 200
    assert 'id="home-todos"' in home.text
    assert 'data-todo="approval:sectree.doc"' in home.text
    assert 'data-count="2"' in home.text
    assert client.get("/todos/count.json").get_json() == {"count": 2}
    page = client.get("/todos/").text
    assert page.count("data-todo-entry=") == 2
    # a salesperson has nothing waiting: no card on the home page, an empty list
    s1 = _login(tdb, "s1")
    assert 'id="home-todos"' not in s1.get("/").text
    assert s1.get("/todos/count.json").get_json() == {"count": 0}
    assert 'id="no-todos"' in s1.get("/todos/").text


def test_every_workflow_in_one_statement(tdb):
    from sqlalchemy import event

    _submit_all(tdb)
    with tdb.session() as s:
        env = make_env(tdb, s, tdb.tree.users["director"], "acme")
        approval_todos(env)  # warms the env (groups, enabled addons, rights)
        seen: list[str] = []

        def count(conn, cursor, statement, *args):
            seen.append(statement)

        engine = s.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            (todo,) = approval_todos(env)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert todo.count == 3
        assert len(seen) == 1, seen
