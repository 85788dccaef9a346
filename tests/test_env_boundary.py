"""Addon code reads business data only through ``Env`` (``env.select`` ... or the named ``env.sudo()``).

An AST check over every addon's code (migrations, tests, demo and benchmark
generators are exempt: they run with no user): a call like
``env.session.execute(...)``, ``session.scalars(...)`` or ``env.session.get(...)``
bypasses the access rights and record rules and fails this test. A line that
must keep a bare session call says why with ``# tixi: session-ok (reason)``.
"""

from __future__ import annotations

import ast
from pathlib import Path

from core.config import PROJECT_ROOT

READ_METHODS = frozenset({"execute", "scalars", "scalar", "get", "query", "connection"})
SESSION_NAMES = frozenset({"session", "sess"})
EXEMPT_PARTS = frozenset({"tests", "migrations", "demo"})
PRAGMA = "tixi: session-ok"


def _addon_sources(root: Path) -> list[Path]:
    out = []
    for addon in sorted(p for p in (root / "addons").iterdir() if (p / "addon.toml").is_file()):
        for path in sorted(addon.rglob("*.py")):
            rel = path.relative_to(addon)
            if EXEMPT_PARTS & set(rel.parts[:-1]) or rel.name.startswith("bench"):
                continue
            out.append(path)
    return out


def bare_session_reads(path: Path) -> list[str]:
    """``file:line: code`` for each bare session call in ``path``."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source, str(path))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in READ_METHODS:
            continue
        owner = node.func.value
        is_session = (isinstance(owner, ast.Attribute) and owner.attr in SESSION_NAMES) or (
            isinstance(owner, ast.Name) and owner.id in SESSION_NAMES
        )
        if is_session and PRAGMA not in lines[node.lineno - 1]:
            found.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    return found


def test_addon_code_reads_only_through_env():
    offenders = [hit for path in _addon_sources(PROJECT_ROOT) for hit in bare_session_reads(path)]
    assert offenders == [], "read through env.select()/env.get() or env.sudo():\n" + "\n".join(offenders)


def test_the_check_finds_a_bare_read(tmp_path):
    bad = tmp_path / "services.py"
    bad.write_text(
        "def f(env):\n"
        "    return env.session.scalars(select(Customer))\n"
        "def g(env):\n"
        "    session = env.session\n"
        "    return session.get(Customer, 1)\n"
        "def ok(env):\n"
        "    return env.scalars(env.select(Customer))\n",
        encoding="utf-8",
    )
    import tests.test_env_boundary as me

    hits = [h.split(": ", 1)[1] for h in _hits(me, bad)]
    assert hits == ["return env.session.scalars(select(Customer))", "return session.get(Customer, 1)"]


def _hits(module, path: Path) -> list[str]:
    old = module.PROJECT_ROOT
    module.PROJECT_ROOT = path.parent
    try:
        return module.bare_session_reads(path)
    finally:
        module.PROJECT_ROOT = old
