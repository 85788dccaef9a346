"""``tixi scaffold NAME``: a new addon that installs and whose generated test passes."""

from __future__ import annotations

import secrets
from pathlib import Path
from string import Template

from core.discovery import PROJECT_ADDONS
from core.errors import TixiError
from core.manifest import NAME_RE

TEMPLATE_DIR = Path(__file__).resolve().parent / "scaffold_template"


def scaffold_addon(name: str, target: Path | None = None) -> Path:
    """Render the addon template into ``target/name`` (default ``addons/name``)."""
    if not NAME_RE.match(name):
        raise TixiError(f"{name!r} is not a valid addon name (lowercase letters, digits, '_')")
    dest = (target or PROJECT_ADDONS) / name
    if dest.exists():
        raise TixiError(f"{dest} already exists")
    title = name.replace("_", " ").title()
    values = {
        "name": name,
        "title": title,
        "model": f"{name}_item",
        "cls": "".join(p.title() for p in name.split("_")) + "Item",
        "rev": f"{name}_0001_{secrets.token_hex(3)}",
    }
    for src in sorted(TEMPLATE_DIR.rglob("*")):
        if src.is_dir() or src.suffix == ".pyc" or "__pycache__" in src.parts:
            continue
        rel = Path(str(src.relative_to(TEMPLATE_DIR)).replace("NAME", name).removesuffix(".tmpl"))
        out = dest / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(Template(src.read_text(encoding="utf-8")).safe_substitute(values), encoding="utf-8")
    return dest
