"""Generic views: list, detail and create/edit pages of a model from a short declaration.

An addon declares a :class:`ModelView` and registers it on its blueprint::

    from flask import Blueprint
    from flask_babel import lazy_gettext as _l
    from core.web.generic import Col, Filter, ModelView, Related, Tab

    bp = Blueprint("masterdata", __name__, template_folder="templates")

    customers = ModelView(
        name="masterdata.customer",          # <addon>.<key>: endpoints masterdata.customer_list, ...
        model=Customer,
        label=_l("Customer"), label_plural=_l("Customers"),
        list_columns=["code", "name", "territory_id", "owner_id", "credit_limit"],
        search_fields=["code", "name"],
        filters=[Filter("status", _l("Status")), Filter("territory_id", _l("Territory"))],
        form_fields=["code", "name", "territory_id", "owner_id", "credit_limit"],
        detail_fields=["code", "name", "territory_id", "owner_id", "credit_limit"],
        related=[Related("contacts", _l("Contacts"), Contact, fk="customer_id",
                         columns=["name", "phone"], view="masterdata.contact")],
        url_prefix="/customers",
    )
    customers.register(bp)

Everything goes through the request's :class:`core.security.env.Env` (``g.env``):
``env.select`` for every read (rights, company and record rules in SQL),
``env.create``/``env.write`` for saves (optimistic locking with the hidden
``version`` field), ``env.visible_fields`` so restricted fields never show in
the list, the detail page, the form or the export. Other addons extend a view
with the ``tixi_view_extend(view, env)`` hook (``columns``, ``fields``,
``tabs``, ``buttons``). See ``docs/web.md``.
"""

from __future__ import annotations

import datetime as dt
import enum
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import format_date, format_datetime, format_decimal, get_locale, get_timezone
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Enum,
    Integer,
    Numeric,
    String,
    Text,
    func,
    or_,
    select,
)
from sqlalchemy.orm import selectinload
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from core.errors import AccessDenied, ConcurrentEditError, ValidationError
from core.security.env import AddonNotEnabled
from core.web.i18n import catalog_lang

try:  # WTForms >= 3.3 deprecates (value, label) tuples
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover
    SelectChoice = None


def select_choices(pairs: Iterable[tuple[Any, Any]]) -> list[Any]:
    """Choices for a WTForms ``SelectField`` from ``(value, label)`` pairs."""
    if SelectChoice is None:
        return list(pairs)
    return [SelectChoice(v, str(lbl)) for v, lbl in pairs]


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXPORT_LIMIT = 100_000
FK_SELECT_LIMIT = 500  # more readable targets than this: the select gets a search box instead


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


