"""The addon dependency graph: install/load order, closures and dependents.

Two kinds of edges: ``depends`` (always installed first, pulled in by
:func:`closure`) and ``optional_depends`` (ordered first only when the other
addon is among the addons being ordered, i.e. installed; never pulled in).
"""

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


def check_optional(manifests: Mapping[str, Manifest], names: Iterable[str], present: Iterable[str]) -> None:
    """Raise a :class:`DependencyError` when an optional dependency in ``present`` has an unmet version."""
    present = set(present)
    for name in names:
        for dep in manifests[name].optional_depends:
            target = manifests.get(dep.name)
            if dep.name in present and target is not None and dep.specifier and target.version not in dep.specifier:
                raise DependencyError(
                    f"addon {name!r} can use {dep.name}{dep.specifier} (optional), "
                    f"but {dep.name} is version {target.version}"
                )


def edges(manifest: Manifest, among: set[str]) -> list[tuple[str, bool]]:
    """``(dependency, optional)`` pairs of ``manifest`` to order before it, sorted by name."""
    out = [(d.name, False) for d in manifest.depends]
    out += [(d.name, True) for d in manifest.optional_depends if d.name in among]
    return sorted(out)


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
    """Topological order of ``names`` (dependencies first, ties by name); report cycles.

    An optional dependency counts as an edge when it is among ``names``; a
    cycle through one is reported with ``(optional)`` after the edge's target.
    """
    wanted = set(names)
    check(manifests, wanted)
    check_optional(manifests, wanted, wanted)
    result: list[str] = []
    state: dict[str, int] = {}  # 1 = visiting, 2 = done
    stack: list[tuple[str, bool]] = []  # (name, reached through an optional edge)

    def visit(name: str, optional: bool) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            start = [n for n, _o in stack].index(name)
            hops = stack[start:] + [(name, optional)]
            text = hops[0][0] + "".join(f" -> {n}{' (optional)' if o else ''}" for n, o in hops[1:])
            raise DependencyError("dependency cycle: " + text)
        state[name] = 1
        stack.append((name, optional))
        for dep, opt in edges(manifests[name], wanted):
            if dep in wanted:
                visit(dep, opt)
        stack.pop()
        state[name] = 2
        result.append(name)

    for name in sorted(wanted):
        visit(name, False)
    return result


def dependents(manifests: Mapping[str, Manifest], name: str, among: Iterable[str]) -> list[str]:
    """Addons in ``among`` that depend on ``name`` directly or transitively, dependents last.

    Optional dependencies do not count: an addon keeps working without them.
    """
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
