"""To-dos of the competency addon: assessments waiting for the user in the current period."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from core.i18n import _l
from core.todos import Todo

if TYPE_CHECKING:
    from core.security.env import Env


def current_period(env: Env, today: dt.date | None = None) -> str:
    """The current half-year (``2026-H2``) in the company's time zone: the default assessment period."""
    if today is None:
        from core.reports.run import local_today

        today = local_today(env)
    return f"{today.year}-H{1 if today.month <= 6 else 2}"


def todos(env: Env) -> list[Any]:
    """The user's own self-assessment and the manager assessments of their reports, if not done yet."""
    from flask import has_request_context, url_for

    from .services import pending_for_user

    period = current_period(env)
    pending = pending_for_user(env, period)
    url = url_for("competency.index") if has_request_context() else None
    return [
        Todo("competency.self", _l("Your self-assessment"), len(pending["self"]), url=url, sequence=60),
        Todo("competency.reports", _l("Assessments of your reports"), len(pending["manager"]), url=url, sequence=61),
    ]
