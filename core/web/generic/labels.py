"""Labels and formatting of values: foreign keys (cached per request), choices, cells, money."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from flask import g
from flask_babel import format_date, format_datetime, format_decimal
from sqlalchemy import func, or_

from core.i18n import _, choice_label, field_label
from core.web.generic.declarations import Col, display_name

if TYPE_CHECKING:
    from core.security.env import Env


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


def lookup_records(env: Env, target: type, q: str, limit: int = 20) -> list[tuple[int, str]]:
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
    return [(r.id, display_name(r)) for r in env.scalars(stmt.limit(limit))]


def fk_choices(env: Env, target: type, limit: int = 1000) -> list[tuple[int, str]]:
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
    return [(r.id, display_name(r)) for r in env.scalars(stmt.limit(limit))]




def column_label(model: type, name: str) -> str:
    """Label of a column of any model (``info['label']``, else the column name)."""
    column = model.__table__.c.get(name)
    if column is not None and column.info.get("label") is not None:
        return field_label(model, name)
    return name.removesuffix("_id").replace("_", " ").capitalize()


def model_cell(model: type, record: Any, col: Col) -> Any:
    """A formatted cell of any model (related lists without a view): FK labels, choices, locale."""
    if col.value is not None:
        return format_cell(col.value(record))
    value = getattr(record, col.name, None)
    column = model.__table__.c.get(col.name)
    if column is not None and column.info.get("choices") and value is not None:
        return choice_label(dict(column.info["choices"]), value)
    if column is not None and column.info.get("selection") and value is not None:
        return choice_label(column.info["selection"], value)
    target = _target_model(model, col.name)
    if target is not None and value is not None:
        return fk_label(target, value)  # through Env, like a list's foreign keys
    rel = _relationship_for(model, col.name)
    if rel is not None:
        return display_name(getattr(record, rel.key))
    return format_cell(value, column)


def audit_value(env: Env, model: type | None, field: str, value: Any) -> Any:
    """An audited value of ``model.field`` for a reader: choice label, foreign key label, yes/no.

    A foreign key shows its target's display name when ``env``'s user may read
    the target, else "Restricted #<id>"; call :func:`prefetch_labels` first for many.
    """
    if value is None or value == "":
        return ""
    column = model.__table__.c.get(field) if model is not None and hasattr(model, "__table__") else None
    if column is None:
        return value if isinstance(value, str | int | float) else json.dumps(value, ensure_ascii=False, default=str)
    for key in ("choices", "selection"):
        selection = column.info.get(key)
        if selection:
            if not isinstance(selection, Mapping):
                selection = dict(selection)
            return choice_label(selection, value) if isinstance(value, str) else value
    if isinstance(value, bool):
        return format_cell(value)
    if column.info.get("group_code") and isinstance(value, str):
        return group_label(env, value)
    target = _target_model(model, field)
    if target is not None and isinstance(value, int):
        return fk_label(target, value, env)
    return value


def _label_cache() -> dict[tuple[str, Any], str]:
    return g.setdefault("_tixi_fk_labels", {})


def prefetch_labels(target: type, ids: Iterable[Any], env: Env | None = None) -> None:
    """Load display names of ``target`` records by id (one query) into the request cache.

    Read through ``env`` (the request's by default): a record the user may not
    read (no read right on ``target``, outside its record rules or another
    company's) is labelled "Restricted #<id>" only (:func:`restricted_label`), so
    a form, list or history never leaks the name of a record its reader cannot open.
    """
    env = env if env is not None else g.env
    cache = _label_cache()
    table = target.__table__.name
    missing = [i for i in ids if i is not None and (table, i) not in cache]
    if not missing:
        return
    if env.can(target, "read"):
        pk = target.__table__.primary_key.columns.values()[0]
        for obj in env.scalars(env.select(target).where(pk.in_(missing))):
            cache[(table, getattr(obj, pk.key))] = display_name(obj)
    for i in missing:
        cache.setdefault((table, i), restricted_label(i))


def fk_label(target: type, res_id: Any, env: Env | None = None) -> str:
    """Display name of a referenced record the user may read, else :func:`restricted_label` (request-cached)."""
    key = (target.__table__.name, res_id)
    cache = _label_cache()
    if key not in cache:
        prefetch_labels(target, [res_id], env)
    return cache.get(key, restricted_label(res_id))


def group_label(env: Env, code: str | None) -> str:
    """A role group's name in the reader's language (``core.group_director`` → 营销总监).

    A column holding a group code says ``info={"group_code": True}``: its audit
    history then shows the group's name too.
    """
    from core.i18n import current_lang
    from core.models import Group

    if not code:
        return ""
    names = g.setdefault("_tixi_group_names", {})
    if not names:
        lang = current_lang()
        names.update({gr.code: gr.display(lang) for gr in env.sudo().search(Group)})  # names are not secret
    return names.get(code, code)


def restricted_label(res_id: Any) -> str:
    """What a reader sees for a linked record they may not read: "restricted #id", never its name."""
    return _("Restricted #%(id)s", id=res_id)


def format_money(value: Decimal) -> str:
    """An amount in the current company's currency, formatted for the user's locale."""
    from flask_babel import format_currency

    from core.models import Company

    currency = g.get("_tixi_currency")
    if currency is None:
        env = g.get("env")
        # the reader's own current company (kernel row, not business data): its currency only
        company = env.session.get(Company, env.company_id) if env is not None else None
        currency = g._tixi_currency = company.currency if company else "CNY"
    return format_currency(value, currency)



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
    if isinstance(value, str) and getattr(col, "name", None) == "code":
        from markupsafe import Markup, escape

        return Markup(f"<code>{escape(value)}</code>")  # an identifier, shown as one (not a word to translate)
    return value
