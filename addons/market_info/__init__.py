"""The market_info addon (信息管理): hook implementations, kept thin.

Business logic lives in :mod:`addons.market_info.services`; the record rules'
user-context value in :mod:`addons.market_info.access`; pages in ``views``,
figures in ``measures``, the market status report in ``report_defs``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.plugins import hookimpl

if TYPE_CHECKING:
    from core.security.env import Env


@hookimpl
def tixi_user_context(env: Env) -> dict[str, Any]:
    """``market_info_plan_ids``: the plans naming the user (collector, aggregator, recipient, role)."""
    from .access import plan_context

    return plan_context(env)


@hookimpl
def tixi_blueprints() -> list[Any]:
    """The addon's pages (under ``/market-info``)."""
    from .views import bp

    return [bp]


@hookimpl
def tixi_menu_items(env: Env) -> list[Any]:
    """The "Market information" menu."""
    from .views import menu_items

    return menu_items(env)


@hookimpl
def tixi_measures() -> list[Any]:
    """``market_info.price_observations``."""
    from .measures import MEASURES

    return MEASURES


@hookimpl
def tixi_reports() -> list[Any]:
    """The market status report (市场状况周/月统计表)."""
    from .report_defs import REPORTS

    return REPORTS


@hookimpl
def tixi_todos(env: Env) -> list[Any]:
    """Information items due soon and overdue, for their collector."""
    from .todos import todos

    return todos(env)


@hookimpl
def tixi_notification_types() -> list[Any]:
    """An item due, an item overdue, an analysis issued."""
    from core.i18n import N_, _l
    from core.notifications import NotificationType

    return [
        NotificationType("market_info.item_due", _l("Information due"),
                         subject=N_("Information due: %(plan)s"),
                         body=N_("%(kind)s for the plan %(plan)s is due on %(due)s.")),
        NotificationType("market_info.item_overdue", _l("Information overdue"),
                         subject=N_("Information overdue: %(plan)s"),
                         body=N_("%(kind)s for the plan %(plan)s was due on %(due)s and has not been filed.")),
        NotificationType("market_info.analysis_issued", _l("Information analysis issued"),
                         subject=N_("Analysis: %(title)s"), body=N_("%(body)s")),
    ]


@hookimpl
def tixi_jobs() -> list[Any]:
    """The daily reminder of items due and overdue, at 00:30 UTC (08:30 in China)."""
    from core.i18n import _l
    from core.jobs import JobSpec

    from .services.plans import day_period, remind_job

    return [JobSpec("market_info.reminders", _l("Information collection reminders"), remind_job,
                    cron="30 0 * * *", period=day_period, retries=3, retry_wait=300)]
