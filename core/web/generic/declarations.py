"""Declarations of a generic view: columns, filters, tabs, related lists, buttons, form fields.

Also the text helpers they use: ``tr``, ``display_name``, ``escape_formula``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import get_locale

from core.web.i18n import catalog_lang

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# ----- declarations ------------------------------------------------------------------------
@dataclass
class Col:
    """A list column: a model column name, or a computed one with ``value(record)``."""

    name: str
    label: Any = None
    value: Callable[[Any], Any] | None = None
    sortable: bool = True


@dataclass
class Filter:
    """A list filter on ``field`` (default: ``name``).

    ``choices``: ``[(value, label)]`` or ``callable(env) -> [(value, label)]``;
    default: the target records of a foreign key, yes/no for booleans, the enum
    members, the view's ``choices`` for the field. ``apply(stmt, value, env)``
    replaces the default ``field == value`` condition.
    """

    name: str
    label: Any
    field: str | None = None
    choices: Any = None
    apply: Callable[[Any, str, Any], Any] | None = None


@dataclass
class Tab:
    """A detail-page tab; ``render(env, record)`` returns HTML (Markup or escaped str)."""

    key: str
    label: Any
    render: Callable[[Any, Any], Any]
    sequence: int = 100


@dataclass
class Related:
    """A related list on the detail page: rows of ``model`` whose ``fk`` points to the record.

    ``view`` is the name of the related model's ModelView (rows then link to it).
    """

    key: str
    label: Any
    model: type
    fk: str
    columns: Sequence[str | Col] = ()
    view: str | None = None
    limit: int = 50


@dataclass
class Button:
    """A detail-page button that POSTs to ``action(env, record)``.

    The action may return a message to flash, or a Flask response. ``perm`` is
    the access right needed on the record (checked with its rules); ``groups``
    optionally restricts the button; ``visible(env, record)`` may hide it.
    """

    key: str
    label: Any
    action: Callable[[Any, Any], Any]
    perm: str = "write"
    groups: Sequence[str] = ()
    visible: Callable[[Any, Any], bool] | None = None
    style: str = "secondary"
    confirm: Any = None


@dataclass
class FormField:
    """A form field that needs more than the generated one: ``field`` is an unbound WTForms field."""

    name: str
    field: Any


def tr(value: Any) -> str:
    """A label as text in the current language (lazy strings and ``{zh_CN, en}`` dicts)."""
    if value is None:
        return ""
    if isinstance(value, dict):
        lang = catalog_lang(get_locale())
        return value.get(lang) or value.get(lang.split("_")[0]) or next(iter(value.values()), "")
    return str(value)


def display_name(obj: Any) -> str:
    """Short human label of a record (``display_name``, ``name``, ``title``, ``code`` ...)."""
    if obj is None:
        return ""
    display = getattr(obj, "display", None)
    if callable(display):
        try:
            return str(display(catalog_lang(get_locale())))
        except TypeError:
            pass
    for attr in ("display_name", "name", "title", "code", "login"):
        value = getattr(obj, attr, None)
        if value not in (None, "") and not callable(value):
            return str(value)
    return f"#{getattr(obj, 'id', '?')}"


def escape_formula(value: Any) -> Any:
    """Protect spreadsheet cells against formula injection (prefix ``'``)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
