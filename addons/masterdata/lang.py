"""deprecated: use :mod:`core.i18n` (kept for crm_cards and pricing until they are converted)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core import i18n
from core.i18n import DEFAULT_LANG, N_, normalise

if TYPE_CHECKING:
    from core.security.env import Env

__all__ = ["DEFAULT_LANG", "N_", "env_lang", "normalise", "translate"]


def translate(lang: str | None, message: str, **kwargs: Any) -> str:
    """deprecated: use core.i18n.translate(message, lang, **kwargs) (note the order)."""
    return i18n.translate(message, lang, **kwargs)


def env_lang(env: Env | None) -> str:
    """deprecated: use core.i18n.current_lang(env)."""
    return i18n.current_lang(env)
