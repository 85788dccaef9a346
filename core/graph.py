"""The addon dependency graph: install/load order, closures and dependents."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from core.errors import DependencyError
from core.manifest import Manifest


def check(manifests: Mapping[str, Manifest], names: Iterable[str]) -> None:
    """Raise one clear :class:`DependencyError` for a missing dependency or unmet version."""
    for name in names:
        if name not in manifests:
            raise DependencyError(f"addon {name!r} is not available in any addons path")
        for dep in manifests[name].depends:
            target = manifests.get(dep.name)
            if target is None:
                raise DependencyError(f"addon {name!r} needs {dep.name!r}, which is not available")
            if dep.specifier and target.version not in dep.specifier:
                raise DependencyError(
                    f"addon {name!r} needs {dep.name}{dep.specifier}, "
                    f"but {dep.name} is version {target.version}"
                )


def closure(manifests: Mapping[str, Manifest], names: Iterable[str]) -> set[str]:
    """The addons named plus everything they depend on, transitively."""
    todo, seen = list(names), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        check(manifests, [name])
        seen.add(name)
        todo.extend(d.name for d in manifests[name].depends)
    return seen


def order(manifests: Mapping[str, Manifest], names: Iterable[str]) -> list[str]:
    """Topological order of ``names`` (dependencies first, ties by name); report cycles."""
    wanted = set(names)
    check(manifests, wanted)
    result: list[str] = []
    state: dict[str, int] = {}  # 1 = visiting, 2 = done
    stack: list[str] = []

    def visit(name: str) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = stack[stack.index(name) :] + [name]
            raise DependencyError("dependency cycle: " + " -> ".join(cycle))
        state[name] = 1
        stack.append(name)
        for dep in sorted(d.name for d in manifests[name].depends):
            if dep in wanted:
                visit(dep)
        stack.pop()
        state[name] = 2
        result.append(name)

    for name in sorted(wanted):
        visit(name)
    return result


def dependents(manifests: Mapping[str, Manifest], name: str, among: Iterable[str]) -> list[str]:
    """Addons in ``among`` that depend on ``name`` directly or transitively, dependents last."""
    among = set(among)
    result: set[str] = set()
    changed = True
    while changed:
        changed = False
        for other in among - result - {name}:
            if any(d.name == name or d.name in result for d in manifests[other].depends):
                result.add(other)
                changed = True
    return order(manifests, result) if result else []


def auto_installable(manifests: Mapping[str, Manifest], installed: set[str]) -> list[str]:
    """Auto-install addons whose dependencies are all installed and that are not yet."""
    return sorted(
        name
        for name, m in manifests.items()
        if m.auto_install
        and name not in installed
        and m.depends
        and all(d.name in installed for d in m.depends)
    )
