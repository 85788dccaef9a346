"""The one labelling and translation path of Tixi: languages, messages, choice and field labels.

Every addon and the kernel translate through this module, inside a web
request and outside one (CLI commands, jobs, exports, e-mails in the
recipient's language), so the same message gives the same words everywhere.

* **The current language** (:func:`current_lang`): inside :func:`use_lang`
  the language given there; else, in a web request, the request's locale
  (the user's preference, else the browser, else Chinese); else the env
  user's preference; else ``zh_CN``, the product's default.
* **Messages** are English msgids in Babel catalogs: the kernel's ``i18n/``
  plus each loaded addon's ``i18n/`` (the registry adds them with
  :func:`add_catalog_dir`). :func:`gettext` (``_``) translates now,
  :func:`lazy_gettext` (``_l``) when the text is shown (module-level labels,
  menus, form fields), :data:`N_` only marks a message for extraction.
* **Choice labels**: :class:`Choices` maps stored keys to lazily translated
  labels; put it in a column's ``info={"selection": ...}`` and lists, forms,
  filters and exports show the label in the reader's language.
* **Reference data** users see and edit (stage names, class names,
  competency texts) stays stored in both languages (``{"zh_CN": ..., "en":
  ...}`` or ``name_zh``/``name_en`` columns); :func:`label` picks the
  current language's text of either form.

Example::

    from core.i18n import Choices, N_, _, _l, current_lang, label, use_lang

    VISIT_KIND = Choices({"first": N_("First visit"), "follow_up": N_("Follow-up")})
    kind = mapped_column(String(16), info={"selection": VISIT_KIND, "label": _l("Kind")})

    VISIT_KIND.label("first")            # '首次拜访' for a Chinese reader
    with use_lang("en"):                 # a job writing to an English-speaking user
        body = _("%(n)s visits are due.", n=3)
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel import support
from babel.messages.pofile import read_po

if TYPE_CHECKING:
    from core.security.env import Env

__all__ = [
    "DEFAULT_LANG",
    "LANGUAGES",
    "Choices",
    "LazyText",
    "N_",
    "_",
    "_l",
    "add_catalog_dir",
    "choice_label",
    "current_lang",
    "field_label",
    "gettext",
    "label",
    "lazy_gettext",
    "ngettext",
    "normalise",
    "translate",
    "use_lang",
]

LANGUAGES: tuple[str, ...] = ("zh_CN", "en")
DEFAULT_LANG = "zh_CN"
KERNEL_I18N = Path(__file__).resolve().parent.parent / "i18n"

_catalog_dirs: list[Path] = [KERNEL_I18N]
_forced_lang: contextvars.ContextVar[str | None] = contextvars.ContextVar("tixi_lang", default=None)


# ----- languages -----------------------------------------------------------------------------
def normalise(lang: Any) -> str:
    """``zh``, ``zh-CN``, ``zh_Hans_CN`` -> ``zh_CN``; ``en-US`` -> ``en``; anything else -> zh_CN."""
    if not lang:
        return DEFAULT_LANG
    low = str(lang).replace("-", "_").lower()
    if low.startswith("en"):
        return "en"
    return DEFAULT_LANG


@contextmanager
def use_lang(lang: str | None) -> Iterator[str]:
    """Translate in ``lang`` inside the block (CLI, jobs, notifications to another user)."""
    token = _forced_lang.set(normalise(lang))
    try:
        yield _forced_lang.get() or DEFAULT_LANG
    finally:
        _forced_lang.reset(token)


def _request_lang() -> str | None:
    try:
        from flask import has_request_context
    except ImportError:  # pragma: no cover - Flask is a dependency
        return None
    if not has_request_context():
        return None
    from flask_babel import get_locale

    loc = get_locale()
    return normalise(str(loc)) if loc is not None else None


def current_lang(env: Env | None = None) -> str:
    """The language to speak now: :func:`use_lang`, else the request, else ``env``'s user."""
    forced = _forced_lang.get()
    if forced:
        return forced
    req = _request_lang()
    if req:
        return req
    user = getattr(env, "user", None)
    return normalise(getattr(user, "lang", None))


