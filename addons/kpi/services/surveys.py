"""Internal customer satisfaction: the territories' people rate the back office (1..5).

A survey is open while today (the company's day) is within its period. ``answer`` records
the ratings of the current user (as their employee) of the back-office people
(technical support, marketing admin) they have not yet rated in that survey; anything
wrong (a rating outside 1..5, oneself, somebody outside the back office, a second rating,
a closed survey, nothing rated) is refused with the field's message and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from core.errors import AccessDenied, ValidationError
from core.i18n import _

from ..models import Survey, SurveyAnswer

if TYPE_CHECKING:
    from addons.masterdata.models import Employee
    from core.security.env import Env

#: the positions rated by the territories
BACK_OFFICE = ("tech_support", "marketing_admin")


def today(env: Env) -> dt.date:
    """The company's day."""
    from core.reports.run import local_today

    return local_today(env)


def is_open(survey: Survey, day: dt.date) -> bool:
    """Whether ``day`` is within the survey's period."""
    return survey.period_start <= day <= survey.period_end


def rateable(env: Env, rater_id: int | None) -> list[Employee]:
    """The back-office people of the company a rater may rate (not themselves), by name.

    sudo: the names and positions of the back office are the survey's questions, whoever
    answers; a salesperson may not read other employees otherwise.
    """
    from addons.masterdata.models import Employee

    root = env.sudo()
    rows = root.scalars(root.select(Employee).where(Employee.position.in_(BACK_OFFICE),
                                                    Employee.active.is_(True), Employee.date_left.is_(None))
                        .order_by(Employee.position, Employee.name_zh, Employee.id))
    return [e for e in rows if e.id != rater_id]


def my_answers(env: Env, survey: Survey, rater_id: int | None) -> dict[int, SurveyAnswer]:
    """The rater's answers of a survey, by rated employee (read with the user's rights: their own)."""
    if rater_id is None:
        return {}
    return {a.rated_id: a for a in env.search(SurveyAnswer, SurveyAnswer.survey_id == survey.id,
                                              SurveyAnswer.rater_id == rater_id)}


def answer(env: Env, survey: Survey, ratings: Mapping[int, Any], comments: Mapping[int, Any] | None = None,
           day: dt.date | None = None) -> list[SurveyAnswer]:
    """Record the current user's ratings (``{rated employee id: 1..5}``, blanks skipped)."""
    from addons.masterdata.services import current_employee

    me = current_employee(env)
    if me is None:
        raise AccessDenied(_("Only an employee of the company answers a satisfaction survey."))
    day = day or today(env)
    if not is_open(survey, day):
        raise ValidationError(_("This survey is closed: it ran from %(start)s to %(end)s.",
                                start=survey.period_start.isoformat(), end=survey.period_end.isoformat()))
    allowed = {e.id for e in rateable(env, me.id)}
    done = my_answers(env, survey, me.id)
    comments = comments or {}
    errors: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    for rated_id, raw in ratings.items():
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        key = f"rating_{rated_id}"
        try:
            value = int(str(raw).strip())
        except ValueError:
            value = 0
        if rated_id == me.id:
            errors[key] = _("You cannot rate yourself.")
        elif rated_id not in allowed:
            errors[key] = _("Only the back office (technical support, marketing admin) is rated.")
        elif rated_id in done:
            errors[key] = _("You have already rated this person in this survey.")
        elif not 1 <= value <= 5:
            errors[key] = _("Choose a rating from 1 to 5.")
        else:
            text = (comments.get(rated_id) or "").strip() or None
            if text and len(text) > 500:
                errors[f"comment_{rated_id}"] = _("At most 500 characters.")
            rows.append({"survey_id": survey.id, "rater_id": me.id, "rated_id": rated_id, "rating": value,
                         "answered_on": day, "comment": text})
    if not rows and not errors:
        raise ValidationError(_("Rate at least one person."), {"ratings": _("Rate at least one person.")})
    if errors:
        raise ValidationError(next(iter(errors.values())), errors)
    return [env.create(SurveyAnswer, r) for r in rows]
