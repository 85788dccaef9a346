"""The kernel's own web contributions, through the same hooks addons use.

Registered as the plugin ``core.web.kernel_plugin`` (see ``KERNEL_PLUGINS``):
the home dashboard, the report centre, preferences, and the admin pages (users, companies,
addons per company, audit log, "why can I see this?", jobs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.i18n import _l
from core.plugins import hookimpl

if TYPE_CHECKING:
    from core.security.env import Env


@hookimpl
def tixi_blueprints() -> list[Any]:
    """The kernel blueprints ``tixi`` (login, home, preferences, admin) and ``tixi_reports`` (report centre)."""
    from core.web.reports import bp as reports_bp
    from core.web.views import bp

    return [bp, reports_bp]


@hookimpl
def tixi_menu_items(env: Env) -> list[Any]:
    """Home, the report centre (when the user may run a report), and the admin menu for administrators."""
    from core.reports import available_reports
    from core.web.menus import MenuItem
    from core.web.views import audit_view, company_view, user_view

    reports = [MenuItem("reports", _l("Reports"), "tixi_reports.index", sequence=850)] if available_reports(env) else []
    return [
        MenuItem("home", _l("Home"), "tixi.home", sequence=0),
        *reports,
        MenuItem("admin", _l("Administration"), "", group="core.group_admin", sequence=900),
        user_view.menu_item(_l("Users"), sequence=10, parent="admin"),
        company_view.menu_item(_l("Companies"), sequence=20, parent="admin"),
        MenuItem("admin.addons", _l("Addons"), "tixi.addons", group="core.group_admin", sequence=30, parent="admin"),
        audit_view.menu_item(_l("Audit log"), sequence=40, parent="admin"),
        MenuItem("admin.explain", _l("Why can I see this?"), "tixi.explain", group="core.group_admin",
                 sequence=50, parent="admin"),
        MenuItem("admin.jobs", _l("Jobs"), "tixi_jobs.index", group="core.group_admin", sequence=60, parent="admin"),
    ]


@hookimpl
def tixi_dashboard_widgets(env: Env) -> list[Any]:
    """A kernel widget: changes recorded in the audit trail over the last 14 days."""
    import datetime as dt

    from sqlalchemy import func

    from core.db import utcnow
    from core.models import AuditEntry
    from core.web.dashboard import Widget

    if not env.can(AuditEntry, "read"):
        return []
    since = utcnow() - dt.timedelta(days=14)
    day = func.date(AuditEntry.at)
    stmt = env.select(AuditEntry, "read", day, func.count(AuditEntry.id)).where(AuditEntry.at >= since).group_by(day)
    counts = {str(d): n for d, n in env.execute(stmt)}
    days = [(since + dt.timedelta(days=i + 1)).date().isoformat() for i in range(14)]
    option = {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 40, "right": 10, "top": 20, "bottom": 30},
        "xAxis": {"type": "category", "data": [d[5:] for d in days]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"type": "bar", "name": str(_l("Changes")), "data": [counts.get(d, 0) for d in days]}],
    }
    return [Widget("core.audit_activity", _l("Changes in the last 14 days"), chart=option, sequence=900)]
