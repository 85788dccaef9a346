"""The Flask application factory of the web shell.

``create_app(instance=...)`` reads the instance configuration (database URL,
secret key) and ``addons.yaml``, builds the :class:`core.registry.Registry`,
mounts the blueprints every installed addon contributes (``tixi_blueprints``)
and wires login (server-side sessions), CSRF, Babel, security headers and one
:class:`core.security.env.Env` per request (``g.env``): the request's database
session is committed when the response is a success and rolled back otherwise.

Development: ``tixi run`` (http://127.0.0.1:5000, ``--port``). Production:
``gunicorn -w 2 'core.web.wsgi:app'`` (instance from ``TIXI_INSTANCE``).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from flask_babel import Babel, refresh
from flask_login import LoginManager, UserMixin, current_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from core.config import PROJECT_ROOT, Instance
from core.errors import AccessDenied, ConcurrentEditError, ValidationError
from core.i18n import _
from core.plugins import flatten
from core.security.env import AddonNotEnabled, Env
from core.security.sessions import SessionPolicy, validate_session
from core.web.i18n import LANGUAGES, TixiDomain, compile_catalogs, translation_dirs

log = logging.getLogger(__name__)

PUBLIC_ENDPOINTS = {"tixi.login", "tixi.set_language", "tixi.vendor", "static", "tixi.healthz", "tixi.readyz"}


def public(view: Any) -> Any:
    """Mark an addon's view as reachable without login (a tokenised link such as a questionnaire).

    The request gets no ``g.env`` (even for a logged-in visitor) and no addon gate: the view
    must check its token itself and build the Env it writes with.
    """
    view.tixi_public = True
    return view


def _is_public(app: Flask) -> bool:
    return bool(getattr(app.view_functions.get(request.endpoint or ""), "tixi_public", False))

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


class WebUser(UserMixin):
    """The logged-in user as Flask-Login sees it (id only; data comes from ``g.env``)."""

    def __init__(self, user_id: int) -> None:
        self.id = user_id


def create_app(
    instance: Instance | str | os.PathLike | None = None,
    test_config: dict[str, Any] | None = None,
    registry: Any = None,
) -> Flask:
    """Build the web application for an instance (or for a ready ``registry`` in tests)."""
    if not isinstance(instance, Instance):
        instance = Instance.resolve(instance) if instance is not None or registry is None else None
    app = Flask("core.web", template_folder="templates", static_folder="static", static_url_path="/static/tixi")
    conf = instance.config() if instance is not None else {}
    web = conf.get("web", {}) if isinstance(conf.get("web"), dict) else {}
    app.config.update(
        SECRET_KEY=instance.secret_key() if instance is not None else "test-only",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(web.get("secure_cookies", os.environ.get("TIXI_SECURE_COOKIES") == "1")),
        REMEMBER_COOKIE_SECURE=bool(web.get("secure_cookies", os.environ.get("TIXI_SECURE_COOKIES") == "1")),
        SESSION_COOKIE_NAME="tixi_session",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=float(web.get("session_absolute_hours", 12))),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the (server-checked) session
        TIXI_SESSION_IDLE_MINUTES=float(web.get("session_idle_minutes", 120)),
        TIXI_SESSION_ABSOLUTE_HOURS=float(web.get("session_absolute_hours", 12)),
        TIXI_LOGIN_MAX_FAILURES=int(web.get("login_max_failures", 5)),
        TIXI_LOGIN_WINDOW_MINUTES=float(web.get("login_window_minutes", 15)),
        TIXI_LOGIN_CEILING=int(web.get("login_ceiling", 20)),
        TIXI_LOGIN_DELAY_SECONDS=float(web.get("login_delay_seconds", 30)),
        TIXI_NODE_MODULES=os.environ.get("TIXI_NODE_MODULES") or str(PROJECT_ROOT / "node_modules"),
        MAX_CONTENT_LENGTH=32 * 1024 * 1024,
    )
    if test_config:
        app.config.update(test_config)
    # behind TLS: HSTS for a year unless [web] hsts_seconds says otherwise (0: off)
    app.config.setdefault("TIXI_HSTS_SECONDS", int(web.get(
        "hsts_seconds", 31536000 if app.config["SESSION_COOKIE_SECURE"] else 0)))
    if web.get("behind_proxy"):  # trust one reverse proxy's X-Forwarded-For/-Proto/-Host (client address, https)
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    if app.config["SECRET_KEY"] in ("dev-only", "test-only") and not app.config.get("TESTING"):
        log.warning("no secret key configured (run 'tixi init' or set TIXI_SECRET_KEY): sessions are not safe")
    if registry is None:
        from core.registry import Registry

        registry = Registry.from_instance(instance)
    app.extensions["tixi_registry"] = registry
    app.extensions.setdefault("tixi_views", {})

    # ----- i18n ---------------------------------------------------------------------------
    dirs = translation_dirs(registry)
    compile_catalogs(dirs)
    babel = Babel(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_locale="zh_CN",
        default_translation_directories=";".join(str(d) for d in dirs),
    )
    babel.domain_instance = TixiDomain(dirs)
    CSRFProtect(app)
    login_manager = LoginManager(app)
    login_manager.login_view = "tixi.login"
    login_manager.session_protection = None  # the server-side session is the protection

    @login_manager.user_loader
    def _load_user(user_id: str) -> WebUser | None:
        row = validate_session(request_db(), session.get("sid"), session_policy(app))
        if row is None or str(row.user_id) != str(user_id):
            return None
        return WebUser(row.user_id)

    @login_manager.unauthorized_handler
    def _unauthorized() -> Any:
        if request.blueprint == "api":
            abort(401)
        return redirect(url_for("tixi.login", next=request.full_path if request.query_string else request.path))

    # ----- blueprints from hooks (every installed addon; gated per company below) ------
    for bp in flatten(registry.all_hooks.tixi_blueprints()):
        if bp.name not in app.blueprints:
            app.register_blueprint(bp)
    from core.web.api import bp as api_bp

    app.extensions["csrf"].exempt(api_bp)
    if "api" not in app.blueprints:
        app.register_blueprint(api_bp)
    from core.web.notifications import bp as notifications_bp

    if notifications_bp.name not in app.blueprints:
        app.register_blueprint(notifications_bp)

    from core.web.todos import bp as todos_bp

    if todos_bp.name not in app.blueprints:
        app.register_blueprint(todos_bp)

    from core.web.search import bp as search_bp

    if search_bp.name not in app.blueprints:
        app.register_blueprint(search_bp)

    from core.web.jobs import bp as jobs_bp

    if jobs_bp.name not in app.blueprints:
        app.register_blueprint(jobs_bp)

    from core.web.attachments import bp as attachments_bp

    if "attachments" not in app.blueprints:
        app.register_blueprint(attachments_bp)

    app.before_request(_open_request)
    app.after_request(_finish_request)
    app.teardown_request(_close_request)
    from core.web import once

    once.init_app(app)  # after the request's Env is open; its answer is stored before the commit
    app.after_request(once.finish)
    _register_errors(app)
    _register_template_helpers(app)
    return app


def session_policy(app: Flask) -> SessionPolicy:
    """The session timeouts and login throttling configured for the app."""
    c = app.config
    return SessionPolicy(
        idle_timeout=dt.timedelta(minutes=c["TIXI_SESSION_IDLE_MINUTES"]),
        absolute_timeout=dt.timedelta(hours=c["TIXI_SESSION_ABSOLUTE_HOURS"]),
        max_failures=c["TIXI_LOGIN_MAX_FAILURES"],
        window=dt.timedelta(minutes=c["TIXI_LOGIN_WINDOW_MINUTES"]),
        login_ceiling=c["TIXI_LOGIN_CEILING"],
        login_delay=dt.timedelta(seconds=c["TIXI_LOGIN_DELAY_SECONDS"]),
    )


def registry_of(app: Flask | None = None) -> Any:
    """The registry the app was built with."""
    from flask import current_app

    return (app or current_app).extensions["tixi_registry"]


# ----- locale --------------------------------------------------------------------------------
def select_locale() -> str:
    """User preference, else the language chosen on the login page, else the browser, else zh_CN."""
    plain = g.get("tixi_plain_error")
    if plain:  # a 5xx page: the language was chosen before the database failed
        return plain
    env = g.get("env")
    if env is not None and env.user.lang in LANGUAGES:
        return env.user.lang
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    if not request or not request.accept_languages:
        return "zh_CN"
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"])
    if best and best.startswith("en"):
        return "en"
    return "zh_CN"


def select_timezone() -> str | None:
    """The user's timezone (default Asia/Shanghai)."""
    env = g.get("env")
    return env.user.tz if env is not None and env.user.tz else "Asia/Shanghai"


