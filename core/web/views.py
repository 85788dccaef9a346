"""The kernel blueprint ``tixi``: login/logout, home dashboard, company switcher,
preferences, password change, API tokens, vendored assets and the admin pages."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_login import login_user, logout_user
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import EqualTo, InputRequired, Length

from core.errors import TixiError
from core.i18n import _, _l
from core.models import ApiToken, AuditEntry, Company, Group, User
from core.security.passwords import MIN_LENGTH, hash_password, verify_password
from core.security.sessions import (
    authenticate,
    create_session,
    disable_user,
    purge_expired,
    revoke_session,
    revoke_user_sessions,
)
from core.web.dashboard import widgets_for
from core.web.generic import Button, Col, Filter, ModelView, Tab, select_choices
from core.web.i18n import LANGUAGE_NAMES, LANGUAGES

if TYPE_CHECKING:
    from core.security.env import Env

bp = Blueprint("tixi", __name__)

TIMEZONES = ("Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo",
             "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "UTC")

# Files of node_modules/ the app serves (nothing else from that folder is reachable).
VENDOR_FILES = {
    "bootstrap/bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
    "bootstrap/bootstrap.bundle.min.js": "bootstrap/dist/js/bootstrap.bundle.min.js",
    "echarts/echarts.min.js": "echarts/dist/echarts.min.js",
    "htmx/htmx.min.js": "htmx.org/dist/htmx.min.js",
}


# ----- forms ---------------------------------------------------------------------------------
class LoginForm(FlaskForm):
    """Login and password."""

    login = StringField(_l("Login"), validators=[InputRequired(message=_l("This field is required."))])
    password = PasswordField(_l("Password"), validators=[InputRequired(message=_l("This field is required."))])


class PasswordForm(FlaskForm):
    """Password change: the current one and the new one twice."""

    current = PasswordField(_l("Current password"), validators=[InputRequired(message=_l("This field is required."))])
    new = PasswordField(_l("New password"), validators=[
        InputRequired(message=_l("This field is required.")),
        Length(min=MIN_LENGTH, message=_l("At least %(min)d characters.")),
    ])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        EqualTo("new", message=_l("The two passwords differ.")),
    ])


class PreferencesForm(FlaskForm):
    """Language and timezone."""

    lang = SelectField(_l("Language"), choices=select_choices((code, LANGUAGE_NAMES[code]) for code in LANGUAGES))
    tz = SelectField(_l("Timezone"), choices=select_choices((t, t) for t in TIMEZONES))


class TokenForm(FlaskForm):
    """Name of a new API token."""

    name = StringField(_l("Token name"), validators=[InputRequired(message=_l("This field is required.")),
                                                     Length(max=100)])


# ----- auth ----------------------------------------------------------------------------------
def _safe_next(target: str | None) -> str:
    if target:
        parts = urlparse(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("tixi.home")


DEVICE_COOKIE = "tixi_device"
DEVICE_DAYS = 180


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="tixi-device")


def _login_tag(login: str) -> str:
    return hashlib.sha256(login.strip().lower().encode("utf-8")).hexdigest()[:16]


def _known_device() -> dict[str, Any]:
    """The signed device cookie: ``{"d": device id, "l": [tags of logins that signed in here]}``."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return {}
    try:
        data = _device_serializer().loads(raw, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("l"), list) else {}


