"""The training addon (培训体系): hook implementations, kept thin.

Business logic lives in ``services``, the two approval workflows in
``workflows``, pages in ``views``, figures in ``measures``, the effect report
in ``report_defs``, to-dos in ``todos``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.plugins import hookimpl

if TYPE_CHECKING:
    from core.security.env import Env


@hookimpl
def tixi_blueprints() -> list[Any]:
    """The addon's pages (under ``/training``)."""
    from .views import bp

    return [bp]


@hookimpl
def tixi_menu_items(env: Env) -> list[Any]:
    """The addon's menu entries (hidden from users who may not read the models)."""
    from .views import menu_items

    return menu_items(env)


@hookimpl
def tixi_approval_workflows() -> list[Any]:
    """``training.course`` (review before a course is offered) and ``training.plan`` (plan approval)."""
    from .workflows import COURSE_WORKFLOW, PLAN_WORKFLOW

    return [COURSE_WORKFLOW, PLAN_WORKFLOW]


@hookimpl
def tixi_notification_types() -> list[Any]:
    """``training.survey``: the training needs survey sent to employees."""
    from core.i18n import N_, _l
    from core.notifications import NotificationType

    return [NotificationType("training.survey", _l("Training needs survey"),
                             subject=N_("Training needs survey: %(title)s"),
                             body=N_("Tell us which competencies you want training on for %(period)s: "
                                     "answer the survey %(title)s on the training page."))]


@hookimpl
def tixi_measures() -> list[Any]:
    """``training.attendance``, ``training.hours``, ``training.effect`` (:mod:`.measures`)."""
    from .measures import MEASURES

    return MEASURES


@hookimpl
def tixi_reports() -> list[Any]:
    """The effect report (per course, per lecturer) and the session summary on the report centre."""
    from .report_defs import REPORTS

    return REPORTS


@hookimpl
def tixi_todos(env: Env) -> list[Any]:
    """Feedback to give, surveys to answer (plans to approve come from the kernel's approval to-dos)."""
    from .todos import todos

    return todos(env)