# ----- the view ----------------------------------------------------------------------------
class ModelView:
    """List, detail, form and export pages (and JSON API exposure) of one model.

    Endpoints, for ``name="masterdata.customer"`` on blueprint ``masterdata``:
    ``masterdata.customer_list``, ``_new``, ``_detail`` (``id``), ``_edit``
    (``id``), ``_export``, ``_action`` (``id``, ``action``), ``_delete`` (``id``).
    """

    def __init__(
        self,
        name: str,
        model: type,
        list_columns: Sequence[str | Col],
        search_fields: Sequence[str] = (),
        filters: Sequence[Filter] = (),
        form_fields: Sequence[str | FormField] | None = None,
        detail_fields: Sequence[str | Col] | None = None,
        tabs: Sequence[Tab] = (),
        related: Sequence[Related] = (),
        buttons: Sequence[Button] = (),
        url_prefix: str | None = None,
        label: Any = None,
        label_plural: Any = None,
        optional_columns: Sequence[str | Col] = (),
        field_labels: dict[str, Any] | None = None,
        choices: dict[str, Any] | None = None,
        order_by: Sequence[str] = (),
        page_size: int = 50,
        workflow: str | None = None,
        workflow_amount: str | None = None,
        can_create: bool = True,
        can_edit: bool = True,
        can_delete: bool = False,
        export: bool = True,
        api: bool = True,
        templates: dict[str, str] | None = None,
        defaults: dict[str, Any] | None = None,
        new_endpoint: str | None = None,
        count_limit: int | None = 10_000,
    ) -> None:
        self.name = name
        self.model = model
        self.key = name.split(".", 1)[1].replace(".", "_") if "." in name else name
        self.list_columns = [_col(c) for c in list_columns]
        self.optional_columns = [_col(c) for c in optional_columns]
        self.search_fields = list(search_fields)
        self.filters = list(filters)
        self.form_fields = list(form_fields) if form_fields is not None else [
            c.name for c in self.list_columns if c.value is None
        ]
        self.detail_fields = [_col(c) for c in (detail_fields if detail_fields is not None else list_columns)]
        self.tabs = list(tabs)
        self.related = list(related)
        self.buttons = list(buttons)
        self.url_prefix = url_prefix or "/" + self.key.replace("_", "-")
        self.label = label if label is not None else getattr(model, "__tixi_label__", None) or self.key
        self.label_plural = label_plural if label_plural is not None else self.label
        self.field_labels = dict(field_labels or {})
        self.choices = dict(choices or {})
        self.order_by = list(order_by)
        self.page_size = page_size
        self.workflow = workflow
        self.workflow_amount = workflow_amount
        self.can_create = can_create
        self.can_edit = can_edit
        self.can_delete = can_delete
        self.export = export
        self.api = api
        self.templates = {"list": "generic/list.html", "detail": "generic/detail.html", "form": "generic/form.html"}
        self.templates.update(templates or {})
        self.defaults = dict(defaults or {})
        self.new_endpoint = new_endpoint
        self.count_limit = count_limit
        self.blueprint: str | None = None

    # ----- registration ----------------------------------------------------------------------
    def register(self, bp: Blueprint) -> ModelView:
        """Add the view's URL rules to ``bp`` and make it known to the app (JSON API)."""
        p, k = self.url_prefix.rstrip("/"), self.key
        bp.add_url_rule(f"{p}/", f"{k}_list", self.list_view)
        bp.add_url_rule(f"{p}/export.xlsx", f"{k}_export", self.export_view)
        bp.add_url_rule(f"{p}/new", f"{k}_new", self.form_view, methods=["GET", "POST"])
        bp.add_url_rule(f"{p}/<int:id>", f"{k}_detail", self.detail_view)
        bp.add_url_rule(f"{p}/<int:id>/edit", f"{k}_edit", self.form_view, methods=["GET", "POST"])
        bp.add_url_rule(f"{p}/<int:id>/action/<action>", f"{k}_action", self.action_view, methods=["POST"])
        bp.add_url_rule(f"{p}/<int:id>/delete", f"{k}_delete", self.delete_view, methods=["POST"])
        self.blueprint = bp.name

        def _record(state: Any) -> None:
            state.app.extensions.setdefault("tixi_views", {})[self.name] = self

        bp.record(_record)
        return self

    def endpoint(self, page: str) -> str:
        """Full endpoint of one of the view's pages (``list``, ``detail``, ``new`` ...)."""
        return f"{self.blueprint}.{self.key}_{page}"

    def menu_item(self, label: Any = None, sequence: int = 100, parent: str | None = None,
                  icon: str | None = None, group: Any = None) -> Any:
        """A :class:`core.web.menus.MenuItem` for the list page (hidden without read right)."""
        from core.web.menus import MenuItem

        return MenuItem(self.name, label if label is not None else self.label_plural, self.endpoint("list"),
                        model=self.model, sequence=sequence, parent=parent, icon=icon, group=group)

    # ----- model introspection ---------------------------------------------------------------
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
            return tr(col.info["label"])
        return tr(_GENERIC_LABELS.get(name)) or name.removesuffix("_id").replace("_", " ").capitalize()

    def relationship_for(self, name: str) -> Any:
        """The many-to-one relationship whose foreign key is column ``name``."""
        return _relationship_for(self.model, name)

    def target_model(self, name: str) -> type | None:
        """The model a foreign-key column points to."""
        return _target_model(self.model, name)

    def extensions(self, env: Any) -> dict[str, list[Any]]:
        """Columns, fields, tabs and buttons other addons add through ``tixi_view_extend``."""
        cache = g.setdefault("_tixi_view_ext", {})
        if self.name not in cache:
            merged: dict[str, list[Any]] = {"columns": [], "fields": [], "tabs": [], "buttons": []}
            for part in env.hooks.tixi_view_extend(view=self.name, env=env):
                for key, values in (part or {}).items():
                    merged.setdefault(key, []).extend(values)
            cache[self.name] = merged
        return cache[self.name]

    def _visible(self, env: Any, cols: Iterable[Col]) -> list[Col]:
        return [c for c in cols if c.value is not None or env.field_visible(self.model, c.name)]

    def available_columns(self, env: Any) -> list[Col]:
        """Every column the user may show in the list (declared, optional and extension ones)."""
        ext = [_col(c) for c in self.extensions(env)["columns"]]
        seen: set[str] = set()
        out = []
        for c in self._visible(env, [*self.list_columns, *ext, *self.optional_columns]):
            if c.name not in seen:
                seen.add(c.name)
                out.append(c)
        return out

    def default_columns(self, env: Any) -> list[Col]:
        """Columns shown when the user has not chosen any."""
        ext = [_col(c) for c in self.extensions(env)["columns"]]
        return self._visible(env, [*self.list_columns, *ext])

    def shown_columns(self, env: Any) -> list[Col]:
        """The columns chosen in the request (``?cols=a,b``), else the defaults."""
        chosen = [c for c in request.args.getlist("cols") for c in c.split(",") if c]
        if not chosen:
            return self.default_columns(env)
        avail = {c.name: c for c in self.available_columns(env)}
        return [avail[n] for n in chosen if n in avail] or self.default_columns(env)

    def detail_columns(self, env: Any) -> list[Col]:
        """Fields shown on the detail page (restricted ones removed)."""
        ext = [_col(c) for c in self.extensions(env)["fields"] if not isinstance(c, FormField)]
        return self._visible(env, [*self.detail_fields, *ext])

    # ----- formatting ------------------------------------------------------------------------
    def raw_value(self, record: Any, col: Col) -> Any:
        """The value of a column for a record (related records as their display name)."""
        if col.value is not None:
            return col.value(record)
        rel = self.relationship_for(col.name)
        if rel is not None:
            return display_name(getattr(record, rel.key))
        value = getattr(record, col.name, None)
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
        """Load the labels of foreign keys without a relationship in one query per column."""
        model = model or self.model
        for c in cols:
            if c.value is not None or _relationship_for(model, c.name) is not None:
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
                # the models' convention: {value: {"zh_CN": ..., "en": ...}}
                choices = col.info["selection"]
        if callable(choices):
            choices = choices(g.env)
        if isinstance(choices, dict):
            choices = list(choices.items())
        return list(choices) if choices is not None else None

    # ----- queries ---------------------------------------------------------------------------
    def list_query(self, env: Any, cols: Sequence[Col]) -> tuple[Any, list[Any], list[Any]]:
        """(select with eager loads, where clauses, order by) for the current request's list."""
        wheres: list[Any] = []
        q = (request.args.get("q") or "").strip()
        if q and self.search_fields:
            fields = [f for f in self.search_fields if env.field_visible(self.model, f)]
            like = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            wheres.append(or_(*[func.lower(self.table.c[f]).like(like, escape="\\") for f in fields]))
        for flt in self.visible_filters(env):
            value = request.args.get(f"f_{flt.name}")
            if value in (None, ""):
                continue
            if flt.apply is not None:
                wheres.append(flt.apply(self.model, value, env))
                continue
            col = self.table.c[flt.field or flt.name]
            wheres.append(col == _coerce(col, value))
        stmt = env.select(self.model).where(*wheres)
        for c in cols:
            rel = self.relationship_for(c.name) if c.value is None else None
            if rel is not None:
                stmt = stmt.options(selectinload(getattr(self.model, rel.key)))
        order = self.order_clause(cols)
        return stmt.order_by(*order), wheres, order

    def order_clause(self, cols: Sequence[Col]) -> list[Any]:
        """ORDER BY from ``?sort=field`` / ``?sort=-field`` (only shown columns), else defaults."""
        sort = request.args.get("sort") or ""
        name = sort.lstrip("-")
        pk = self.table.primary_key.columns.values()[0]
        if name and any(c.name == name and c.value is None and c.sortable for c in cols) and name in self.table.c:
            col = self.table.c[name]
            return [col.desc() if sort.startswith("-") else col.asc(), pk.desc()]
        out = []
        for spec in self.order_by:
            col = self.table.c[spec.lstrip("-")]
            out.append(col.desc() if spec.startswith("-") else col.asc())
        return [*out, pk.desc()]

    def visible_filters(self, env: Any) -> list[Filter]:
        """Filters the user may use (none on a restricted field: filtering would reveal it)."""
        return [f for f in self.filters
                if f.apply is not None or env.field_visible(self.model, f.field or f.name)]

    def filter_choices(self, env: Any, flt: Filter) -> list[tuple[str, str]]:
        """Options of a filter's select box."""
        if flt.choices is not None:
            choices = flt.choices(env) if callable(flt.choices) else flt.choices
            return [(str(v), tr(lbl)) for v, lbl in choices]
        name = flt.field or flt.name
        static = self._static_choices(name)
        if static is not None:
            return [(str(v), tr(lbl)) for v, lbl in static]
        col = self.table.c[name]
        if isinstance(col.type, Boolean):
            return [("1", _("Yes")), ("0", _("No"))]
        if isinstance(col.type, Enum):
            return [(v, v) for v in col.type.enums]
        target = self.target_model(name)
        if target is not None:
            return [(str(k), v) for k, v in fk_choices(env, target)]
        return []

    # ----- pages -----------------------------------------------------------------------------
    def list_view(self) -> Any:
        """The list page: search, filters, sort, pagination and column choice."""
        env = g.env
        env.check(self.model, "read")
        cols = self.shown_columns(env)
        stmt, wheres, _order = self.list_query(env, cols)
        try:
            page = max(1, int(request.args.get("page", 1)))
        except ValueError:
            page = 1
        pk = self.table.primary_key.columns.values()[0]
        exact = True
        if self.count_limit:
            # count at most count_limit + 1 rows: "10,000+" instead of a full count of a huge table
            capped = env.select(self.model, "read", pk).where(*wheres).limit(self.count_limit + 1).subquery()
            total = int(env.session.scalar(select(func.count()).select_from(capped)) or 0)
            exact = total <= self.count_limit
        else:
            total = int(env.session.scalar(env.select(self.model, "read", func.count(pk)).where(*wheres)) or 0)
        if exact:
            pages = max(1, -(-total // self.page_size))
            page = min(page, pages)
        rows = list(env.session.scalars(stmt.limit(self.page_size).offset((page - 1) * self.page_size)))
        if not exact:
            total = self.count_limit
            pages = page + 1 if len(rows) == self.page_size else page
        self.prefetch(rows, cols)
        args = {k: v for k, v in request.args.items() if k != "page"}
        return render_template(
            self.templates["list"],
            view=self,
            rows=rows,
            cols=cols,
            labels={c.name: tr(c.label) if c.label is not None else self.field_label(c.name)
                    for c in self.available_columns(env)},
            available=self.available_columns(env),
            total=format_decimal(total) + ("" if exact else "+"),
            exact=exact,
            page=page,
            pages=pages,
            args=args,
            q=request.args.get("q", ""),
            filters=[(f, self.filter_choices(env, f), request.args.get(f"f_{f.name}", ""))
                     for f in self.visible_filters(env)],
            sort=request.args.get("sort", ""),
            can_create=(self.can_create or self.new_endpoint is not None) and env.can(self.model, "create"),
            new_url=url_for(self.new_endpoint) if self.new_endpoint else (
                url_for(self.endpoint("new")) if self.can_create else None),
        )

    def export_view(self) -> Any:
        """The filtered list as an .xlsx file (formula-like cells escaped)."""
        from openpyxl import Workbook

        env = g.env
        if not self.export:
            abort(404)
        cols = self.shown_columns(env)
        stmt, _w, _o = self.list_query(env, cols)
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(title=_sheet_title(tr(self.label_plural)))
        ws.append([escape_formula(tr(c.label) if c.label is not None else self.field_label(c.name)) for c in cols])
        tz = get_timezone()
        offset = 0
        while True:  # batches: FK labels are loaded once per batch, not per row
            batch = list(env.session.scalars(stmt.limit(min(2000, EXPORT_LIMIT - offset)).offset(offset)))
            if not batch:
                break
            self.prefetch(batch, cols)
            for record in batch:
                ws.append([_xlsx_value(self.raw_value(record, c), tz) for c in cols])
            offset += len(batch)
            if offset >= EXPORT_LIMIT:
                break
        buf = io.BytesIO()
        wb.save(buf)
        buf.seek(0)
        filename = f"{self.key}-{dt.date.today().isoformat()}.xlsx"
        return send_file(
            buf,
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            as_attachment=True,
            download_name=filename,
        )

    def detail_view(self, id: int) -> Any:  # noqa: A002
        """The detail page: fields, tabs, related lists, audit history, approval state."""
        env = g.env
        record = env.get(self.model, id)
        ext = self.extensions(env)
        tabs = sorted([*self.tabs, *ext["tabs"]], key=lambda t: (t.sequence, t.key))
        rendered_tabs = [(t, _markup(t.render(env, record))) for t in tabs]
        related = []
        for rel in self.related:
            if not env.can(rel.model, "read"):
                continue
            rcols = [c for c in (_col(c) for c in rel.columns) if c.value is not None or env.field_visible(rel.model, c.name)]
            fk = rel.model.__table__.c[rel.fk]
            stmt = env.select(rel.model).where(fk == record.id)
            for c in rcols:
                r = _relationship_for(rel.model, c.name) if c.value is None else None
                if r is not None:
                    stmt = stmt.options(selectinload(getattr(rel.model, r.key)))
            rows = list(env.session.scalars(stmt.limit(rel.limit)))
            self.prefetch(rows, rcols, rel.model)
            rview = current_app.extensions.get("tixi_views", {}).get(rel.view) if rel.view else None
            related.append((rel, rcols, rows, rview))
        history = self.history(env, record)
        can_write = self.can_edit and env.can(self.model, "write") and env.allowed(record, "write")
        can_delete = self.can_delete and env.can(self.model, "delete") and env.allowed(record, "delete")
        buttons = [b for b in [*self.buttons, *ext["buttons"]] if self._button_allowed(env, b, record)]
        approval = self.approval_info(env, record)
        return render_template(
            self.templates["detail"],
            view=self,
            record=record,
            fields=self.detail_columns(env),
            tabs=rendered_tabs,
            related=related,
            history=history,
            can_write=can_write,
            can_delete=can_delete,
            buttons=buttons,
            approval=approval,
        )

    def history(self, env: Any, record: Any) -> list[dict[str, Any]]:
        """Audit entries of the record with restricted fields' values removed."""
        import json

        from core.models import User

        entries = env.history(self.model, record.id)
        users = {}
        ids = {e.user_id for e in entries if e.user_id}
        if ids:
            users = {u.id: u.name for u in env.session.query(User).filter(User.id.in_(ids))}
        out = []
        for e in entries:
            try:
                changes = json.loads(e.changes or "{}")
            except ValueError:
                changes = {}
            visible = {
                k: v for k, v in changes.items()
                if k not in self.table.c or env.field_visible(self.model, k)
            }
            out.append({"entry": e, "user": users.get(e.user_id, ""), "changes": visible,
                        "labels": {k: self.field_label(k) for k in visible}})
        return out

    def approval_info(self, env: Any, record: Any) -> dict[str, Any] | None:
        """State, possible transitions and history of the record's approval workflow."""
        if not self.workflow:
            return None
        from core.security import approvals

        wf = approvals.workflows(env.registry).get(self.workflow)
        if wf is None:
            return None
        amount = getattr(record, self.workflow_amount) if self.workflow_amount else None
        state = approvals.current_state(env, wf, record)
        history = approvals.history(env, wf, record)
        from core.models import User

        prefetch_labels(User, {ev.user_id for ev in history} - {None})
        return {
            "workflow": wf,
            "state": state,
            "state_label": tr(wf.states.get(state, state)),
            "transitions": approvals.available(env, wf, record, amount),
            "history": history,
            "users": {ev.user_id: fk_label(User, ev.user_id) for ev in history if ev.user_id},
            "labels": {k: tr(v) for k, v in wf.states.items()},
        }

    def _button_allowed(self, env: Any, button: Button, record: Any) -> bool:
        if button.groups and not env.in_group(*button.groups):
            return False
        if button.perm and not env.allowed(record, button.perm):
            return False
        return button.visible is None or bool(button.visible(env, record))

    def action_view(self, id: int, action: str) -> Any:  # noqa: A002
        """POST target of buttons and approval transitions (``wf:<transition>``)."""
        env = g.env
        record = env.get(self.model, id)
        target = url_for(self.endpoint("detail"), id=id)
        if action.startswith("wf:"):
            from core.security import approvals

            wf = approvals.workflows(env.registry).get(self.workflow or "")
            if wf is None:
                abort(404)
            amount = getattr(record, self.workflow_amount) if self.workflow_amount else None
            try:
                approvals.fire(env, wf, record, action[3:], comment=request.form.get("comment") or None, amount=amount)
            except AccessDenied as exc:
                _rollback()
                flash(_("Refused: %(reason)s", reason=str(exc)), "danger")
                return redirect(target)
            flash(_("Done."), "success")
            return redirect(target)
        ext = self.extensions(env)
        for button in [*self.buttons, *ext["buttons"]]:
            if button.key == action:
                if not self._button_allowed(env, button, record):
                    raise AccessDenied(f"button {action} not allowed")
                try:
                    result = button.action(env, record)
                except (ValidationError, ConcurrentEditError) as exc:
                    _rollback()
                    flash(str(exc), "danger")
                    return redirect(target)
                if isinstance(result, str | Markup):
                    flash(result, "success")
                elif result is not None:
                    return result
                return redirect(target)
        abort(404)

    def delete_view(self, id: int) -> Any:  # noqa: A002
        """POST: delete the record (rights and rules checked by ``env.delete``)."""
        if not self.can_delete:
            abort(404)
        env = g.env
        record = env.get(self.model, id, "delete")
        env.delete(record)
        flash(_("Deleted."), "success")
        return redirect(url_for(self.endpoint("list")))

    # ----- forms -----------------------------------------------------------------------------
    def form_field_names(self, env: Any) -> list[str | FormField]:
        """Editable fields (declared plus extension ones), restricted fields removed."""
        ext = [f for f in self.extensions(env)["fields"]]
        out = []
        for f in [*self.form_fields, *ext]:
            name = f.name if isinstance(f, FormField) else (f.name if isinstance(f, Col) else f)
            if isinstance(f, Col) and f.value is not None:
                continue
            if name in ("id", "company_id", "version") or not env.field_visible(self.model, name):
                continue
            if isinstance(f, FormField) or name in self.table.c:
                out.append(f if isinstance(f, FormField) else name)
        return out

    def build_form(self, env: Any, record: Any = None) -> FlaskForm:
        """A WTForms form (with CSRF) generated from the model columns for this user."""
        attrs: dict[str, Any] = {"version": HiddenField()}
        names = []
        for f in self.form_field_names(env):
            if isinstance(f, FormField):
                attrs[f.name] = f.field
                names.append(f.name)
            else:
                attrs[f] = self.make_field(env, f, record)
                names.append(f)
        form_cls = type(f"{self.model.__name__}Form", (FlaskForm,), attrs)
        if record is not None and request.method == "GET":
            data = {n: _form_value(getattr(record, n, None)) for n in names}
            data["version"] = getattr(record, "version", None)
            form = form_cls(data=data)
        elif request.method == "GET":
            data = {n: (v(env) if callable(v) else v) for n, v in self.defaults.items() if n in names}
            form = form_cls(data=data)
        else:
            form = form_cls()
        form.tixi_fields = names  # type: ignore[attr-defined]
        return form

    def make_field(self, env: Any, name: str, record: Any = None) -> Any:
        """An unbound WTForms field for column ``name`` (type, validators, choices)."""
        col = self.table.c[name]
        label = self.field_label(name)
        required = not col.nullable and col.default is None and col.server_default is None
        validators: list[Any] = [InputRequired(message=_("This field is required."))] if required else [Optional()]
        static = self._static_choices(name)
        target = self.target_model(name)
        lookup = None
        if static is not None or target is not None or isinstance(col.type, Enum):
            if static is not None:
                choices = [(v, tr(lbl)) for v, lbl in static]
            elif target is not None:
                choices = fk_choices(env, target, limit=FK_SELECT_LIMIT + 1)
                if len(choices) > FK_SELECT_LIMIT:
                    # too many to list: a search box (tixi.js) fills the options from /lookup/<table>;
                    # a posted id is accepted only if the user may read that record
                    choices = []
                    lookup = url_for("tixi.lookup", table=target.__tablename__)
                    posted = _int_or_none(request.form.get(name)) if request.method == "POST" else None
                    if posted is not None:
                        choices += [(r.id, display_name(r)) for r in env.session.scalars(
                            env.select(target).where(target.__table__.primary_key.columns.values()[0] == posted))]
                current = getattr(record, name, None) if record is not None else None
                if current is not None and current not in dict(choices):
                    rel = self.relationship_for(name)
                    choices.append((current, display_name(getattr(record, rel.key)) if rel else fk_label(target, current)))
            else:
                choices = [(v, v) for v in col.type.enums]
            if col.nullable:
                choices = [("", "—"), *choices]
            is_int = target is not None or isinstance(col.type, Integer)
            render_kw = {"data-lookup": lookup, "data-lookup-placeholder": _("Type to search")} if lookup else None
            return SelectField(label, choices=select_choices(choices), coerce=_int_or_none if is_int else _str_or_none,
                               validators=validators, validate_choice=True, render_kw=render_kw)
        if isinstance(col.type, Boolean):
            return BooleanField(label)
        if isinstance(col.type, Numeric):
            return DecimalField(label, places=None, validators=validators,
                                render_kw={"type": "text", "inputmode": "decimal"})
        if isinstance(col.type, Integer):
            return IntegerField(label, validators=validators)
        if isinstance(col.type, DateTime) or _is_datetime(col):
            return DateTimeLocalField(label, validators=validators, format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])
        if isinstance(col.type, Date):
            return DateField(label, validators=validators)
        if isinstance(col.type, Text):
            return TextAreaField(label, validators=validators)
        if isinstance(col.type, String) and col.type.length:
            validators.append(Length(max=col.type.length,
                                     message=_("At most %(max)d characters.", max=col.type.length)))
        return StringField(label, validators=validators)

    def form_values(self, form: FlaskForm) -> dict[str, Any]:
        """Values to save from a validated form (strings stripped, blanks as None)."""
        values: dict[str, Any] = {}
        tz = get_timezone()
        for name in form.tixi_fields:  # type: ignore[attr-defined]
            value = form[name].data
            col = self.table.c.get(name)
            if isinstance(value, str):
                value = value.strip()
                if value == "" and col is not None and col.nullable:
                    value = None
            if value is None and col is not None and not col.nullable:
                continue  # the column's default applies (create) or the value stays (edit)
            if isinstance(value, Decimal) and col is not None:
                try:
                    value = fit_decimal(col, value)
                except ValueError:
                    form[name].errors = [*form[name].errors, _("At most %(n)d decimal places.", n=col.type.scale)]
                    continue
            if isinstance(value, dt.datetime) and value.tzinfo is None:
                value = value.replace(tzinfo=tz).astimezone(dt.UTC) if tz is not None else value.replace(tzinfo=dt.UTC)
            values[name] = value
        return values

    def form_view(self, id: int | None = None) -> Any:  # noqa: A002
        """Create (``id`` None) or edit form; saves through ``env.create``/``env.write``."""
        env = g.env
        if id is None:
            if not self.can_create:
                abort(404)
            env.check(self.model, "create")
            record = None
        else:
            if not self.can_edit:
                abort(404)
            record = env.get(self.model, id, "write")
        form = self.build_form(env, record)
        status = 200
        if request.method == "POST":
            values = self.form_values(form) if form.validate() else None
            if values is not None and any(form[n].errors for n in form.tixi_fields):
                values = None
            if values is not None:
                try:
                    if record is None:
                        record = env.create(self.model, values)
                    else:
                        version = _int_or_none(form.version.data)
                        env.write(record, values, expected_version=version)
                    env.session.flush()
                    flash(_("Saved."), "success")
                    return redirect(url_for(self.endpoint("detail"), id=record.id))
                except ValidationError as exc:
                    _rollback()
                    record = None if id is None else env.get(self.model, id, "write")
                    attach_errors(form, exc)
                    status = 422
                except AddonNotEnabled:
                    raise
                except AccessDenied:
                    _rollback()
                    record = None if id is None else env.get(self.model, id, "write")
                    form.form_errors.append(_("You are not allowed to save this record with these values."))
                    status = 403
                except ConcurrentEditError:
                    _rollback()
                    flash(_("Somebody else saved this record since you opened it. "
                            "Reload the page to see their changes, then edit again."), "danger")
                    status = 409
            else:
                status = 422
        return render_template(self.templates["form"], view=self, form=form, record=record), status


# ----- helpers -----------------------------------------------------------------------------
_GENERIC_LABELS: dict[str, Any] = {}


def _col(c: str | Col) -> Col:
    return c if isinstance(c, Col) else Col(c)


def _relationship_for(model: type, name: str) -> Any:
    from sqlalchemy import inspect

    col = model.__table__.c.get(name)
    if col is None or not col.foreign_keys:
        return None
    for rel in inspect(model).relationships:
        if rel.direction.name == "MANYTOONE" and col in rel.local_columns:
            return rel
    return None


def _target_model(model: type, name: str) -> type | None:
    from core.registry import model_class

    col = model.__table__.c.get(name)
    if col is None or not col.foreign_keys:
        return None
    fk = next(iter(col.foreign_keys))
    return model_class(fk.column.table.name)


def lookup_records(env: Any, target: type, q: str, limit: int = 20) -> list[tuple[int, str]]:
    """Records of ``target`` the user may read whose name/code/login contains ``q`` (type-ahead)."""
    table = target.__table__
    fields = [table.c[f] for f in ("name", "code", "login", "name_zh", "name_en", "title")
              if f in table.c and env.field_visible(target, f)]
    stmt = env.select(target)
    if "active" in table.c:
        stmt = stmt.where(table.c.active.is_(True))
    q = (q or "").strip().lower()
    if q and fields:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(*[func.lower(f).like(like, escape="\\") for f in fields]))
    if fields:
        stmt = stmt.order_by(fields[0])
    return [(r.id, display_name(r)) for r in env.session.scalars(stmt.limit(limit))]