def _remember_device(response: Any, known: dict[str, Any], login: str) -> None:
    """After a successful login: this device is known for this login (for the throttle)."""
    tags = [t for t in known.get("l", []) if t != _login_tag(login)][-9:] + [_login_tag(login)]
    value = _device_serializer().dumps({"d": known.get("d") or secrets.token_urlsafe(16), "l": tags})
    response.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_DAYS * 86400, httponly=True, samesite="Lax",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Login page; a new server-side session (new id) at every successful login.

    Failed attempts are throttled (core.security.sessions.authenticate); a
    device that signed in before keeps its own counters, so guessing from
    elsewhere never locks the owner out of it.
    """
    from core.web.app import session_policy

    form = LoginForm()
    error = None
    status = 200
    retry_after = 0
    if form.validate_on_submit():
        known = _known_device()
        device = known.get("d") if _login_tag(form.login.data or "") in known.get("l", []) else None
        result = authenticate(g.db, form.login.data, form.password.data, request.remote_addr,
                              session_policy(current_app), device=device)
        user = result.user
        if user is None:
            g.db.commit()  # keep the failure for throttling
            status = 429 if result.reason == "throttled" else 401
            retry_after = result.retry_after
            error = (_("Too many failed attempts. Try again in %(n)d seconds.", n=retry_after)
                     if result.reason == "throttled" else _("Wrong login or password."))
        else:
            lang = session.get("lang")
            purge_expired(g.db, session_policy(current_app))  # housekeeping, cheap DELETEs
            session.clear()  # nothing from before the login survives (fixation)
            token = create_session(g.db, user.id, request.remote_addr)
            session["sid"] = token
            session["company_id"] = user.company_id
            if lang and not user.lang:
                session["lang"] = lang
            session.permanent = True
            login_user(_web_user(user.id))
            response = redirect(_safe_next(request.args.get("next")))
            _remember_device(response, known, form.login.data)
            return response
    elif request.method == "POST":
        status = 400
    response = make_response(render_template("login.html", form=form, error=error), status)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _web_user(user_id: int) -> Any:
    from core.web.app import WebUser

    return WebUser(user_id)


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    """End the session on the server and in the browser."""
    revoke_session(g.db, session.get("sid"))
    logout_user()
    session.clear()
    return redirect(url_for("tixi.login"))


@bp.route("/language", methods=["POST"])
def set_language() -> Any:
    """Choose the interface language (saved in the user's preferences when logged in)."""
    lang = request.form.get("lang")
    if lang not in LANGUAGES:
        abort(400)
    session["lang"] = lang
    env = g.get("env")
    if env is not None:
        env.user.lang = lang
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/healthz")
def healthz() -> Any:
    """Liveness probe: the process answers (never touches the database; restart it when this fails)."""
    return {"status": "ok"}


@bp.route("/readyz")
def readyz() -> Any:
    """Readiness probe: the database answers ``SELECT 1``; 503 (JSON) while it does not (send no traffic)."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    registry = current_app.extensions["tixi_registry"]
    try:
        with registry.engine.connect() as conn:  # tixi: session-ok (a probe of the connection, no model read)
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        return {"status": "unavailable", "database": type(exc).__name__}, 503
    return {"status": "ok", "database": "ok"}


@bp.route("/static/vendor/<path:filename>")
def vendor(filename: str) -> Any:
    """Front-end libraries from ``node_modules/`` (allow-listed files only, no CDN)."""
    target = VENDOR_FILES.get(filename)
    if target is None:
        abort(404)
    return send_from_directory(current_app.config["TIXI_NODE_MODULES"], target, max_age=86400)


@bp.route("/lookup/<table>")
def lookup(table: str) -> Any:
    """Type-ahead for foreign-key selects: ``[{"id", "label"}]`` of readable records matching ``q``."""
    from core.registry import model_class
    from core.web.generic import lookup_records

    targets = {fk.column.table.name for view in current_app.extensions.get("tixi_views", {}).values()
               for col in view.table.c for fk in col.foreign_keys}
    target = model_class(table) if table in targets else None  # only what a generic form may select
    if target is None:
        abort(404)
    g.env.check(target, "read")
    return {"items": [{"id": i, "label": label} for i, label in lookup_records(g.env, target, request.args.get("q", ""))]}


# ----- home and preferences ------------------------------------------------------------------
@bp.route("/")
def home() -> Any:
    """Home dashboard: the user's to-dos, then widgets from the enabled addons."""
    from core.todos import todos_for
    from core.web.todos import present

    return render_template("home.html", widgets=widgets_for(g.env), todos=present(g.env, todos_for(g.env)))


@bp.route("/company", methods=["POST"])
def switch_company() -> Any:
    """Switch the current company (one of the user's companies)."""
    env = g.env
    try:
        cid = int(request.form.get("company_id", ""))
    except ValueError:
        abort(400)
    if cid not in env.company_ids:
        abort(403)
    session["company_id"] = cid
    env.user.company_id = cid
    return redirect(url_for("tixi.home"))


@bp.route("/preferences", methods=["GET", "POST"])
def preferences() -> Any:
    """Language and timezone of the user; notification choices per type; API tokens."""
    env = g.env
    form = PreferencesForm(data={"lang": env.user.lang or session.get("lang") or "zh_CN", "tz": env.user.tz})
    if form.validate_on_submit():
        env.user.lang = form.lang.data
        env.user.tz = form.tz.data
        session["lang"] = form.lang.data
        flash(_l("Preferences saved."), "success")
        return redirect(url_for("tixi.preferences"))
    tokens = list(g.db.scalars(select(ApiToken).where(ApiToken.user_id == env.user_id).order_by(ApiToken.id)))
    from core import notifications

    return render_template("preferences.html", form=form, token_form=TokenForm(), tokens=tokens,
                           new_token=session.pop("new_token", None),
                           notification_prefs=notifications.user_preferences(env),
                           smtp_configured=notifications.smtp_settings(env.registry) is not None)


@bp.route("/password", methods=["GET", "POST"])
def password() -> Any:
    """Change one's password; every other session of the user ends."""
    env = g.env
    form = PasswordForm()
    status = 200
    if form.validate_on_submit():
        if not verify_password(env.user.password_hash, form.current.data):
            form.current.errors = [_("The current password is wrong.")]
            status = 422
        else:
            env.user.password_hash = hash_password(form.new.data)
            revoke_user_sessions(g.db, env.user_id)
            session["sid"] = create_session(g.db, env.user_id, request.remote_addr)
            flash(_("Password changed."), "success")
            return redirect(url_for("tixi.home"))
    elif request.method == "POST":
        status = 422
    return render_template("password.html", form=form), status


@bp.route("/tokens", methods=["POST"])
def create_token() -> Any:
    """Create an API token; it is shown once (only its SHA-256 is stored)."""
    form = TokenForm()
    if not form.validate_on_submit():
        flash(_("A token needs a name."), "danger")
        return redirect(url_for("tixi.preferences"))
    token = "tixi_" + secrets.token_urlsafe(32)
    g.db.add(ApiToken(user_id=g.env.user_id, name=form.name.data.strip(),
                      token_hash=hashlib.sha256(token.encode()).hexdigest()))
    session["new_token"] = token
    return redirect(url_for("tixi.preferences"))


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_token(token_id: int) -> Any:
    """Deactivate one of the user's API tokens."""
    token = g.db.get(ApiToken, token_id)
    if token is None or token.user_id != g.env.user_id:
        abort(404)
    token.active = False
    flash(_("Token revoked."), "success")
    return redirect(url_for("tixi.preferences"))


# ----- admin ---------------------------------------------------------------------------------
def _require_admin() -> None:
    if not g.env.in_group("core.group_admin"):
        abort(403)


@bp.route("/admin/addons")
def addons() -> Any:
    """Addons available, installed, and enabled for the current company."""
    _require_admin()
    registry = g.env.registry
    rows = []
    for name, manifest in sorted(registry.manifests.items()):
        rows.append({"name": name, "manifest": manifest, "installed": registry.installed.get(name),
                     "enabled": name in g.env.enabled})
    return render_template("addons.html", rows=rows)


@bp.route("/admin/explain")
def explain() -> Any:
    """"Why can I see this?": which right and rules let a user see or change a record."""
    from core.security.explain import explain_access

    _require_admin()
    login = request.args.get("login", "").strip()
    model = request.args.get("model", "").strip()
    res_id = request.args.get("res_id", "").strip()
    lines: list[str] = []
    error = None
    if login and model and res_id:
        company = g.db.get(Company, g.env.company_id)
        try:
            lines = explain_access(g.env.registry, login, model, int(res_id), company.code if company else None)
        except (TixiError, ValueError) as exc:
            error = str(exc)
    return render_template("explain.html", login=login, model=model, res_id=res_id, lines=lines, error=error)


class UserAccessForm(FlaskForm):
    """Companies and role groups of a user."""

    companies = SelectMultipleField(_l("Companies"), coerce=int,
                                    validators=[InputRequired(message=_l("This field is required."))])
    groups = SelectMultipleField(_l("Groups"), coerce=int)


class NewUserForm(UserAccessForm):
    """A new user: login, name, password, companies and groups."""

    login = StringField(_l("Login"), validators=[InputRequired(message=_l("This field is required.")),
                                                 Length(max=128)])
    name = StringField(_l("Name"), validators=[InputRequired(message=_l("This field is required.")),
                                               Length(max=200)])
    email = StringField(_l("Email"), validators=[Length(max=200)])
    password = PasswordField(_l("Password"), validators=[
        InputRequired(message=_l("This field is required.")),
        Length(min=MIN_LENGTH, message=_l("At least %(min)d characters.")),
    ])


def _access_choices(form: UserAccessForm) -> None:
    from core.i18n import current_lang

    env = g.env
    lang = current_lang()
    companies = [c for c in env.user.companies] if not env.user.is_admin else list(
        g.db.scalars(select(Company).order_by(Company.id)))
    form.companies.choices = select_choices((c.id, c.display(lang)) for c in companies)
    groups = g.db.scalars(select(Group).order_by(Group.addon, Group.code))
    form.groups.choices = select_choices((gr.id, f"{gr.display(lang)} ({gr.code})") for gr in groups)


def _set_access(user: User, form: UserAccessForm) -> dict[str, list[Any]]:
    allowed = {int(c.value) for c in form.companies.choices}
    companies = list(g.db.scalars(select(Company).where(Company.id.in_(
        [i for i in form.companies.data if i in allowed]))))
    groups = list(g.db.scalars(select(Group).where(Group.id.in_(form.groups.data or []))))
    old = {"groups": sorted(gr.code for gr in user.groups), "companies": sorted(c.code for c in user.companies)}
    user.companies = companies
    user.groups = groups
    if user.company_id not in {c.id for c in companies}:
        user.company_id = companies[0].id if companies else None
    new = {"groups": sorted(gr.code for gr in groups), "companies": sorted(c.code for c in companies)}
    return {k: [old[k], new[k]] for k in old if old[k] != new[k]}


@bp.route("/admin/users/create", methods=["GET", "POST"])
def user_create() -> Any:
    """Create a user (administrators)."""
    from core.errors import ValidationError
    from core.security.users import create_user
    from core.web.generic import attach_errors

    env = g.env
    _require_admin()
    env.check(User, "create")
    form = NewUserForm(data={"companies": [env.company_id]})
    _access_choices(form)
    status = 200
    if form.validate_on_submit():
        try:
            user = create_user(g.db, form.login.data.strip(), form.name.data.strip(), form.password.data, [], [])
        except ValidationError as exc:
            g.db.rollback()
            attach_errors(form, ValidationError(str(exc), {k: _("This login is taken.") if v == "taken" else str(v)
                                                            for k, v in exc.errors.items()}))
            status = 422
        else:
            user.email = form.email.data.strip() or None
            changes = _set_access(user, form)
            env.audit("core_user", user.id, "create", {"login": [None, user.login], **changes})
            flash(_("Saved."), "success")
            return redirect(url_for("tixi.user_detail", id=user.id))
    elif request.method == "POST":
        status = 422
    return render_template("user_form.html", form=form, user=None), status


@bp.route("/admin/users/<int:user_id>/access", methods=["GET", "POST"])
def user_access(user_id: int) -> Any:
    """Change a user's companies and role groups (administrators; audited)."""
    env = g.env
    _require_admin()
    user = env.get(User, user_id, "write")
    form = UserAccessForm(data={"companies": [c.id for c in user.companies], "groups": [gr.id for gr in user.groups]})
    _access_choices(form)
    status = 200
    if form.validate_on_submit():
        changes = _set_access(user, form)
        if changes:
            env.audit("core_user", user.id, "update", changes)
            revoke_user_sessions(g.db, user.id) if user.id != env.user_id else None
        flash(_("Saved."), "success")
        return redirect(url_for("tixi.user_detail", id=user.id))
    elif request.method == "POST":
        status = 422
    return render_template("user_form.html", form=form, user=user), status


def _disable(env: Env, user: User) -> str:
    if user.id == env.user_id:
        return _("You cannot disable yourself.")
    env.check(User, "write")
    disable_user(env.session, user)
    env.audit("core_user", user.id, "update", {"active": [True, False]})
    return _("User disabled; their sessions have ended.")


def _enable(env: Env, user: User) -> str:
    env.write(user, {"active": True})
    return _("User enabled.")


def _groups_tab(env: Env, user: User) -> Any:
    from markupsafe import Markup, escape

    from core.i18n import current_lang

    lang = current_lang()
    items = "".join(f"<li>{escape(g.display(lang))} <code>{escape(g.code)}</code></li>"
                    for g in sorted(user.groups, key=lambda g: g.code))
    companies = ", ".join(escape(c.display(lang)) for c in user.companies)
    link = ""
    if env.in_group("core.group_admin"):
        edit = _("Edit")
        link = (f'<a class="btn btn-sm btn-outline-primary" id="edit-access" '
                f'href="{escape(url_for("tixi.user_access", user_id=user.id))}">{escape(edit)}</a>')
    label = _("Companies")
    return Markup(f"<ul>{items}</ul><p>{escape(label)}: {companies}</p>{link}")


def _audit_changes(entry: AuditEntry) -> Any:
    """The changed fields of an audit entry, restricted fields of the model left out."""
    import json

    from markupsafe import Markup, escape

    from core.registry import model_class

    try:
        changes = json.loads(entry.changes or "{}")
    except ValueError:
        return entry.changes
    from core.web.generic.labels import audit_value

    cls = model_class(entry.model)
    rows = []
    for field, value in changes.items():
        if cls is not None and field in cls.__table__.c and not g.env.field_visible(cls, field):
            continue
        old, new = (value + [None, None])[:2] if isinstance(value, list) else (None, value)
        old, new = (audit_value(g.env, cls, field, v) for v in (old, new))  # labels, not raw ids
        rows.append(f"<tr><th>{escape(field)}</th><td>{escape(old)}</td><td>{escape(new)}</td></tr>")
    return Markup('<table class="table table-sm mb-0">' + "".join(rows) + "</table>")


user_view = ModelView(
    name="tixi.user",
    model=User,
    label=_l("User"),
    label_plural=_l("Users"),
    list_columns=["login", "name", "email", "company_id", "active", "is_admin"],
    search_fields=["login", "name", "email"],
    filters=[Filter("active", _l("Active"))],
    form_fields=["name", "email", "lang", "tz"],
    detail_fields=["login", "name", "email", "company_id", "lang", "tz", "active", "is_admin"],
    field_labels={"login": _l("Login"), "name": _l("Name"), "email": _l("Email"), "company_id": _l("Company"),
                  "active": _l("Active"), "is_admin": _l("Administrator"), "lang": _l("Language"),
                  "tz": _l("Timezone")},
    choices={"lang": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES], "tz": [(t, t) for t in TIMEZONES]},
    buttons=[
        Button("disable", _l("Disable"), _disable, groups=["core.group_admin"], style="danger",
               visible=lambda env, u: u.active, confirm=_l("Disable this user and end their sessions?")),
        Button("enable", _l("Enable"), _enable, groups=["core.group_admin"], visible=lambda env, u: not u.active),
    ],
    tabs=[Tab("groups", _l("Groups"), _groups_tab)],
    url_prefix="/admin/users",
    groups=["core.group_admin"],
    can_create=False,
    new_endpoint="tixi.user_create",
    api=False,
).register(bp)

