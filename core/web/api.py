"""JSON API under ``/api/`` for integrators.

Authentication: ``Authorization: Bearer <token>`` (tokens are created on the
preferences page; only their SHA-256 is stored). The company is the user's
current one, or ``X-Tixi-Company: <code>`` (one of the user's companies).

Every model exposed by a generic view (``ModelView(api=True)``, the default)
gets, under its view name (``masterdata.customer``):

* ``GET  /api/<name>?page=1&per_page=50&q=text`` -> ``{"items": [...], "total", "page", "per_page"}``
  (``q`` searches the view's ``search_fields``)
* ``GET  /api/<name>/<id>``
* ``POST /api/<name>`` (JSON object) -> 201 and the record
* ``PATCH /api/<name>/<id>`` (JSON object, optional ``version`` for optimistic locking)

All through the same :class:`core.security.env.Env` as the pages: access rights,
record rules in SQL and restricted fields (absent from output, refused in input).
``GET /api/openapi.json`` describes it (OpenAPI 3.0).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, abort, g, jsonify, request
from sqlalchemy import Boolean, Date, DateTime, Integer, Numeric, func, or_, select

from core.errors import AccessDenied, ConcurrentEditError, ValidationError
from core.i18n import _
from core.models import ApiToken, Company
from core.security.env import int_limit
from core.web.generic import ModelView, fit_decimal, views

bp = Blueprint("api", __name__, url_prefix="/api")
READONLY = {"id", "company_id", "version", "created_at", "updated_at", "created_by_id", "updated_by_id"}
MAX_PER_PAGE = 500
MAX_PAGE = 10**9  # an offset beyond this overflows SQLite's integer


@bp.before_request
def _auth() -> None:
    from core.web.app import make_env, registry_of

    if request.endpoint == "api.openapi":
        return
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        abort(401)
    digest = hashlib.sha256(header[7:].strip().encode()).hexdigest()
    token = g.db.scalar(select(ApiToken).where(ApiToken.token_hash == digest, ApiToken.active.is_(True)))
    if token is None:
        abort(401)
    company_id = None
    code = request.headers.get("X-Tixi-Company")
    if code:
        company_id = g.db.scalar(select(Company.id).where(Company.code == code))
        if company_id is None:
            abort(404)
    try:
        from core.security.env import Env

        g.env = Env(registry_of(), g.db, token.user_id, company_id) if company_id else make_env(
            registry_of(), g.db, token.user_id, None)
    except AccessDenied:
        abort(403)
    from flask_babel import refresh

    refresh()  # messages in the token user's language


@bp.before_request
def _claim_idempotency_key() -> Any:
    """``Idempotency-Key``: a repeated call gets the first answer (core.web.once)."""
    from core.web import once

    if request.endpoint == "api.openapi":
        return None
    return once.begin("api")


def _check_id(view: ModelView, res_id: int) -> None:
    """404 for an id the key column cannot hold (the URL converter takes any digits)."""
    if res_id > int_limit(view.table.primary_key.columns.values()[0]):
        abort(404)


def _view(name: str) -> ModelView:
    view = views().get(name)
    if view is None or not view.api:
        abort(404)
    if not g.env.addon_enabled_for(view.model):
        abort(404)
    if not view.allowed_for(g.env):
        abort(403)
    return view


def _fields(view: ModelView) -> list[str]:
    return g.env.visible_fields(view.model)


def serialize(view: ModelView, record: Any) -> dict[str, Any]:
    """A record as JSON: every column the user may see (Decimals as strings)."""
    out: dict[str, Any] = {}
    for name in _fields(view):
        value = getattr(record, name, None)
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, dt.datetime | dt.date):
            value = value.isoformat()
        elif hasattr(value, "value") and not isinstance(value, str | int | float | bool):
            value = value.value
        out[name] = value
    return out


def _parse(view: ModelView, data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValidationError(_("The request body must be a JSON object."))
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    table = view.table
    for key, raw in data.items():
        if key == "version":
            continue
        if key not in table.c or key in READONLY:
            errors[key] = _("Unknown or read-only field.")
            continue
        if not g.env.field_visible(view.model, key):
            raise AccessDenied(_("The field %(field)s is restricted.", field=key))
        col = table.c[key]
        try:
            values[key] = _coerce(col, raw)
        except (ValueError, InvalidOperation, TypeError, OverflowError):
            errors[key] = _("Not a valid value for this field.")
    if errors:
        raise ValidationError(_("Invalid fields: %(fields)s", fields=", ".join(sorted(errors))), errors)
    return values


def _coerce(col: Any, raw: Any) -> Any:
    if raw is None:
        return None
    t = col.type
    if isinstance(t, Numeric):
        if isinstance(raw, float):
            raw = repr(raw)
        if isinstance(raw, bool):
            raise ValueError(raw)
        return fit_decimal(col, Decimal(str(raw)))
    if isinstance(t, Boolean):
        if not isinstance(raw, bool):
            raise ValueError(raw)
        return raw
    if isinstance(t, Integer):
        if isinstance(raw, bool) or isinstance(raw, float) and not raw.is_integer():
            raise ValueError(raw)
        value = int(raw)
        limit = int_limit(col)
        if not -limit - 1 <= value <= limit:
            raise ValueError(raw)  # beyond a 64-bit column: never stored, never an id
        return value
    if isinstance(t, DateTime) or isinstance(getattr(t, "impl", None), DateTime):
        value = dt.datetime.fromisoformat(raw)
        if value.tzinfo is None:
            raise ValueError("datetime needs a timezone")
        return value
    if isinstance(t, Date):
        return dt.date.fromisoformat(raw)
    if not isinstance(raw, str):
        raise ValueError(raw)  # a text field takes text, not a list or an object
    length = getattr(t, "length", None)
    if length is not None and len(raw) > length:
        raise ValueError(raw)
    return raw


@bp.errorhandler(ValidationError)
def _invalid(exc: ValidationError) -> Any:
    g.db.rollback()
    return jsonify(error="invalid", message=str(exc), fields=exc.errors), 422


@bp.errorhandler(ConcurrentEditError)
def _conflict(exc: ConcurrentEditError) -> Any:
    g.db.rollback()
    return jsonify(error="conflict", message=str(exc)), 409


@bp.route("/<name>", methods=["GET"])
def list_records(name: str) -> Any:
    """A page of records the user may read."""
    view = _view(name)
    env = g.env
    try:
        page = max(1, int(request.args.get("page", 1)))
        per_page = min(MAX_PER_PAGE, max(1, int(request.args.get("per_page", 50))))
        if page > MAX_PAGE:
            raise ValueError(page)
    except ValueError:
        raise ValidationError(_("page and per_page must be integers.")) from None
    pk = view.table.primary_key.columns.values()[0]
    wheres = []
    q = (request.args.get("q") or "").strip()
    fields = [f for f in view.search_fields if env.field_visible(view.model, f)]
    if q and fields:
        like = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        wheres.append(or_(*[func.lower(view.table.c[f]).like(like, escape="\\") for f in fields]))
    total = int(env.scalar(env.select(view.model, "read", func.count(pk)).where(*wheres)) or 0)
    rows = env.scalars(
        env.select(view.model).where(*wheres).order_by(pk).limit(per_page).offset((page - 1) * per_page))
    return jsonify(items=[serialize(view, r) for r in rows], total=total, page=page, per_page=per_page)


@bp.route("/<name>/<int:res_id>", methods=["GET"])
def read_record(name: str, res_id: int) -> Any:
    """One record (404 when missing or outside the user's rules)."""
    view = _view(name)
    _check_id(view, res_id)
    try:
        record = g.env.get(view.model, res_id)
    except AccessDenied:
        if not g.env.can(view.model, "read"):
            raise
        abort(404)
    return jsonify(serialize(view, record))


@bp.route("/<name>", methods=["POST"])
def create_record(name: str) -> Any:
    """Create a record in the current company."""
    view = _view(name)
    values = _parse(view, request.get_json(silent=True))
    record = g.env.create(view.model, values)
    g.env.session.flush()
    return jsonify(serialize(view, record)), 201


@bp.route("/<name>/<int:res_id>", methods=["PATCH", "PUT"])
def update_record(name: str, res_id: int) -> Any:
    """Update fields of a record (``version`` in the body enables the stale-edit check)."""
    view = _view(name)
    _check_id(view, res_id)
    data = request.get_json(silent=True)
    values = _parse(view, data)
    try:
        record = g.env.get(view.model, res_id, "write")
    except AccessDenied:
        if not g.env.can(view.model, "write"):
            raise
        abort(404)
    version = data.get("version") if isinstance(data, dict) else None
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        message = _("version must be an integer.")
        raise ValidationError(message, {"version": message})
    g.env.write(record, values, expected_version=version)
    g.env.session.flush()
    return jsonify(serialize(view, record))


_TYPES = {Integer: {"type": "integer"}, Boolean: {"type": "boolean"}, Numeric: {"type": "string", "format": "decimal"},
          Date: {"type": "string", "format": "date"}, DateTime: {"type": "string", "format": "date-time"}}


def _schema(view: ModelView) -> dict[str, Any]:
    props = {}
    for col in view.table.c:
        kind = {"type": "string"}
        for t, spec in _TYPES.items():
            if isinstance(col.type, t) or isinstance(getattr(col.type, "impl", None), t):
                kind = dict(spec)
                break
        if col.name in READONLY:
            kind["readOnly"] = True
        if col.nullable:
            kind["nullable"] = True
        props[col.name] = kind
    return {"type": "object", "properties": props}


@bp.route("/openapi.json")
def openapi() -> Any:
    """OpenAPI 3.0 description of the exposed models (restricted fields may be omitted at run time)."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Error": {"type": "object", "required": ["error", "message"], "properties": {
        "error": {"type": "string"}, "message": {"type": "string"}, "fields": {"type": "object"}}}}
    idem = [{"name": "Idempotency-Key", "in": "header", "required": False,
             "schema": {"type": "string", "maxLength": 200}}]
    for name, view in sorted(views().items()):
        if not view.api:
            continue
        ref = {"$ref": f"#/components/schemas/{name}"}
        schemas[name] = _schema(view)
        page = {"type": "object", "properties": {"items": {"type": "array", "items": ref}, "total": {"type": "integer"},
                                                 "page": {"type": "integer"}, "per_page": {"type": "integer"}}}
        ok = lambda schema, desc="OK": {"description": desc, "content": {"application/json": {"schema": schema}}}  # noqa: E731
        err = {"default": {"description": "Error (401, 403, 404, 409, 413, 422, 429, 503): a stable code and a "
                           "message in the user's language",
                           "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}
        id_param = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}]
        body = {"required": True, "content": {"application/json": {"schema": ref}}}
        paths[f"/api/{name}"] = {
            "get": {"summary": f"List {name}", "parameters": [
                {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                {"name": "per_page", "in": "query", "schema": {"type": "integer", "maximum": MAX_PER_PAGE}},
                {"name": "q", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": ok(page), **err}},
            "post": {"summary": f"Create {name}", "requestBody": body, "parameters": idem,
                     "responses": {"201": ok(ref, "Created"), **err}},
        }
        paths[f"/api/{name}/{{id}}"] = {
            "get": {"summary": f"Read {name}", "parameters": id_param, "responses": {"200": ok(ref), **err}},
            "patch": {"summary": f"Update {name}", "parameters": id_param + idem, "requestBody": body,
                      "responses": {"200": ok(ref), **err}},
        }
    return jsonify({
        "openapi": "3.0.3",
        "info": {"title": "Tixi API", "version": "1"},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}, "schemas": schemas},
        "security": [{"bearer": []}],
        "paths": paths,
    })
