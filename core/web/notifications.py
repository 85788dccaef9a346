"""The in-app inbox: the bell's unread count, the list, mark read, open the linked record.

Blueprint ``tixi_notifications`` (``/notifications``). Every read goes through
:func:`core.notifications.inbox_select`, so a user reaches only their own
notifications in the current company; another user's id is refused (403).
State changes are POST forms with the CSRF token.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from core import notifications as svc
from core.i18n import _

bp = Blueprint("tixi_notifications", __name__, url_prefix="/notifications")

PAGE_SIZE = 30


@bp.app_template_global("notification_unread")
def notification_unread() -> int:
    """Unread notifications of the current user (one query per request, kept in ``g``)."""
    env = g.get("env")
    if env is None:
        return 0
    if "notification_unread" not in g:
        g.notification_unread = svc.unread_count(env)
    return g.notification_unread


def record_url(model: str | None, res_id: int | None) -> str | None:
    """The detail page of a record: the generic view of its model, if one is mounted."""
    if not model or res_id is None:
        return None
    from core.web.generic.view import views

    for view in views().values():
        if view.model.__tablename__ == model and view.blueprint:
            try:
                return url_for(view.endpoint("detail"), id=res_id)
            except Exception:  # noqa: BLE001 - a view without a detail page
                continue
    return None


def notification_url(row: Any) -> str | None:
    """Where a notification leads: its record's detail page, else the site path in its ``url`` parameter.

    A report subscription's notification carries the report page with its
    parameters (``/reports/pricing.margin?period=last_month``); only a path of
    this site is followed (never ``//host`` nor ``http:``).
    """
    url = record_url(row.model, row.res_id)
    if url:
        return url
    try:
        target = json.loads(row.params or "{}").get("url")
    except (ValueError, AttributeError):
        return None
    if isinstance(target, str) and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.route("/")
def inbox() -> Any:
    """The user's notifications, newest first; unread ones marked."""
    env = g.env
    try:
        page = max(int(request.args.get("page", 1)), 1)
    except ValueError:
        page = 1
    rows = svc.inbox(env, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    more = len(rows) > PAGE_SIZE
    items = []
    for row in rows[:PAGE_SIZE]:
        subject, body = svc.render_row(env, row)
        items.append({"row": row, "subject": subject, "body": body, "url": notification_url(row)})
    return render_template("notifications/inbox.html", items=items, page=page, more=more)


@bp.route("/<int:notification_id>/open", methods=["POST"])
def open_notification(notification_id: int) -> Any:
    """Mark the notification read and go to its record (the inbox when it has none)."""
    row = svc.mark_read(g.env, notification_id)
    return redirect(notification_url(row) or url_for("tixi_notifications.inbox"))


@bp.route("/<int:notification_id>/read", methods=["POST"])
def read(notification_id: int) -> Any:
    """Mark one notification read."""
    svc.mark_read(g.env, notification_id)
    return redirect(url_for("tixi_notifications.inbox"))


@bp.route("/read-all", methods=["POST"])
def read_all() -> Any:
    """Mark every notification of the user in this company read."""
    n = svc.mark_all_read(g.env)
    flash(_("%(n)s notifications marked read.", n=n), "success")
    return redirect(url_for("tixi_notifications.inbox"))


@bp.route("/preferences", methods=["POST"])
def preferences() -> Any:
    """Save the user's in-app / e-mail choice for each notification type."""
    env = g.env
    for t in svc.types_for(env):
        svc.set_preference(env, t.code, f"inapp:{t.code}" in request.form, f"email:{t.code}" in request.form)
    flash(_("Notification preferences saved."), "success")
    return redirect(url_for("tixi.preferences") + "#notification-preferences")
