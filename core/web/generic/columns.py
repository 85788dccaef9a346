"""The model side of a :class:`~core.web.generic.ModelView`: columns, labels, extensions, values."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask import g, request

from core.i18n import field_label
from core.web.generic.declarations import Col, FormField, display_name, tr
from core.web.generic.labels import (
    _col,
    _relationship_for,
    _target_model,
    fk_label,
    format_cell,
    format_money,
    prefetch_labels,
)

if TYPE_CHECKING:
    from core.security.env import Env

_GENERIC_LABELS: dict[str, Any] = {}


class ColumnsMixin:
    """Model introspection and value formatting of a :class:`~core.web.generic.ModelView`."""

    @property
    def table(self) -> Any:
        """The model's table."""
        return self.model.__table__

    def column(self, name: str) -> Any:
        """The table column ``name`` (None for computed columns)."""
        return self.table.c.get(name)

    def field_label(self, name: str) -> str:
        """Translated label of a field: view ``field_labels``, else column ``info['label']``."""
        if name in self.field_labels:
            return tr(self.field_labels[name])
        col = self.column(name)
        if col is not None and col.info.get("label") is not None:
            return field_label(self.model, name)
        return tr(_GENERIC_LABELS.get(name)) or name.removesuffix("_id").replace("_", " ").capitalize()

    def relationship_for(self, name: str) -> Any:
        """The many-to-one relationship whose foreign key is column ``name``."""
        return _relationship_for(self.model, name)

    def target_model(self, name: str) -> type | None:
        """The model a foreign-key column points to."""
        return _target_model(self.model, name)

    def extensions(self, env: Env) -> dict[str, list[Any]]:
        """Columns, fields, tabs and buttons other addons add through ``tixi_view_extend``."""
        cache = g.setdefault("_tixi_view_ext", {})
        if self.name not in cache:
            merged: dict[str, list[Any]] = {"columns": [], "fields": [], "tabs": [], "buttons": []}
            for part in env.hooks.tixi_view_extend(view=self.name, env=env):
                for key, values in (part or {}).items():
                    merged.setdefault(key, []).extend(values)
            cache[self.name] = merged
        return cache[self.name]

    def _visible(self, env: Env, cols: Iterable[Col]) -> list[Col]:
        return [c for c in cols if c.value is not None or env.field_visible(self.model, c.name)]

    def available_columns(self, env: Env) -> list[Col]:
        """Every column the user may show in the list (declared, optional and extension ones)."""
        ext = [_col(c) for c in self.extensions(env)["columns"]]
        seen: set[str] = set()
        out = []
        for c in self._visible(env, [*self.list_columns, *ext, *self.optional_columns]):
            if c.name not in seen:
                seen.add(c.name)
                out.append(c)
        return out

    def default_columns(self, env: Env) -> list[Col]:
        """Columns shown when the user has not chosen any."""
        ext = [_col(c) for c in self.extensions(env)["columns"]]
        return self._visible(env, [*self.list_columns, *ext])

    def shown_columns(self, env: Env) -> list[Col]:
        """The columns chosen in the request (``?cols=a,b``), else the defaults."""
        chosen = [c for c in request.args.getlist("cols") for c in c.split(",") if c]
        if not chosen:
            return self.default_columns(env)
        avail = {c.name: c for c in self.available_columns(env)}
        return [avail[n] for n in chosen if n in avail] or self.default_columns(env)

    def detail_columns(self, env: Env) -> list[Col]:
        """Fields shown on the detail page (restricted ones removed)."""
        from core.web.generic.extensions import FormExtension

        ext = [_col(c) for c in self.extensions(env)["fields"] if not isinstance(c, FormField | FormExtension)]
        return self._visible(env, [*self.detail_fields, *ext])

    # ----- formatting ------------------------------------------------------------------------
    def raw_value(self, record: Any, col: Col) -> Any:
        """The value of a column for a record (related records as their display name)."""
        if col.value is not None:
            return col.value(record)
        value = getattr(record, col.name, None)
        if value is not None and not isinstance(value, bool) and col.name in self.table.c:
            target = self.target_model(col.name)
            if target is not None:  # through Env: a record the user cannot read is "Restricted #id"
                return fk_label(target, value)
        rel = self.relationship_for(col.name)
        if rel is not None:
            return display_name(getattr(record, rel.key))
        labels = self._static_labels(col.name)
        if labels is not None and value is not None:
            return labels.get(value, value)
        if isinstance(value, enum.Enum):
            return value.value
        if value is not None and not isinstance(value, bool):
            target = self.target_model(col.name)
            if target is not None:
                return fk_label(target, value)
        return value

    def format_value(self, record: Any, col: Col) -> Any:
        """A column value formatted for the user's locale and timezone (money with the company currency)."""
        column = self.column(col.name)
        value = self.raw_value(record, col)
        if column is not None and column.info.get("money") and isinstance(value, Decimal):
            return format_money(value)
        return format_cell(value, column)

    def prefetch(self, rows: Sequence[Any], cols: Sequence[Col], model: type | None = None) -> None:
        """Load the labels of the foreign keys shown, through Env, in one query per column."""
        model = model or self.model
        for c in cols:
            if c.value is not None:
                continue
            target = _target_model(model, c.name)
            if target is None:
                continue
            ids = {getattr(r, c.name) for r in rows} - {None}
            prefetch_labels(target, ids)

    def _static_choices(self, name: str) -> list[tuple[Any, Any]] | None:
        cache = g.setdefault("_tixi_choices", {})
        key = (self.name, name)
        if key not in cache:
            cache[key] = self._compute_choices(name)
        return cache[key]

    def _static_labels(self, name: str) -> dict[Any, str] | None:
        cache = g.setdefault("_tixi_choice_labels", {})
        key = (self.name, name)
        if key not in cache:
            choices = self._static_choices(name)
            cache[key] = None if choices is None else {v: tr(lbl) for v, lbl in choices}
        return cache[key]

    def _compute_choices(self, name: str) -> list[tuple[Any, Any]] | None:
        choices = self.choices.get(name)
        if choices is None:
            col = self.column(name)
            if col is not None and col.info.get("choices"):
                choices = col.info["choices"]
            elif col is not None and col.info.get("selection"):
                # core.i18n.Choices, or {value: {"zh_CN": ..., "en": ...}}
                choices = col.info["selection"]
        if callable(choices):
            choices = choices(g.env)
        if isinstance(choices, Mapping):
            choices = list(choices.items())
        return list(choices) if choices is not None else None
