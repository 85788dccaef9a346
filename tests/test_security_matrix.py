"""The generated access-right matrix: every role x every model x read/create/write/delete.

The generator reads the roles (``core_group``) and the declared rights
(``core_access``) from the security data loaded into the database, so every
addon that exists is covered as soon as it is installed here: the kernel, the
fixture addons, ``sectree``/``hookall`` and (variant ``all``) every addon of the
project's ``addons/`` folder. The expectation is computed independently of
:class:`core.security.env.Env` (group implication walked here), and each cell is
checked through the real operation: reads run ``env.search``/``env.count``,
refused writes must raise :class:`AccessDenied` before anything happens.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from core.db import Base
from core.errors import AccessDenied
from core.models import AccessRight, Group
from core.security.env import APPEND_ONLY, PERMS
from core.testing import make_env, make_user, new_database
from tests.kernel_helpers import FIXTURE_ADDONS, fixture_db

HOOKALL_ADDONS = Path(__file__).resolve().parent / "fixtures" / "hookall"
FIXTURE_SET = ["alpha", "beta", "gamma", "delta", "sectree", "hookall"]


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_name(request) -> str:
    return request.param


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def all_db(request):
    """Every discovered addon installed and enabled for acme (shared by the tests that only add users)."""
    db, drop = _db(request.param, None)
    yield db
    db.dispose()
    drop()


def _db(engine: str, names: list[str] | None):
    url, drop = new_database(engine)
    db = fixture_db(url, extra=[HOOKALL_ADDONS])
    if names is None:  # everything discovered: fixtures and the project's addons
        names = sorted(db.registry.manifests)
    db.install(*names, companies=["acme"])
    return db, drop


def _models(db) -> list[type]:
    """Mapped classes of the kernel and of every installed addon."""
    out = []
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        table = getattr(cls, "__tablename__", None)
        if table is None or table not in Base.metadata.tables:
            continue
        addon = db.registry.addon_of_table(table)
        if addon == "core" or addon in db.registry.installed:
            out.append(cls)
    return sorted(out, key=lambda c: c.__tablename__)


def _expected(session) -> tuple[dict[str, set[str]], dict[str, dict[str, set[str]]]]:
    """(effective group codes per group code, declared perms per group code and model)."""
    groups = {g.code: g for g in session.scalars(select(Group))}
    effective: dict[str, set[str]] = {}
    for code, group in groups.items():
        seen, todo = {code}, [group]
        while todo:
            for implied in todo.pop().implied:
                if implied.code not in seen:
                    seen.add(implied.code)
                    todo.append(implied)
        effective[code] = seen
    declared: dict[str, dict[str, set[str]]] = {code: {} for code in groups}
    for right in session.scalars(select(AccessRight)):
        perms = {p for p in PERMS if getattr(right, f"perm_{p}")}
        declared[right.group.code].setdefault(right.model, set()).update(perms)
    return effective, declared


def _actual(env, model: type, perm: str) -> bool:
    """Perform the operation (or the part of it before any write) and report allowed/refused."""
    try:
        if perm == "read":
            env.search(model, limit=1)
            env.count(model)
            env.session.execute(env.select(model).limit(1))
            return True
        if not env.can(model, perm):
            # the real operation must refuse before touching anything
            if perm == "create":
                env.create(model, {})
            elif perm == "write":
                env.write(model(), {})
            else:
                env.delete(model())
            return True  # pragma: no cover - reaching here is the failure we look for
        env.check(model, perm)
        return True
    except AccessDenied:
        return False


def _run_matrix(db) -> tuple[int, list[str]]:
    with db.session() as s:
        effective, declared = _expected(s)
        codes = sorted(effective)
    users = {code: make_user(db, f"u_{i}", [code], password=None) for i, code in enumerate(codes)}
    users[""] = make_user(db, "u_nogroup", [], password=None)
    effective[""] = set()
    admin = make_user(db, "u_admin", ["core.group_admin"], password=None, is_admin=True)
    mismatches: list[str] = []
    cells = 0
    with db.session() as s:
        models = _models(db)
        assert any(m.__tablename__ == "sectree_secret" for m in models)
        for code, uid in sorted(users.items()):
            env = make_env(db, s, uid)
            for model in models:
                table = model.__tablename__
                granted: set[str] = set()
                for g in effective[code]:
                    granted |= declared.get(g, {}).get(table, set())
                for perm in PERMS:
                    want = perm in granted
                    if perm != "read" and (table in APPEND_ONLY or getattr(model, "__tixi_readonly__", False)):
                        want = False
                    got = _actual(env, model, perm)
                    cells += 1
                    if got != want:
                        mismatches.append(f"{code or '(no group)'} {perm} {table}: expected {want}, got {got}")
            s.rollback()
        env = make_env(db, s, admin)
        for model in models:
            for perm in PERMS:
                want = not (perm != "read" and model.__tablename__ in APPEND_ONLY)
                if _actual(env, model, perm) != want:
                    mismatches.append(f"admin {perm} {model.__tablename__}: expected {want}")
    return cells, mismatches


def test_matrix_kernel_and_fixture_addons(engine_name):
    db, drop = _db(engine_name, FIXTURE_SET)
    try:
        cells, mismatches = _run_matrix(db)
    finally:
        db.dispose()
        drop()
    assert not mismatches, "\n".join(mismatches)
    assert cells > 500


def test_matrix_every_discovered_addon(all_db):
    """The same matrix with every addon of the project installed (grows with the project)."""
    assert set(FIXTURE_SET) <= set(all_db.registry.installed)
    cells, mismatches = _run_matrix(all_db)
    assert not mismatches, "\n".join(mismatches)


def test_deny_by_default_for_roles_without_rights(engine_name):
    """A user without groups reads nothing; a model without access rows is closed to every role."""
    db, drop = _db(engine_name, FIXTURE_SET)
    try:
        with db.session() as s:
            effective, declared = _expected(s)
        nobody = make_user(db, "nobody", [], password=None)
        with db.session() as s:
            env = make_env(db, s, nobody)
            for model in _models(db):
                assert not any(env.can(model, p) for p in PERMS), model.__tablename__
        undeclared = [
            m for m in _models(db)
            if not any(m.__tablename__ in per_model for per_model in declared.values())
        ]
        assert "sectree_secret" in {m.__tablename__ for m in undeclared}
        sales = make_user(db, "sales", ["core.group_salesperson"], password=None)
        with db.session() as s:
            env = make_env(db, s, sales)
            for model in undeclared:
                with pytest.raises(AccessDenied):
                    env.search(model)
    finally:
        db.dispose()
        drop()


assert FIXTURE_ADDONS.is_dir()


def test_every_installed_rule_compiles_with_its_context(all_db):
    """Every record rule of every addon installed here compiles and runs as SQL for a user it
    applies to, and every ``user.<key>`` it uses is provided (a missing one would silently grant
    nothing)."""
    import json

    from core.models import RecordRule
    from core.registry import model_class
    from core.security.rules import compile_domain

    db = all_db
    with db.session() as s:
        rules = [(r.code, r.model, json.loads(r.domain), [g.code for g in r.groups])
                 for r in s.scalars(select(RecordRule))]
    users: dict[str, int] = {}
    problems = []
    for i, (code, table, domain, groups) in enumerate(rules):
        group = groups[0] if groups else "core.group_user"
        if group not in users:
            users[group] = make_user(db, f"rule_u{i}", [group], password=None)
        with db.session() as s:
            env = make_env(db, s, users[group])
            model = model_class(table)
            if model is None:
                problems.append(f"{code}: no model for table {table}")
                continue
            try:
                clause = compile_domain(model, domain, env.context)
                pk = model.__table__.primary_key.columns.values()[0]
                s.execute(select(pk).where(clause).limit(1)).all()
            except Exception as exc:  # noqa: BLE001 - collect every broken rule
                problems.append(f"{code}: {type(exc).__name__}: {exc}")
    assert len(rules) >= 10
    assert not problems, "\n".join(problems)


PROJECT_ADDONS = Path(__file__).resolve().parent.parent / "addons"


def _coverage_problems(db) -> dict[str, list[str]]:
    """Uncovered models per installed addon of the project (see :mod:`core.security.coverage`)."""
    from core.security.coverage import company_wide_declarations, uncovered_models

    out: dict[str, list[str]] = {}
    with db.session() as s:
        for name in sorted(db.registry.installed):
            manifest = db.registry.manifests[name]
            if PROJECT_ADDONS not in Path(manifest.path).resolve().parents:
                continue  # fixture addons: the install warning is enough (test below)
            tables = [t.name for t in db.registry.tables_of(manifest)]
            missing = uncovered_models(s, tables, company_wide_declarations([manifest]))
            if missing:
                out[name] = missing
    return out


def test_every_readable_model_has_a_rule_or_a_company_wide_declaration(all_db):
    """Rule coverage: a model a restricted role (salesperson, ...) reads has a record rule or a reviewed
    ``company_wide`` declaration in its addon's security.yaml (pricing_competitor_price had neither)."""
    problems = _coverage_problems(all_db)
    assert not problems, "\n".join(f"{k}: {v}" for k, v in problems.items())


