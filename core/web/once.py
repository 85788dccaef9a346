"""Exactly-once submits: a one-time token in create forms, ``Idempotency-Key`` on the API.

A double click, a retried request after a lost answer or a phone that sends
its queue twice must not create two records. The answer to the first request
is remembered with its key (``core_idempotency_key``) **in the same
transaction** as what the request wrote:

* the first request inserts the key (status pending) before its view runs; a
  concurrent second request with the same key waits on the unique index
  (PostgreSQL) or on the write lock (SQLite, ``BEGIN IMMEDIATE``), then finds
  the committed key and gets the first answer instead of doing the work again;
* a request that fails (status >= 400) is rolled back with its key, so the
  corrected form (or the retried call) may be sent again;
* forms: the repeat is redirected (303) to where the first one went, with a
  message; the API replays the first answer (status and JSON body) with the
  header ``Idempotent-Replayed: true``; the same key with another body is
  refused (422, ``idempotency_key_reused``).

Templates put ``{{ once_field() }}`` inside a create form; the generic
create form has it. Keys live for a day (``purge_expired``).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from flask import Flask, current_app, flash, g, jsonify, redirect, request
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.i18n import _
from core.models import IdempotencyKey

FORM_FIELD = "_once"
HEADER = "Idempotency-Key"
MAX_BODY = 64 * 1024  # API answers longer than this are not replayed (the status and location are)


def once_field() -> Markup:
    """A hidden one-time token for a create form (a new one at every render)."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FORM_FIELD, secrets.token_urlsafe(18))


def _digest(value: bytes | str) -> str:
    return hashlib.sha256(value if isinstance(value, bytes) else value.encode("utf-8")).hexdigest()


def _request_hash(scope: str) -> str:
    if scope == "form":  # the form's fields without the tokens that change per render
        fields = sorted((k, v) for k, v in request.form.items(multi=True) if k not in (FORM_FIELD, "csrf_token"))
        return _digest(f"{request.method} {request.path} {fields!r}")
    return _digest(request.method.encode() + b" " + request.path.encode() + b" " + request.get_data())


def _existing(user_id: int, scope: str, key_hash: str) -> IdempotencyKey | None:
    return g.db.scalar(select(IdempotencyKey).where(
        IdempotencyKey.user_id == user_id, IdempotencyKey.scope == scope, IdempotencyKey.key_hash == key_hash))


def _replay(row: IdempotencyKey, scope: str, request_hash: str) -> Any:
    """The answer to a repeated key: the first request's outcome, never the work again."""
    if scope == "api":
        if row.request_hash != request_hash:
            return jsonify(error="idempotency_key_reused", message=_(
                "This Idempotency-Key was already used for another request.")), 422
        if row.status is None:  # the first one is still running (cannot happen under the write lock)
            return jsonify(error="conflict", message=_("The same request is being processed.")), 409
        response = current_app.response_class(row.body or "", status=row.status, mimetype="application/json")
        if row.location:
            response.headers["Location"] = row.location
        response.headers["Idempotent-Replayed"] = "true"
        return response
    flash(_("This form was already sent; here is what it saved."), "info")
    return redirect(row.location or request.path, code=303)


def begin(scope: str) -> Any:
    """Claim the request's key before its view runs; a repeat gets the first answer.

    Returns a response to send instead of running the view, or None.
    """
    env = g.get("env")
    if env is None or request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    key = request.headers.get(HEADER) if scope == "api" else request.form.get(FORM_FIELD)
    if not key:
        return None
    if len(key) > 200:
        return _too_long(scope)
    key_hash, request_hash = _digest(key), _request_hash(scope)
    row = _existing(env.user_id, scope, key_hash)
    if row is not None:
        return _replay(row, scope, request_hash)
    row = IdempotencyKey(user_id=env.user_id, scope=scope, key_hash=key_hash, request_hash=request_hash)
    g.db.add(row)
    try:
        g.db.flush()  # waits for a concurrent holder of the same key, then fails if it committed
    except IntegrityError:
        g.db.rollback()
        row = _existing(env.user_id, scope, key_hash)
        if row is not None:
            return _replay(row, scope, request_hash)
        raise
    g.tixi_once = row
    return None


def _too_long(scope: str) -> Any:
    message = _("The one-time key is too long (at most 200 characters).")
    if scope == "api":
        return jsonify(error="invalid", message=message), 422
    flash(message, "danger")
    return redirect(request.path, code=303)


def finish(response: Any) -> Any:
    """Store the answer with the key (committed with the request's writes, or rolled back with them)."""
    row = g.pop("tixi_once", None)
    if row is None or response.status_code >= 400 or g.get("tx_failed"):
        return response
    try:
        row.status = response.status_code
        row.location = (response.headers.get("Location") or "")[:500] or None
        if row.scope == "api" and response.mimetype == "application/json" and not response.is_streamed:
            data = response.get_data(as_text=True)
            row.body = data if len(data) <= MAX_BODY else None
        g.db.flush()
    except Exception:  # noqa: BLE001 - the session is unusable: the request's own commit fails and says so
        g.tx_failed = True
    return response


def init_app(app: Flask) -> None:
    """Form tokens for pages (the API claims its keys after its own authentication)."""
    app.jinja_env.globals["once_field"] = once_field

    @app.before_request
    def _claim_form_key() -> Any:
        if request.blueprint == "api" or FORM_FIELD not in request.form:
            return None
        return begin("form")