company_view = ModelView(
    name="tixi.company",
    model=Company,
    label=_l("Company"),
    label_plural=_l("Companies"),
    list_columns=["code", "name_zh", "name_en", "currency", "timezone", "active"],
    form_fields=["name_zh", "name_en", "currency", "timezone"],
    field_labels={"code": _l("Code"), "name_zh": _l("Chinese name"), "name_en": _l("English name"),
                  "currency": _l("Currency"), "timezone": _l("Timezone"), "active": _l("Active")},
    choices={"timezone": [(t, t) for t in TIMEZONES]},
    url_prefix="/admin/companies",
    groups=["core.group_admin"],
    can_create=False,
    api=False,
).register(bp)

audit_view = ModelView(
    name="tixi.audit",
    model=AuditEntry,
    label=_l("Audit entry"),
    label_plural=_l("Audit log"),
    list_columns=["at", "user_id", "model", "res_id", "action"],
    detail_fields=["at", "user_id", "model", "res_id", "action", Col("changes", _l("Changes"), value=_audit_changes)],
    search_fields=["model", "action"],
    filters=[Filter("action", _l("Action"), choices=[("create", _l("Created")), ("update", _l("Updated")),
                                                       ("delete", _l("Deleted")), ("transition", _l("Transition"))])],
    field_labels={"at": _l("When"), "user_id": _l("User"), "model": _l("Model"), "res_id": _l("Record"),
                  "action": _l("Action")},
    url_prefix="/admin/audit",
    can_create=False,
    can_edit=False,
    api=False,
).register(bp)
