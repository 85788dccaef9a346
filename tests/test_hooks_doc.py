"""The hook reference in docs/addons.md is generated from every hookspecs module and cannot drift.

The sources: core/hookspecs.py (kernel hooks, grouped by its phase comments),
each addon's ``hookspecs.py`` (``addons/<name>/hookspecs.py``) and
bench/hookspecs.py. Fails when a hookspec has no docstring or no
``Example::``, when the reference section differs from what the hookspecs
generate (a hook added, removed, renamed, moved, its signature or docstring
changed), and when any page of docs/ mentions a ``tixi_*`` hook that does not
exist.

Regenerate the section after changing a hookspec::

    TIXI_UPDATE_DOCS=1 python3 -m pytest tests/test_hooks_doc.py
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
import textwrap
from pathlib import Path
from types import ModuleType

from core import hookspecs

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "addons.md"
START, END = "<!-- hook-reference:start -->", "<!-- hook-reference:end -->"
# ``tixi_*`` words in the docs that are not hooks (fixtures, attributes, example packages), and
# the guide's examples: a hook an author declares, a misspelled one the registry refuses
NOT_HOOKS = {"tixi_db", "tixi_addon", "tixi_session", "tixi_visits", "tixi_visit_done", "tixi_user_contex",
             "tixi_world", "tixi_engine"}
SECTION_RE = re.compile(r"^# -{20,}\n# (?P<title>[^\n]+)\n# -{20,}$", re.M)


def _functions(module: ModuleType) -> dict[str, object]:
    fns = [fn for name, fn in inspect.getmembers(module, inspect.isfunction)
           if name.startswith("tixi_") and fn.__module__ == module.__name__]
    fns.sort(key=lambda fn: fn.__code__.co_firstlineno)
    return {fn.__name__: fn for fn in fns}


def spec_modules() -> dict[str, ModuleType]:
    """Hookspecs modules outside the kernel, by owner: every addon that has one, then bench."""
    out = {}
    for path in sorted((ROOT / "addons").glob("*/hookspecs.py")):
        out[path.parent.name] = importlib.import_module(f"addons.{path.parent.name}.hookspecs")
    out["bench"] = importlib.import_module("bench.hookspecs")
    return out


def kernel_phases() -> list[tuple[str, dict[str, object]]]:
    """Kernel hooks grouped by the phase comments of core/hookspecs.py, in source order."""
    source = Path(hookspecs.__file__).read_text(encoding="utf-8")
    marks = [(source[: m.start()].count("\n") + 1, m.group("title")) for m in SECTION_RE.finditer(source)]
    assert marks, "core/hookspecs.py lost its phase comments"
    groups: list[tuple[str, dict[str, object]]] = [(title, {}) for _line, title in marks]
    for name, fn in _functions(hookspecs).items():
        line = fn.__code__.co_firstlineno
        index = max(i for i, (start, _t) in enumerate(marks) if start < line)
        groups[index][1][name] = fn
    return [(title, fns) for title, fns in groups if fns]


def hook_functions() -> dict[str, object]:
    """Every hookspec (kernel, addons, bench), by name, in reference order."""
    out: dict[str, object] = {}
    for _title, fns in kernel_phases():
        out.update(fns)
    for module in spec_modules().values():
        out.update(_functions(module))
    return out


def _rst_to_md(text: str) -> str:
    text = re.sub(r":(?:class|func|meth|mod|attr|data|exc):`~?([^`]+)`", r"`\1`", text)
    return text.replace("``", "`")


def render_hook(name: str, fn: object, owner: str = "core") -> str:
    """The markdown subsection of one hook."""
    sig = inspect.signature(fn)
    params = ", ".join(sig.parameters)
    opts = getattr(fn, "tixi_spec", {}) or {}
    lines = [f"#### `{name}({params})`", ""]
    if owner == "bench":
        kind = "Benchmark: called by `tixi bench generate` for every installed addon's `bench.py`, in dependency order."
    elif "env" in sig.parameters:
        kind = "Per company: called only for the addons enabled for the current company (`env.hooks`)."
    else:
        kind = "Start-up: called for every installed addon."
    if opts.get("firstresult"):
        kind += " First result: the first non-`None` answer wins."
    else:
        kind += " Returns the list of the addons' answers."
    lines += [f"*{kind}*", ""]
    doc = inspect.getdoc(fn) or ""
    body, _sep, example = doc.partition("Example::")
    lines.append(_rst_to_md(body.strip()))
    if example.strip():
        lines += ["", "Example:", "", "```python", textwrap.dedent(example.strip("\n")).rstrip(), "```"]
    return "\n".join(lines).rstrip() + "\n"


def render_reference() -> str:
    """The whole generated section (between the markers)."""
    parts = []
    for title, fns in kernel_phases():
        phase, _sep, what = title.partition(": ")
        parts.append(f"### Kernel hooks: {phase.lower()}\n\n{what[:1].upper() + what[1:]}.\n")
        parts += [render_hook(n, fn) for n, fn in fns.items()]
    for owner, module in spec_modules().items():
        if owner == "bench":
            parts.append("### Hooks of bench\n\nDeclared in `bench/hookspecs.py`; implement them in your addon's "
                         "`bench.py` (the kernel never loads it).\n")
        else:
            parts.append(f"### Hooks of addon {owner}\n\nDeclared in `addons/{owner}/hookspecs.py`; an addon "
                         f"implementing one lists `{owner}` in `depends` (or in `optional_depends`, with "
                         "`@hookimpl(optionalhook=True)`).\n")
        parts += [render_hook(n, fn, owner) for n, fn in _functions(module).items()]
    return "\n" + "\n".join(parts) + "\n"


def _current_section(text: str) -> str:
    assert START in text, f"{GUIDE} lacks the hook reference start marker"
    assert END in text, f"{GUIDE} lacks the hook reference end marker"
    return text.split(START, 1)[1].split(END, 1)[0]


def test_every_hookspec_has_docstring_and_example():
    problems = []
    for name, fn in hook_functions().items():
        doc = inspect.getdoc(fn)
        if not doc or len(doc.splitlines()[0]) < 10:
            problems.append(f"{name}: no docstring")
        elif "Example::" not in doc:
            problems.append(f"{name}: docstring without 'Example::'")
    assert not problems, problems


def test_reference_section_matches_hookspecs():
    text = GUIDE.read_text(encoding="utf-8")
    wanted = render_reference()
    if os.environ.get("TIXI_UPDATE_DOCS") and _current_section(text) != wanted:
        GUIDE.write_text(text.replace(START + _current_section(text) + END, START + wanted + END), encoding="utf-8")
        text = GUIDE.read_text(encoding="utf-8")
    current = _current_section(text)
    documented = re.findall(r"^#### `(tixi_\w+)\(", current, flags=re.M)
    missing = [n for n in hook_functions() if n not in documented]
    stale = [n for n in documented if n not in hook_functions()]
    assert not missing, f"hooks without a section in docs/addons.md: {missing} (run TIXI_UPDATE_DOCS=1 ...)"
    assert not stale, f"docs/addons.md documents hooks that no longer exist: {stale}"
    assert current == wanted, (
        "docs/addons.md hook reference is out of date with the hookspecs (kernel, addons, bench): "
        "run TIXI_UPDATE_DOCS=1 python3 -m pytest tests/test_hooks_doc.py"
    )


def test_reference_covers_kernel_addon_and_bench_hooks():
    """Both directions: every hook of every owner is in the reference, under its owner's heading."""
    current = _current_section(GUIDE.read_text(encoding="utf-8"))
    headings = re.findall(r"^### (.+)$", current, flags=re.M)
    assert headings[0].startswith("Kernel hooks: start-up")
    assert {"Hooks of addon masterdata", "Hooks of addon crm_cards", "Hooks of addon pricing",
            "Hooks of bench"} <= set(headings)
    owner_of = {}
    owner = None
    for line in current.splitlines():
        if line.startswith("### "):
            owner = line[4:]
        found = re.match(r"^#### `(tixi_\w+)\(", line)
        if found:
            owner_of[found.group(1)] = owner
    for name in _functions(hookspecs):
        assert owner_of.get(name, "").startswith("Kernel hooks"), name
    for who, module in spec_modules().items():
        for name in _functions(module):
            expected = "Hooks of bench" if who == "bench" else f"Hooks of addon {who}"
            assert owner_of.get(name) == expected, (name, owner_of.get(name))
    assert set(owner_of) == set(hook_functions())


def test_docs_mention_only_existing_hooks():
    hooks = set(hook_functions())
    unknown: dict[str, set[str]] = {}
    for page in sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]:
        words = set(re.findall(r"(?<![\w./-])tixi_[a-z][a-z0-9_]*", page.read_text(encoding="utf-8")))
        bad = {w for w in words if w not in hooks and w not in NOT_HOOKS and not w.endswith("_")}
        if bad:
            unknown[page.name] = bad
    assert not unknown, f"docs mention hooks that do not exist: {unknown}"


def test_guide_covers_the_author_topics():
    text = GUIDE.read_text(encoding="utf-8")
    for heading in ("## Layout", "## Manifest", "## Models and mixins", "## Migrations", "## Security data",
                    "### Record rules", "## Data and demo files", "## Approvals", "## Hooks", "## Tests",
                    "## Labels and translations", "### Reading past the rules", "## Packaging an addon as a wheel", "## Hook reference"):
        assert f"\n{heading}" in text, heading
    assert "tixi db revision" in text
    assert "tixi scaffold" in text
    assert '"tixi.addons"' in text
