"""Message catalogs as files: extract an addon's messages, refresh its .po files, find what is missing.

Used by ``i18n/update_catalogs.py`` (the command), by the kernel's catalog
tests and by :func:`core.testing.assert_catalogs_complete`, which an addon
outside the project calls from its own tests::

    from core.testing import assert_catalogs_complete

    def test_catalogs_complete():
        assert_catalogs_complete(Path(__file__).parent.parent)   # the addon folder
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

KERNEL_I18N = Path(__file__).resolve().parent.parent / "i18n"
KEYWORDS = {"_": None, "_l": None, "N_": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2),
            "lazy_ngettext": (1, 2)}
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
LANGS = ("zh_CN", "en")


def extract(folder: Path) -> Catalog:
    """A template catalog of every message under ``folder`` (Python and Jinja2 templates)."""
    catalog = Catalog(project="Tixi")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(folder), METHODS, keywords=KEYWORDS, options_map={"**/templates/**.html": {"extensions": "jinja2.ext.do"}},
    ):
        catalog.add(message, None, [(str(folder.name + "/" + filename), lineno)], auto_comments=comments,
                    context=context)
    return catalog


def update(template: Catalog, i18n_dir: Path) -> None:
    """Write ``zh_CN`` and ``en`` catalogs in ``i18n_dir`` from ``template``, keeping translations.

    English is the source language: new English entries get the msgid; new
    Chinese entries stay empty for a translator.
    """
    for lang in LANGS:
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


def read_catalog(i18n_dir: Path, lang: str) -> dict[str, str]:
    """``msgid -> text`` of one language's catalog (empty when the file is missing)."""
    po = i18n_dir / lang / "LC_MESSAGES" / "messages.po"
    if not po.is_file():
        return {}
    with po.open("rb") as fh:
        return {m.id if isinstance(m.id, str) else m.id[0]: (m.string if isinstance(m.string, str) else m.string[0])
                for m in read_po(fh, locale=lang) if m.id and not m.fuzzy}


def missing_translations(addon_dir: Path, also: list[Path] | None = None) -> dict[str, list[str]]:
    """Messages of an addon folder without a zh_CN text or an en entry, per language.

    The addon's ``i18n/`` and the kernel's are merged at run time, so either
    may hold a message; ``also`` adds more catalog folders (a dependency's).
    """
    folders = [Path(addon_dir) / "i18n", KERNEL_I18N, *(also or [])]
    messages = sorted({m.id if isinstance(m.id, str) else m.id[0] for m in extract(Path(addon_dir)) if m.id})
    out: dict[str, list[str]] = {}
    for lang in LANGS:
        merged: dict[str, str] = {}
        for folder in folders:
            merged.update({k: v for k, v in read_catalog(folder, lang).items() if v or lang == "en"})
        if lang == "zh_CN":
            out[lang] = [m for m in messages if not merged.get(m)]
        else:
            out[lang] = [m for m in messages if m not in merged]
    return out