# ----- catalogs ------------------------------------------------------------------------------
def add_catalog_dir(folder: Path) -> None:
    """Add an addon's ``i18n`` folder to the merged catalogs (the registry calls it at load)."""
    folder = Path(folder)
    if folder.is_dir() and folder not in _catalog_dirs:
        _catalog_dirs.append(folder)
        _translations.cache_clear()


def reload() -> None:
    """Forget the merged catalogs (after a ``.po`` was recompiled)."""
    _translations.cache_clear()


def catalog_dirs() -> list[Path]:
    """The kernel catalog folder, then each loaded addon's (in load order)."""
    return list(_catalog_dirs)


def _read_catalog(folder: Path, lang: str) -> support.Translations | None:
    po = folder / lang / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    if mo.is_file() and (not po.is_file() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as fh:
            return support.Translations(fh)
    if not po.is_file():
        return None
    # No compiled catalog (a CLI run before the app compiled them): read the .po.
    import io

    from babel.messages.mofile import write_mo

    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return support.Translations(buf)


@lru_cache(maxsize=8)
def _translations(lang: str) -> support.Translations:
    merged = support.Translations()
    for folder in _catalog_dirs:
        part = _read_catalog(folder, lang)
        if part is not None:
            merged.merge(part)
    return merged


def translations(lang: str) -> support.Translations:
    """The merged kernel + addon translations of ``lang`` (cached per process)."""
    return _translations(normalise(lang))


def _fill(text: str, kwargs: Mapping[str, Any]) -> str:
    return text % kwargs if kwargs else text


# ----- messages ------------------------------------------------------------------------------
def translate(message: str, lang: str | None, **kwargs: Any) -> str:
    """``message`` in ``lang`` with ``%(name)s`` placeholders filled from ``kwargs``."""
    return _fill(translations(lang or DEFAULT_LANG).gettext(message), kwargs)


def gettext(message: str, **kwargs: Any) -> str:
    """``message`` in the current language (:func:`current_lang`), placeholders filled."""
    return translate(message, current_lang(), **kwargs)


def ngettext(singular: str, plural: str, num: int, **kwargs: Any) -> str:
    """Singular or plural form of a message in the current language; ``num`` is a placeholder."""
    kwargs.setdefault("num", num)
    return _fill(translations(current_lang()).ngettext(singular, plural, num), kwargs)


class LazyText:
    """A message translated when it is shown, in the language current at that moment."""

    __slots__ = ("message", "kwargs")

    def __init__(self, message: str, **kwargs: Any) -> None:
        self.message = message
        self.kwargs = kwargs

    def __str__(self) -> str:
        return gettext(self.message, **self.kwargs)

    def in_lang(self, lang: str) -> str:
        """The text in ``lang`` whatever the current language."""
        return translate(self.message, lang, **self.kwargs)

    def __html__(self) -> str:
        from markupsafe import escape

        return str(escape(str(self)))

    def __repr__(self) -> str:
        return f"_l({self.message!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyText):
            return (self.message, self.kwargs) == (other.message, other.kwargs)
        return str(self) == other

    def __hash__(self) -> int:
        return hash(self.message)

    def __len__(self) -> int:
        return len(str(self))

    def __add__(self, other: Any) -> str:
        return str(self) + str(other)

    def __radd__(self, other: Any) -> str:
        return str(other) + str(self)

    def __mod__(self, other: Any) -> str:
        return str(self) % other

    def __getattr__(self, name: str) -> Any:
        # str methods (upper, format, startswith ...) on the translated text
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(str(self), name)


def lazy_gettext(message: str, **kwargs: Any) -> LazyText:
    """``message``, translated each time it is shown (module-level labels, forms, menus)."""
    return LazyText(message, **kwargs)


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a message for extraction only; translate it later (``Choices`` does)."""
    return message


_ = gettext
_l = lazy_gettext


# ----- labels --------------------------------------------------------------------------------
def label(value: Any, lang: str | None = None) -> str:
    """Text of any label in ``lang`` (default: current): lazy message, ``{zh_CN, en}`` dict, str."""
    if value is None:
        return ""
    lang = normalise(lang) if lang else current_lang()
    if isinstance(value, LazyText):
        return value.in_lang(lang)
    if isinstance(value, Mapping):
        if lang in value or "en" in value or "zh_CN" in value:
            return str(value.get(lang) or value.get("en") or value.get("zh_CN") or "")
        return str(next(iter(value.values()), ""))
    if hasattr(value, "_args") and hasattr(value, "_func"):  # flask_babel's LazyString
        return str(value)
    return str(value)


class Choices(Mapping[str, LazyText]):
    """Stored keys of a selection and their translated labels, in display order.

    ``Choices({"prospect": N_("Prospect"), "active": N_("Active")})``; the
    English msgids get their Chinese text from the addon's catalog.
    """

    def __init__(self, items: Mapping[str, str] | list[tuple[str, str]]) -> None:
        pairs = list(items.items()) if isinstance(items, Mapping) else list(items)
        self._items: dict[str, LazyText] = {k: LazyText(str(v)) for k, v in pairs}

    def __getitem__(self, key: str) -> LazyText:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def label(self, key: str | None, lang: str | None = None) -> str:
        """The label of ``key`` in ``lang`` (default: current); the key itself when unknown."""
        if key is None:
            return ""
        entry = self._items.get(key)
        return key if entry is None else label(entry, lang)

    def choices(self, lang: str | None = None) -> list[tuple[str, str]]:
        """``[(key, label), ...]`` for a select field."""
        return [(k, label(v, lang)) for k, v in self._items.items()]

    def msgid(self, key: str) -> str:
        """The English msgid of a key (for catalogs and tests)."""
        return self._items[key].message


def choice_label(selection: Any, key: str | None, lang: str | None = None) -> str:
    """Label of ``key`` in a column's ``info['selection']`` (:class:`Choices` or a dict of labels)."""
    if key is None:
        return ""
    if isinstance(selection, Choices):
        return selection.label(key, lang)
    if isinstance(selection, Mapping) and key in selection:
        return label(selection[key], lang)
    return str(key)


def value_label(record: Any, field: str, lang: str | None = None) -> str:
    """A record's choice value as its reader sees it: ``state`` ``"draft"`` → 草稿.

    The label comes from the column's ``info['selection']``; a column without
    one gives the value as text. Use it in every ``display()`` that shows a
    coded value, so that no page prints the code.
    """
    value = getattr(record, field, None)
    column = type(record).__table__.c.get(field) if hasattr(type(record), "__table__") else None
    if column is not None and column.info.get("selection") is not None:
        return choice_label(column.info["selection"], value, lang)
    return "" if value is None else str(value)


def field_label(model: type, field: str, lang: str | None = None) -> str:
    """Label of a model's column: ``info['label']`` in ``lang``, else the column name."""
    column = getattr(getattr(model, "__table__", None), "c", {}).get(field) if hasattr(model, "__table__") else None
    if column is not None and column.info.get("label") is not None:
        return label(column.info["label"], lang)
    return field.replace("_", " ")


def model_label(model: type, lang: str | None = None) -> str:
    """Label of a model: its ``__tixi_label__`` in ``lang``, else the table name."""
    value = getattr(model, "__tixi_label__", None)
    return label(value, lang) if value is not None else getattr(model, "__tablename__", model.__name__)


def compiled_stale(folder: Path) -> bool:
    """Whether some ``.po`` under ``folder`` is newer than its ``.mo`` (for diagnostics)."""
    for po in folder.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            return True
    return False


