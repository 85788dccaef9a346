"""Catalog completeness and glossary checks for the kernel and every addon folder present.

Messages are extracted from the sources (Python ``_``/``_l``/``gettext``/
``lazy_gettext`` and Jinja2 templates). A kernel message needs a translation in
``i18n/``; an addon message in the addon's ``i18n/`` or the kernel's (they are
merged at run time). zh_CN must be filled; en must have the entry (it may equal
the msgid). The glossary (``i18n/glossary.yaml``) keeps business terms
consistent: a msgid containing "Customer" must be translated with 客户, etc.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from functools import cache
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

from core.config import PROJECT_ROOT

I18N = PROJECT_ROOT / "i18n"
ADDON_DIRS = sorted(
    [p for p in (PROJECT_ROOT / "addons").iterdir() if (p / "addon.toml").is_file()]
    + [p for p in (PROJECT_ROOT / "tests" / "web" / "addons").iterdir() if (p / "addon.toml").is_file()]
)


@cache
def _tool():
    spec = importlib.util.spec_from_file_location("tixi_update_catalogs", I18N / "update_catalogs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@cache
def _catalog(folder: Path, lang: str) -> dict[str, str]:
    po = folder / lang / "LC_MESSAGES" / "messages.po"
    if not po.is_file():
        return {}
    with po.open("rb") as fh:
        return {m.id if isinstance(m.id, str) else m.id[0]: (m.string if isinstance(m.string, str) else m.string[0])
                for m in read_po(fh, locale=lang) if m.id and not m.fuzzy}


def _messages(folder: Path) -> list[str]:
    return sorted({m.id if isinstance(m.id, str) else m.id[0] for m in _tool().extract(folder) if m.id})


def _missing(messages: list[str], folders: list[Path]) -> dict[str, list[str]]:
    out = {}
    for lang in ("zh_CN", "en"):
        merged: dict[str, str] = {}
        for f in folders:
            merged.update({k: v for k, v in _catalog(f, lang).items() if v or lang == "en"})
        if lang == "zh_CN":
            out[lang] = [m for m in messages if not merged.get(m)]
        else:
            out[lang] = [m for m in messages if m not in merged]
    return out


def test_kernel_catalogs_complete():
    missing = _missing(_messages(PROJECT_ROOT / "core"), [I18N])
    assert missing == {"zh_CN": [], "en": []}, (
        f"untranslated kernel messages (run python3 i18n/update_catalogs.py, then translate): {missing}"
    )


@pytest.mark.parametrize("addon", ADDON_DIRS, ids=[p.name for p in ADDON_DIRS])
def test_addon_catalogs_complete(addon: Path):
    messages = _messages(addon)
    missing = _missing(messages, [addon / "i18n", I18N])
    assert missing == {"zh_CN": [], "en": []}, (
        f"{addon.name}: untranslated messages (python3 i18n/update_catalogs.py --addon {addon}): {missing}"
    )


def test_outside_addon_catalog_check(tmp_path):
    """``core.testing.assert_catalogs_complete``: the same check for an addon in any folder."""
    from core.testing import assert_catalogs_complete

    addon = tmp_path / "outside"
    (addon / "i18n" / "zh_CN" / "LC_MESSAGES").mkdir(parents=True)
    (addon / "i18n" / "en" / "LC_MESSAGES").mkdir(parents=True)
    (addon / "views.py").write_text('from core.i18n import _l\nTITLE = _l("Outside visits")\n', encoding="utf-8")
    with pytest.raises(AssertionError, match="Outside visits"):
        assert_catalogs_complete(addon)
    for lang, text in (("zh_CN", "外部拜访"), ("en", "Outside visits")):
        po = addon / "i18n" / lang / "LC_MESSAGES" / "messages.po"
        po.write_text(f'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                      f'msgid "Outside visits"\nmsgstr "{text}"\n', encoding="utf-8")
    assert_catalogs_complete(addon)


def _term_pattern(term: str) -> re.Pattern:
    words = term.split()
    last = words[-1]
    if last.lower().endswith("y") and last.lower()[-2:] not in ("ay", "ey", "oy"):
        last = re.escape(last[:-1]) + "(?:y|ies)"
    elif last.lower().endswith("person"):
        last = re.escape(last[:-6]) + "(?:person|people|persons)"
    else:
        last = re.escape(last) + "(?:s|es)?"
    body = r"\s+".join([*(re.escape(w) for w in words[:-1]), last])
    return re.compile(rf"\b{body}\b", re.IGNORECASE)


def test_glossary_terms_translated_consistently():
    glossary = yaml.safe_load((I18N / "glossary.yaml").read_text(encoding="utf-8"))
    terms = {term: (_term_pattern(term), zh) for term, zh in glossary["terms"].items()}
    exceptions = set(glossary.get("exceptions") or [])
    problems = []
    for folder in [I18N, *(a / "i18n" for a in ADDON_DIRS)]:
        for msgid, text in _catalog(folder, "zh_CN").items():
            if not text or msgid in exceptions:
                continue
            for term, (pattern, zh) in terms.items():
                if pattern.search(msgid) and zh not in text:
                    problems.append(f"{folder.relative_to(PROJECT_ROOT)}: {msgid!r} -> {text!r} lacks {zh} ({term})")
    assert not problems, "\n".join(problems)


def test_glossary_patterns():
    assert _term_pattern("Territory").search("Territories of the company")
    assert _term_pattern("Customer").search("New customers")
    assert _term_pattern("Salesperson").search("Salespeople")
    assert not _term_pattern("Contact").search("Contacted")


GETTEXT_NAMES = {"_", "_l", "gettext", "lazy_gettext", "ngettext"}


def _gettext_in_fstrings(source: str) -> list[int]:
    """Line numbers where a gettext function is called inside an f-string."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Call) and getattr(inner.func, "id", None) in GETTEXT_NAMES:
                    lines.append(inner.lineno)
    return lines


def test_gettext_in_f_string_is_detected():
    assert _gettext_in_fstrings("x = f'<li class=\"a\">{escape(_(\"Nothing\"))}</li>'") == [1]
    assert _gettext_in_fstrings("label = _('x')\nx = f'{label}'") == []


def test_no_gettext_inside_f_strings():
    """Babel's extractor does not look inside f-strings: a message there would never be translated."""
    offenders = []
    for folder in [PROJECT_ROOT / "core", *ADDON_DIRS]:
        for path in folder.rglob("*.py"):
            for n in _gettext_in_fstrings(path.read_text(encoding="utf-8")):
                offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{n}")
    assert offenders == [], f"move the gettext call out of the f-string: {offenders}"


def test_one_translation_per_message_across_catalogs():
    """The kernel's and the addons' catalogs are merged at run time: a message has one Chinese text.

    Two catalogs giving the same msgid different words would make the page's
    wording depend on which addon was loaded last; where the meanings really
    differ, the English msgids must differ too ("Job title", "Valid from").
    """
    seen: dict[str, dict[str, str]] = {}
    for folder in [I18N, *(a / "i18n" for a in ADDON_DIRS)]:
        for msgid, text in _catalog(folder, "zh_CN").items():
            if text:
                seen.setdefault(msgid, {})[str(folder.relative_to(PROJECT_ROOT))] = text
    conflicts = {m: where for m, where in seen.items() if len(set(where.values())) > 1}
    assert not conflicts, "\n".join(f"{m!r}: {where}" for m, where in sorted(conflicts.items()))