def test_install_warns_about_a_model_without_rule():
    """The check runs at install: an addon whose model a restricted role reads without any record
    rule gets one warning line naming the model (fixture ``alpha`` grants read without a rule);
    the project's pricing, competitor prices included, installs without one."""
    url, drop = new_database("sqlite")
    db = fixture_db(url, extra=[HOOKALL_ADDONS])
    try:
        report = db.lifecycle.install(["pricing"])  # masterdata's rules name core.group_salesperson
        assert report.warnings == [], report.warnings
        report = db.lifecycle.install(["alpha"])
        assert len(report.warnings) == 1, report.warnings
        assert "alpha_thing" in report.warnings[0]
        assert "company_wide" in report.warnings[0]
    finally:
        db.dispose()
        drop()


def test_every_foreign_key_written_through_env_is_checked(all_db):
    """The related-record path of the matrix: for every model of every installed addon, each foreign
    key (except the ones Env stamps itself) is checked against the target's rules when written; an id
    the user cannot read (here: none exists) is a field error naming that key, before any SQL write."""
    from core.errors import ValidationError
    from core.registry import model_class
    from core.security.env import SELF_SET_FKS

    admin = make_user(all_db, "fk_admin", ["core.group_admin"], password=None, is_admin=True)
    checked, problems = 0, []
    with all_db.session() as s:
        env = make_env(all_db, s, admin)
        for model in _models(all_db):
            for column in model.__table__.columns:
                if not column.foreign_keys or column.key in SELF_SET_FKS:
                    continue
                target = next(iter(column.foreign_keys)).column
                if model_class(target.table.name) is None:
                    continue
                value = "no-such-key" if not isinstance(target.type.python_type(), int) else 2**40
                try:
                    env.check_references(model, [{column.key: value}])
                    problems.append(f"{model.__tablename__}.{column.key}: not checked")
                except ValidationError as exc:
                    if set(exc.errors) != {column.key}:
                        problems.append(f"{model.__tablename__}.{column.key}: {exc.errors}")
                checked += 1
    assert not problems, "\n".join(problems)
    assert checked > 40
