"""The create/edit form of a :class:`~core.web.generic.ModelView`.

Fields generated from the columns, the values to save, saving through
``env.create``/``env.write``, and errors shown on the fields.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_wtf import FlaskForm
from sqlalchemy import Boolean, Date, DateTime, Enum, Integer, Numeric, String, Text
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
from core.i18n import _
from core.security.env import AddonNotEnabled
from core.web.generic.declarations import Col, FormField, display_name, tr
from core.web.generic.extensions import EDIT, FormExtension, form_extensions, save_extensions
from core.web.generic.labels import fk_choices, fk_label

if TYPE_CHECKING:
    from core.security.env import Env

try:  # WTForms >= 3.3 deprecates (value, label) tuples
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover
    SelectChoice = None


def select_choices(pairs: Iterable[tuple[Any, Any]]) -> list[Any]:
    """Choices for a WTForms ``SelectField`` from ``(value, label)`` pairs."""
    if SelectChoice is None:
        return list(pairs)
    return [SelectChoice(v, str(lbl)) for v, lbl in pairs]


FK_SELECT_LIMIT = 500  # more readable targets than this: the select gets a search box instead


class FormsMixin:
    """The create/edit form of a :class:`~core.web.generic.ModelView`."""

    def form_field_names(self, env: Env) -> list[str | FormField]:
        """Editable fields (declared plus extension ones), restricted fields removed."""
        ext = [f for f in self.extensions(env)["fields"] if not isinstance(f, FormExtension)]
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

    def build_form(self, env: Env, record: Any = None) -> FlaskForm:
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
        extensions = form_extensions(self, env)
        for ext, mode in extensions:
            attrs[ext.key] = ext.unbound(mode)
        form_cls = type(f"{self.model.__name__}Form", (FlaskForm,), attrs)
        loaded = {ext.key: _form_value(ext.load(env, record)) for ext, _mode in extensions} if record is not None else {}
        if record is not None and request.method == "GET":
            data = {n: _form_value(getattr(record, n, None)) for n in names}
            data["version"] = getattr(record, "version", None)
            form = form_cls(data={**data, **loaded})
        elif request.method == "GET":
            data = {n: (v(env) if callable(v) else v) for n, v in self.defaults.items() if n in names}
            form = form_cls(data=data)
        else:
            form = form_cls()
            for ext, mode in extensions:
                if mode != EDIT:  # read-only: what is stored, whatever was posted
                    form[ext.key].data = loaded.get(ext.key)
        form.tixi_fields = [*names, *(ext.key for ext, _mode in extensions)]  # type: ignore[attr-defined]
        form.tixi_extensions = extensions  # type: ignore[attr-defined]
        return form

    def make_field(self, env: Env, name: str, record: Any = None) -> Any:
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
                        choices += [(r.id, display_name(r)) for r in env.scalars(
                            env.select(target).where(target.__table__.primary_key.columns.values()[0] == posted))]
                current = getattr(record, name, None) if record is not None else None
                if current is not None and current not in dict(choices):
                    choices.append((current, fk_label(target, current)))  # "Restricted #id" when not readable
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
        extension_keys = {ext.key for ext, _mode in getattr(form, "tixi_extensions", [])}
        for name in form.tixi_fields:  # type: ignore[attr-defined]
            if name in extension_keys:
                continue  # saved by the extension, after the main record
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
                    created = record is None
                    if record is None:
                        record = env.create(self.model, values)
                    else:
                        version = _int_or_none(form.version.data)
                        env.write(record, values, expected_version=version)
                    env.session.flush()
                    # fields other addons added: validated with the flushed record, saved in the
                    # same transaction; a ValidationError rolls back the main record too
                    save_extensions(env, form, record, created)
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
