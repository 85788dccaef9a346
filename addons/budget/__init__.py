"""The budget addon (营销预算管理): hook implementations, kept thin.

Annual budgets per owner (territory, department, customer-development project, brand
campaign) with lines per expense category, phased over the months by sales_planning's
engine and approved by the management committee; expense requests that reserve budget at
approval; claims with receipts checked against their line under a row lock; supplementary
budgets approved before spending by the company's bands; advances; execution figures,
report, monthly delivery and to-dos. Logic lives in ``services``, pages in ``views``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.plugins import hookimpl

if TYPE_CHECKING:
    from core.models import Company
    from core.security.env import Env


@hookimpl
def tixi_blueprints() -> list[Any]:
    """The addon's pages (under ``/budget``)."""
    from .views import bp

    return [bp]


@hookimpl
def tixi_menu_items(env: Env) -> list[Any]:
    """The addon's menu entries (hidden from users who may not read budgets)."""
    from .views import menu_items

    return menu_items(env)


@hookimpl
def tixi_company_setup(env: Env, company: Company) -> None:
    """Give the company the standard expense categories and approval bands (idempotent)."""
    from .services import ensure_company_defaults

    ensure_company_defaults(env)


@hookimpl
def tixi_approval_workflows() -> list[Any]:
    """Budgets, supplementary budgets, expense requests and claims go through the kernel approvals."""
    from .workflows import WORKFLOWS

    return list(WORKFLOWS.values())


@hookimpl
def tixi_measures() -> list[Any]:
    """Execution figures (``budget.amount``, ``budget.committed``, ``budget.spent`` ...)."""
    from .measures import MEASURES

    return MEASURES


@hookimpl
def tixi_reports() -> list[Any]:
    """The budget execution report."""
    from .report_defs import REPORTS

    return REPORTS


@hookimpl
def tixi_todos(env: Env) -> list[Any]:
    """Approvals waiting for the user, claims sent back."""
    from .todos import todos

    return todos(env)


@hookimpl
def tixi_notification_types() -> list[Any]:
    """``budget.execution``: last month's execution of a budget, for its owner."""
    from core.i18n import N_, _l
    from core.notifications import NotificationType

    return [NotificationType(
        "budget.execution", _l("Monthly budget execution"),
        subject=N_("Budget execution %(month)s: %(budget)s"),
        body=N_("%(budget)s at the end of %(month)s: budget %(amount)s, committed %(committed)s, spent %(spent)s, "
                "remaining %(remaining)s; %(used)s%% used with %(elapsed)s%% of the year elapsed."))]


@hookimpl
def tixi_jobs() -> list[Any]:
    """The monthly execution report to each budget owner, on the 1st at 00:00 UTC (08:00 in China)."""
    from core.i18n import _l
    from core.jobs import JobSpec, previous_month

    from .services.execution import deliver_execution

    return [JobSpec("budget.execution_report", _l("Monthly budget execution"), deliver_execution,
                    cron="0 0 1 * *", period=previous_month, retries=3, retry_wait=300)]


@hookimpl
def tixi_advances_outstanding(env: Env, employee_id: int, on: Any) -> Any:
    """Open advances of a person (:func:`addons.budget.services.advances.outstanding`)."""
    from addons.budget.services.advances import outstanding

    return outstanding(env, employee_id, on)


@hookimpl
def tixi_advances_deduct(env: Env, employee_id: int, amount: Any, on: Any, kind: str) -> Any:
    """Deduct from a person's open advances (:func:`addons.budget.services.advances.deduct`)."""
    from addons.budget.services.advances import deduct

    return deduct(env, employee_id, amount, on, kind=kind)