# ----- request lifecycle -----------------------------------------------------------------------
def _open_request() -> Any:
    from flask import current_app

    from core.db import write_transactions

    g.tixi_write_intent = write_transactions(request.method not in ("GET", "HEAD", "OPTIONS"))  # SQLite locking
    if request.endpoint in ("static", "tixi.vendor", "tixi.healthz", "tixi.readyz"):
        return None
    registry = registry_of()
    request_db()
    g.env = None
    if request.blueprint == "api":
        return None  # token auth in core.web.api
    if _is_public(current_app):
        return None  # a public view (see ``public``) checks its own token
    if not current_user.is_authenticated:
        if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
            return None
        return current_app.login_manager.unauthorized()
    try:
        g.env = make_env(registry, g.db, int(current_user.id), session.get("company_id"))
        refresh()  # the locale may have been chosen before the user was known
    except AccessDenied:
        logout_user()
        session.clear()
        return redirect(url_for("tixi.login"))
    _gate_blueprint(current_app)
    return None


def request_db() -> Any:
    """The request's database session (opened on first use)."""
    db = g.get("db")
    if db is None:
        db = g.db = registry_of().Session()
    return db


def make_env(registry: Any, db: Any, user_id: int, company_id: int | None) -> Env:
    """The request's Env: the user in their chosen company (if still theirs), else their default."""
    try:
        return Env(registry, db, user_id, company_id)
    except AccessDenied:
        if company_id is None:
            raise
        return Env(registry, db, user_id, None)


