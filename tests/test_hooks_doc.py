"""The hook reference in docs/addons.md is generated from core/hookspecs.py and cannot drift.

Fails when a hookspec has no docstring or no ``Example::``, when the reference
section differs from what the hookspecs generate (a hook added, removed,
renamed, its signature or docstring changed), and when any page of docs/
mentions a ``tixi_*`` hook that does not exist.

Regenerate the section after changing a hookspec::

    TIXI_UPDATE_DOCS=1 python3 -m pytest tests/test_hooks_doc.py
"""

from __future__ import annotations

import inspect
import os
import re
import textwrap
from pathlib import Path

from core import hookspecs

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "addons.md"
START, END = "<!-- hook-reference:start -->", "<!-- hook-reference:end -->"
# ``tixi_*`` words in the docs that are not hooks (fixtures, attributes, example packages)
NOT_HOOKS = {"tixi_db", "tixi_addon", "tixi_session", "tixi_visits"}


def hook_functions() -> dict[str, object]:
    """Every hookspec of the kernel module, by name, in source order."""
    fns = [fn for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("tixi_")]
    fns.sort(key=lambda fn: fn.__code__.co_firstlineno)
    return {fn.__name__: fn for fn in fns}


def _rst_to_md(text: str) -> str:
    text = re.sub(r":(?:class|func|meth|mod|attr|data|exc):`~?([^`]+)`", r"`\1`", text)
    return text.replace("``", "`")


def render_hook(name: str, fn: object) -> str:
    """The markdown subsection of one hook."""
    sig = inspect.signature(fn)
    params = ", ".join(sig.parameters)
    opts = getattr(fn, "tixi_spec", {}) or {}
    lines = [f"### `{name}({params})`", ""]
    if "env" in sig.parameters:
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
    return "\n" + "\n".join(render_hook(n, fn) for n, fn in hook_functions().items()) + "\n"


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
    documented = re.findall(r"^### `(tixi_\w+)\(", current, flags=re.M)
    missing = [n for n in hook_functions() if n not in documented]
    stale = [n for n in documented if n not in hook_functions()]
    assert not missing, f"hooks without a section in docs/addons.md: {missing} (run TIXI_UPDATE_DOCS=1 ...)"
    assert not stale, f"docs/addons.md documents hooks that no longer exist: {stale}"
    assert current == wanted, (
        "docs/addons.md hook reference is out of date with core/hookspecs.py: "
        "run TIXI_UPDATE_DOCS=1 python3 -m pytest tests/test_hooks_doc.py"
    )


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
                    "## Translations", "## Packaging an addon as a wheel", "## Hook reference"):
        assert f"\n{heading}" in text, heading
    assert "tixi db revision" in text
    assert "tixi scaffold" in text
    assert '"tixi.addons"' in text
