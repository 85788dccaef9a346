"""The field_activity addon (销售过程管理): hook implementations, kept thin.

Business logic lives in ``services``, pages in ``views``, figures in
``measures``, the report in ``report_defs``, to-dos in ``todos``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.plugins import hookimpl

if TYPE_CHECKING:
    from core.models import Company
    from core.security.env import Env


@hookimpl
def tixi_blueprints() -> list[Any]:
    """The addon's pages (under ``/field_activity``)."""
    from .views import bp

    return [bp]


@hookimpl
def tixi_menu_items(env: Env) -> list[Any]:
    """The addon's menu entries."""
    from .views import menu_items

    return menu_items(env)


@hookimpl
def tixi_company_setup(env: Env, company: Company) -> None:
    """Give the company its settings row and the default visit types (idempotent)."""
    from .services import ensure_company_defaults

    ensure_company_defaults(env)


@hookimpl(specname="tixi_record_event", tryfirst=True)
def check_locked_day(env: Env, event: str, model: str, record: Any, changes: dict) -> None:
    """Refuse, on every path, a change to a visit or report of a submitted day unless by a manager above."""
    if event not in ("created", "updated", "deleted"):
        return
    from .services.common import ConflictError, check_day_open, is_manager_of

    if model == "field_activity_visit":
        check_day_open(env, record.salesperson_id, record.visit_date)
        old = (changes or {}).get("visit_date")
        if event == "updated" and old and old[0]:
            import datetime as dt

            check_day_open(env, record.salesperson_id, dt.date.fromisoformat(str(old[0])[:10]))
    elif model == "field_activity_daily_report" and event != "created":
        state = (changes or {}).get("state")
        was_submitted = state[0] == "submitted" if state else record.state == "submitted"
        if was_submitted and not is_manager_of(env, record.salesperson_id):
            from core.i18n import _

            raise ConflictError(_("The daily report of %(date)s was already submitted; ask your manager to change it.",
                                  date=record.report_date.isoformat()))


@hookimpl
def tixi_approval_workflows() -> list[Any]:
    """``field_activity.plan``: the weekly plan submitted to the manager, confirmed or returned."""
    from .services.plans import PLAN_WORKFLOW

    return [PLAN_WORKFLOW]


@hookimpl
def tixi_measures() -> list[Any]:
    """Visits, flagged check-ins, orders on visits, report punctuality, the rolling forecast."""
    from .measures import MEASURES

    return MEASURES


@hookimpl
def tixi_reports() -> list[Any]:
    """Field activity per salesperson on the report centre."""
    from .report_defs import REPORTS

    return REPORTS


@hookimpl
def tixi_todos(env: Env) -> list[Any]:
    """Today's daily report, while not submitted."""
    from .todos import todos

    return todos(env)


@hookimpl
def tixi_notification_types() -> list[Any]:
    """The missing daily report reminders (the salesperson; their managers)."""
    from core.i18n import N_, _l
    from core.notifications import NotificationType

    return [
        NotificationType("field_activity.report_missing", _l("Daily report missing"),
                         subject=N_("Daily report missing: %(date)s"),
                         body=N_("Your daily sales report of %(date)s is not submitted yet.")),
        NotificationType("field_activity.report_missing_team", _l("Daily reports missing in my team"),
                         subject=N_("Daily reports missing in your team: %(date)s"),
                         body=N_("%(count)s daily reports of %(date)s are not submitted: %(salespeople)s")),
    ]


@hookimpl
def tixi_jobs() -> list[Any]:
    """Every hour: at the company's cut-off hour, remind who has not submitted today's daily report."""
    from core.i18n import _l
    from core.jobs import JobSpec

    from .services.reports import remind_missing_reports

    return [JobSpec("field_activity.report_reminder", _l("Daily report reminder"), remind_missing_reports,
                    cron="0 * * * *", retries=2, retry_wait=120)]
