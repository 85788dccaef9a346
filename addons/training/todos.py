"""To-dos of the training addon: feedback to give, needs surveys to answer.

Plans and courses waiting for the user's approval come from the kernel (every
workflow's pending approvals are on the to-do list already).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.i18n import _l
from core.todos import Todo

from .models import Enrolment, Feedback, Need, Survey

if TYPE_CHECKING:
    from core.security.env import Env


def todos(env: Env) -> list[Any]:
    """The user's attended sessions without feedback; surveys of the last 60 days they have not answered."""
    from flask import has_request_context, url_for

    from addons.masterdata.services import current_employee

    me = current_employee(env)
    if me is None or not env.can(Enrolment):
        return []
    given = select(Feedback.enrolment_id).where(Feedback.employee_id == me.id)
    feedback = env.count(Enrolment, Enrolment.employee_id == me.id, Enrolment.attended.is_(True),
                         Enrolment.id.not_in(given))
    import datetime as dt

    from core.db import utcnow

    answered = select(Need.survey_id).where(Need.employee_id == me.id, Need.survey_id.is_not(None))
    surveys = env.count(Survey, Survey.sent_at >= utcnow() - dt.timedelta(days=60), Survey.id.not_in(answered))
    url = url_for("training.index") if has_request_context() else None
    return [
        Todo("training.feedback", _l("Training feedback to give"), feedback, url=url, sequence=65),
        Todo("training.survey", _l("Training needs survey to answer"), surveys, url=url, sequence=66),
    ]
