"""Measures of training (``tixi_measures``).

* ``training.attendance``: attended enrolments (people x sessions), over the session day;
* ``training.hours``: training hours attended (the course's duration per attendee);
* ``training.effect``: levels gained on the addressed competencies between the
  last calibrated assessment before the session and the first after it
  (requires the competency addon; see :mod:`.services.effect`).

Dimensions: ``employee``, ``course``, ``lecturer`` (and ``competency_code`` for
the effect). Built on ``env.select``: a person gets their own figures, a
manager their team's, HR everybody's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import literal, select

from addons.masterdata.models import Employee
from core.i18n import _l
from core.measures import Dimension, Measure

from .models import Course, Enrolment, Lecturer, Session
from .services.effect import effect_facts

if TYPE_CHECKING:
    from core.security.env import Env

COLUMNS = {"employee": Enrolment.employee_id, "course": Session.course_id, "lecturer": Session.lecturer_id}


def _attended(env: Env, value: Any, dimensions: Sequence[str]) -> Any:
    stmt = env.select(Enrolment, "read", value.label("value"), Session.on_date.label("period"),
                      *[COLUMNS[d].label(d) for d in dimensions if d in COLUMNS])
    stmt = stmt.select_from(Enrolment).join(Session, Session.id == Enrolment.session_id).where(
        Enrolment.attended.is_(True))
    return stmt


def attendance_query(env: Env, dimensions: Sequence[str]) -> Any:
    """One row per attended enrolment."""
    return _attended(env, literal(1), dimensions)


def hours_query(env: Env, dimensions: Sequence[str]) -> Any:
    """One row per attended enrolment; ``value`` the course's hours."""
    return _attended(env, Course.duration_hours, dimensions).join(Course, Course.id == Session.course_id)


def effect_query(env: Env, dimensions: Sequence[str]) -> Any:
    """One row per attendee and addressed competency with an assessment before and after."""
    facts = effect_facts(env)
    if facts is None:  # without competency: no rows
        return _attended(env, literal(0), dimensions).where(literal(False))
    f = facts.subquery()
    cols = {"employee": f.c.employee, "course": f.c.course, "lecturer": f.c.lecturer, "competency_code": f.c.code}
    return select(f.c.value, f.c.period, *[cols[d].label(d) for d in dimensions if d in cols])


_DIMS = (
    Dimension("employee", _l("Employee"), model=Employee),
    Dimension("course", _l("Course"), model=Course),
    Dimension("lecturer", _l("Lecturer"), model=Lecturer),
)

MEASURES = [
    Measure(
        name="training.attendance", label=_l("Training attendance"),
        description=_l("Attended training sessions (one per person and session), by session day."),
        kind="count", aggregate="count", query=attendance_query, dimensions=_DIMS, period="on_date",
        grains=("month", "quarter", "year"),
    ),
    Measure(
        name="training.hours", label=_l("Training hours"),
        description=_l("Hours of training attended (the course's duration per attendee)."),
        kind="quantity", scale=1, unit=_l("hours"), query=hours_query, dimensions=_DIMS, period="on_date",
        grains=("month", "quarter", "year"),
    ),
    Measure(
        name="training.effect", label=_l("Training effect"),
        description=_l("Levels gained on the addressed competencies at the next calibrated assessment."),
        kind="quantity", scale=0, unit=_l("levels"), query=effect_query,
        dimensions=_DIMS + (Dimension("competency_code", _l("Competency")),),
        period="on_date", grains=("month", "quarter", "year"),
    ),
]
