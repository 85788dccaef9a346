"""Refresh the kernel catalogs from the sources: ``python3 i18n/update_catalogs.py``.

Extracts every message of ``core/`` (Python with ``_``/``_l``/``gettext``/
``lazy_gettext``, Jinja2 templates), keeps existing translations, fills the
English catalog with the msgids (English is the source language) and leaves
new Chinese entries empty for a translator (``tests/web/test_i18n.py`` fails
until they are filled). ``--addon DIR`` does the same for an addon folder
(its ``i18n/`` subfolder).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "_l": None, "N_": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2),
            "lazy_ngettext": (1, 2)}
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]


def extract(folder: Path) -> Catalog:
    """A template catalog of every message under ``folder``."""
    catalog = Catalog(project="Tixi")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(folder), METHODS, keywords=KEYWORDS, options_map={"**/templates/**.html": {"extensions": "jinja2.ext.do"}},
    ):
        catalog.add(message, None, [(str(folder.name + "/" + filename), lineno)], auto_comments=comments,
                    context=context)
    return catalog


def update(template: Catalog, i18n_dir: Path) -> None:
    """Write ``zh_CN`` and ``en`` catalogs in ``i18n_dir`` from ``template``."""
    for lang in ("zh_CN", "en"):
        po = i18n_dir / lang / "LC_MESSAGES" / "messages.po"
        old = {}
        if po.exists():
            with po.open("rb") as fh:
                old = {m.id: m.string for m in read_po(fh, locale=lang) if m.id}
        out = Catalog(locale=lang, project="Tixi", fuzzy=False)
        for msg in template:
            if not msg.id:
                continue
            string = old.get(msg.id) or ""
            if lang == "en" and not string:
                string = msg.id
            out.add(msg.id, string, msg.locations, auto_comments=msg.auto_comments)
        po.parent.mkdir(parents=True, exist_ok=True)
        with po.open("wb") as fh:
            write_po(fh, out, width=120, omit_header=False, sort_output=True, include_lineno=False)


def main() -> None:
    """Command line entry."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--addon", type=Path, help="an addon folder instead of the kernel")
    args = parser.parse_args()
    if args.addon:
        update(extract(args.addon), args.addon / "i18n")
    else:
        update(extract(ROOT / "core"), ROOT / "i18n")


if __name__ == "__main__":
    main()