def fk_choices(env: Any, target: type, limit: int = 1000) -> list[tuple[int, str]]:
    """``(id, label)`` of the records of ``target`` the user may read (for select boxes)."""
    if not env.can(target, "read"):
        return []
    stmt = env.select(target)
    if "active" in target.__table__.c:
        stmt = stmt.where(target.__table__.c.active.is_(True))
    for attr in ("name", "code", "login"):
        if attr in target.__table__.c:
            stmt = stmt.order_by(target.__table__.c[attr])
            break
    return [(r.id, display_name(r)) for r in env.session.scalars(stmt.limit(limit))]


def fit_decimal(col: Any, value: Decimal) -> Decimal:
    """``value`` at the column's scale; ValueError when it has more decimal places."""
    scale = getattr(col.type, "scale", None)
    if scale is None or not isinstance(value, Decimal):
        return value
    if not value.is_finite():
        raise ValueError("not a finite number")
    if value.as_tuple().exponent < -scale and value != value.quantize(Decimal(1).scaleb(-scale)):
        raise ValueError(f"at most {scale} decimal places")
    return value.quantize(Decimal(1).scaleb(-scale))


def column_label(model: type, name: str) -> str:
    """Label of a column of any model (``info['label']``, else the column name)."""
    column = model.__table__.c.get(name)
    if column is not None and column.info.get("label") is not None:
        return tr(column.info["label"])
    return name.removesuffix("_id").replace("_", " ").capitalize()


