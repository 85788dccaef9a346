"""The competency addon (能力模型): hook implementations, kept thin.

The kernel imports this package (and ``models``) once the addon is installed;
business logic lives in ``services``, pages in ``views``, figures in
``measures``, reports in ``report_defs``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.plugins import hookimpl

if TYPE_CHECKING:
    from core.models import Company
    from core.security.env import Env

LEVEL_CHECKED = {"competency_requirement", "competency_rating", "competency_level"}


@hookimpl
def tixi_blueprints() -> list[Any]:
    """The addon's pages (under ``/competency``)."""
    from .views import bp

    return [bp]


@hookimpl
def tixi_menu_items(env: Env) -> list[Any]:
    """The addon's menu entries (hidden from users who may not read the model)."""
    from .views import menu_items

    return menu_items(env)


@hookimpl
def tixi_company_setup(env: Env, company: Company) -> None:
    """Give the company the A–J model and the position matrix (idempotent: creates what is missing)."""
    from .services import ensure_company_defaults

    ensure_company_defaults(env)


@hookimpl(specname="tixi_record_event", tryfirst=True)
def check_level(env: Env, event: str, model: str, record: Any, changes: dict) -> None:
    """Refuse a level outside 1..5 on any path (generic forms, API, imports): a check, so ``tryfirst``."""
    if model in LEVEL_CHECKED and event in ("created", "updated") and "level" in (changes or {}):
        from .services.model import parse_level

        parse_level(record.level)


@hookimpl
def tixi_measures() -> list[Any]:
    """The gap measures (``competency.gap``, ``competency.gaps_open``)."""
    from .measures import MEASURES

    return MEASURES


@hookimpl
def tixi_reports() -> list[Any]:
    """The gap report on the report centre."""
    from .report_defs import REPORTS

    return REPORTS


@hookimpl
def tixi_todos(env: Env) -> list[Any]:
    """Assessments waiting for the user this period: their own, their reports'."""
    from .todos import todos

    return todos(env)


@hookimpl
def tixi_notification_types() -> list[Any]:
    """A person's own self-assessment, a manager's reports' assessments not done by the period's end."""
    from core.i18n import N_, _l
    from core.notifications import NotificationType

    return [
        NotificationType("competency.self_missing", _l("Self-assessment not done"),
                         subject=N_("Your self-assessment for %(period)s is not done"),
                         body=N_("The period %(period)s has ended and your competency self-assessment is missing. "
                                 "Please fill it in.")),
        NotificationType("competency.reports_missing", _l("Assessments of my reports not done"),
                         subject=N_("Assessments of your reports for %(period)s are not done"),
                         body=N_("The period %(period)s has ended; %(count)s of your reports have no manager "
                                 "assessment: %(people)s")),
    ]


@hookimpl
def tixi_jobs() -> list[Any]:
    """The reminder of assessments not done by the end of the half-year (1 January and 1 July, 01:00 UTC)."""
    from core.i18n import _l
    from core.jobs import JobSpec

    from .services.reminders import previous_half, remind_job

    return [JobSpec("competency.reminders", _l("Assessment reminders"), remind_job, cron="0 1 1 1,7 *",
                    period=previous_half, retries=3, retry_wait=300)]


@hookimpl
def tixi_competency_gaps(env: Env, period: str | None, position: str | None) -> list[dict]:
    """The addon's own answer to its hook: gap rows readable by the user."""
    from .services import gap_rows

    return gap_rows(env, period=period, position=position)
