"""Declarations of a generic view: columns, filters, tabs, related lists, buttons, form fields.

Also the text helpers they use: ``tr``, ``display_name``, ``escape_formula``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from core.i18n import current_lang, label

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
    """A label as text in the current language (the templates' name for :func:`core.i18n.label`)."""
    return label(value)


def _takes_lang(method: Callable[..., Any]) -> bool:
    """Whether a record's ``display`` method accepts a language argument."""
    try:
        params = list(inspect.signature(method).parameters.values())
    except (TypeError, ValueError):  # builtins without a signature: try with the language
        return True
    return any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL) for p in params)


def display_name(obj: Any, lang: str | None = None) -> str:
    """Short human label of a record, in ``lang`` (default: :func:`core.i18n.current_lang`).

    In order: the record's ``display(lang)`` (or ``display()`` when it takes
    no language), its ``display_name``, ``name``, ``title``, ``code`` or
    ``login``, its own ``__str__``; ``#<id>`` only when none of these names it.
    """
    if obj is None:
        return ""
    display = getattr(obj, "display", None)
    if callable(display):
        value = display(lang or current_lang()) if _takes_lang(display) else display()
        if value not in (None, ""):
            return str(value)
    for attr in ("display_name", "name", "title", "code", "login"):
        value = getattr(obj, attr, None)
        if value not in (None, "") and not callable(value):
            return str(value)
    if type(obj).__str__ is not object.__str__:
        return str(obj)
    return f"#{getattr(obj, 'id', '?')}"


def escape_formula(value: Any) -> Any:
    """Protect spreadsheet cells against formula injection (prefix ``'``)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
