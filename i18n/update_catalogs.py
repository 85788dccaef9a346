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
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.i18n_catalogs import KEYWORDS, METHODS, extract, update  # noqa: E402

__all__ = ["KEYWORDS", "METHODS", "extract", "update"]


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
