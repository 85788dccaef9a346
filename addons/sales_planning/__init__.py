"""The sales planning addon (销售计划): hook implementations, kept thin.

Targets go down (the company target split to territories), plans come up
(each territory manager plans down to customers, salespeople and products),
actuals come from the ``orders`` addon's measures or an .xlsx import here, and
plan vs actual warns who is behind. Business logic lives in ``services``,
pages in ``views``, figures in ``measures``, reports in ``report_defs``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.plugins import hookimpl

if TYPE_CHECKING:
    from core.models import Company
    from core.security.env import Env


@hookimpl
def tixi_blueprints() -> list[Any]:
    """The addon's pages (under ``/sales_planning``)."""
    from .views import bp

    return [bp]


@hookimpl
def tixi_menu_items(env: Env) -> list[Any]:
    """The addon's menu entries (hidden from users who may not read plans)."""
    from .views import menu_items

    return menu_items(env)


@hookimpl
def tixi_company_setup(env: Env, company: Company) -> None:
    """Give the company the standard plan types (idempotent)."""
    from .services import ensure_company_defaults

    ensure_company_defaults(env)


@hookimpl
def tixi_approval_workflows() -> list[Any]:
    """Plan revisions are submitted and approved through the kernel approvals."""
    from .workflows import PLAN_WORKFLOW

    return [PLAN_WORKFLOW]


@hookimpl
def tixi_measures() -> list[Any]:
    """Imported sales, targets and plans in force (``sales_planning.*``)."""
    from .measures import MEASURES

    return MEASURES


@hookimpl
def tixi_reports() -> list[Any]:
    """Plan vs actual on the report centre."""
    from .report_defs import REPORTS

    return REPORTS


@hookimpl
def tixi_todos(env: Env) -> list[Any]:
    """Territories to plan and plans sent back, for territory managers."""
    from .todos import todos

    return todos(env)


@hookimpl
def tixi_dashboard_widgets(env: Env) -> list[Any]:
    """This year's target against actuals by territory, with the territories behind plan."""
    from .charts import dashboard_widgets

    return dashboard_widgets(env)
