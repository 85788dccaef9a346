"""Import boundaries, read from the AST of every .py file (docstrings and comments do not count).

(i) The kernel (``core/``) imports neither ``addons`` nor ``bench`` (the
scaffold template is an addon in the making, not kernel code).
(ii) An addon imports another addon (``addons.<other>``) only when the other is
in its manifest's ``depends`` or ``optional_depends``; an optional dependency
only inside a function (lazily, behind ``"<other>" in env.enabled``), never at
module level. An addon's own tests follow the same rule.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.discovery import discover

ROOT = Path(__file__).resolve().parent.parent
KERNEL_EXEMPT = ("core/scaffold_template/",)
FORBIDDEN_IN_KERNEL = ("addons", "bench")
# Kernel imports of bench/addons allowed for now: none (``tixi bench`` registers itself
# through the ``tixi.commands`` entry point). Keep it empty.
PENDING_KERNEL_IMPORTS: set[tuple[str, str]] = set()


def imports(tree: ast.AST) -> Iterator[tuple[str, int, bool, bool]]:
    """``(module, line, inside_function, under_type_checking)`` for every import of ``tree``.

    ``importlib.import_module("...")`` with a literal name counts as an import.
    """

    def walk(node: ast.AST, in_function: bool, type_checking: bool) -> Iterator[tuple[str, int, bool, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name, child.lineno, in_function, type_checking
            elif isinstance(child, ast.ImportFrom):
                if child.level == 0 and child.module:
                    yield child.module, child.lineno, in_function, type_checking
            elif (
                isinstance(child, ast.Call)
                and getattr(child.func, "attr", getattr(child.func, "id", None)) == "import_module"
                and child.args
                and isinstance(child.args[0], ast.Constant)
                and isinstance(child.args[0].value, str)
            ):
                yield child.args[0].value, child.lineno, in_function, type_checking
            inner_function = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            inner_tc = type_checking or (
                isinstance(child, ast.If)
                and "TYPE_CHECKING" in ast.unparse(child.test)
            )
            yield from walk(child, inner_function, inner_tc)

    yield from walk(tree, False, False)


def python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def _top(module: str) -> str:
    return module.split(".", 1)[0]


def kernel_violations() -> list[str]:
    found = []
    for path in python_files(ROOT / "core"):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(KERNEL_EXEMPT):
            continue
        for module, line, _fn, _tc in imports(ast.parse(path.read_text(encoding="utf-8"))):
            if _top(module) in FORBIDDEN_IN_KERNEL and (rel, module) not in PENDING_KERNEL_IMPORTS:
                found.append(f"{rel}:{line}: the kernel imports {module!r}")
    return found


def addon_violations(addons_dir: Path = ROOT / "addons") -> list[str]:
    """Undeclared addon imports, and optional dependencies imported at module level."""
    manifests = {n: m for n, m in discover([], use_entry_points=False).items() if m.path.parent == addons_dir}
    found = []
    for name, manifest in sorted(manifests.items()):
        required = {d.name for d in manifest.depends}
        optional = {d.name for d in manifest.optional_depends}
        for path in python_files(manifest.path):
            rel = path.relative_to(ROOT).as_posix()
            for module, line, in_function, type_checking in imports(ast.parse(path.read_text(encoding="utf-8"))):
                parts = module.split(".")
                if parts[0] != "addons" or len(parts) < 2 or parts[1] == name:
                    continue
                other = parts[1]
                if other not in required | optional:
                    found.append(
                        f"{rel}:{line}: addon {name!r} imports {module!r}, but {other!r} is not in "
                        "its depends or optional_depends"
                    )
                elif other in optional and not (in_function or type_checking):
                    found.append(
                        f"{rel}:{line}: addon {name!r} imports optional dependency {other!r} at module "
                        "level; import it inside the function that checks env.enabled"
                    )
    return found


def test_kernel_imports_no_addon_and_no_bench():
    problems = kernel_violations()
    assert not problems, "\n".join(problems)


def test_pending_kernel_imports_still_exist():
    """The allow-list only holds imports that are really there (so it shrinks as they go)."""
    for rel, module in PENDING_KERNEL_IMPORTS:
        modules = {m for m, *_ in imports(ast.parse((ROOT / rel).read_text(encoding="utf-8")))}
        assert module in modules, f"{rel} no longer imports {module}: remove it from PENDING_KERNEL_IMPORTS"


def test_addons_import_only_declared_addons():
    problems = addon_violations()
    assert not problems, "\n".join(problems)


def test_optional_dependencies_are_declared():
    manifests = discover([], use_entry_points=False)
    assert {d.name for d in manifests["crm_cards"].optional_depends} == {"territories"}
    assert {d.name for d in manifests["pricing"].optional_depends} == {"territories", "crm_cards"}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("from addons.pricing.models import Quote\n", "'pricing' is not in its depends or optional_depends"),
        ("import addons.pricing\n", "'pricing' is not in its depends or optional_depends"),
        ("def f():\n    import importlib\n    importlib.import_module('addons.pricing.models')\n",
         "'pricing' is not in its depends or optional_depends"),
        ("from addons.territories.models import Territory\n", "imports optional dependency 'territories' at module level"),
        ("def f(env):\n    from addons.territories.models import Territory\n", None),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from addons.territories.models import Territory\n", None),
        ('"""from addons.pricing import x"""\n', None),
        ("from addons.masterdata.models import Customer\n", None),
    ],
)
def test_the_rule_catches_what_it_should(tmp_path: Path, monkeypatch, code: str, expected: str | None):
    """The checker on a copy of crm_cards' manifest with one extra module."""
    import shutil

    from core import discovery

    fake = tmp_path / "addons"
    (fake / "crm_cards").mkdir(parents=True)
    shutil.copy(ROOT / "addons" / "crm_cards" / "addon.toml", fake / "crm_cards" / "addon.toml")
    for rel in ("security/security.yaml", "demo/crm_demo.yaml"):
        (fake / "crm_cards" / rel).parent.mkdir(parents=True, exist_ok=True)
        (fake / "crm_cards" / rel).write_text("", encoding="utf-8")
    (fake / "crm_cards" / "probe.py").write_text(code, encoding="utf-8")
    monkeypatch.setattr(discovery, "PROJECT_ADDONS", fake)
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    problems = addon_violations(fake)
    if expected is None:
        assert problems == []
    else:
        assert len(problems) == 1
        assert problems[0].startswith("addons/crm_cards/probe.py:")
        assert expected in problems[0]
