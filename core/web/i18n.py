"""Flask-Babel's side of :mod:`core.i18n`: catalogs compiled at app start, one merged domain.

``.mo`` files are git-ignored: :func:`compile_catalogs` compiles each ``.po``
whose ``.mo`` is missing or older at app start (Babel's ``write_mo``). The
translations themselves come from :func:`core.i18n.translations`, so pages,
CLI commands, jobs and exports share one catalog and one language rule.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from babel import support
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import Domain, get_locale

from core import i18n
from core.config import PROJECT_ROOT

LANGUAGES = i18n.LANGUAGES
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}
KERNEL_I18N = PROJECT_ROOT / "i18n"
log = logging.getLogger(__name__)


def translation_dirs(registry: Any) -> list[Path]:
    """The kernel catalog folder, then each installed addon's ``i18n`` folder."""
    dirs = [KERNEL_I18N]
    for name in registry.modules:
        manifest = registry.manifests.get(name)
        if manifest is not None and (manifest.path / "i18n").is_dir():
            dirs.append(manifest.path / "i18n")
    for folder in dirs:
        i18n.add_catalog_dir(folder)
    return dirs


def compile_catalogs(dirs: list[Path]) -> list[Path]:
    """Compile ``<dir>/<lang>/LC_MESSAGES/messages.po`` to ``.mo`` where missing or stale."""
    written: list[Path] = []
    for folder in dirs:
        for po in folder.glob("*/LC_MESSAGES/messages.po"):
            mo = po.with_suffix(".mo")
            if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
                continue
            try:
                with po.open("rb") as fh:
                    catalog = read_po(fh, locale=po.parent.parent.name)
                tmp = mo.with_name(f".{mo.name}.{os.getpid()}.tmp")
                with tmp.open("wb") as fh:
                    write_mo(fh, catalog)
                os.replace(tmp, mo)  # atomic: another worker never reads half a file
                written.append(mo)
                i18n.reload()
            except OSError as exc:  # read-only installation: translations fall back to msgids
                log.warning("cannot compile %s: %s", po, exc)
    return written


def catalog_lang(locale: Any) -> str:
    """The catalog folder of a Babel locale (``zh_Hans_CN`` -> ``zh_CN``; else ``en``)."""
    if locale is None:
        return "zh_CN"
    return "zh_CN" if getattr(locale, "language", str(locale)[:2]) == "zh" else "en"


class TixiDomain(Domain):
    """Merged catalogs of the kernel and the addons, looked up by catalog folder name.

    Babel parses ``zh_CN`` as ``zh_Hans_CN``, which gettext would look for in a
    ``zh_Hans_CN`` or ``zh`` folder; our folders are ``zh_CN`` and ``en``.
    """

    def __init__(self, dirs: list[Path]) -> None:
        super().__init__(translation_directories=[str(d) for d in dirs])

    def get_translations(self) -> Any:
        """The merged translations for the request's language (cached per app)."""
        locale = get_locale()
        if locale is None:
            return support.NullTranslations()
        return i18n.translations(catalog_lang(locale))