def model_cell(model: type, record: Any, col: Col) -> Any:
    """A formatted cell of any model (related lists without a view): FK labels, choices, locale."""
    if col.value is not None:
        return format_cell(col.value(record))
    rel = _relationship_for(model, col.name)
    if rel is not None:
        return display_name(getattr(record, rel.key))
    value = getattr(record, col.name, None)
    column = model.__table__.c.get(col.name)
    if column is not None and column.info.get("choices") and value is not None:
        return tr(dict(column.info["choices"]).get(value, value))
    target = _target_model(model, col.name)
    if target is not None and value is not None:
        return fk_label(target, value)
    return format_cell(value, column)


def _label_cache() -> dict[tuple[str, Any], str]:
    return g.setdefault("_tixi_fk_labels", {})


def prefetch_labels(target: type, ids: Iterable[Any]) -> None:
    """Load display names of ``target`` records by id (one query) into the request cache."""
    cache = _label_cache()
    table = target.__table__.name
    missing = [i for i in ids if (table, i) not in cache]
    if not missing:
        return
    pk = target.__table__.primary_key.columns.values()[0]
    for obj in g.env.session.scalars(select(target).where(pk.in_(missing))):
        cache[(table, getattr(obj, pk.key))] = display_name(obj)
    for i in missing:
        cache.setdefault((table, i), f"#{i}")


