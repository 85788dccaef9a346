"""Message catalogs: the kernel's ``i18n/`` plus every installed addon's ``i18n/`` folder.

``.mo`` files are git-ignored: :func:`compile_catalogs` compiles each ``.po``
whose ``.mo`` is missing or older at app start (Babel's ``write_mo``).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from core.config import PROJECT_ROOT

LANGUAGES = ("zh_CN", "en")
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
    return dirs


def compile_catalogs(dirs: list[Path]) -> list[Path]:
    """Compile ``<dir>/<lang>/LC_MESSAGES/messages.po`` to ``.mo`` where missing or stale."""
    written = []
    for folder in dirs:
        for po in folder.glob("*/LC_MESSAGES/messages.po"):
            mo = po.with_suffix(".mo")
            if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
                continue
            try:
                with po.open("rb") as fh:
                    catalog = read_po(fh, locale=po.parent.parent.name)
                with mo.open("wb") as fh:
                    write_mo(fh, catalog)
                written.append(mo)
            except OSError as exc:  # read-only installation: translations fall back to msgids
                log.warning("cannot compile %s: %s", po, exc)
    return written
