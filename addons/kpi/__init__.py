"""The kpi addon (绩效管理): hook implementations, kept thin.

KPIs per position over the kernel measures of the enabled addons, scorecards
computed by a kernel job, reviewed with qualitative ratings and approved
(frozen), incentive schemes as data with the pay calculated line by line, and
internal customer satisfaction. Logic lives in ``services``, pages in ``views``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.plugins import hookimpl

if TYPE_CHECKING:
    from core.models import Company
    from core.security.env import Env


@hookimpl
def tixi_blueprints() -> list[Any]:
    """The addon's pages (under ``/kpi``)."""
    from .views import bp

    return [bp]


@hookimpl
def tixi_menu_items(env: Env) -> list[Any]:
    """The addon's menu entries (hidden from users who may not read scorecards)."""
    from .views import menu_items

    return menu_items(env)


@hookimpl
def tixi_company_setup(env: Env, company: Company) -> None:
    """Give the company the default KPIs of the five positions (idempotent)."""
    from .services import ensure_company_defaults

    ensure_company_defaults(env)


@hookimpl
def tixi_approval_workflows() -> list[Any]:
    """``kpi.scorecard``: a scorecard is approved by the manager, then frozen."""
    from .workflows import SCORECARD_WORKFLOW

    return [SCORECARD_WORKFLOW]


@hookimpl
def tixi_measures() -> list[Any]:
    """``kpi.satisfaction_score``, ``kpi.satisfaction_answers``, ``kpi.total_score``."""
    from .measures import MEASURES

    return MEASURES


@hookimpl
def tixi_reports() -> list[Any]:
    """The incentive pay lines (the payroll export) and the scorecards of a period."""
    from .report_defs import REPORTS

    return REPORTS


@hookimpl
def tixi_todos(env: Env) -> list[Any]:
    """Scorecards of the team waiting for the manager's ratings."""
    from .todos import todos

    return todos(env)


@hookimpl
def tixi_jobs() -> list[Any]:
    """Last month's scorecards (and the quarter's, the year's) on the 1st at 01:00 UTC."""
    from core.i18n import _l
    from core.jobs import JobSpec, previous_month

    from .services.scorecards import compute_job

    return [JobSpec("kpi.scorecards", _l("Monthly scorecards"), compute_job, cron="0 1 1 * *",
                    period=previous_month, retries=3, retry_wait=300)]