def fk_label(target: type, res_id: Any) -> str:
    """Display name of a referenced record (from the request cache, else one query)."""
    key = (target.__table__.name, res_id)
    cache = _label_cache()
    if key not in cache:
        prefetch_labels(target, [res_id])
    return cache[key]


def format_money(value: Decimal) -> str:
    """An amount in the current company's currency, formatted for the user's locale."""
    from flask_babel import format_currency

    from core.models import Company

    currency = g.get("_tixi_currency")
    if currency is None:
        env = g.get("env")
        company = env.session.get(Company, env.company_id) if env is not None else None
        currency = g._tixi_currency = company.currency if company else "CNY"
    return format_currency(value, currency)


def _coerce(col: Any, value: str) -> Any:
    if isinstance(col.type, Boolean):
        return value in ("1", "true", "True", "yes")
    if isinstance(col.type, Integer):
        try:
            return int(value)
        except ValueError:
            return -1
    return value


def _int_or_none(value: Any) -> int | None:
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _str_or_none(value: Any) -> str | None:
    if value in (None, "", "None"):
        return None
    return str(value)


def _is_datetime(col: Any) -> bool:
    impl = getattr(col.type, "impl", None)
    return isinstance(impl, DateTime) or isinstance(col.type, DateTime)


def _form_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        tz = get_timezone()
        return value.astimezone(tz).replace(tzinfo=None) if tz is not None else value.replace(tzinfo=None)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def format_cell(value: Any, col: Any = None) -> Any:
    """Format a value for display: numbers, dates and datetimes per locale and timezone."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal):
        scale = getattr(getattr(col, "type", None), "scale", None)
        if scale:
            return format_decimal(value, format="#,##0." + "0" * scale)
        return format_decimal(value)
    if isinstance(value, int | float):
        return format_decimal(value)
    if isinstance(value, dt.datetime):
        return format_datetime(value, "short")
    if isinstance(value, dt.date):
        return format_date(value, "medium")
    return value


def _xlsx_value(value: Any, tz: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(tz) if tz is not None else value
            value = value.replace(tzinfo=None)
        return value
    if isinstance(value, bool | int | float | Decimal | dt.date):
        return value
    if value is None:
        return None
    if isinstance(value, Markup):
        value = value.striptags()
    return escape_formula(str(value))


def _sheet_title(title: str) -> str:
    bad = '[]:*?/\\'
    clean = "".join(ch for ch in title if ch not in bad)[:31]
    return clean or "Sheet1"


def _markup(value: Any) -> Markup:
    if isinstance(value, Markup):
        return value
    return Markup.escape(value if value is not None else "")


def _rollback() -> None:
    """Undo what the failed operation wrote in this request (the page then re-renders)."""
    g.env.session.rollback()


def attach_errors(form: FlaskForm, exc: ValidationError) -> None:
    """Show a :class:`ValidationError`'s per-field messages on the form's fields."""
    attached = False
    for name, message in (exc.errors or {}).items():
        if name in form._fields:
            form[name].errors = [*list(form[name].errors or []), str(message)]
            attached = True
    if not attached:
        form.form_errors.append(str(exc))


def views(app: Any = None) -> dict[str, ModelView]:
    """Generic views mounted on the app, by name (the JSON API exposes these)."""
    app = app or current_app
    return app.extensions.get("tixi_views", {})


__all__ = [
    "Button",
    "Col",
    "Filter",
    "FormField",
    "ModelView",
    "Related",
    "Tab",
    "attach_errors",
    "display_name",
    "escape_formula",
    "fk_choices",
    "format_cell",
    "tr",
    "views",
]
