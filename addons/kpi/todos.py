"""To-dos of the kpi addon: the team's draft scorecards of finished periods still to rate.

Scorecards waiting for the user's approval come from the kernel's approval to-dos.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import or_

from core.i18n import _l
from core.todos import Todo

from .models import Scorecard

if TYPE_CHECKING:
    from core.security.env import Env


def todos(env: Env) -> list[Any]:
    """A manager's team scorecards (not their own) without every qualitative rating."""
    from flask import has_request_context, url_for

    from addons.masterdata.services import current_employee

    me = current_employee(env)
    if me is None or not env.can(Scorecard, "write"):
        return []
    n = env.count(Scorecard, Scorecard.employee_id != me.id, Scorecard.state != "approved",
                  or_(Scorecard.cooperation.is_(None), Scorecard.compliance.is_(None)))
    url = url_for("kpi.index") if has_request_context() else None
    return [Todo("kpi.rate", _l("Scorecards to rate"), n, url=url, sequence=70)]
