"""Error answers of the web app: a stable code, a message in both product languages, no Werkzeug page.

Pages get the app's own error page; ``/api/`` gets JSON ``{"error": <code>,
"message": <in the user's language>}`` with a code integrators can test
(``not_found``, ``invalid``, ``conflict``, ``too_large``, ``server_error``,
``unavailable``, ...). When the database is unreachable the page is rendered
without touching it (no menus, no user) and says so in Chinese and English: a
503 a load balancer and a person can both read.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, g, render_template, request
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from core.i18n import N_, translate

log = logging.getLogger(__name__)

#: HTTP status -> (stable code, title, message); titles and messages translated when shown
ERRORS: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", N_("Bad request"), N_("The request could not be understood.")),
    401: ("unauthorized", N_("Login required"), N_("Please log in.")),
    403: ("forbidden", N_("Access denied"), N_("You do not have the rights to see or do this.")),
    404: ("not_found", N_("Page not found"), N_("This page does not exist or is not available for your company.")),
    405: ("method_not_allowed", N_("Method not allowed"), N_("This address does not accept this kind of request.")),
    409: ("conflict", N_("Edit conflict"), N_("Somebody else saved this record since you opened it.")),
    413: ("too_large", N_("Upload too large"), N_("The file or form is larger than the server accepts.")),
    415: ("unsupported_media_type", N_("Unsupported format"), N_("The request body is not in a format this address accepts.")),
    422: ("invalid", N_("Invalid data"), N_("Some values are not valid.")),
    429: ("too_many_requests", N_("Too many requests"), N_("Please wait a moment and try again.")),
    500: ("server_error", N_("Server error"), N_("Something went wrong on our side; nothing was saved. Please try again.")),
    503: ("unavailable", N_("Service unavailable"),
          N_("The database cannot be reached at the moment; nothing was saved. Please try again in a minute.")),
}


def is_api() -> bool:
    """Whether the current request is for the JSON API."""
    return request.blueprint == "api" or request.path.startswith("/api/")


def _lang() -> str:
    from core.web.app import select_locale

    try:
        return select_locale()
    except Exception:  # noqa: BLE001 - an error page must render whatever failed
        return "zh_CN"


def error_response(status: int, message: str | None = None, title: str | None = None, **extra: Any) -> Any:
    """The error answer for ``status``: JSON with a stable code under ``/api/``, else the error page.

    The request's transaction is rolled back first (nothing half-written).
    """
    lang = _lang()  # before the rollback: it expires the user, whose language would need the database
    db = g.get("db")
    if db is not None:
        try:
            db.rollback()
        except Exception:  # noqa: BLE001 - the database may be the thing that failed
            log.warning("rollback failed while answering %s", status, exc_info=True)
    code, default_title, default_message = ERRORS.get(status, ERRORS[500 if status >= 500 else 400])
    title = title or translate(default_title, lang)
    message = message or translate(default_message, lang)
    if is_api():
        return {"error": code, "message": message, **extra}, status
    if status >= 500:  # no base layout: it reads the user, menus and notifications from the database
        g.tixi_plain_error = lang  # the template context too must not touch the database
        if "_login_user" not in g and hasattr(current_app, "login_manager"):
            g._login_user = current_app.login_manager.anonymous_user()  # the page must not load the user
        other = "en" if lang != "en" else "zh_CN"
        return render_template(
            "error_plain.html", status=status, lang=lang, title=title, message=message,
            other_title=translate(default_title, other), other_message=translate(default_message, other),
        ), status
    return render_template("error.html", status=status, title=title, message=message), status


def _propagate(exc: Exception) -> None:
    """In tests, let unexpected exceptions reach the test (unless it asks for the pages: ``TIXI_ERROR_PAGES``)."""
    if current_app.testing and not current_app.config.get("TIXI_ERROR_PAGES"):
        raise exc


def register_error_pages(app: Flask) -> None:
    """413, 405, unexpected exceptions (500) and an unreachable database (503) as the app's own answers."""

    @app.errorhandler(OperationalError)
    def _database_down(exc: Exception) -> Any:
        _propagate(exc)
        log.error("database unavailable: %s", exc)
        return error_response(503)

    @app.errorhandler(DBAPIError)
    def _database_error(exc: DBAPIError) -> Any:
        _propagate(exc)
        if exc.connection_invalidated:
            log.error("database connection lost: %s", exc)
            return error_response(503)
        log.exception("database error")
        return error_response(500)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        if isinstance(exc, InternalServerError) and exc.original_exception is not None:
            return answer_unexpected(exc.original_exception)
        if isinstance(exc, HTTPException):
            return exc
        return answer_unexpected(exc)


def answer_unexpected(exc: BaseException) -> Any:
    """The answer to an exception no view handled: 503 when the database is unreachable, else 500."""
    if isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated):
        log.error("database unavailable: %s", exc)
        return error_response(503)
    if isinstance(exc, Exception):
        _propagate(exc)
    log.error("unhandled error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(500)