def _gate_blueprint(app: Flask) -> None:
    """404 for pages of an addon the current company has not enabled."""
    name = request.blueprint
    if not name:
        return
    bp = app.blueprints.get(name.split(".")[0])
    addon = getattr(bp, "tixi_addon", None) or name.split(".")[0]
    registry = registry_of(app)
    if addon in registry.manifests and addon not in g.env.enabled:
        abort(404)


def _finish_request(response: Any) -> Any:
    db = g.pop("db", None)
    if db is not None:
        try:
            if response.status_code < 400 and not g.get("tx_failed"):
                db.commit()
            else:
                db.rollback()
        except DBAPIError as exc:  # the commit itself failed: nothing was saved, and the answer says so
            from core.web.errors import error_response

            log.error("commit failed: %s", exc)
            g.db = db
            response = current_app.make_response(error_response(
                503 if isinstance(exc, OperationalError) or exc.connection_invalidated else 500))
            g.pop("db", None)
        finally:
            db.close()
    h = response.headers
    h.setdefault("Content-Security-Policy", CSP)
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("Referrer-Policy", "same-origin")
    h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    hsts = current_app.config.get("TIXI_HSTS_SECONDS") or 0
    if hsts > 0:
        h.setdefault("Strict-Transport-Security", f"max-age={int(hsts)}; includeSubDomains")
    endpoint = request.endpoint or ""
    if endpoint not in ("static", "tixi.vendor") and not endpoint.endswith(".static"):
        h.setdefault("Cache-Control", "no-store")
    return response


def _close_request(exc: BaseException | None) -> None:
    from core.db import reset_write_transactions

    db = g.pop("db", None)
    if db is not None:
        db.rollback()
        db.close()
    token = g.pop("tixi_write_intent", None)
    if token is not None:
        try:
            reset_write_transactions(token)
        except ValueError:  # set in another context (a streamed response): the default is safe
            pass


# ----- errors --------------------------------------------------------------------------------
def _error_page(status: int, title: str, message: str) -> Any:
    from core.web.errors import error_response

    return error_response(status, message=message, title=title)


def _register_errors(app: Flask) -> None:
    @app.errorhandler(AddonNotEnabled)
    def _addon_not_enabled(exc: Exception) -> Any:
        return _error_page(404, _("Page not found"), _("This page does not exist or is not available for your company."))

    @app.errorhandler(AccessDenied)
    def _denied(exc: Exception) -> Any:
        return _error_page(403, _("Access denied"), _("You do not have the rights to see or do this."))

    @app.errorhandler(ConcurrentEditError)
    def _concurrent(exc: Exception) -> Any:
        return _error_page(409, _("Edit conflict"), _("Somebody else saved this record since you opened it. "
                                                      "Reload the page to see their changes, then edit again."))

    @app.errorhandler(ValidationError)
    def _invalid(exc: ValidationError) -> Any:
        return _error_page(422, _("Invalid data"), str(exc))

    @app.errorhandler(CSRFError)
    def _csrf(exc: Exception) -> Any:
        return _error_page(400, _("Form expired"), _("The form has expired or was not sent by this site. "
                                                     "Go back, reload the page and try again."))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        if exc.code == 404:
            return _error_page(404, _("Page not found"), _("This page does not exist or is not available for your company."))
        if exc.code == 403:
            return _error_page(403, _("Access denied"), _("You do not have the rights to see or do this."))
        if exc.code == 401:
            return _error_page(401, _("Login required"), _("Please log in."))
        if exc.code is None or exc.code < 400:
            return exc
        from core.web.errors import answer_unexpected, error_response

        if isinstance(exc, InternalServerError) and exc.original_exception is not None:
            return answer_unexpected(exc.original_exception)  # raised outside the view (after_request ...)

        return error_response(exc.code)

    from core.web.errors import register_error_pages

    register_error_pages(app)  # 413, 500, 503: the app's bilingual pages, JSON under /api/


def _register_template_helpers(app: Flask) -> None:
    from core.i18n import current_lang
    from core.web import generic
    from core.web.menus import visible_items

    @app.context_processor
    def _globals() -> dict[str, Any]:
        plain = g.get("tixi_plain_error")
        if plain:  # the 5xx page: nothing that reads the database (it may be down)
            return {"env": None, "tr": generic.tr, "lang": plain, "LANGUAGES": LANGUAGES}
        env = g.get("env")
        ctx: dict[str, Any] = {"env": env, "tr": generic.tr, "format_cell": generic.format_cell,
                               "display_name": generic.display_name, "lang": current_lang(),
                               "model_cell": generic.model_cell, "column_label": generic.column_label,
                               "LANGUAGES": LANGUAGES}
        if env is not None:
            if "menu" not in g:
                g.menu = visible_items(env)
            ctx["menu"] = g.menu
            ctx["companies"] = sorted(env.user.companies, key=lambda c: c.id)
            ctx["company"] = next((c for c in env.user.companies if c.id == env.company_id), None)
        return ctx


def project_path(*parts: str) -> Path:
    """A path inside the project checkout."""
    return PROJECT_ROOT.joinpath(*parts)
