"""To-dos of field_activity: today's daily report not submitted yet (plans to review come from the
kernel's approval to-dos of the ``field_activity.plan`` workflow)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.i18n import _l
from core.todos import Todo

if TYPE_CHECKING:
    from core.security.env import Env


def todos(env: Env) -> list[Any]:
    """1 when the user is a salesperson whose report of today is not submitted."""
    from flask import has_request_context, url_for

    from .services.common import local_today, me, submitted_report

    emp = me(env)
    if emp is None or emp.position != "salesperson":
        return []
    missing = submitted_report(env, emp.id, local_today(env)) is None
    url = url_for("field_activity.today") if has_request_context() else None
    return [Todo("field_activity.daily_report", _l("Today's daily report"), int(missing), url=url, sequence=40)]
