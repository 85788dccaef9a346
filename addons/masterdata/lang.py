"""Translations of this addon's messages outside and inside a web request.

Messages are marked with :func:`N_` (extracted by Babel) and translated with
:func:`translate` into the user's language, read straight from the addon's
``i18n/<lang>/LC_MESSAGES/messages.po`` (no compiled catalog needed), so CLI
imports, tests and web pages give the same words. Unknown languages fall back
to Chinese, the product's default.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

I18N_DIRS = [Path(__file__).resolve().parent / "i18n"]
DEFAULT_LANG = "zh_CN"


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a message for extraction; translate it later with :func:`translate`."""
    return message


def normalise(lang: str | None) -> str:
    """``zh``, ``zh-CN``, ``zh_Hans_CN`` -> ``zh_CN``; ``en-US`` -> ``en``; else the default."""
    if not lang:
        return DEFAULT_LANG
    low = str(lang).replace("-", "_").lower()
    if low.startswith("zh"):
        return "zh_CN"
    if low.startswith("en"):
        return "en"
    return DEFAULT_LANG


@lru_cache(maxsize=8)
def _catalog(lang: str) -> dict[str, str]:
    from babel.messages.pofile import read_po

    out: dict[str, str] = {}
    for folder in I18N_DIRS:
        po = folder / lang / "LC_MESSAGES" / "messages.po"
        if po.is_file():
            with po.open("rb") as fh:
                for msg in read_po(fh):
                    if msg.id and msg.string and isinstance(msg.id, str):
                        out[msg.id] = msg.string
    return out


def translate(lang: str | None, message: str, **kwargs: Any) -> str:
    """``message`` in ``lang``, with ``%(name)s`` placeholders filled from ``kwargs``."""
    text = _catalog(normalise(lang)).get(message, message)
    return text % kwargs if kwargs else text


def env_lang(env: Any) -> str:
    """The language of the env's user: the web request's locale, else their preference."""
    try:
        from flask import has_request_context

        if has_request_context():
            from flask_babel import get_locale

            loc = get_locale()
            if loc is not None:
                return normalise(str(loc))
    except ImportError:  # pragma: no cover - Flask is a dependency
        pass
    return normalise(getattr(getattr(env, "user", None), "lang", None))
