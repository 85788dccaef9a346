"""Translations of the pricing addon's messages, inside and outside a web request.

Messages are marked with :func:`N_` (extracted by Babel) and translated with
:func:`tr` into the env user's language (the request locale, else the user's
preference, else Chinese), read straight from ``i18n/<lang>/LC_MESSAGES/messages.po``
so that services, CLI, tests and pages give the same words.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

I18N_DIR = Path(__file__).resolve().parent / "i18n"
DEFAULT_LANG = "zh_CN"


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a message for extraction; translate it later with :func:`tr`."""
    return message


def normalise(lang: str | None) -> str:
    """``zh``/``zh-CN`` -> ``zh_CN``; ``en-US`` -> ``en``; anything else -> the default."""
    if not lang:
        return DEFAULT_LANG
    low = str(lang).replace("-", "_").lower()
    if low.startswith("en"):
        return "en"
    return DEFAULT_LANG


@lru_cache(maxsize=4)
def _catalog(lang: str) -> dict[str, str]:
    from babel.messages.pofile import read_po

    po = I18N_DIR / lang / "LC_MESSAGES" / "messages.po"
    out: dict[str, str] = {}
    if po.is_file():
        with po.open("rb") as fh:
            for msg in read_po(fh):
                if msg.id and msg.string and isinstance(msg.id, str):
                    out[msg.id] = msg.string
    return out


def env_lang(env: Any) -> str:
    """The language of the env's user: the web request's locale, else their preference."""
    from flask import has_request_context

    if has_request_context():
        from flask_babel import get_locale

        loc = get_locale()
        if loc is not None:
            return normalise(str(loc))
    return normalise(getattr(getattr(env, "user", None), "lang", None))


def translate(lang: str | None, message: str, **kwargs: Any) -> str:
    """``message`` in ``lang`` with ``%(name)s`` placeholders filled from ``kwargs``."""
    text = _catalog(normalise(lang)).get(message, message)
    return text % kwargs if kwargs else text


def tr(env: Any, message: str, **kwargs: Any) -> str:
    """``message`` in the env user's language."""
    return translate(env_lang(env), message, **kwargs)
